"""Forms of the admin area: they check the shape of input; the admin services check the rules."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.models import ROLE_LABELS


class _Prefixed(FlaskForm):
    """Several action forms share the member page: a prefix keeps their field ids apart."""

    prefix_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class ReasonForm(_Prefixed):
    """Approve, reactivate: one button and an optional reason."""

    prefix_name = "act"

    reason = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])


class ReactivateForm(ReasonForm):
    """Lift a suspension, and (after a spam wave) show again what it hid."""

    restore_content = BooleanField(_l("Also restore the posts the spam wave hid"), default=True)


class DeclineForm(_Prefixed):
    """Turn down someone waiting for approval."""

    prefix_name = "decline"

    reason = StringField(_l("Reason (optional: they will read it in the e-mail)"),
                         validators=[Optional(), Length(max=500)])  # fmt: skip


class SuspendForm(_Prefixed):
    prefix_name = "suspend"
    until = DateField(_l("Suspended until"), validators=[Optional()])
    reason = StringField(_l("Reason"),
                         validators=[DataRequired(_l("Please give a reason: it goes into the audit log.")),
                                     Length(max=500)])  # fmt: skip
    # The spam-wave button on the member's page: the same suspension, and everything they posted hidden.
    hide_everything = BooleanField(_l("Spam wave: also hide everything they have posted (it can be restored)"),
                                   default=False)  # fmt: skip


class RoleForm(_Prefixed):
    prefix_name = "role"
    role = SelectField(
        _l("Community role"), choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()]
    )
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (no CSRF: it only reads)."""

    class Meta:
        csrf = False

    actor = StringField(_l("By (@handle)"), validators=[Optional(), Length(max=31)])
    action = SelectField(_l("Action"), choices=[SelectChoice("", _l("Any action"))], validate_choice=False)
    # Translators: the first day of a date range in the audit log's filters.
    since = DateField(_l("From"), validators=[Optional()])
    # Translators: the last day of a date range in the audit log's filters.
    until = DateField(_l("To"), validators=[Optional()])


class SettingsForm(FlaskForm):
    community_name = StringField(_l("Community name"), validators=[Length(max=80)])
    welcome_text = TextAreaField(_l("Welcome text"), validators=[Length(max=2000)])
    base_url = StringField(_l("Community address"), validators=[Length(max=200)])
    allow_join_requests = BooleanField(_l("Anyone with a cohort link may ask to join (you approve each request)"))
    participants_create_groups = BooleanField(_l("Participants may create groups"))
    participants_may_message = BooleanField(_l("Participants may send private messages to each other"))
    premoderate_first_posts = IntegerField(
        _l("Approve a new member's first posts"),
        validators=[NumberRange(0, 100, _l("Please give a number from 0 to 100."))],
    )
    new_member_link_limit = IntegerField(
        _l("Links allowed in a new member's post"),
        validators=[NumberRange(0, 100, _l("Please give a number from 0 to 100."))],
    )
    blocked_words = TextAreaField(_l("Blocked words and phrases"))
    blocked_domains = TextAreaField(_l("Blocked link domains"))
    default_language = SelectField(_l("Language"), validate_choice=False)
    default_timezone = SelectField(_l("Time zone"), validate_choice=False)


class DeleteMemberForm(_Prefixed):
    """Delete a member's account (after the same grace period as their own request): what becomes of the
    posts, and a reason for the audit log."""

    prefix_name = "delete"

    posts = SelectField(_l("Their posts"), choices=[
        SelectChoice("keep", _l("Keep them, shown under “Former member”")),
        SelectChoice("remove", _l("Remove them (replies by others stay)"))], default="keep")  # fmt: skip
    reason = StringField(_l("Why the account is deleted (for the audit log)"), validators=[Optional(), Length(max=500)])
