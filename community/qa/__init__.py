"""Questions and answers."""

from flask import Blueprint

# cli_group=None: the blueprint's commands are top-level (``community publish-held-answers``).
bp = Blueprint("qa", __name__, url_prefix="/questions", cli_group=None)

from community.qa import cli  # noqa: E402,F401  (registers the command and the periodic job)
