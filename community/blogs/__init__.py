"""Member blogs, comments, likes and Atom feeds."""

from flask import Blueprint

bp = Blueprint("blogs", __name__)
