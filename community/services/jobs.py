"""Background work: delivering the e-mail outbox, and the periodic jobs (scheduled blog posts, digests,
housekeeping).

One round (``run_round``) is what ``community worker`` does every few seconds and what the embedded
``community run`` does from a daemon thread: run the periodic jobs that are due, then deliver the outbox (so
mail the jobs queued goes out in the same round). Every job is safe to run from several processes at once
and as often as you like; ``every`` only keeps them from running needlessly often.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from community.extensions import db
from community.services.site import NoBaseUrl

log = logging.getLogger("community.jobs")
OUTBOX_INTERVAL = 2.0  # seconds between rounds, by default


@dataclass
class PeriodicJob:
    """``job()`` (in an app context) about every ``every`` seconds; ``does`` says what, for the worker's log."""

    job: Callable[[], Any]
    every: float
    does: str
    last: float | None = None  # monotonic time of the last run; None: never run, so due at once
    warned: bool = False  # said that it waits for the community's address

    def due(self, now: float) -> bool:
        return self.last is None or now - self.last >= self.every


PERIODIC_JOBS: list[PeriodicJob] = []


def register_periodic_job(job: Callable[[], Any], every: float, does: str) -> None:
    """Run ``job()`` from the worker's rounds about every ``every`` seconds (registering twice is harmless)."""
    if all(entry.job is not job for entry in PERIODIC_JOBS):
        PERIODIC_JOBS.append(PeriodicJob(job, every, does))


def describe_every(seconds: float) -> str:
    """``30 s``, ``10 min``, ``1 h``: how often, as the worker says it."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def run_periodic_jobs(app: Flask, *, all_now: bool = False) -> list[tuple[PeriodicJob, Any]]:
    """Run the jobs that are due (every one with ``all_now``); a failing job is logged and the rest still
    run. Returns (job, what it returned) for each job that ran and did not fail."""
    done = []
    now = time.monotonic()
    for entry in PERIODIC_JOBS:
        if not (all_now or entry.due(now)):
            continue
        entry.last = now
        try:
            with app.app_context():
                result = entry.job()
                db.session.remove()
        except NoBaseUrl as missing:  # `community run` before its first page view: said once, tried again later
            if not entry.warned:
                log.warning("periodic job %s waits: %s", getattr(entry.job, "__name__", entry.job), missing.message)
                entry.warned = True
            continue
        except Exception:
            log.exception("periodic job %s failed", getattr(entry.job, "__name__", entry.job))
            continue
        done.append((entry, result))
    return done


def deliver_outbox(app: Flask) -> int:
    """Send what is due in the outbox (``mail.deliver_pending``) in a fresh session; returns how many."""
    from community.services.mail import deliver_pending

    with app.app_context():
        try:
            return deliver_pending()
        finally:
            db.session.remove()  # never hold a transaction or stale objects between rounds


def run_round(app: Flask, *, all_now: bool = False) -> tuple[int, list[tuple[PeriodicJob, Any]]]:
    """One round of background work: the due periodic jobs, then the outbox. Returns (sent, jobs run)."""
    jobs = run_periodic_jobs(app, all_now=all_now)
    return deliver_outbox(app), jobs


def start_background_loop(app: Flask, interval: float = OUTBOX_INTERVAL) -> threading.Thread:
    """The embedded default (``community run``): a daemon thread doing a round every few seconds."""

    def loop() -> None:
        while True:
            try:
                run_round(app)
            except Exception:
                log.exception("background round failed")
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="community-background", daemon=True)
    thread.start()
    return thread
