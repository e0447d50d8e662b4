"""Profiles, avatars and the member directory."""

from flask import Blueprint

bp = Blueprint("members", __name__, url_prefix="/members")
