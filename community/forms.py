"""Form pieces shared by the blueprints: the one-time submission key of every posting form.

A posting form (discussion, reply, question, answer, comment, blog post) renders a fresh random key in a hidden
field; the service stores it with the post (``services.submissions``), so the same form sent twice lands on
the post it made. Forms written by hand in a template (one per answer on a question page, the blog's reply
box) call the ``submission_key_input()`` template global instead.
"""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField

from community.services.submissions import valid_key

FIELD = "submission_key"


def new_submission_key() -> str:
    """A random key for one rendering of one form (32 hex digits)."""
    return secrets.token_hex(16)


class PostingForm(FlaskForm):
    """A form that creates a post: it carries a one-time submission key."""

    submission_key = HiddenField(default=new_submission_key)

    def submitted_key(self) -> str | None:
        """The key the browser sent, if it sent a well-formed one (None: post without deduplication)."""
        raw = getattr(self.submission_key, "raw_data", None)
        return valid_key(raw[0]) if raw else None


def submission_key_input() -> Markup:
    """The hidden input of a posting form written by hand in a template (a new key each call)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, new_submission_key())
