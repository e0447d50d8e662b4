"""The account's API pages: how the API works (/account/api) and the member's tokens (/account/api/tokens)."""

from __future__ import annotations

from flask import flash, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from community.auth import bp
from community.auth.forms import ApiTokenForm
from community.auth.views import show_error
from community.errors import InvalidInput
from community.models import MAX_TOKENS
from community.services import api_tokens


@bp.get("/account/api")
@login_required
def api_docs() -> ResponseReturnValue:
    """The API explained for members who make tokens: authentication, pages, errors, the routes."""
    from community.api import api

    paths = api.spec.to_dict()["paths"]
    routes = [(method.upper(), path) for path, item in paths.items() for method in item if method != "parameters"]
    return render_template("auth/api_docs.html", max_tokens=MAX_TOKENS, routes=routes)


def _tokens_page(form: ApiTokenForm, status: int = 200, secret: str | None = None) -> ResponseReturnValue:
    tokens = api_tokens.live_tokens(current_user)
    return render_template("auth/api_tokens.html", form=form, tokens=tokens, secret=secret, revoke_form=FlaskForm(),
                           max_tokens=MAX_TOKENS), status  # fmt: skip


@bp.route("/account/api/tokens", methods=["GET", "POST"])
@login_required
def api_tokens_page() -> ResponseReturnValue:
    """List your tokens; make one (shown once, on this answer alone)."""
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            _row, secret = api_tokens.create_token(current_user, form.name.data, form.scope.data)
        except InvalidInput as error:
            show_error(form, error)
        else:
            flash(_("Your token is made. Copy it now: it is shown only this once."), "success")
            return _tokens_page(ApiTokenForm(formdata=None), 200, secret)
    return _tokens_page(form, 400 if form.is_submitted() else 200)


@bp.post("/account/api/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of your tokens: it stops working at once."""
    from flask import redirect

    if FlaskForm().validate_on_submit():
        api_tokens.revoke_token(current_user, token_id)
        flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for("auth.api_tokens_page"))
