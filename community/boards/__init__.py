"""Discussion boards and discussions (plus the Markdown preview every editor uses).

No URL prefix: boards live under /boards, discussions under /discussions, posts under /posts.
"""

from flask import Blueprint

bp = Blueprint("boards", __name__)
