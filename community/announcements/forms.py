"""Forms of the announcements blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.forms import PostingForm

TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class AnnouncementForm(PostingForm):
    """Announce, or change an announcement: times are read in the author's own time zone."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give the announcement a title.")),
                                                 Length(max=200)])  # fmt: skip
    where = SelectField(_l("For"), choices=[], validate_choice=False)
    body = TextAreaField(_l("Announcement"), validators=[DataRequired(_l("Please write the announcement first."))])
    publish_at = DateTimeLocalField(_l("Publish at (optional)"), format=TIME_FORMATS, validators=[Optional()])
    expires_at = DateTimeLocalField(_l("Stop showing at the top after (optional)"), format=TIME_FORMATS,
                                    validators=[Optional()])  # fmt: skip
    revision = HiddenField()


class ActionForm(FlaskForm):
    """One-button actions (dismiss, withdraw): CSRF only."""
