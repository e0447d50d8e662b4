"""Home (the social-layer work turns this into the activity feed)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from community.feed import bp


@bp.get("/")
def home() -> ResponseReturnValue:
    """The member's home page."""
    return render_template("feed/home.html")
