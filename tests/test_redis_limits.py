"""Rate limits kept in Redis hold across app instances (several app servers behind a load balancer).

Uses COMMUNITY_TEST_REDIS_URL, or redis://127.0.0.1:6379/15 when that answers; skipped without Redis
(and failed, not skipped, when the variable is set but Redis does not answer).
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Iterator

import pytest

from community.extensions import limiter
from tests.factories import make_user
from tests.factories_auth import OWNER, WRONG, sign_in_attempt
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
        # Redis first, the embedded file (per machine) while Redis is down: tests/test_faults_signin.py.
        assert app.config["RATELIMIT_STORAGE_OPTIONS"]["primary"] == redis_url
        assert type(limiter.storage).__name__ == "FailoverStorage"
        assert type(limiter.storage.primary).__name__ == "RedisStorage"
        assert limiter.storage.check() and limiter.storage.primary.check()


def test_a_limit_trips_across_two_app_instances_sharing_redis(tmp_path, redis_url):
    prefix = f"test-{secrets.token_hex(4)}"  # this run's own keys, whatever else uses the database
    shared = {"REDIS_URL": redis_url, "RATELIMIT_KEY_PREFIX": prefix}
    first = _hit(tmp_path, "first", 2, **shared)
    second = _hit(tmp_path, "second", 1, **shared)
    assert first == [200, 200]
    assert second == [429]  # the third request, on the other instance, is refused


def test_without_redis_each_instance_counts_alone(tmp_path):
    # The control: without Redis, limits are counted per machine (the instance folder's file), which is why
    # several app servers need Redis. Two processes sharing one folder: tests/test_faults_signin.py.
    first = _hit(tmp_path, "first", 3)
    second = _hit(tmp_path, "second", 1)
    assert first == [200, 200, 429]
    assert second == [200]


def test_sign_in_survives_a_redis_outage_and_counts_in_redis_again_after(tmp_path, redis_url, caplog):
    """Fault injection on the real Redis client: every connection is refused, then Redis is back."""
    import redis

    caplog.set_level(logging.INFO, logger="community.limits_store")
    prefix = f"test-{secrets.token_hex(4)}"
    with fresh_app(tmp_path, RATELIMIT_ENABLED=True, REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=prefix,
                   RATELIMIT_SIGNIN_ADDRESS="3 per hour", RENDER_500_IN_TESTS=True) as app:  # fmt: skip
        with app.app_context():
            make_user("pat")
        storage = limiter.storage
        client = storage.primary.storage
        now = [time.monotonic()]
        storage.clock = lambda: now[0]
        guesser = app.test_client()
        assert sign_in_attempt(guesser, "ghost", WRONG).status_code == 400  # counted in Redis (1)
        assert client.keys(f"*{prefix}*")

        def refused(*args, **kwargs):
            raise redis.exceptions.ConnectionError("injected: connection refused")

        with pytest.MonkeyPatch.context() as outage:
            outage.setattr(client.connection_pool, "get_connection", refused)
            for _ in range(5):
                assert sign_in_attempt(app.test_client(), "pat", address=OWNER).status_code == 302
            assert [sign_in_attempt(guesser, "ghost", WRONG).status_code for _ in range(2)] == [400, 400]  # embedded
            assert storage.primary_down
        now[0] += app.config["RATELIMIT_REDIS_RETRY_SECONDS"]
        # Redis counts again from its own 1: two more failures before the address is blocked.
        assert [sign_in_attempt(guesser, "ghost", WRONG).status_code for _ in range(3)] == [400, 400, 429]
        assert not storage.primary_down
        messages = [r.getMessage() for r in caplog.records if r.name == "community.limits_store"]
        assert sum("unreachable" in m for m in messages) == 1
        assert sum("answers again" in m for m in messages) == 1
        client.delete(*client.keys(f"*{prefix}*"))
