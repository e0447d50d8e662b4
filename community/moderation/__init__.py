"""Reports, the moderation queue and safety tools."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

