"""Strict-Transport-Security: sent under the production configuration, never in development or tests, and
switched off by ``COMMUNITY_HSTS=0`` for deployments that terminate TLS in odd ways."""

from __future__ import annotations

import pytest

from config import Config, ProductionConfig, TestConfig
from tests.factories_security import fresh_app


class ProductionForTests(ProductionConfig):
    """The production settings on a throw-away database (only what a test client needs changed)."""

    SECRET_KEY = "test-secret-not-for-production"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_BACKGROUND_THREAD = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def _headers(tmp_path, config, **overrides):
    with fresh_app(tmp_path, config, **overrides) as app:
        client = app.test_client()
        return [client.get(path, base_url="https://community.test") for path in ("/signin", "/healthz",
                                                                                   "/no/such/page")]  # fmt: skip


def test_production_sends_hsts_on_every_response(tmp_path):
    for response in _headers(tmp_path, ProductionForTests):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000", response.request.path


def test_subdomains_and_max_age_are_settings(tmp_path):
    responses = _headers(tmp_path, ProductionForTests, HSTS_MAX_AGE=600, HSTS_INCLUDE_SUBDOMAINS=True)
    assert {r.headers["Strict-Transport-Security"] for r in responses} == {"max-age=600; includeSubDomains"}


def test_hsts_can_be_switched_off_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNITY_HSTS", "0")  # read as JSON: 0
    for response in _headers(tmp_path, ProductionForTests):
        assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("config", [Config, TestConfig])
def test_development_and_tests_never_send_it(tmp_path, config):
    overrides = {"SECRET_KEY": "x" * 32} if config is Config else {}
    for response in _headers(tmp_path, config, **overrides):
        assert "Strict-Transport-Security" not in response.headers


def test_a_nonsense_max_age_fails_at_start(tmp_path):
    with pytest.raises(RuntimeError, match="COMMUNITY_HSTS_MAX_AGE"):
        _headers(tmp_path, ProductionForTests, HSTS_MAX_AGE="a year")
