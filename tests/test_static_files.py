"""Static files: addresses carrying the content's digest (cached for a year), text compressed, pages not."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import html5lib
import pytest
from flask import Flask, render_template_string

from community import static_files
from community.static_files import LONG_CACHE, SHORT_CACHE, static_url

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _static_refs(html: str) -> list[str]:
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    refs = [el.get(attr) for el in tree.iter() for attr in ("href", "src") if el.get(attr)]
    return [ref for ref in refs if "/static/" in ref]


def _assert_versioned(ref: str) -> None:
    path, _, query = ref.partition("?")
    assert path.startswith("/static/"), ref
    assert query == f"v={_digest(STATIC / path[len('/static/'):])}", ref


def test_pages_name_static_files_by_their_digest(client, login, pat):
    signin = client.get("/signin").get_data(as_text=True)
    refs = _static_refs(signin)
    assert any(r.startswith("/static/css/app.css?v=") for r in refs) and len(refs) >= 3
    login(pat)
    refs += _static_refs(client.get("/").get_data(as_text=True))
    refs += _static_refs(client.get("/blogs/new").get_data(as_text=True))
    assert any("/static/js/editor.js?v=" in r for r in refs)
    for ref in refs:
        _assert_versioned(ref)


def test_templates_never_write_a_static_address_by_hand():
    """Every reference goes through url_for('static', ...) (so it carries the digest); CSS names no files."""
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"""(src|href)\s*=\s*["']?/static/""", text), template
        only_filename = r"""url_for\(\s*['"]static['"],\s*filename=['"][^'"]+['"]\s*\)"""
        for call in re.findall(r"url_for\(\s*['\"]static['\"][^)]*\)", text):
            assert re.fullmatch(only_filename, call), (template, call)
    for css in STATIC.rglob("*.css"):
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text())
        assert all(u.startswith("data:") for u in urls), (css, urls)


def test_the_digest_follows_the_content_and_is_computed_once(tmp_path):
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    static_files.configure_static(app)
    (tmp_path / "a.css").write_text("body { color: red }")
    with app.test_request_context("/"):
        first = static_url("a.css")
        assert first == f"/static/a.css?v={_digest(tmp_path / 'a.css')}"
        (tmp_path / "a.css").write_text("body { color: blue; margin: 0 }")
        assert static_url("a.css") == first  # once per process: building a URL reads no file
        assert static_files.asset(app, "a.css").version == _digest(tmp_path / "a.css") != first[-12:]
        assert static_url("missing.css") == "/static/missing.css"
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/community"}):
        assert static_url("a.css").startswith("/community/static/a.css?v=")
    app.debug = True  # while developing, an edited file gets its new address at once
    with app.test_request_context("/"):
        (tmp_path / "a.css").write_text("body { color: green; padding: 0 }")
        assert static_url("a.css") == f"/static/a.css?v={_digest(tmp_path / 'a.css')}"


def test_versioned_addresses_are_cached_for_a_year_others_briefly(client):
    version = _digest(STATIC / "css/app.css")
    response = client.get(f"/static/css/app.css?v={version}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == LONG_CACHE
    assert LONG_CACHE == "public, max-age=31536000, immutable"
    for stale in ("/static/css/app.css", "/static/css/app.css?v=0123456789ab", "/static/css/app.css?v="):
        response = client.get(stale)
        assert response.status_code == 200 and response.headers["Cache-Control"] == SHORT_CACHE, stale
        assert response.get_data() == (STATIC / "css/app.css").read_bytes()  # the current file all the same
        assert "immutable" not in response.headers["Cache-Control"]


@pytest.mark.parametrize(("accept", "expected"), [
    ("gzip, deflate, br, zstd", "br"),
    ("gzip, deflate", "gzip"),
    ("br;q=0.5, gzip;q=1.0", "gzip"),
    ("gzip;q=0, br;q=0", None),
    ("identity", None),
    ("", None),
    ("*", "br"),
])  # fmt: skip
def test_text_files_are_compressed_as_the_browser_accepts(client, accept, expected):
    original = (STATIC / "css/app.css").read_bytes()
    version = _digest(STATIC / "css/app.css")
    response = client.get(f"/static/css/app.css?v={version}", headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in response.headers["Vary"]
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body)
    unpacked = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[expected](body)
    assert unpacked == original
    if expected:
        assert len(body) < len(original) / 3
    assert response.headers["Cache-Control"] == LONG_CACHE
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.mimetype == "text/css"


def test_conditional_requests_per_encoding(client):
    url = f"/static/js/app.js?v={_digest(STATIC / 'js/app.js')}"
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert gz.headers["ETag"] != plain.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": gz.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["Cache-Control"] == LONG_CACHE
    # A validator of the other encoding does not match: the browser gets the body it can read.
    other = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]})
    assert other.status_code == 200 and gzip.decompress(other.get_data()) == (STATIC / "js/app.js").read_bytes()
    head = client.head(url, headers={"Accept-Encoding": "br"})
    assert head.status_code == 200 and head.get_data() == b"" and head.headers["Content-Encoding"] == "br"
    ranged = client.get(url, headers={"Accept-Encoding": "identity", "Range": "bytes=0-9"})
    assert ranged.status_code == 200 and ranged.get_data() == (STATIC / "js/app.js").read_bytes()


def test_tiny_and_binary_files_are_sent_as_they_are(tmp_path):
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    static_files.configure_static(app)
    (tmp_path / "tiny.css").write_text("a{}")
    (tmp_path / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(600))
    with app.test_request_context("/"):
        png_url = static_url("dot.png")
    client = app.test_client()
    tiny = client.get("/static/tiny.css", headers={"Accept-Encoding": "gzip, br"})
    assert tiny.status_code == 200 and "Content-Encoding" not in tiny.headers and tiny.get_data() == b"a{}"
    png = client.get(png_url, headers={"Accept-Encoding": "gzip, br"})
    assert png.status_code == 200 and "Content-Encoding" not in png.headers
    assert png.headers["Cache-Control"] == LONG_CACHE and png.get_data().startswith(b"\x89PNG")
    png.close()


@pytest.mark.parametrize("path", ["/static/nope.css", "/static/../config.py", "/static/css/",
                                  "/static/%2e%2e/README.md", "/static/css/app.css/x"])  # fmt: skip
def test_missing_files_are_404(client, path):
    assert client.get(path, headers={"Accept-Encoding": "gzip"}).status_code == 404


def test_pages_are_never_compressed(client, login, pat):
    """BREACH: pages carry feed links and private posts beside text a stranger can choose (README)."""
    headers = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    response = client.get("/signin", headers=headers)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    login(pat)
    for path in ("/", "/search?q=csrf_token", "/blogs"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200 and "Content-Encoding" not in response.headers, path
        assert b'name="csrf_token"' in response.get_data(), path  # the secret is there: so no compression


def test_the_templates_url_for_gives_the_versioned_address(app):
    with app.test_request_context("/"):
        html = render_template_string("{{ url_for('static', filename='img/favicon.svg') }}")
    assert html == f"/static/img/favicon.svg?v={_digest(STATIC / 'img/favicon.svg')}"
