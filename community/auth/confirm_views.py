"""Confirming the e-mail address of an account made through a cohort link: the "check your inbox" page
(send the link again, correct a mistyped address) and the link itself, which activates and signs in.

The page knows its account from the session (``WAITING_KEY``: the id and when it was set, by registering or
by signing in with the right password), for an hour: an unconfirmed account is never signed in.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Response, flash, make_response, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from community.auth import bp
from community.auth.forms import ConfirmAddressForm
from community.auth.limits import WAITING_KEY, confirm_mail_per_account
from community.auth.views import show_error, sign_member_in
from community.errors import InvalidInput
from community.models import User
from community.services import confirmations
from community.services.confirmations import ConfirmationLinkError

WAITING_SECONDS = 3600


def _waiting() -> User | None:
    value = session.get(WAITING_KEY)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        return None
    if time.time() - value[1] > WAITING_SECONDS:
        session.pop(WAITING_KEY, None)
        return None
    return confirmations.waiting_account(value[0])


def _pending_page(user: User, form: ConfirmAddressForm | None = None, status: int = 200,
                  problem: str = "") -> ResponseReturnValue:  # fmt: skip
    form = form or ConfirmAddressForm(formdata=None, email=user.email)
    return render_template("auth/confirm_pending.html", user=user, address_form=form, resend_form=FlaskForm(),
                           needs_approval=confirmations.needs_approval(user), hours=confirmations.confirm_hours(),
                           problem=problem), status  # fmt: skip


def _too_often(_limit: Any) -> Response:
    """The rate limit's answer: the same page, saying why nothing was sent (429)."""
    user = _waiting()
    if user is None:
        return make_response(_start_again())
    message = _("We've sent several links already. Please wait a little (check your spam folder meanwhile) and "
                "try again later.")  # fmt: skip
    return make_response(_pending_page(user, status=429, problem=message))


def _start_again() -> ResponseReturnValue:
    flash(_("To get a new confirmation link, sign in with your e-mail address and password."), "info")
    return redirect(url_for("auth.signin"))


@bp.get("/confirm")
def confirm_pending() -> ResponseReturnValue:
    """Check your inbox: where the link went, send it again, or correct the address."""
    user = _waiting()
    return _pending_page(user) if user is not None else _start_again()


@bp.post("/confirm/resend")
@confirm_mail_per_account(_too_often)
def confirm_resend() -> ResponseReturnValue:
    """Send the confirmation link again (rate-limited per account)."""
    user = _waiting()
    if user is None:
        return _start_again()
    if not FlaskForm().validate_on_submit():
        return _pending_page(user, status=400)
    confirmations.resend(user)
    flash(_("We've sent a new link to %(email)s.", email=user.email), "success")
    return redirect(url_for("auth.confirm_pending"))


@bp.post("/confirm/address")
@confirm_mail_per_account(_too_often)
def confirm_address() -> ResponseReturnValue:
    """Correct a mistyped address: the link goes to the new one, links to the old one stop working."""
    user = _waiting()
    if user is None:
        return _start_again()
    form = ConfirmAddressForm()
    if not form.validate_on_submit():
        return _pending_page(user, form, 400)
    try:
        confirmations.change_address(user, form.email.data)
    except InvalidInput as error:
        show_error(form, error)
        return _pending_page(user, form, 400)
    flash(_("Your address is now %(email)s: we've sent the link there.", email=user.email), "success")
    return redirect(url_for("auth.confirm_pending"))


@bp.get("/confirm/<token>")
def confirm_email(token: str) -> ResponseReturnValue:
    """The link from the e-mail: confirm the address, then sign in (or wait for approval)."""
    try:
        user = confirmations.confirm_email(token)
    except ConfirmationLinkError as error:
        if error.reason == "used" and current_user.is_authenticated and current_user.id == error.user.id:
            return redirect(url_for("feed.home"))  # opened twice: they are in already
        return render_template("auth/confirm_invalid.html", error=error, hours=confirmations.confirm_hours(),
                               days=confirmations.keep_days()), error.status  # fmt: skip
    session.pop(WAITING_KEY, None)
    if current_user.is_authenticated:  # someone else is signed in here: don't swap accounts under them
        flash(_("The address of @%(handle)s is confirmed. You're still signed in as @%(you)s: sign out to use the "
                "new account.", handle=user.handle, you=current_user.handle), "info")  # fmt: skip
        return redirect(url_for("feed.home"))
    sign_member_in(user)
    if user.state == "pending":
        return redirect(url_for("auth.holding"))
    flash(_("Your address is confirmed. You're in!"), "success")
    return redirect(url_for("feed.home"))
