"""Forms of the notifications blueprint."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice
from wtforms.validators import DataRequired, Length

from community.models import DELIVERIES, NOTIFICATION_KINDS


class EmptyForm(FlaskForm):
    """One-button actions (mark read, unsubscribe): CSRF only."""


class StopKindForm(FlaskForm):
    """A signed-in member's one click from an expired unsubscribe link: which e-mails to stop."""

    kind = HiddenField(validators=[DataRequired(), Length(max=20)])


class PreferencesForm(FlaskForm):
    """One choice of delivery per notification kind (fields are added per kind below)."""

    def choices(self) -> dict[str, str]:
        """The submitted delivery per kind."""
        return {kind: getattr(self, kind).data for kind in NOTIFICATION_KINDS}

    def kind_fields(self) -> list[Any]:
        """The per-kind fields, in the order of ``NOTIFICATION_KINDS``."""
        return [getattr(self, kind) for kind in NOTIFICATION_KINDS]


for _kind, _label in NOTIFICATION_KINDS.items():
    _choices = [SelectChoice(value, label) for value, label in DELIVERIES.items()]
    setattr(PreferencesForm, _kind, RadioField(_label, choices=_choices, default="web"))
