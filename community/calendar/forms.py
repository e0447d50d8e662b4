"""Forms of the calendar blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from community.forms import PostingForm
from community.models import RSVP_ANSWERS

TIME_FORMAT = "%Y-%m-%dT%H:%M"
REPEAT_CHOICES = [
    SelectChoice("none", _l("Does not repeat")),
    SelectChoice("weekly", _l("Every week")),
    SelectChoice("fortnightly", _l("Every two weeks")),
    SelectChoice("monthly", _l("Every month")),
    SelectChoice("custom", _l("Custom rule (iCalendar RRULE)")),
]


class EventForm(PostingForm):
    """Schedule or change an event: times are read in the event's own time zone."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give the event a title.")), Length(max=200)])
    where = SelectField(_l("For"), choices=[], validate_choice=False)
    # The units of the groups' programmes (filled by the view); the service checks the chosen group's.
    unit = SelectField(_l("Unit (optional)"), choices=[], default="", validate_choice=False)
    starts_at = DateTimeLocalField(_l("Starts"), format=[TIME_FORMAT, "%Y-%m-%dT%H:%M:%S"], validators=[
        InputRequired(_l("Please say when the event starts."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=[TIME_FORMAT, "%Y-%m-%dT%H:%M:%S"], validators=[
        InputRequired(_l("Please say when the event ends."))])
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=False)
    location = StringField(_l("Place (optional)"), validators=[Optional(), Length(max=200)])
    online_url = URLField(_l("Online meeting link (optional)"), validators=[Optional()])
    capacity = IntegerField(_l("Places (optional)"), validators=[Optional()])
    repeat = SelectField(_l("Repeats"), choices=REPEAT_CHOICES, default="none")
    repeat_count = IntegerField(_l("Number of times"), validators=[Optional()])
    repeat_until = DateField(_l("Or until (last day)"), validators=[Optional()])
    rrule = StringField(_l("Custom rule"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_l("Description"), validators=[DataRequired(_l("Please describe the event."))])
    revision = HiddenField()


class RsvpForm(FlaskForm):
    """Going, maybe or not going."""

    answer = RadioField(_l("Will you come?"), choices=[SelectChoice(k, v) for k, v in RSVP_ANSWERS.items()],
                        validators=[InputRequired(_l("Please choose an answer."))])  # fmt: skip


class CommentForm(PostingForm):
    """A comment under the event."""

    body = TextAreaField(_l("Your comment"), validators=[DataRequired(_l("Please write your comment first."))])


class MoveForm(FlaskForm):
    """Move one date of a series."""

    starts_at = DateTimeLocalField(_l("New start"), format=[TIME_FORMAT, "%Y-%m-%dT%H:%M:%S"], validators=[
        InputRequired(_l("Please say when it starts."))])
    ends_at = DateTimeLocalField(_l("New end"), format=[TIME_FORMAT, "%Y-%m-%dT%H:%M:%S"], validators=[
        InputRequired(_l("Please say when it ends."))])


class ActionForm(FlaskForm):
    """One-button actions (cancel, reset the calendar link): CSRF only."""
