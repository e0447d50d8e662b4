"""Forms of the messages blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from community.forms import PostingForm


class NewConversationForm(PostingForm):
    """Write to one or more members."""

    to = StringField(_l("To"), validators=[DataRequired(_l("Please name at least one member to write to."))])
    subject = StringField(_l("Subject (optional)"), validators=[Optional()])
    body = TextAreaField(_l("Message"), validators=[DataRequired(_l("Please write something first."))])


class MessageForm(PostingForm):
    """A message in a conversation."""

    body = TextAreaField(_l("Your message"), validators=[DataRequired(_l("Please write something first."))])


class AddPeopleForm(FlaskForm):
    """The starter adds people."""

    to = StringField(_l("Add people"), validators=[DataRequired(_l("Please name at least one member to add."))])
