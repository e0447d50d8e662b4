"""Forms of the Q&A blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.forms import PostingForm
from community.services.qa import COMMENT_MAX_CHARS


class AskForm(PostingForm):
    """Ask a question; the "check" button shows similar questions without asking."""

    title = StringField(
        _l("Your question in one sentence"),
        validators=[DataRequired(_l("Please give your question a title.")), Length(max=200)],
    )
    body = TextAreaField(_l("Details"), validators=[DataRequired(_l("Please add a few details: what have you tried?"))])
    tags = StringField(_l("Tags (optional)"), validators=[Optional()])
    # "" is the whole community; other choices are the member's groups (filled by the view).
    where = SelectField(_l("Where to ask"), choices=[SelectChoice("", _l("The whole community"))], default="")
    # The units of the member's groups' programmes (filled by the view); the service checks the group's.
    unit = SelectField(_l("Unit (optional)"), choices=[SelectChoice("", _l("No unit"))], default="",
                       validate_choice=False)
    check = SubmitField(_l("Check for similar questions"))
    submit = SubmitField(_l("Post your question"))


class AnswerForm(PostingForm):
    """Answer a question."""

    body = TextAreaField(_l("Your answer"), validators=[DataRequired(_l("Please write your answer first."))])


class CommentForm(PostingForm):
    """A short comment under the question or an answer."""

    body = TextAreaField(
        _l("Add a comment"),
        validators=[
            DataRequired(_l("Please write your comment first.")),
            Length(max=COMMENT_MAX_CHARS, message=_l("Comments are %(max)d characters at most.")),
        ],
    )


class VoteForm(FlaskForm):
    """Up (1), down (-1) or withdraw (0); the service checks the value."""

    value = HiddenField()


class AcceptForm(FlaskForm):
    """Accept an answer; ``current`` is the accepted answer the member saw (0 for none)."""

    answer_id = HiddenField()
    current = HiddenField()


class CloseForm(FlaskForm):
    """Close a question as a duplicate of another."""

    duplicate_of = StringField(
        _l("Duplicate of (question number or link)"), validators=[DataRequired(_l("Which question does it duplicate?"))]
    )


class EditForm(FlaskForm):
    """Edit a question (title, text, tags) or an answer or comment (text)."""

    title = StringField(_l("Title"))
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Please write something first."))])
    tags = StringField(_l("Tags (optional)"), validators=[Optional()])
    revision = HiddenField()


class ActionForm(FlaskForm):
    """One-button actions (delete, reopen, take back acceptance): CSRF only."""
