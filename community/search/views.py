"""The search page: one place to find discussions, blog posts, questions and answers, and members."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from community.search import bp
from community.services import search_page


@bp.get("")
def index() -> ResponseReturnValue:
    """Search everything the member may see, with filters; any query gives a normal page."""
    filters = search_page.clean_filters(request.args)
    page = search_page.search(current_user, filters)
    return render_template("search/index.html", page=page, kinds=search_page.KINDS, dates=search_page.DATES)
