"""The composer's JSON endpoints under /composer: inline images, drafts and #tag suggestions.

Every writing form uses the one composer (templates/_macros/editor.html, static/js/composer.js); these are
its server side. They answer JSON, errors as ``{"error": ...}`` with a 4xx status.
"""

from flask import Blueprint

bp = Blueprint("composer", __name__, url_prefix="/composer")
