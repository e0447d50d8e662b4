"""Sign-in when someone attacks or a part fails.

Under attack: guessers are slowed, then blocked, per client address and per account, and the owner still
gets in (a browser that signed in before is a known device). Without Redis the limits count once per
machine (a SQLite file in the instance folder), and while Redis is down they count there, the outage is
logged once and Redis is used again when it answers.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from limits.storage import MemoryStorage

from community.auth import limits as signin_limits
from community.extensions import limiter
from community.services.accounts import set_password
from tests.factories import PASSWORD, make_user
from tests.factories_auth import OWNER, WRONG, mails_to, sign_in_attempt, token_in
from tests.factories_security import fresh_app, page_text

ROOT = Path(__file__).resolve().parents[1]
NEW = "a brand new passphrase here"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every command is refused


@pytest.fixture
def budget(rate_limits, monkeypatch):
    """Three failed sign-ins per account before unknown clients wait."""
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_SIGNIN_ACCOUNT", "3 per 10 minutes")
    return 3


@pytest.fixture
def clock(monkeypatch):
    """The sign-in guard's clock, moved by the test (no test sleeps)."""
    now = [1_700_000_000.0]
    monkeypatch.setattr(signin_limits, "now", lambda: now[0])
    return now


def known_browser(app, login="pat", password=PASSWORD):
    """A browser that has signed in (so it carries the known-device cookie) and signed out again."""
    browser = app.test_client()
    assert sign_in_attempt(browser, login, password, address=OWNER).status_code == 302
    assert browser.post("/signout").status_code == 302
    return browser


def exhaust(app, login="pat", times=3):
    guesser = app.test_client()
    for _ in range(times):
        assert sign_in_attempt(guesser, login, WRONG).status_code == 400
    return guesser


# Under attack ---------------------------------------------------------------------------------------


def test_a_guesser_cannot_lock_the_owner_out(app, budget, pat):
    browser = known_browser(app)
    guesser = exhaust(app)
    for _ in range(10):
        assert sign_in_attempt(guesser, "pat", WRONG).status_code == 429
    response = sign_in_attempt(browser, "pat", address=OWNER)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert browser.get("/").status_code == 200


def test_an_unknown_client_waits_and_cannot_tell_a_right_password_from_a_wrong_one(app, budget, pat, clock):
    guesser = exhaust(app)
    right, wrong = sign_in_attempt(guesser, "pat"), sign_in_attempt(guesser, "pat", WRONG)
    for response in (right, wrong):
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "30"
        assert "Please try again in 30 seconds." in page_text(response)
    assert page_text(right) == page_text(wrong)
    assert b'value="pat"' in right.data  # what was typed is kept
    assert guesser.get("/").status_code == 302


def test_the_wait_doubles_with_each_further_failure_and_the_right_password_then_works(app, budget, pat, clock):
    guesser = exhaust(app)
    waits = []
    for _ in range(3):
        response = sign_in_attempt(guesser, "pat", WRONG)
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        clock[0] += waits[-1]
        assert sign_in_attempt(guesser, "pat", WRONG).status_code == 400  # one more try after the wait
    assert waits == [30, 60, 120]
    assert "Please try again in 4 minutes." in page_text(sign_in_attempt(guesser, "pat"))
    clock[0] += 240
    newcomer = app.test_client()  # the owner on a device never used before, after the wait
    assert sign_in_attempt(newcomer, "pat", address=OWNER).status_code == 302


def test_the_wait_stops_growing_at_its_maximum(app, budget, pat, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNIN_DELAY_MAX_SECONDS", 45)
    guesser = exhaust(app)
    waits = []
    for _ in range(3):
        waits.append(int(sign_in_attempt(guesser, "pat", WRONG).headers["Retry-After"]))
        clock[0] += waits[-1]
        sign_in_attempt(guesser, "pat", WRONG)
    assert waits == [30, 45, 45]


def test_a_handle_its_email_and_their_variants_share_one_budget(app, budget, pat):
    guesser = app.test_client()
    for login in ("pat", "PAT@Example.org", "@Pat"):
        assert sign_in_attempt(guesser, login, WRONG).status_code == 400
    assert sign_in_attempt(guesser, " pat@example.org ", WRONG).status_code == 429
    assert sign_in_attempt(guesser, "sam@example.org", WRONG).status_code == 400  # another account is not affected


def test_an_unknown_login_is_throttled_exactly_like_an_account(app, budget, pat, clock):
    for login in ("pat", "ghost"):
        guesser = app.test_client()
        for variant in (login, login.upper(), "@" + login):
            assert sign_in_attempt(guesser, variant, WRONG).status_code == 400
    pat_answer, ghost_answer = sign_in_attempt(app.test_client(), "pat"), sign_in_attempt(app.test_client(), "Ghost")
    assert pat_answer.status_code == ghost_answer.status_code == 429
    assert pat_answer.headers["Retry-After"] == ghost_answer.headers["Retry-After"] == "30"
    assert page_text(pat_answer) == page_text(ghost_answer)


def test_a_known_device_passes_the_address_limit_that_guessers_tripped(app, rate_limits, pat, sam, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_SIGNIN_ADDRESS", "3 per 10 minutes")
    browser = known_browser(app)  # the owner's browser, in an office whose address a guesser shares
    guesser = app.test_client()
    for login in ("a@example.org", "b@example.org", "c@example.org"):
        assert sign_in_attempt(guesser, login, WRONG, address=OWNER).status_code == 400
    blocked = sign_in_attempt(app.test_client(), "sam", address=OWNER)  # unknown browsers at that address: 429
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 600
    assert "Too many failed sign-ins from your network." in page_text(blocked)
    assert sign_in_attempt(browser, "pat", address=OWNER).status_code == 302


def test_a_known_device_is_known_for_its_own_account_only(app, budget, pat, sam):
    browser = known_browser(app)
    exhaust(app, "sam")
    assert sign_in_attempt(browser, "sam", address=OWNER).status_code == 429


def test_a_forged_device_cookie_is_ignored(app, budget, pat):
    genuine = known_browser(app).get_cookie(signin_limits.DEVICE_COOKIE, path="/signin").value
    exhaust(app)
    tampered = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    for value in ("garbage", tampered):
        forger = app.test_client()
        forger.set_cookie(signin_limits.DEVICE_COOKIE, value, path="/signin")
        assert sign_in_attempt(forger, "pat").status_code == 429


def test_the_device_cookie_is_scoped_and_out_of_reach_of_scripts(app, pat):
    browser = app.test_client()
    assert sign_in_attempt(browser, "pat").status_code == 302
    cookie = browser.get_cookie(signin_limits.DEVICE_COOKIE, path="/signin")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert cookie.expires is not None


def test_changing_the_password_forgets_the_known_devices(app, budget, pat, db):
    browser = known_browser(app)
    set_password(pat, NEW)
    db.session.commit()
    exhaust(app)
    assert sign_in_attempt(browser, "pat", NEW, address=OWNER).status_code == 429


def test_the_browser_that_changes_the_password_stays_a_known_device(app, budget, pat):
    browser = app.test_client()
    assert sign_in_attempt(browser, "pat", address=OWNER).status_code == 302
    changed = browser.post("/account", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert changed.status_code == 302
    assert browser.post("/signout").status_code == 302
    exhaust(app)
    assert sign_in_attempt(browser, "pat", NEW, address=OWNER).status_code == 302


def test_a_copied_device_cookie_has_a_small_budget_of_its_own(app, budget, pat):
    browser = known_browser(app)
    exhaust(app)
    thief = app.test_client()
    thief.set_cookie(signin_limits.DEVICE_COOKIE, browser.get_cookie(signin_limits.DEVICE_COOKIE, path="/signin").value,
                     path="/signin")  # fmt: skip
    for _ in range(3):
        assert sign_in_attempt(thief, "pat", WRONG).status_code == 400
    assert sign_in_attempt(thief, "pat").status_code == 429  # the device is no longer trusted


def test_a_password_reset_makes_the_browser_a_known_device(app, budget, pat):
    exhaust(app)
    browser = app.test_client()
    assert browser.post("/forgot", data={"email": "pat@example.org"}).status_code == 200
    token = token_in(mails_to("pat@example.org")[0])
    assert browser.post(f"/reset/{token}", data={"password": NEW, "confirm": NEW}).status_code == 302
    assert sign_in_attempt(browser, "pat", NEW, address=OWNER).status_code == 302


def test_sign_in_limits_are_off_when_rate_limits_are_off(app, pat):
    guesser = app.test_client()
    for _ in range(15):
        assert sign_in_attempt(guesser, "pat", WRONG).status_code == 400
    assert sign_in_attempt(guesser, "pat").status_code == 302


# Once per machine without Redis -----------------------------------------------------------------------

_PROCESS = """
import json, sys
from community import create_app
from community.extensions import db
from config import TestConfig

root = sys.argv[1]
app = create_app(TestConfig, instance_path=root + "/instance", DATABASE_URL="sqlite:///" + root + "/community.db",
                 UPLOAD_FOLDER=root + "/uploads", RATELIMIT_ENABLED=True, RATELIMIT_SIGNIN_ADDRESS="3 per hour")
with app.app_context():
    db.create_all()
client = app.test_client()
print(json.dumps([client.post("/signin", data={"login": "ghost", "password": "wrong password 1"}).status_code
                  for _ in range(int(sys.argv[2]))]))
"""


def _run_app_process(root: Path, attempts: int) -> list[int]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMMUNITY_")}
    done = subprocess.run([sys.executable, "-c", _PROCESS, str(root), str(attempts)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_app_processes_on_one_machine_count_together(tmp_path):
    # As two gunicorn workers do: each process has its own memory, they share the instance folder.
    assert _run_app_process(tmp_path, 2) == [400, 400]
    assert _run_app_process(tmp_path, 2) == [400, 429]


def test_the_embedded_store_counts_across_instances_and_expires(tmp_path):
    from community.limits_store import EmbeddedStorage

    path = tmp_path / "ratelimits.sqlite3"
    first, second = EmbeddedStorage(f"community-sqlite://{path}"), EmbeddedStorage(f"community-sqlite://{path}")
    now = [1000.0]
    first.clock = second.clock = lambda: now[0]
    assert first.incr("k", 60) == 1
    assert second.incr("k", 60, amount=2) == 3
    assert first.get("k") == second.get("k") == 3
    assert second.get_expiry("k") == 1060.0
    now[0] += 60
    assert first.get("k") == 0 and second.incr("k", 60) == 1  # a new window
    second.clear("k")
    assert first.get("k") == 0
    first.incr("a", 60), first.incr("b", 60)
    assert second.reset() == 2 and first.get("a") == 0
    assert first.check()
    first.close(), second.close()


# Redis down -------------------------------------------------------------------------------------------


class FlakyStorage(MemoryStorage):
    """A memory store that refuses every call while ``down`` (the test's stand-in for Redis)."""

    STORAGE_SCHEME = ["flaky"]

    def __init__(self, uri: str | None = None, **options):
        super().__init__(uri)
        self.down = False
        self.probes = 0

    def _fail_if_down(self) -> None:
        if self.down:
            raise ConnectionError("flaky store: connection refused")

    def incr(self, key, expiry, amount=1):
        self._fail_if_down()
        return super().incr(key, expiry, amount)

    def get(self, key):
        self._fail_if_down()
        return super().get(key)

    def get_expiry(self, key):
        self._fail_if_down()
        return super().get_expiry(key)

    def clear(self, key):
        self._fail_if_down()
        return super().clear(key)

    def check(self):
        self.probes += 1
        return not self.down


def _outage_logs(caplog) -> tuple[int, int]:
    messages = [r.getMessage() for r in caplog.records if r.name == "community.limits_store"]
    return sum("unreachable" in m for m in messages), sum("answers again" in m for m in messages)


def test_members_sign_in_while_redis_is_down_and_guessers_are_still_counted(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="community.limits_store")
    with fresh_app(tmp_path, RATELIMIT_ENABLED=True, REDIS_URL=DEAD_REDIS, RENDER_500_IN_TESTS=True,
                   RATELIMIT_SIGNIN_ADDRESS="3 per hour") as app:  # fmt: skip
        with app.app_context():
            make_user("pat")
        statuses = [sign_in_attempt(app.test_client(), "pat", address=OWNER).status_code for _ in range(10)]
        assert statuses == [302] * 10
        assert app.test_client().post("/forgot", data={"email": "pat@example.org"}).status_code == 200
        guesser = app.test_client()
        assert [sign_in_attempt(guesser, "pat", WRONG).status_code for _ in range(4)] == [400, 400, 400, 429]
        assert _outage_logs(caplog) == (1, 0)  # logged once, not per request


def test_limits_return_to_the_main_store_when_it_answers_again(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="community.limits_store")
    with fresh_app(tmp_path, RATELIMIT_ENABLED=True, REDIS_URL="flaky://", RATELIMIT_SIGNIN_ADDRESS="3 per hour",
                   RENDER_500_IN_TESTS=True) as app:  # fmt: skip
        with app.app_context():
            make_user("pat")
        storage = limiter.storage
        flaky = storage.primary
        now = [time.monotonic()]
        storage.clock = lambda: now[0]
        guesser = app.test_client()
        assert sign_in_attempt(guesser, "ghost", WRONG).status_code == 400  # counted in the main store (1)

        flaky.down = True
        assert [sign_in_attempt(guesser, "ghost", WRONG).status_code for _ in range(2)] == [400, 400]  # embedded (2)
        assert sign_in_attempt(app.test_client(), "pat", address=OWNER).status_code == 302
        assert flaky.probes == 0  # no retry before the interval
        now[0] += app.config["RATELIMIT_REDIS_RETRY_SECONDS"]
        assert sign_in_attempt(app.test_client(), "pat", address=OWNER).status_code == 302
        assert flaky.probes == 1 and storage.primary_down  # still down: asked once, then the embedded store

        flaky.down = False
        now[0] += app.config["RATELIMIT_REDIS_RETRY_SECONDS"]
        # The main store counts again from where it was (1): two more failures before the address is blocked.
        assert [sign_in_attempt(guesser, "ghost", WRONG).status_code for _ in range(3)] == [400, 400, 429]
        assert not storage.primary_down
        assert _outage_logs(caplog) == (1, 1)
