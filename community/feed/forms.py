"""Forms of the feed blueprint (one-button actions: react, watch, follow)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField

from community.models import REACTIONS


class EmptyForm(FlaskForm):
    """A one-button action: CSRF only, plus where to go back to."""

    next = HiddenField()


class ReactionForm(FlaskForm):
    """Toggle one reaction on a post."""

    kind = SelectField(_l("Reaction"), choices=[SelectChoice(k) for k in REACTIONS])
    next = HiddenField()
