"""Views of the webhook pages (admin area). Everyone but admins gets a 404: the pages don't exist for them."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from community.errors import DomainError
from community.extensions import limiter
from community.members.forms import show_error
from community.permissions import access_admin_area, access_webhook
from community.services import webhooks as service
from community.webhooks import bp
from community.webhooks.forms import EVENT_LABELS, EmptyForm, WebhookForm

SHOWN_SECRET = "webhook_secret"  # the session holds a new secret until the hook's page shows it, once


def _limit() -> str:
    return current_app.config.get("RATELIMIT_WEBHOOKS") or "30 per hour"


def _manager_key() -> str:
    return f"member:{current_user.id}"


write_limit = limiter.shared_limit(_limit, "webhooks", key_func=_manager_key, methods=["POST"])


@bp.before_request
def _admins_only() -> None:
    """The whole blueprint is for admins; anyone else sees a plain 404."""
    access_admin_area(current_user)


def _form(**kwargs: Any) -> WebhookForm:
    form = WebhookForm(**kwargs)
    form.board_id.choices = [SelectChoice(None, _("Any board")),
                             *(SelectChoice(i, name) for i, name in service.hook_boards())]
    return form


def _show_once(hook_id: int, secret: str) -> None:
    session[SHOWN_SECRET] = {"id": hook_id, "secret": secret}


@bp.get("")
def index() -> ResponseReturnValue:
    """Every webhook: its address, events and state."""
    return render_template("webhooks/index.html", hooks=service.webhooks_page(), labels=EVENT_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@write_limit
def new() -> ResponseReturnValue:
    """Make a webhook; its secret is shown once, on its page."""
    form = _form()
    if form.validate_on_submit():
        try:
            hook = service.create_webhook(current_user, url=form.url.data, events=form.events.data,
                                          board_id=form.board_id.data, enabled=form.enabled.data)  # fmt: skip
        except DomainError as error:
            show_error(form, error)
        else:
            _show_once(hook.id, hook.secret)
            flash(_("The webhook is made. Copy its secret now: it is shown only this once."), "success")
            return redirect(url_for(".show", hook_id=hook.id))
    return render_template("webhooks/form.html", form=form, hook=None), 400 if form.is_submitted() else 200


@bp.get("/<int:hook_id>")
def show(hook_id: int) -> ResponseReturnValue:
    """One webhook: its settings, its secret (once, after making or rotating it) and its recent deliveries."""
    hook = access_webhook(current_user, hook_id)
    shown = session.pop(SHOWN_SECRET, None)
    secret = shown["secret"] if isinstance(shown, dict) and shown.get("id") == hook.id else None
    return render_template("webhooks/show.html", hook=hook, secret=secret, labels=EVENT_LABELS,
                           deliveries=service.recent_deliveries(hook), form=EmptyForm())  # fmt: skip


@bp.route("/<int:hook_id>/edit", methods=["GET", "POST"])
@write_limit
def edit(hook_id: int) -> ResponseReturnValue:
    """Change a webhook's address, events, board, or state."""
    hook = access_webhook(current_user, hook_id)
    form = _form(obj=hook)
    if form.validate_on_submit():
        try:
            service.update_webhook(current_user, hook, url=form.url.data, events=form.events.data,
                                   board_id=form.board_id.data, enabled=form.enabled.data)  # fmt: skip
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The webhook is saved."), "success")
            return redirect(url_for(".show", hook_id=hook.id))
    return render_template("webhooks/form.html", form=form, hook=hook), 400 if form.is_submitted() else 200


def _button(hook_id: int) -> Any:
    hook = access_webhook(current_user, hook_id)
    if not EmptyForm().validate_on_submit():
        flash(_("The form had expired: please try again."), "error")
        return hook, False
    return hook, True


@bp.post("/<int:hook_id>/enabled")
@write_limit
def toggle(hook_id: int) -> ResponseReturnValue:
    """Disable a webhook, or enable it again."""
    hook, ok = _button(hook_id)
    if ok:
        service.set_enabled(current_user, hook, not hook.enabled)
        flash(_("The webhook is enabled.") if hook.enabled else _("The webhook is disabled: nothing is sent."),
              "success")  # fmt: skip
    return redirect(url_for(".show", hook_id=hook.id))


@bp.post("/<int:hook_id>/rotate")
@write_limit
def rotate(hook_id: int) -> ResponseReturnValue:
    """A new secret; the old one stops working at once."""
    hook, ok = _button(hook_id)
    if ok:
        _show_once(hook.id, service.rotate_secret(current_user, hook))
        flash(_("A new secret is made. Copy it now: it is shown only this once."), "success")
    return redirect(url_for(".show", hook_id=hook.id))


@bp.post("/<int:hook_id>/test")
@write_limit
def test(hook_id: int) -> ResponseReturnValue:
    """Queue a test delivery (event ``ping``)."""
    hook, ok = _button(hook_id)
    if ok:
        service.send_test(current_user, hook)
        flash(_("A test delivery is queued: it appears below within a few seconds."), "success")
    return redirect(url_for(".show", hook_id=hook.id))


@bp.post("/<int:hook_id>/delete")
@write_limit
def delete(hook_id: int) -> ResponseReturnValue:
    """Delete a webhook and its deliveries."""
    hook, ok = _button(hook_id)
    if not ok:
        return redirect(url_for(".show", hook_id=hook.id))
    service.delete_webhook(current_user, hook)
    flash(_("The webhook is deleted."), "success")
    return redirect(url_for(".index"))
