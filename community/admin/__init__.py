"""The community manager's area: members, approvals, roles, invitations, audit log, settings."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
