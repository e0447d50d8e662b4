"""Search across everything the member may see."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")
