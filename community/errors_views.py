"""Friendly error pages (and JSON for API clients); domain errors map to their status codes."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from community.errors import DomainError

log = logging.getLogger(__name__)

MESSAGES = {  # read when a page is shown, in the reader's language
    400: _l("We couldn't understand that request."),
    403: _l("You don't have permission to do that."),
    404: _l("We couldn't find that page. It may have moved, or you may not have access to it."),
    405: _l("That action isn't available here."),
    409: _l("Something changed while you were working. Please review and try again."),
    413: _l("That upload is too large."),
    429: _l("You're doing that too often. Please wait a little and try again."),
    500: _l("Something went wrong on our side. It has been logged; please try again."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def error_response(status: int, message: str | None = None) -> ResponseReturnValue:
    """Render the error page (or JSON) for a status code."""
    text = str(message or MESSAGES.get(status, MESSAGES[400]))
    if _wants_json():
        return jsonify(error=text, status=status), status
    if status == 429:
        return _too_many(text)
    template = "errors/404.html" if status == 404 else "errors/error.html"
    return render_template(template, status=status, message=text), status


# Where a wait is about signing in, the page offers the way round it: resetting the password.
SIGN_IN_ENDPOINTS = ("auth.signin",)


def retry_after_seconds() -> int | None:
    """How long until the breached limit lets this client try again (None if the limiter doesn't say)."""
    import time

    from community.extensions import limiter

    try:
        current = limiter.current_limit
        if current is None or not current.breached:
            return None
        return max(1, int(current.reset_at - time.time()))
    except Exception:  # a storage hiccup must not turn the friendly page into a crash
        return None


def _too_many(message: str) -> ResponseReturnValue:
    """429: how long to wait, and on the sign-in pages a link to reset the password instead."""
    seconds = retry_after_seconds()
    wait = None
    if seconds is not None:
        if seconds < 60:
            wait = ngettext("Please wait %(num)d second before trying again.",
                            "Please wait %(num)d seconds before trying again.", seconds)  # fmt: skip
        else:
            minutes = -(-seconds // 60)
            wait = ngettext("Please wait %(num)d minute before trying again.",
                            "Please wait %(num)d minutes before trying again.", minutes)  # fmt: skip
    response = render_template("errors/429.html", status=429, message=message, wait=wait,
                               signing_in=request.endpoint in SIGN_IN_ENDPOINTS)  # fmt: skip
    headers = {"Retry-After": str(seconds)} if seconds is not None else {}
    return response, 429, headers


def configure_errors(app: Flask) -> None:
    """Map domain errors, HTTP errors, CSRF failures and crashes to friendly pages."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> ResponseReturnValue:
        # 404s say the same thing whatever the cause, so private things cannot be probed.
        return error_response(error.status, None if error.status == 404 else error.message or None)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return error_response(400, _("Your form expired or was sent from somewhere else. Please try again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        message = None
        if status == 429:
            message = MESSAGES[429]
        return error_response(status, message)

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> ResponseReturnValue:
        log.exception("unhandled error on %s %s", request.method, request.path)
        from community.extensions import db

        db.session.rollback()
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise error  # tests see the real traceback, not a friendly page
        return error_response(500)
