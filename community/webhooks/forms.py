"""Forms of the webhook pages: they check the shape of input; ``services.webhooks`` checks the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from community.auth.forms import MultiCheckboxField

EVENT_LABELS = {
    "member.joined": _l("A new member joins the community (member.joined)"),
    "post.created": _l("A new post in a board: a discussion started or a reply (post.created)"),
    "question.answered": _l("A question is answered (question.answered)"),
}


def _board(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1  # not a board: the choice check says so


class WebhookForm(FlaskForm):
    """Make or change a hook: where to, which events, which board."""

    url = StringField(_l("Address to send to"), validators=[Length(max=500)])
    events = MultiCheckboxField(_l("Events"), choices=[SelectChoice(k, v) for k, v in EVENT_LABELS.items()],
                                validate_choice=False)  # fmt: skip
    board_id = SelectField(_l("Posts in"), coerce=_board, validate_choice=True)
    enabled = BooleanField(_l("Enabled: deliveries are sent"), default=True)


class EmptyForm(FlaskForm):
    """The one-button actions: enable or disable, rotate the secret, send a test, delete (CSRF only)."""
