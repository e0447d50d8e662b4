"""Forms of the moderation area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.models import REPORT_REASONS


class ReportForm(FlaskForm):
    reason = RadioField("Why are you reporting this?", choices=[SelectChoice(k, v) for k, v in REPORT_REASONS.items()],
                        validators=[DataRequired(message="Please choose a reason.")])  # fmt: skip
    text = TextAreaField("Anything the moderators should know? (optional)", validators=[Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = StringField("Reason (the author sees it)", validators=[Optional(), Length(max=500)])


class WarnForm(FlaskForm):
    message = TextAreaField("Message to the author", validators=[DataRequired(), Length(max=2000)])


class SpamWaveForm(FlaskForm):
    reason = StringField("Reason (the member sees it)", validators=[DataRequired(), Length(max=500)])
    until = DateField("Suspended until (leave empty: until lifted)", validators=[Optional()])
    hide_everything = BooleanField("Hide everything they have posted", default=True)
