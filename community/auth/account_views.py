"""The account page's data actions: change the e-mail address, download my data, delete my account."""

from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm

from community.auth import bp
from community.auth.forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm
from community.auth.limits import email_change_per_member
from community.auth.views import _account_page, language_form, show_error
from community.errors import DomainError, InvalidInput
from community.services.account_data import deletion, email_change, export
from community.services.account_data.email_change import EmailLinkError


def _page(status: int, **forms: Any) -> ResponseReturnValue:
    return _account_page(ChangePasswordForm(formdata=None), language_form(), status, **forms)


@bp.post("/account/email")
@login_required
@email_change_per_member
def account_email() -> ResponseReturnValue:
    """Ask to use a new e-mail address: a link goes to it, the old one is told."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            address = email_change.request_change(current_user, form.email.data, form.password.data)
        except InvalidInput as error:
            show_error(form, error)
        else:
            flash(_("We sent a link to %(email)s: open it to confirm your new address. Until then, we keep "
                    "writing to your current one.", email=address), "success")  # fmt: skip
            return redirect(url_for("auth.account"))
    return _page(400, email_form=form)


@bp.post("/account/email/cancel")
@login_required
def account_email_cancel() -> ResponseReturnValue:
    """Forget the address waiting for confirmation."""
    if FlaskForm().validate_on_submit():
        email_change.cancel_change(current_user)
        flash(_("The change of address is cancelled."), "success")
    return redirect(url_for("auth.account"))


@bp.get("/account/email/<token>")
@login_required
def account_email_confirm(token: str) -> ResponseReturnValue:
    """The link mailed to the new address: the address changes (the sign-in name follows)."""
    try:
        address = email_change.confirm_change(current_user, token)
    except EmailLinkError as error:
        return render_template("auth/email_link_invalid.html", error=error), error.status
    except InvalidInput as error:
        flash(error.message, "error")
        return redirect(url_for("auth.account"))
    flash(_("Your e-mail address is now %(email)s. Sign in with it from now on.", email=address), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/export")
@login_required
def account_export() -> ResponseReturnValue:
    """Ask for a copy of my data (made in the background; 409 while one is made, 429 after three a day)."""
    if not FlaskForm().validate_on_submit():
        return _page(400)
    try:
        export.request_export(current_user)
    except DomainError as error:
        flash(error.message, "error")
        return make_response(_page(error.status))
    flash(_("We're making a copy of your data. We'll tell you when it's ready (it takes a few minutes)."), "success")
    return redirect(url_for("auth.account", _anchor="data-title"))


@bp.get("/account/export/<int:export_id>")
@login_required
def account_export_download(export_id: int) -> ResponseReturnValue:
    """Download my data: the owner's ZIP only (404 for anyone else, admins included)."""
    made, path = export.access_export(current_user, export_id)
    name = f"{current_user.handle}-data-{made.created_at:%Y-%m-%d}.zip"
    response = send_file(path, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/account/delete")
@login_required
def account_delete() -> ResponseReturnValue:
    """Delete my account after the grace period (the password confirms; signing in again cancels)."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            due = deletion.schedule_deletion(current_user, form.password.data, form.posts.data != "remove")
        except InvalidInput as error:
            show_error(form, error)
        except DomainError as error:
            form.form_errors.append(error.message)
            return _page(error.status, delete_form=form)
        else:
            logout_user()
            return render_template("auth/deletion_scheduled.html", due=due, days=deletion.GRACE_DAYS)
    return _page(400, delete_form=form)
