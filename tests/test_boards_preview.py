"""The Markdown preview endpoint every editor uses."""

from __future__ import annotations


def test_preview_renders_sanitised_html(client, login, pat):
    login(pat)
    response = client.post("/preview", data={"text": "**hi** <script>alert(1)</script> [x](javascript:alert(1))"})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>hi</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_preview_is_size_limited(client, login, pat, app):
    login(pat)
    response = client.post("/preview", data={"text": "x" * (app.config["POST_MAX_CHARS"] + 1)})
    assert response.status_code == 400
    assert "too long" in response.get_json()["error"]


def test_preview_needs_a_member(client, suspended, login):
    assert client.post("/preview", data={"text": "hi"}).status_code == 302  # anonymous: to sign in
    login(suspended)
    assert client.post("/preview", data={"text": "hi"}).status_code == 403


def test_preview_checks_csrf(client, login, pat, csrf_app):
    login(pat)
    assert client.post("/preview", data={"text": "hi"}).status_code == 400
