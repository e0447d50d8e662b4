"""Forms of the programmes blueprint: they check shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class ProgrammeForm(FlaskForm):
    """Define a programme."""

    name = StringField(_l("Programme name"), validators=[DataRequired(_l("Please give the programme a name.")),
                                                        Length(max=120)])  # fmt: skip
    slug = StringField(_l("Web address (optional)"), validators=[Optional(), Length(max=60)])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=5000)])


class UnitForm(FlaskForm):
    """Add or edit a unit of a programme."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Please give the unit a code, e.g. 5CO01.")),
                                              Length(max=20)])  # fmt: skip
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give the unit a title.")),
                                                Length(max=200)])  # fmt: skip
    starts_on = DateField(_l("Starts on (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Ends on (optional)"), validators=[Optional()])
    position = IntegerField(_l("Order (optional)"), validators=[Optional(), NumberRange(min=0, max=999)])


class ActionForm(FlaskForm):
    """A one-button action (delete): CSRF only."""
