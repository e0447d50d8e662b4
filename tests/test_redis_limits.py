"""Rate limits kept in Redis hold across app instances (several app servers behind a load balancer).

Uses COMMUNITY_TEST_REDIS_URL, or redis://127.0.0.1:6379/15 when that answers; skipped without Redis
(and failed, not skipped, when the variable is set but Redis does not answer).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from community.extensions import limiter
from tests.factories_security import fresh_app, page_text, signed_in_client

REDIS_ENV = "COMMUNITY_TEST_REDIS_URL"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


@limiter.limit("2 per minute")
def limited_view() -> str:
    """A test-only route with a small limit."""
    return "ok"


@pytest.fixture
def redis_url() -> Iterator[str]:
    redis = pytest.importorskip("redis", reason="the redis client is not installed (pip install -e '.[redis]')")
    url = os.environ.get(REDIS_ENV) or DEFAULT_REDIS
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        if os.environ.get(REDIS_ENV):
            pytest.fail(f"{REDIS_ENV} is set but Redis does not answer: {exc}")
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield url
    client.close()


def _hit(tmp_path, name: str, times: int, **config) -> list[int]:
    """Start an app instance, request the limited route ``times`` times, return the status codes."""
    with fresh_app(tmp_path / name, RATELIMIT_ENABLED=True, **config) as app:
        app.add_url_rule("/test/limited", view_func=limited_view)
        client = signed_in_client(app, "lee")
        statuses = [client.get("/test/limited").status_code for _ in range(times)]
        if statuses[-1] == 429:
            assert "You're doing that too often" in page_text(client.get("/test/limited"))
        return statuses


def test_redis_url_moves_rate_limits_to_redis(tmp_path, redis_url, monkeypatch):
    monkeypatch.setenv("COMMUNITY_REDIS_URL", redis_url)
    with fresh_app(tmp_path, RATELIMIT_ENABLED=True) as app:
        assert app.config["REDIS_URL"] == redis_url
        assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
        assert type(limiter.storage).__name__ == "RedisStorage"
        assert limiter.storage.check()


def test_a_limit_trips_across_two_app_instances_sharing_redis(tmp_path, redis_url):
    prefix = f"test-{secrets.token_hex(4)}"  # this run's own keys, whatever else uses the database
    shared = {"REDIS_URL": redis_url, "RATELIMIT_KEY_PREFIX": prefix}
    first = _hit(tmp_path, "first", 2, **shared)
    second = _hit(tmp_path, "second", 1, **shared)
    assert first == [200, 200]
    assert second == [429]  # the third request, on the other instance, is refused


def test_without_redis_each_instance_counts_alone(tmp_path):
    # The control: in-memory limits are per process, which is why production needs Redis.
    first = _hit(tmp_path, "first", 3)
    second = _hit(tmp_path, "second", 1)
    assert first == [200, 200, 429]
    assert second == [200]
