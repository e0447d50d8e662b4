"""Forms of the boards blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.forms import PostingForm


class PreviewForm(FlaskForm):
    """The Markdown preview (CSRF is checked from the X-CSRFToken header by CSRFProtect)."""

    text = TextAreaField(_l("Text"))


class DiscussionForm(PostingForm):
    """Start a discussion."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give a title."))])
    body = TextAreaField(
        _l("What would you like to discuss?"), validators=[DataRequired(_l("Please write something first."))]
    )
    tags = StringField(_l("Tags (optional)"), validators=[Optional()])
    # The units of the board's group's programme (filled by the view); the service checks the choice.
    unit = SelectField(_l("Unit (optional)"), choices=[SelectChoice("", _l("No unit"))], default="",
                       validate_choice=False)


class ReplyForm(PostingForm):
    """Reply to a discussion."""

    body = TextAreaField(_l("Your reply"), validators=[DataRequired(_l("Please write something first."))])


class EditPostForm(FlaskForm):
    """Edit a post; ``revision`` is the revision the member started from (stale edits get a 409)."""

    title = StringField(_l("Title"))
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Please write something first."))])
    tags = StringField(_l("Tags (optional)"), validators=[Optional()])
    revision = HiddenField()


class HideForm(FlaskForm):
    """Hide a post, with a reason shown to its author."""

    reason = StringField(_l("Reason (shown to the author)"), validators=[Length(max=500)])


class MoveForm(FlaskForm):
    """Move a discussion to another board."""

    # Any board id is accepted here: the service checks the member moderates the target board.
    board_id = SelectField(_l("Move to board"), coerce=int, validate_choice=False)


class BoardForm(FlaskForm):
    """Create or describe a board."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Please give the board a name.")), Length(max=100)])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Position"), validators=[Optional()])
