"""Sending the webhook outbox: each due delivery is leased to one worker (a conditional UPDATE, as the mail
outbox does it), POSTed with a short timeout to the address its host name resolved to (checked public, then
connected to that very address, so a name can't be switched to a private one between check and connection),
never following a redirect, and tried again after a growing, jittered delay until a 2xx answer or
``WEBHOOK_MAX_ATTEMPTS`` tries. Only a short excerpt of the answer is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import logging
import os
import random
import secrets
import socket
import ssl
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import joinedload

from community.database import writing
from community.extensions import db
from community.models import Post, Topic, Webhook, WebhookDelivery, utcnow
from community.permissions import can_webhook_carry
from community.services.webhooks.manage import LOCAL_NAMES, address_refused, local_allowed

log = logging.getLogger("community.webhooks")
TIMEOUT = 5.0  # seconds to connect, and for each read: a slow receiver must not hold the worker
LEASE = timedelta(minutes=1)
FIRST_DELAY = 10.0  # seconds before the first retry, doubling up to an hour, ±20%
MAX_DELAY = 3600.0
JITTER = 0.2
EXCERPT = 300  # characters of the answer kept
USER_AGENT = "Community-Webhooks/1"


class Refused(Exception):
    """The target resolves to an address a hook may not reach (or to none)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256, with the secret, of ``timestamp`` + ``.`` + the raw body."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """10 s after the first failed try, then 20 s, 40 s... up to an hour, each ±20%."""
    base = min(FIRST_DELAY * 2 ** min(max(attempts - 1, 0), 20), MAX_DELAY)
    return timedelta(seconds=base * (rng or random).uniform(1 - JITTER, 1 + JITTER))


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (tests replace this)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def vetted_address(host: str, port: int) -> str:
    """One address of ``host`` that a hook may reach; Refused when any of them is private (SSRF)."""
    local_ok = local_allowed() and host.lower() in LOCAL_NAMES | {"localhost"}
    try:
        addresses = resolve(host, port)
    except OSError as exc:
        raise Refused(f"cannot resolve {host}: {exc}") from None
    if not addresses:
        raise Refused(f"cannot resolve {host}")
    for address in addresses:
        if address_refused(ipaddress.ip_address(address.split("%", 1)[0]), local_ok=local_ok):
            raise Refused(f"{host} resolves to {address}, a private address: not sent")
    return addresses[0]


class _Pinned:
    """Connect to the vetted address while TLS (SNI, certificate) and Host still name the host."""

    address: str

    def connect(self) -> None:
        conn: Any = self
        conn.sock = socket.create_connection((self.address, conn.port), conn.timeout)
        if isinstance(self, http.client.HTTPSConnection):
            conn.sock = conn._context.wrap_socket(conn.sock, server_hostname=conn.host)


class PinnedHTTP(_Pinned, http.client.HTTPConnection):
    pass


class PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    pass


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST ``body`` once; (status, excerpt of the answer). Redirects are answers, not followed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = vetted_address(host, port)
    conn: Any
    if parts.scheme == "https":
        conn = PinnedHTTPS(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
    else:
        conn = PinnedHTTP(host, port, timeout=TIMEOUT)
    conn.address = address
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        excerpt = response.read(EXCERPT * 4).decode("utf-8", "replace")[:EXCERPT]
        return response.status, excerpt
    finally:
        conn.close()


def _lease_free(now: datetime) -> Any:
    return or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now)


def _due(now: datetime) -> Any:
    return and_(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.failed_at.is_(None),
                WebhookDelivery.next_attempt_at <= now, _lease_free(now))  # fmt: skip


def _claim(delivery_id: int, owner: str, now: datetime) -> bool:
    with writing():
        claimed = db.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, _due(now))
            .values(claimed_until=now + LEASE, claimed_by=owner)
        ).rowcount  # fmt: skip
        db.session.commit()
    return bool(claimed)


def _finish(delivery_id: int, owner: str, **values: Any) -> None:
    with writing():
        db.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.claimed_by == owner)
            .values(attempts=WebhookDelivery.attempts + 1, claimed_until=None, claimed_by=None, **values)
        )  # fmt: skip
        db.session.commit()


def _still_carried(delivery: WebhookDelivery, hook: Webhook) -> bool:
    """A delivery about a post goes only while the post is live and its hook's maker may still read it."""
    if delivery.post_id is None:
        return True
    post = db.session.scalar(
        select(Post).options(joinedload(Post.topic).joinedload(Topic.group)).where(Post.id == delivery.post_id)
    )
    if post is None or post.deleted_at is not None or post.hidden_at is not None or post.pending:
        return False
    topic = post.topic
    return can_webhook_carry(hook.created_by, topic, topic.group if topic.group_id is not None else None)


def _withdraw(delivery_id: int) -> None:
    db.session.rollback()
    with writing():
        db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.id == delivery_id))
        db.session.commit()


def deliver_pending_webhooks(limit: int = 50, now: datetime | None = None, rng: random.Random | None = None) -> int:
    """Send the due deliveries; returns how many were taken (2xx). ``now`` fixes the clock (tests)."""
    clock = (lambda: now) if now is not None else utcnow
    owner = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
    max_attempts = int(current_app.config.get("WEBHOOK_MAX_ATTEMPTS") or 8)
    with writing():
        ids = db.session.scalars(
            select(WebhookDelivery.id).where(_due(clock())).order_by(WebhookDelivery.id).limit(limit)
        ).all()
        db.session.commit()
    delivered = 0
    for delivery_id in ids:
        if not _claim(delivery_id, owner, clock()):
            continue
        delivery = db.session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        hook = db.session.scalar(select(Webhook).options(joinedload(Webhook.created_by))
                                 .where(Webhook.id == delivery.webhook_id))  # fmt: skip
        if hook is None or not hook.enabled:
            # A disabled hook's waiting deliveries stay, unsent, until it is enabled again.
            db.session.rollback()
            with writing():
                db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                                   .values(claimed_until=None, claimed_by=None,
                                           next_attempt_at=clock() + timedelta(minutes=5)))  # fmt: skip
                db.session.commit()
            continue
        if delivery.event != "ping" and not _still_carried(delivery, hook):
            log.info("webhook delivery %s withdrawn: its post is no longer to be sent", delivery_id)
            _withdraw(delivery_id)
            continue
        url, secret, event, uuid_, body = hook.url, hook.secret, delivery.event, delivery.uuid, delivery.body.encode()
        attempts = delivery.attempts + 1
        db.session.rollback()  # end the read before the network: the writes below take their own transaction
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            "X-Community-Event": event, "X-Community-Delivery": uuid_, "X-Community-Timestamp": timestamp,
            "X-Community-Signature": sign(secret, timestamp, body),
        }  # fmt: skip
        try:
            status, excerpt = post(url, body, headers)
        except (Refused, OSError, http.client.HTTPException, ssl.SSLError) as exc:
            status, excerpt = None, f"{type(exc).__name__}: {exc}"[:EXCERPT]
        if status is not None and 200 <= status < 300:
            _finish(delivery_id, owner, delivered_at=clock(), status_code=status, response_excerpt=excerpt)
            delivered += 1
            continue
        failed = attempts >= max_attempts
        _finish(delivery_id, owner, status_code=status, response_excerpt=excerpt,
                next_attempt_at=clock() + retry_delay(attempts, rng),
                failed_at=clock() if failed else None)  # fmt: skip
        log.warning("webhook delivery %s to %s: %s (attempt %s of %s)%s", delivery_id, url, status or excerpt,
                    attempts, max_attempts, ", given up" if failed else "")  # fmt: skip
    return delivered
