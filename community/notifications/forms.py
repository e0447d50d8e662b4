"""Forms of the notifications blueprint."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice
from wtforms.validators import DataRequired, Length

from community.models import DELIVERIES, KIND_DELIVERIES, NOTIFICATION_KINDS

#: The settings page in sections, so a long list reads as a few short ones; a kind in none of them goes last,
#: under "Other news".
SECTIONS = (
    (_l("Conversations"), ("reply", "mention", "answer", "accepted", "comment", "watched")),
    (_l("You and your groups"), ("invitation", "join_approved", "join_declined", "facilitator_added",
                                 "facilitator_removed", "nudge")),
    (_l("If you facilitate a group"), ("join_request", "report")),
)  # fmt: skip


class EmptyForm(FlaskForm):
    """One-button actions (mark read, unsubscribe): CSRF only."""


class StopKindForm(FlaskForm):
    """A signed-in member's one click from an expired unsubscribe link: which e-mails to stop."""

    kind = HiddenField(validators=[DataRequired(), Length(max=20)])


class UndoUnsubscribeForm(FlaskForm):
    """Put back the e-mails an unsubscribe link just stopped (the deliveries it changed, as they were)."""

    before = HiddenField(validators=[DataRequired(), Length(max=2000)])


class PreferencesForm(FlaskForm):
    """One choice of delivery per notification kind (fields are added per kind below)."""

    def choices(self) -> dict[str, str]:
        """The submitted delivery per kind."""
        return {kind: getattr(self, kind).data for kind in NOTIFICATION_KINDS}

    def sections(self) -> list[tuple[Any, list[Any]]]:
        """The per-kind fields under their section headings (``SECTIONS``), every kind exactly once."""
        placed = {kind for _title, kinds in SECTIONS for kind in kinds}
        groups = [(title, [getattr(self, k) for k in kinds if k in NOTIFICATION_KINDS]) for title, kinds in SECTIONS]
        rest = [getattr(self, kind) for kind in NOTIFICATION_KINDS if kind not in placed]
        if rest:
            groups.append((_l("Other news"), rest))
        return [(title, fields) for title, fields in groups if fields]


#: What the settings page says under a kind whose choices are fewer (``KIND_DELIVERIES``).
KIND_NOTES = {
    "announcement": _l("Announcements reach you at once: by e-mail and in the page, or in the page only. "
                       "They never wait for a digest and can't be switched off."),
}  # fmt: skip

for _kind, _label in NOTIFICATION_KINDS.items():
    _allowed = KIND_DELIVERIES.get(_kind, tuple(DELIVERIES))
    _choices = [SelectChoice(value, label) for value, label in DELIVERIES.items() if value in _allowed]
    setattr(PreferencesForm, _kind, RadioField(_label, choices=_choices, default="web",
                                               description=KIND_NOTES.get(_kind, "")))  # fmt: skip
