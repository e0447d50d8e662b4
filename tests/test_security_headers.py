"""Security headers on every kind of response: pages, JSON, every error page, static files and uploads."""

from __future__ import annotations

import io
import threading
import urllib.request

import pytest
from flask_wtf import FlaskForm
from PIL import Image
from werkzeug.exceptions import TooManyRequests

from community.errors import Forbidden
from community.extensions import db
from community.services.images import save_image
from tests.factories_security import (
    assert_private_cache,
    assert_security_headers,
    fresh_app,
    page_text,
    signed_in_client,
)


def test_public_html_page(client):
    response = client.get("/signin")
    assert response.status_code == 200
    assert_security_headers(response)


def test_signed_in_html_page_is_not_cached(client, login, pat):
    login(pat)
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert_private_cache(response)


def test_json_404_under_api(client, login, pat):
    login(pat)
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and response.json["status"] == 404
    assert_security_headers(response)
    assert_private_cache(response)


def test_json_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.is_json
    assert_security_headers(response)


def test_404_page_signed_in_and_anonymous(client, login, pat):
    anonymous = client.get("/no/such/page")
    assert anonymous.status_code == 404
    assert_security_headers(anonymous)
    login(pat)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We couldn't find that page" in page_text(response)
    assert_security_headers(response)
    assert_private_cache(response)


def test_405_page(client):
    response = client.get("/signout")
    assert response.status_code == 405
    assert "That action isn't available here" in page_text(response)
    assert_security_headers(response)


def test_400_csrf_page(client, csrf_app):
    response = client.post("/signin", data={"login": "pat", "password": "whatever-it-is"})
    assert response.status_code == 400
    assert "Your form expired" in page_text(response)
    assert_security_headers(response)


def test_403_holding_page(client, login, suspended):
    login(suspended)
    response = client.get("/")
    assert response.status_code == 403
    assert_security_headers(response)
    assert_private_cache(response)


def test_static_file(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_upload_keeps_its_sandbox_and_gains_the_required_directives(client, login, pat):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(buffer, "PNG")
    buffer.seek(0)
    upload = save_image(pat, buffer, "avatar")
    db.session.add(upload)
    db.session.commit()
    login(pat)
    response = client.get(f"/uploads/{upload.name}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert_security_headers(response)
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()


@pytest.fixture
def error_app(tmp_path):
    """A fresh app with test-only routes that fail in each way a real view can."""
    with fresh_app(tmp_path, MAX_CONTENT_LENGTH=1024, RENDER_500_IN_TESTS=True) as app:

        def forbidden() -> str:
            raise Forbidden("Only the group's facilitators can do that.")

        def crash() -> str:
            raise RuntimeError("kaboom: secret detail /srv/app/config.py")

        def too_many() -> str:
            raise TooManyRequests()

        def upload() -> str:
            FlaskForm().validate_on_submit()  # reads the body, as every form view does
            return "stored"

        app.add_url_rule("/test/forbidden", view_func=forbidden)
        app.add_url_rule("/test/crash", view_func=crash)
        app.add_url_rule("/api/test/crash", endpoint="api_crash", view_func=crash)
        app.add_url_rule("/test/too-many", view_func=too_many)
        app.add_url_rule("/test/upload", view_func=upload, methods=["POST"])
        yield app


@pytest.fixture
def error_client(error_app):
    return signed_in_client(error_app, "erin")


def test_403_page_from_a_domain_error(error_client):
    response = error_client.get("/test/forbidden")
    assert response.status_code == 403
    assert "Only the group's facilitators can do that." in page_text(response)
    assert_security_headers(response)
    assert_private_cache(response)


def test_500_page_shows_no_traceback(error_client, caplog):
    response = error_client.get("/test/crash")
    assert response.status_code == 500
    text = page_text(response)
    assert "Something went wrong on our side" in text
    assert "Traceback" not in text and "kaboom" not in text and "config.py" not in text
    assert_security_headers(response)
    assert "kaboom" in caplog.text  # logged for the operators instead


def test_500_json_shows_no_traceback(error_client, caplog):
    response = error_client.get("/api/test/crash")
    assert response.status_code == 500
    assert response.json == {"type": "about:blank", "title": "Internal Server Error", "status": 500,
                             "detail": "Something went wrong on our side. It has been logged; please try again."}
    assert_security_headers(response)


def test_413_page_for_an_upload_too_large(error_client):
    data = {"file": (io.BytesIO(b"x" * 4096), "big.png")}
    response = error_client.post("/test/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "That upload is too large" in page_text(response)
    assert_security_headers(response)


def test_429_page(error_client):
    response = error_client.get("/test/too-many")
    assert response.status_code == 429
    assert "You're doing that too often" in page_text(response)
    assert_security_headers(response)


def test_community_run_sends_no_server_version(app, monkeypatch):
    """`community run` serves through Werkzeug without the Werkzeug/Python version banner."""
    import werkzeug.serving
    from werkzeug.serving import WSGIRequestHandler, make_server

    from community.cli import run_command

    monkeypatch.setattr(WSGIRequestHandler, "server_version", WSGIRequestHandler.server_version)
    monkeypatch.setattr(WSGIRequestHandler, "sys_version", WSGIRequestHandler.sys_version)
    seen: dict[str, str | None] = {}

    def serve_one(host: str, port: int, wsgi_app, **kwargs) -> None:
        server = make_server(host, 0, wsgi_app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with urllib.request.urlopen(f"http://{host}:{server.server_port}/healthz") as reply:
                seen["server"] = reply.headers.get("Server")
        finally:
            server.shutdown()
            server.server_close()

    monkeypatch.setattr(werkzeug.serving, "run_simple", serve_one)
    result = app.test_cli_runner().invoke(run_command, ["--port", "5999"])
    assert result.exit_code == 0, result.output
    banner = seen["server"] or ""
    assert "Werkzeug" not in banner and "Python" not in banner and "/" not in banner, banner


def test_community_config_production_selects_secure_cookies(tmp_path, monkeypatch):
    from tests.factories_security import fresh_app

    monkeypatch.setenv("COMMUNITY_CONFIG", "production")
    monkeypatch.setenv("COMMUNITY_SECRET_KEY", "x" * 40)
    with fresh_app(tmp_path, config=None) as app:
        assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    monkeypatch.setenv("COMMUNITY_CONFIG", "nonsense")
    with pytest.raises(RuntimeError), fresh_app(tmp_path / "other", config=None):
        pass
