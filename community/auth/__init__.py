"""Sign-in, sign-out, first-run setup, invitations and registration, password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
