"""The member's image library at /account/images: the pictures they put in posts, where each is shown, and
deleting one that nothing shows any more."""

from flask import Blueprint

bp = Blueprint("images", __name__, url_prefix="/account/images")
