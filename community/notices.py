"""Flash messages that several blueprints share: what became of what a member just posted."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_babel import gettext as _


def held_message() -> str:
    """The words a member reads when what they posted waits for a moderator."""
    return _("Your post is waiting for a moderator. Only you and the moderators can see it until it is approved; "
             "you will be told what they decide.")


def flash_if_held(thing: Any) -> bool:
    """Tell the author at once when their topic or post was held for approval; True if it was."""
    held = getattr(thing, "status", None) == "pending" or bool(getattr(thing, "pending", False))
    if held:
        flash(held_message(), "warning")
    return held
