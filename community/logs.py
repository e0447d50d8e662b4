"""Secrets stay out of the logs: tokens in URLs are redacted from access logs and request-line messages.

Links that stand in for a password carry a token in the path (``/join/<token>``, ``/reset/<token>``,
``/confirm/<token>``, ``/notifications/unsubscribe/<token>``, ...) or in the query (a feed reader's
``?token=``). Access logs are kept, shipped and read by more people than the database: they get
``[redacted]`` instead. The path patterns come from the app's URL map (every rule with a variable named
``token`` or ``*_token``), so a new kind of link (a calendar feed) is covered by naming its variable so.

- gunicorn: ``community/gunicorn_conf.py`` sets ``logger_class`` to ``RedactingGunicornLogger``.
- Werkzeug's server (``community run``, ``flask run``): a filter on the ``werkzeug`` logger.
- The app's own messages about a request use ``redact(request.path)``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask
from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
# ``token=`` (or ``something_token=``) in a query string, wherever it appears in a line.
_QUERY = re.compile(r"((?:^|[?&;])(?:[a-z_]*_)?token=)[^&;#\s\"']*", re.IGNORECASE | re.MULTILINE)
_VALUE = r"[^/?#\s\"']+"
_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_path_patterns: list[re.Pattern[str]] = []
# Paths of rules without variables (/confirm/resend): never mistaken for a token of /confirm/<token>.
_static_paths: set[str] = set()


def _is_secret(name: str) -> bool:
    return name == "token" or name.endswith("_token")


def _rule_pattern(rule: str) -> re.Pattern[str] | None:
    """A regex for a URL rule whose secret variables are capture groups, or None if it has none."""
    parts: list[str] = []
    secret = False
    position = 0
    for match in _VARIABLE.finditer(rule):
        parts.append(re.escape(rule[position:match.start()]))
        if _is_secret(match.group(1)):
            parts.append(f"({_VALUE})")
            secret = True
        else:
            parts.append(_VALUE)
        position = match.end()
    parts.append(re.escape(rule[position:]))
    return re.compile("".join(parts)) if secret else None


def learn_secret_paths(app: Flask) -> None:
    """Remember the app's URL rules that carry a token (called by ``create_app``; idempotent)."""
    known = {p.pattern for p in _path_patterns}
    for rule in app.url_map.iter_rules():
        if not rule.arguments:
            _static_paths.add(rule.rule)
        pattern = _rule_pattern(rule.rule)
        if pattern is not None and pattern.pattern not in known:
            _path_patterns.append(pattern)
            known.add(pattern.pattern)


def _blank_groups(match: re.Match[str]) -> str:
    text, start = match.group(0), match.start()
    if text in _static_paths:
        return text
    pieces, position = [], 0
    for index in range(1, (match.lastindex or 0) + 1):
        begin, end = match.span(index)
        pieces += [text[position:begin - start], REDACTED]
        position = end - start
    return "".join(pieces) + text[position:]


def redact(line: str) -> str:
    """``line`` with every URL token in it replaced by ``[redacted]``."""
    if not line:
        return line
    for pattern in _path_patterns:
        line = pattern.sub(_blank_groups, line)
    return _QUERY.sub(rf"\1{REDACTED}", line)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with ``redact`` (Werkzeug formats the request line into it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = RedactingFilter()


def configure_log_redaction(app: Flask) -> None:
    """Learn the token-bearing URLs and filter Werkzeug's request log (``community run``, ``flask run``)."""
    learn_secret_paths(app)
    werkzeug = logging.getLogger("werkzeug")
    if _FILTER not in werkzeug.filters:
        werkzeug.addFilter(_FILTER)


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger with every text atom of the access log (request line, path, query, referrer, any
    ``{header}i`` or ``{variable}e``) passed through ``redact``."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
