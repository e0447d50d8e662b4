"""Views of the auth blueprint: sign-in and out, first-run setup, the account page, password reset.

Invitations and registration live in ``invitation_views``, e-mail confirmation in ``confirm_views``
(imported at the bottom so they register too).
"""

from __future__ import annotations

import time
from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from community.auth import bp
from community.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LanguageForm,
    ResetPasswordForm,
    SetupForm,
    SignInForm,
)
from community.auth.limits import (
    WAITING_KEY,
    remember_device,
    reset_mail_per_address,
    reset_mail_per_email,
    signin_attempt,
)
from community.errors import DomainError, InvalidInput, NotFound
from community.i18n import language_choices, timezone_names
from community.models import User
from community.security import safe_next
from community.services import auth as auth_service
from community.services import setup as setup_service
from community.services.account_data import deletion, email_change, export
from community.services.accounts import end_session, start_session

SIGNIN_FAILED = _l("That e-mail/handle and password don't match an account.")


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's message next to the field it concerns (or at the top of the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def sign_member_in(user: User, remember: bool = False) -> None:
    """Open a session row for this browser and set the cookie (and the remember cookie if asked)."""
    start_session(user, request.user_agent.string)
    login_user(user, remember=remember)


def remember_waiting(user: User) -> None:
    """Let this browser see the "check your inbox" page of an account waiting for confirmation, for a while
    (``confirm_views``): such an account is never signed in."""
    session[WAITING_KEY] = [user.id, int(time.time())]


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> ResponseReturnValue:
    """Sign in by e-mail or handle; guessers wait, known devices don't (``community.auth.limits``)."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("feed.home")))
    form = SignInForm()
    if form.validate_on_submit():
        attempt = signin_attempt(form.login.data)
        hold = attempt.hold()
        if hold is not None:  # the password is not checked: a guesser learns nothing while it waits
            form.form_errors.extend(hold.messages())
            return render_template("auth/signin.html", form=form), 429, {"Retry-After": str(hold.seconds)}
        user = auth_service.check_password(attempt.account, form.password.data)
        if user is not None and user.state == "unconfirmed":
            # Only the right password gets here: saying "waiting for confirmation" reveals nothing more.
            remember_waiting(user)
            flash(_("Your account is waiting for you to confirm your e-mail address."), "info")
            return redirect(url_for("auth.confirm_pending"))
        if user is not None:
            if deletion.cancel_on_sign_in(user):
                flash(_("Welcome back: your account is no longer going to be deleted."), "success")
            sign_member_in(user, remember=form.remember.data)
            return remember_device(redirect(safe_next(request.args.get("next"), url_for("feed.home"))), user)
        attempt.failed()
        form.form_errors.append(str(SIGNIN_FAILED))
    return render_template("auth/signin.html", form=form), 400 if form.is_submitted() else 200


@bp.post("/signout")
def signout() -> ResponseReturnValue:
    """Sign this browser out; its cookies (session and remember-me) stop working at once."""
    form = FlaskForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        end_session(current_user.get_id())
        logout_user()
        flash(_("You're signed out. See you soon!"), "success")
    return redirect(url_for("auth.signin"))


@bp.get("/holding")
def holding() -> ResponseReturnValue:
    """The page pending and suspended members see."""
    return render_template("auth/holding.html")


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    """Liveness for load balancers."""
    return {"status": "ok"}


@bp.before_app_request
def _remember_address() -> None:
    """Without COMMUNITY_BASE_URL, the first page opened gives the community its address for e-mailed links
    (stored once, then editable under Settings). Health checks and static files don't count: a load balancer's
    probe may use an inner address."""
    from flask import current_app

    from community.services.site import remember_address

    if current_app.extensions.get("community.address_known") or request.endpoint in (None, "static", "auth.health"):
        return
    remember_address(request.host_url)
    current_app.extensions["community.address_known"] = True


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> ResponseReturnValue:
    """First run: name the community and create the community manager through the one-time link."""
    if not setup_service.setup_token_valid(token):
        return render_template("auth/setup_invalid.html"), 404
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = auth_service.complete_setup(
                token, community_name=form.community_name.data, display_name=form.display_name.data,
                email=form.email.data, handle=form.handle.data, password=form.password.data,
            )  # fmt: skip
        except NotFound:
            return render_template("auth/setup_invalid.html"), 404
        except InvalidInput as error:
            show_error(form, error)
        else:
            sign_member_in(user)
            flash(_("Your community is ready. Next: invite your first members."), "success")
            return redirect(url_for("auth.invitations"))
    return render_template("auth/setup.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    """Change your password and see where you are signed in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            auth_service.change_password(current_user, form.current_password.data, form.new_password.data,
                                         keep_session_token=current_user.get_id())  # fmt: skip
        except InvalidInput as error:
            show_error(form, error)
        else:
            flash(_("Your password is changed. You're still signed in here; other devices were signed out."), "success")
            return remember_device(redirect(url_for("auth.account")), current_user)  # known devices die with it
    return _account_page(form, language_form(), 400 if form.is_submitted() else 200)


def language_form(formdata: object = None) -> LanguageForm:
    """The language and time zone chooser, with the member's current choice (empty: the community's)."""
    form = LanguageForm(prefix="lang", data={"language": current_user.language or "",
                                             "timezone": current_user.timezone or ""})  # fmt: skip
    form.language.choices = [("", _("The community's default")), *language_choices()]
    form.timezone.choices = [("", _("The community's default")), *((name, name.replace("_", " "))
                                                                 for name in timezone_names())]  # fmt: skip
    return form


def _account_page(form: ChangePasswordForm, lang_form: LanguageForm, status: int, **forms: Any) -> ResponseReturnValue:
    devices = auth_service.list_devices(current_user, current_user.get_id())
    forms.setdefault("email_form", ChangeEmailForm(formdata=None))
    forms.setdefault("delete_form", DeleteAccountForm(formdata=None))
    return render_template("auth/account.html", form=form, lang_form=lang_form, devices=devices,
                           end_form=FlaskForm(), exports=export.list_exports(current_user),
                           pending_email=email_change.pending(current_user), grace_days=deletion.GRACE_DAYS,
                           export_days=export.KEEP_DAYS, **forms), status  # fmt: skip


@bp.post("/account/language")
@login_required
def account_language() -> ResponseReturnValue:
    """Choose the language and time zone the community speaks to you in."""
    lang_form = language_form()
    if lang_form.validate_on_submit():
        try:
            auth_service.set_language(current_user, lang_form.language.data or "", lang_form.timezone.data or "")
        except InvalidInput as error:
            show_error(lang_form, error)
        else:
            flash(_("Your language and time zone are saved."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(ChangePasswordForm(formdata=None), lang_form, 400)


@bp.post("/account/timezone")
@login_required
def account_timezone() -> ResponseReturnValue:
    """Answer the offer of the browser's time zone: use it, or keep the one in use (a fetch gets 204)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    zone = request.form.get("timezone", "") if request.form.get("choice") == "use" else None
    auth_service.answer_zone_offer(current_user, zone)  # an unknown zone: InvalidInput, a 400 with its words
    if request.headers.get("X-Requested-With") == "fetch":
        return "", 204
    if zone is not None:
        flash(_("Times are now shown in %(zone)s.", zone=zone.replace("_", " ")), "success")
    return redirect(safe_next(request.form.get("next"), url_for("feed.home")))


@bp.app_template_global()
def browser_zone_offer() -> bool:
    """Whether this page may offer the member their browser's time zone (static/js/timezone.js decides)."""
    return current_user.is_authenticated and auth_service.offers_browser_zone(current_user)


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions() -> ResponseReturnValue:
    """Sign out everywhere else."""
    if FlaskForm().validate_on_submit():
        count = auth_service.end_other_sessions(current_user, current_user.get_id())
        flash(ngettext("Signed out of %(num)d other device.", "Signed out of %(num)d other devices.", count), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/<int:device_id>/end")
@login_required
def end_device(device_id: int) -> ResponseReturnValue:
    """Sign one other device out."""
    if FlaskForm().validate_on_submit():
        auth_service.end_device(current_user, device_id)
        flash(_("That device is signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/forgot", methods=["GET", "POST"])
@reset_mail_per_address
@reset_mail_per_email
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link; the answer is the same whether or not an account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        auth_service.request_password_reset(form.email.data)
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password through an e-mailed link; every session of the account ends."""
    try:
        auth_service.user_for_reset_token(token)
    except InvalidInput:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = auth_service.reset_password(token, form.password.data)
        except InvalidInput as error:
            show_error(form, error)
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is changed. Please sign in with it."), "success")
            # The e-mailed link proved the owner: this browser signs in at once, even while guessers wait.
            return remember_device(redirect(url_for("auth.signin")), user)
    return render_template("auth/reset.html", form=form), 400 if form.is_submitted() else 200


from community.auth import (  # noqa: E402, F401  (registers their routes)
    account_views,
    confirm_views,
    invitation_views,
    token_views,
)
