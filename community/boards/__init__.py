"""Discussion boards and discussions."""

from flask import Blueprint

bp = Blueprint("boards", __name__, url_prefix="/boards")
