"""Member blogs, comments, likes and Atom feeds."""

from flask import Blueprint

# cli_group=None: the blueprint's commands are top-level (``community publish-scheduled``).
bp = Blueprint("blogs", __name__, cli_group=None)

from community.blogs import cli  # noqa: E402,F401  (registers the commands and the periodic job)
