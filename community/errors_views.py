"""Friendly error pages (and JSON for API clients); domain errors map to their status codes.

A database that is down or refuses a write (``community.database_failures``) answers 503 with Retry-After on a
page rendered without touching the database, which shows a form post's text again with a button to send it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect
from werkzeug.exceptions import HTTPException

from community.database_failures import BUSY, RETRY_AFTER, STORAGE, UNREACHABLE, database_failure, database_label
from community.errors import AlreadyPosted, DomainError
from community.extensions import db, login_manager
from community.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALES
from community.logs import redact
from community.services.submissions import valid_key

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
UNAVAILABLE = {
    UNREACHABLE: _l(
        "We can't reach the community's database just now: it is probably restarting. "
        "Please try again in a few seconds."
    ),
    BUSY: _l("The community is very busy just now and couldn't finish that. Please try again in a few seconds."),
    STORAGE: _l(
        "The community can't save anything just now: the server's storage is full or read-only. "
        "It has been logged for the administrators. You can still read."
    ),
}
# The fields members type into posting forms, shown again on the 503 page (a posting form's others go hidden).
TYPED_FIELDS = ("title", "body")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def _is_api() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, message: str | None = None, *, errors: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> ResponseReturnValue:
    """An API error as ``application/problem+json`` (RFC 9457): the status, its name, what went wrong."""
    import http

    try:
        title = http.HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": str(message or MESSAGES.get(status, MESSAGES[400]))}  # fmt: skip
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers.update(headers or {})
    return response


def error_response(status: int, message: str | None = None) -> ResponseReturnValue:
    """Render the error page (or JSON) for a status code."""
    if _is_api():
        return problem(status, message)
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
        if _is_api() and error.status != 404:
            errors = {error.field: [error.message]} if error.field and error.message else None
            headers = {"Retry-After": "60"} if error.status == 429 else None
            return problem(error.status, error.message or None, errors=errors, headers=headers)
        return error_response(error.status, None if error.status == 404 else error.message or None)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return error_response(400, _("Your form expired or was sent from somewhere else. Please try again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        if _is_api() and status != 500:
            return _api_http(error, status)
        original = getattr(error, "original_exception", None)
        kind = database_failure(original) if status == 500 and original is not None else None
        if kind is not None:  # the database failed outside the view (an after-request step)
            return unavailable_response(kind, original)
        message = None
        if status == 429:
            if error.response is not None:  # a limit's own page (``on_breach``): it explains in context
                return error.response
            message = MESSAGES[429]
        elif status == 413:  # the body was refused unread: the form can't be shown again, the Back button can
            from community.i18n import format_number

            size = format_number(round(app.config["IMAGE_MAX_BYTES"] / (1024 * 1024), 1))
            message = _("That upload is too large: we take pictures of up to %(size)s MB. Use your browser's Back "
                        "button to return to the form, and choose a smaller file.", size=size)  # fmt: skip
        return error_response(status, message)

    def _api_http(error: HTTPException, status: int) -> ResponseReturnValue:
        """flask-smorest's ``abort`` data (message, validation errors, headers) as a problem."""
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        headers = dict(data.get("headers") or {})
        headers.update({k: v for k, v in error.get_headers() if k in ("Allow", "WWW-Authenticate")})
        if status == 429:
            seconds = retry_after_seconds()
            if seconds is not None:
                headers["Retry-After"] = str(seconds)
        message = data.get("message") or (None if status in MESSAGES else error.description)
        return problem(status, message, errors=errors, headers=headers)

    @app.errorhandler(AlreadyPosted)
    def _already_posted(error: AlreadyPosted) -> ResponseReturnValue:
        flash(_("You had already sent this: it is posted once, here."), "info")
        return redirect(url_for("feed.post_link", post_id=error.post_id), 303)

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> ResponseReturnValue:
        log.exception("unhandled error on %s %s", request.method, redact(request.path))
        db.session.rollback()
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise error  # tests see the real traceback, not a friendly page
        return error_response(500)

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.DisconnectionError)
    @app.errorhandler(sa_exc.TimeoutError)
    def _database(error: Exception) -> ResponseReturnValue:
        kind = database_failure(error)
        if kind is None:
            return _crash(error)  # a bug (missing table, bad SQL, broken constraint): a 500 like any other
        return unavailable_response(kind, error)


def unavailable_response(kind: str, error: BaseException) -> ResponseReturnValue:
    """503 with Retry-After for a database that is down or refuses a write; the page needs no database."""
    log.error("database unavailable (%s) on %s %s: %s [database: %s]", kind, request.method, request.path,
              getattr(error, "orig", None) or error, database_label(db.engine))  # fmt: skip
    language = _language_without_database()
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: the pool replaces it on the next checkout
        log.warning("rollback failed after a database failure", exc_info=True)
    headers = {"Retry-After": str(RETRY_AFTER[kind])}
    with force_locale(language):
        message = str(UNAVAILABLE[kind])
        if _is_api():
            return problem(503, message, headers=headers)
        if _wants_json():
            return jsonify(error=message, status=503), 503, headers
        try:
            page = current_app.jinja_env.get_template("errors/unavailable.html").render(
                kind=kind, message=message, community_name=_community_name(), **_resend_form()
            )
        except Exception:  # never a dropped connection: a plain answer if even this page can't be made
            log.exception("the unavailable page could not be rendered")
            return message, 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}
    return page, 503, headers


def _language_without_database() -> str:
    """The member's language if this request already loaded them, else the browser's (never a query)."""
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    chosen = state.dict.get("language") if state is not None else None  # loaded attributes only
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
    if "_login_user" not in g:  # the failure came while loading the member: don't let anything try again
        g._login_user = login_manager.anonymous_user()
    g.setdefault("_community_settings", {})  # nor read the settings
    return LOCALES[chosen]


def _community_name() -> str:
    settings = g.get("_community_settings") or {}
    return str(settings.get("community_name") or current_app.config["COMMUNITY_NAME"])


def _resend_form() -> dict[str, Any]:
    """What the page offers for the request: "Try again" for a page, the typed text for a form post.

    A posting form (it carries a submission key) comes back whole, to be sent once more as it was: same CSRF
    token and key, so it never posts twice. Any other form (sign-in, settings, ...) is not echoed, so that no
    password lands in a page: its typed title and text are shown to copy, and the Back button has the rest.
    """
    if request.method != "POST":
        return {"retry_url": request.full_path.rstrip("?") if request.method == "GET" else None}
    fields = list(request.form.items(multi=True))
    posting = valid_key(request.form.get("submission_key")) is not None
    return {
        "form_post": True,
        "resend_url": request.full_path.rstrip("?") if posting else None,
        "typed": [(name, value) for name, value in fields if name in TYPED_FIELDS and value.strip()],
        "hidden": [(name, value) for name, value in fields if name not in TYPED_FIELDS] if posting else [],
        "had_files": any(f.filename for f in request.files.values()),
    }
