"""Forms of the moderation area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.models import REPORT_REASONS


class ReportForm(FlaskForm):
    reason = RadioField(_l("Why are you reporting this?"),
                        choices=[SelectChoice(k, v) for k, v in REPORT_REASONS.items()],
                        validators=[DataRequired(message=_l("Please choose a reason."))])  # fmt: skip
    text = TextAreaField(_l("Anything the moderators should know? (optional)"), validators=[Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason (the author sees it)"), validators=[Optional(), Length(max=500)])


class WarnForm(FlaskForm):
    message = TextAreaField(_l("Message to the author"), validators=[DataRequired(), Length(max=2000)])


class SpamWaveForm(FlaskForm):
    reason = StringField(_l("Reason (the member sees it)"), validators=[DataRequired(), Length(max=500)])
    until = DateField(_l("Suspended until (leave empty: until lifted)"), validators=[Optional()])
    hide_everything = BooleanField(_l("Hide everything they have posted"), default=True)
