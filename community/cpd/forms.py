"""Forms of the cpd blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional


class EntryForm(FlaskForm):
    """A CPD entry: what, when, what was learned, how it will be applied, hours, links."""

    done_on = DateField(_l("Date"), validators=[Optional()])
    title = StringField(_l("What I did"))
    learned = TextAreaField(_l("What I learned"))
    apply = TextAreaField(_l("How I will apply it"))
    hours = StringField(_l("Hours"))
    links = SelectMultipleField(_l("Linked to my contributions (optional)"), choices=[], validate_choice=False)


class ShareForm(FlaskForm):
    """Share with, or stop sharing with, one facilitator."""

    facilitator = HiddenField()


class ActionForm(FlaskForm):
    """One-button actions (delete an entry): CSRF only."""
