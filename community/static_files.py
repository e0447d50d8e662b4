"""Static files: addresses that change with the file's content, so browsers may keep them for a year, and
text files compressed once per process.

``static_url("css/app.css")`` gives ``/static/css/app.css?v=<12 hex digits of the file's SHA-256>``; the digest
is computed once per process per file (again when the file changes, while the debugger is on). A request
carrying the file's own digest is answered with ``Cache-Control: public, max-age=31536000, immutable``: a
changed file gets a new address, so nobody keeps an old one. Without ``v``, or with a stale one (a page
rendered before a deploy), the answer is the current file with a short cache.

CSS, JavaScript, SVG and other text files are compressed with brotli and gzip the first time they are asked
for, kept in memory (the folder holds a few hundred kilobytes), and sent to browsers that accept either;
``Vary: Accept-Encoding`` and an ETag per encoding keep caches honest. Pages are NOT compressed: signed-in
pages carry secrets that stay the same from one page to the next (a member's feed links, private groups'
posts) next to text a stranger can choose (search terms, ``?tag=``, names), which is what BREACH needs to
read a secret out of compressed sizes (README, "Static files and compression"). Static files hold no secret.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import brotli
from flask import Flask, current_app, request, url_for
from flask.globals import _cv_request
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

VERSION_ARG = "v"
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"
# Text worth compressing (images other than SVG, fonts in woff2, are compressed already).
TEXT_TYPES = frozenset({"text/css", "text/javascript", "application/javascript", "application/json",
                        "image/svg+xml", "text/plain", "application/xml", "text/xml"})  # fmt: skip
MIN_COMPRESS = 256  # bytes: below this, the headers cost more than compression saves
MAX_IN_MEMORY = 2 * 1024 * 1024  # a bigger file is sent from disk, uncompressed
ENCODINGS = ("br", "gzip")  # brotli first where the browser rates both the same


@dataclass(frozen=True)
class Asset:
    """One static file as served: its digest and, for text, its bytes and their compressed forms."""

    path: str
    stamp: tuple[int, int]  # (mtime_ns, size): a changed file is read again
    version: str
    mimetype: str
    last_modified: datetime
    body: bytes | None = None  # None: sent from disk by Flask (not text, or too big)
    encoded: dict[str, bytes] = field(default_factory=dict)


_assets: dict[tuple[str, str], Asset | None] = {}
_urls: dict[tuple[str | None, str, str], str] = {}


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size) if os.path.isfile(path) else None


def _read(path: str, stamp: tuple[int, int]) -> Asset:
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as fh:
        data = fh.read()
    version = hashlib.sha256(data).hexdigest()[:12]
    modified = datetime.fromtimestamp(stamp[0] // 1_000_000_000, UTC)
    if mimetype not in TEXT_TYPES or len(data) > MAX_IN_MEMORY:
        return Asset(path, stamp, version, mimetype, modified)
    encoded: dict[str, bytes] = {}
    if len(data) >= MIN_COMPRESS:
        for name, packed in (("br", brotli.compress(data, quality=9)), ("gzip", gzip.compress(data, 9, mtime=0))):
            if len(packed) < len(data) * 0.9:
                encoded[name] = packed
    return Asset(path, stamp, version, mimetype, modified, data, encoded)


def asset(app: Flask, filename: str, *, check: bool = True) -> Asset | None:
    """The static file ``filename`` (None if there is none); re-read if it changed, unless ``check`` is off."""
    folder = app.static_folder
    if folder is None:
        return None
    key = (folder, filename)
    known = _assets.get(key, False)
    if known is not False and not check:
        return known
    path = safe_join(folder, filename)
    stamp = _stamp(path) if path else None
    if known is not False and (known.stamp if known else None) == stamp:
        return known
    found = _assets[key] = _read(path, stamp) if path and stamp else None
    return found


def static_url(filename: str) -> str:
    """The address of a static file, carrying its content's digest (remembered per process)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ctx = _cv_request.get(None)
    key = (app.static_folder, ctx.request.root_path if ctx is not None else "", filename)
    if not app.debug:
        url = _urls.get(key)
        if url is not None:
            return url
    found = asset(app, filename, check=app.debug)
    url = url_for("static", filename=filename, **({VERSION_ARG: found.version} if found else {}))
    if found is not None:
        _urls[key] = url
    return url


def _encoding(found: Asset) -> str | None:
    accepted = request.accept_encodings
    best, best_quality = None, 0.0
    for name in ENCODINGS:
        if name in found.encoded and (quality := accepted.quality(name)) > best_quality:
            best, best_quality = name, quality
    return best


def _compressible(found: Asset) -> Response:
    encoding = _encoding(found)
    body = found.encoded[encoding] if encoding else found.body
    response = current_app.response_class(body, mimetype=found.mimetype)
    if found.encoded:
        response.headers["Vary"] = "Accept-Encoding"
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.set_etag(f"{found.version}-{encoding or 'identity'}")
    response.last_modified = found.last_modified
    # Range requests get the whole file (no Accept-Ranges): the files are small and ranges of a compressed
    # body would have to be of that body.
    return response.make_conditional(request)


def serve(filename: str) -> Any:
    """A static file: compressed when it is text, cached for a year when asked for by its digest."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = asset(app, filename)
    response = _compressible(found) if found is not None and found.body is not None else app.send_static_file(filename)
    if found is not None:
        versioned = request.args.get(VERSION_ARG) == found.version
        response.headers["Cache-Control"] = LONG_CACHE if versioned else SHORT_CACHE
    return response


def configure_static(app: Flask) -> None:
    """Serve /static/ through ``serve``; templates' ``url_for('static', ...)`` goes through ``static_url``."""
    if "static" in app.view_functions:
        app.view_functions["static"] = serve
