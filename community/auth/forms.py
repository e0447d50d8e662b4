"""Forms of the auth blueprint: they check shape only; the services apply the rules."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from itsdangerous import BadSignature, TimestampSigner
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from community.models import ROLE_LABELS
from community.services.invitations import MAX_LINK_DAYS, MAX_LINK_USES


class SignInForm(FlaskForm):
    login = StringField(_l("E-mail or @handle"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class NewPasswordMixin:
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Type the password again"), validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))]
    )


class SetupForm(NewPasswordMixin, FlaskForm):
    community_name = StringField(_l("Name of the community"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    email = StringField(_l("Your e-mail address"), validators=[DataRequired(), Length(max=254)])
    handle = StringField(_l("Your @handle"), validators=[DataRequired(), Length(max=31)])


class HumanCheckMixin:
    """Spam bots fill every field and post at once: a honeypot field people never see, and the time the
    form was shown (signed, so it can't be forged) checked against REGISTRATION_MIN_SECONDS."""

    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=200)])
    shown_at = HiddenField()

    def stamp(self) -> None:
        """Sign the moment the form is shown."""
        self.shown_at.data = _signer().sign(str(time.time())).decode()

    def human_error(self) -> str | None:
        """Why this submission looks automated, or None."""
        if self.website.data:
            return _("We couldn't create your account. Please try again.")
        minimum = float(current_app.config.get("REGISTRATION_MIN_SECONDS", 0))
        if minimum <= 0:
            return None
        try:
            shown = float(_signer().unsign(self.shown_at.data or "", max_age=86400).decode())
        except (BadSignature, ValueError):
            return _("This form expired. Please check your details and send it again.")
        if time.time() - shown < minimum:
            return _("That was very quick. Please check your details and send the form again.")
        return None


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="registration-shown-at")


class RegisterForm(HumanCheckMixin, NewPasswordMixin, FlaskForm):
    email = StringField(_l("Your e-mail address"), validators=[Optional(), Length(max=254)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    handle = StringField(_l("Choose an @handle"), validators=[DataRequired(), Length(max=31)])


class ConfirmAddressForm(FlaskForm):
    """Correct the address typed when registering through a cohort link (a new link goes to it)."""

    email = StringField(_l("Your e-mail address"),
                        validators=[DataRequired(_l("Please give your e-mail address.")), Length(max=254)])  # fmt: skip


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Type the new password again"),
        validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))],
    )


class LanguageForm(FlaskForm):
    """The member's language and time zone (choices filled from community.i18n)."""

    language = SelectField(_l("Language"), validate_choice=False)
    timezone = SelectField(_l("Time zone"), validate_choice=False)


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("Your e-mail address"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Type the new password again"),
        validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))],
    )


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for choosing several groups (readable on a phone, unlike a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices(allowed: list[str]) -> list[tuple[str, str]]:
    """Role options the inviter may give."""
    return [(role, ROLE_LABELS[role]) for role in ("participant", "facilitator", "admin") if role in allowed]


class InviteForm(FlaskForm):
    emails = TextAreaField(_l("E-mail addresses"), validators=[Optional(), Length(max=100_000)])
    csv_file = FileField(_l("Or upload a CSV file"))
    role = SelectField(_l("Role"), validators=[InputRequired()])
    groups = MultiCheckboxField(_l("Groups they join on arrival"), coerce=int, validate_choice=True)
    note = TextAreaField(_l("A personal note (optional)"), validators=[Optional(), Length(max=500)])


class InviteLinkForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[InputRequired()])
    days = IntegerField(_l("Link works for (days)"), default=14,
                        validators=[InputRequired(), NumberRange(1, MAX_LINK_DAYS)])  # fmt: skip
    max_uses = IntegerField(_l("Up to how many people"), default=30,
                            validators=[InputRequired(), NumberRange(1, MAX_LINK_USES)])  # fmt: skip
    groups = MultiCheckboxField(_l("Groups they join on arrival"), coerce=int, validate_choice=True)
    needs_approval = BooleanField(_l("Ask me to approve each person who joins through this link"))


class _OnAccountPage(FlaskForm):
    """Several forms share the account page: a prefix keeps their field ids apart."""

    prefix_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class ChangeEmailForm(_OnAccountPage):
    """A new e-mail address (a link goes to it) and the password, which proves it is the member asking."""

    prefix_name = "email"

    email = StringField(_l("New e-mail address"), validators=[
        DataRequired(_l("Please give your new e-mail address.")), Length(max=254)])  # fmt: skip
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Please give your password.")),
                                                              Length(max=200)])  # fmt: skip


KEEP_CHOICES = {"keep": _l("Keep my posts, shown under “Former member”"),
                "remove": _l("Remove my posts (replies by others stay)")}


class DeleteAccountForm(_OnAccountPage):
    """Delete my account: what becomes of the posts, and the password to confirm."""

    prefix_name = "delete"

    posts = RadioField(_l("Your posts"), choices=[SelectChoice(k, v) for k, v in KEEP_CHOICES.items()],
                       default="keep")
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Please give your password.")),
                                                              Length(max=200)])  # fmt: skip


class ApiTokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=80)])
    scope = SelectField(_l("What it may do"), choices=[
        SelectChoice("read", _l("Read only")),
        SelectChoice("write", _l("Read and write: post, vote, send messages")),
    ])
