"""POST /composer/images: an image pasted, dropped or picked in any composer, answered in JSON."""

from __future__ import annotations

import io
import os
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import Upload
from tests.factories_blogs import png_bytes

JSON = {"Accept": "application/json"}


def _send(client: Any, payload: bytes, name: str = "pasted.png", alt: str = "A chart", **headers: str) -> Any:
    return client.post("/composer/images", data={"image": (io.BytesIO(payload), name), "alt": alt},
                       headers={**JSON, **headers}, content_type="multipart/form-data")  # fmt: skip


def _uploads() -> int:
    return db.session.scalar(select(func.count()).select_from(Upload)) or 0


@pytest.mark.parametrize("persona", ["pat", "mallory", "fran", "admin"])
def test_any_active_member_uploads_and_gets_the_markdown(client, login, persona, request, app):
    login(request.getfixturevalue(persona))
    response = _send(client, png_bytes(), alt="My [chart]\nof the week")
    assert response.status_code == 200
    data = response.get_json()
    assert re.fullmatch(r"!\[My  chart  of the week\]\(/uploads/[A-Za-z0-9_-]+\.\w+\)", data["markdown"])
    assert data["markdown"].endswith(f"({data['url']})")
    assert os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], data["url"].rsplit("/", 1)[1]))
    assert _uploads() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = _send(client, png_bytes())
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert _uploads() == 0


def test_a_suspended_member_is_refused(client, login, suspended):
    login(suspended)
    assert _send(client, png_bytes()).status_code == 403
    assert _uploads() == 0


def test_an_image_over_the_limit_is_a_400_with_the_reason(client, login, pat, app):
    login(pat)
    old = app.config["IMAGE_MAX_BYTES"]
    app.config["IMAGE_MAX_BYTES"] = 2000
    try:
        response = _send(client, png_bytes(400, 400) + b"\0" * 3000)
    finally:
        app.config["IMAGE_MAX_BYTES"] = old
    assert response.status_code == 400
    assert "larger than" in response.get_json()["error"]
    assert _uploads() == 0


def test_a_body_over_the_request_limit_is_a_413_in_json(client, login, pat, app):
    login(pat)
    body = b"--x\r\n" + b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    with io.BytesIO(body) as stream:
        response = client.post("/composer/images", input_stream=stream, content_length=len(body), headers=JSON,
                               content_type="multipart/form-data; boundary=x")  # fmt: skip
    assert response.status_code == 413
    assert "too large" in response.get_json()["error"]
    assert _uploads() == 0


@pytest.mark.parametrize(("payload", "name"), [(b"<svg onload=alert(1)>", "evil.png"), (b"%PDF-1.4 hello", "doc.pdf"),
                                               (b"", "empty.png")])  # fmt: skip
def test_a_file_that_is_not_a_picture_is_a_400_with_the_reason(client, login, pat, payload, name):
    login(pat)
    response = _send(client, payload, name)
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert _uploads() == 0


def test_no_file_is_a_400(client, login, pat):
    login(pat)
    response = client.post("/composer/images", data={"alt": "x"}, headers=JSON)
    assert response.status_code == 400
    assert response.get_json() == {"error": "Choose an image file first."}


def test_the_csrf_token_is_required_in_a_header(client, login, pat, csrf_app):
    login(pat)
    response = _send(client, png_bytes())
    assert response.status_code == 400
    assert "error" in response.get_json()
    assert _uploads() == 0


def test_the_csrf_token_in_the_header_is_accepted(client, login, pat, csrf_app):
    login(pat)
    html = client.get("/members/me/edit").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    assert _send(client, png_bytes(), **{"X-CSRFToken": token}).status_code == 200


def test_too_many_pictures_is_a_429_with_the_wait(client, login, pat, rate_limits):
    rate_limits.config["RATELIMIT_UPLOADS"], old = "2 per hour", rate_limits.config["RATELIMIT_UPLOADS"]
    try:
        login(pat)
        assert _send(client, png_bytes()).status_code == 200
        assert _send(client, png_bytes()).status_code == 200
        response = _send(client, png_bytes())
    finally:
        rate_limits.config["RATELIMIT_UPLOADS"] = old
    assert response.status_code == 429
    assert "Please try again in" in response.get_json()["error"]
    assert _uploads() == 2
