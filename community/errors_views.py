"""Friendly error pages (and JSON for API clients); domain errors map to their status codes."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
    template = "errors/404.html" if status == 404 else "errors/error.html"
    return render_template(template, status=status, message=text), status


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
        elif status == 413:  # the body was refused unread: the form can't be shown again, the Back button can
            from community.i18n import format_number

            size = format_number(round(app.config["IMAGE_MAX_BYTES"] / (1024 * 1024), 1))
            message = _("That upload is too large: we take pictures of up to %(size)s MB. Use your browser's Back "
                        "button to return to the form, and choose a smaller file.", size=size)  # fmt: skip
        return error_response(status, message)

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> ResponseReturnValue:
        log.exception("unhandled error on %s %s", request.method, request.path)
        from community.extensions import db

        db.session.rollback()
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise error  # tests see the real traceback, not a friendly page
        return error_response(500)
