"""Groups: directory, group pages, joining, membership management, archiving."""

from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/groups")
