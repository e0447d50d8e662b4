"""Forms of the members blueprint: they check the shape of input; the services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from community.errors import DomainError


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(_l("Please give your name.")), Length(max=80)])
    headline = StringField(_l("Headline"), validators=[Length(max=140)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=120)])
    programme = StringField(_l("Programme or cohort"), validators=[Length(max=120)])
    bio = TextAreaField(_l("About you"), validators=[Length(max=5000)])
    avatar = FileField(_l("Upload a new photo"))
    remove_avatar = BooleanField(_l("Remove my photo and use my initials"))


def show_error(form: FlaskForm, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's error next to the field it is about (or at the top of the form)."""
    name = (aliases or {}).get(error.field or "", error.field)
    field = form._fields.get(name) if name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
