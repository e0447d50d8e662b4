"""Forms of the boards blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class PreviewForm(FlaskForm):
    """The Markdown preview (CSRF is checked from the X-CSRFToken header by CSRFProtect)."""

    text = TextAreaField("Text")


class DiscussionForm(FlaskForm):
    """Start a discussion."""

    title = StringField("Title", validators=[DataRequired("Please give a title.")])
    body = TextAreaField("What would you like to discuss?", validators=[DataRequired("Please write something first.")])
    tags = StringField("Tags (optional)", validators=[Optional()])


class ReplyForm(FlaskForm):
    """Reply to a discussion."""

    body = TextAreaField("Your reply", validators=[DataRequired("Please write something first.")])


class EditPostForm(FlaskForm):
    """Edit a post; ``revision`` is the revision the member started from (stale edits get a 409)."""

    title = StringField("Title")
    body = TextAreaField("Text", validators=[DataRequired("Please write something first.")])
    tags = StringField("Tags (optional)", validators=[Optional()])
    revision = HiddenField()


class HideForm(FlaskForm):
    """Hide a post, with a reason shown to its author."""

    reason = StringField("Reason (shown to the author)", validators=[Length(max=500)])


class MoveForm(FlaskForm):
    """Move a discussion to another board."""

    # Any board id is accepted here: the service checks the member moderates the target board.
    board_id = SelectField("Move to board", coerce=int, validate_choice=False)


class BoardForm(FlaskForm):
    """Create or describe a board."""

    name = StringField("Name", validators=[DataRequired("Please give the board a name."), Length(max=100)])
    description = TextAreaField("Description (optional)", validators=[Optional(), Length(max=2000)])
    position = IntegerField("Position", validators=[Optional()])
