"""Home: the activity feed."""

from flask import Blueprint

bp = Blueprint("feed", __name__)
