"""The manager's webhooks: made, changed, disabled, deleted, their secret rotated, a test sent (commits)."""

from __future__ import annotations

import ipaddress
import json
import secrets
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from community.errors import Forbidden, InvalidInput
from community.extensions import db
from community.models import WEBHOOK_EVENTS, Board, Group, User, Webhook, WebhookDelivery, utcnow
from community.permissions import can_manage_webhooks
from community.services import audit

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def local_allowed() -> bool:
    """http:// to this machine is for development and the tests alone."""
    return bool(current_app.debug or current_app.testing)


def address_refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, *, local_ok: bool) -> bool:
    """True for an address a hook may not reach: private, loopback, link-local, multicast, reserved (SSRF)."""
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped  # type: ignore[union-attr]
    if ip.is_loopback:
        return not local_ok
    return not ip.is_global or ip.is_multicast


def check_url(raw: str | None) -> str:
    """The hook's target, cleaned; InvalidInput (on the ``url`` field) for anything but a public https URL
    (http://127.0.0.1 and http://localhost too while debugging or testing)."""
    url = (raw or "").strip()
    if not url:
        raise InvalidInput(_("Please give the address to send to."), field="url")
    if len(url) > 500:
        raise InvalidInput(_("This address is too long (500 characters at most)."), field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (reading it raises ValueError for a port out of range)
    except ValueError:
        raise InvalidInput(_("This is not a web address."), field="url") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput(_("This is not a web address: it starts with https://."), field="url")
    if parts.username or parts.password:
        raise InvalidInput(_("Leave the user name and password out of the address."), field="url")
    local = host in LOCAL_NAMES or host.endswith(".localhost")
    local_ok = local_allowed()
    if parts.scheme == "http" and not (local and local_ok):
        raise InvalidInput(_("Webhooks are sent over https:// only."), field="url")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if (ip is not None and address_refused(ip, local_ok=local_ok)) or (local and not local_ok):
        raise InvalidInput(_("This address is on a private network: webhooks go to public servers only."),
                           field="url")  # fmt: skip
    return url


def _clean_events(events: Iterable[str] | None) -> list[str]:
    chosen = [e for e in WEBHOOK_EVENTS if e in set(events or ())]
    if not chosen:
        raise InvalidInput(_("Please choose at least one event."), field="events")
    return chosen


def _clean_board(board_id: int | None) -> int | None:
    if not board_id:
        return None
    if db.session.get(Board, board_id) is None:
        raise InvalidInput(_("Please choose a board from the list."), field="board_id")
    return board_id


def _require(actor: User) -> None:
    if not can_manage_webhooks(actor):
        raise Forbidden(_("Only the community manager manages webhooks."))


def new_secret() -> str:
    """A fresh signing secret (256 bits)."""
    return "whsec_" + secrets.token_urlsafe(32)


def create_webhook(actor: User, *, url: str | None, events: Iterable[str] | None, board_id: int | None = None,
                   enabled: bool = True) -> Webhook:  # fmt: skip
    """Make a hook with a new secret (commits); the caller shows the secret once."""
    _require(actor)
    hook = Webhook(url=check_url(url), events=_clean_events(events), board_id=_clean_board(board_id),
                   secret=new_secret(), enabled=enabled, created_by_id=actor.id)  # fmt: skip
    db.session.add(hook)
    db.session.flush()
    audit.record(actor, "webhook.create", hook, detail={"url": hook.url, "events": hook.events})
    db.session.commit()
    return hook


def update_webhook(actor: User, hook: Webhook, *, url: str | None, events: Iterable[str] | None,
                   board_id: int | None = None, enabled: bool = True) -> Webhook:  # fmt: skip
    """Change a hook's target, events, board and state (commits); the secret stays."""
    _require(actor)
    hook.url, hook.events = check_url(url), _clean_events(events)
    hook.board_id, hook.enabled, hook.updated_at = _clean_board(board_id), enabled, utcnow()
    audit.record(actor, "webhook.update", hook, detail={"url": hook.url, "events": hook.events,
                                                         "enabled": enabled})  # fmt: skip
    db.session.commit()
    return hook


def set_enabled(actor: User, hook: Webhook, enabled: bool) -> None:
    """Disable a hook (nothing more is queued for it, and what waits is not sent) or enable it again."""
    _require(actor)
    hook.enabled, hook.updated_at = enabled, utcnow()
    audit.record(actor, "webhook.enable" if enabled else "webhook.disable", hook, detail={"url": hook.url})
    db.session.commit()


def rotate_secret(actor: User, hook: Webhook) -> str:
    """A new secret for the hook (commits); returns it, to be shown once. Waiting deliveries use the new one."""
    _require(actor)
    hook.secret, hook.updated_at = new_secret(), utcnow()
    audit.record(actor, "webhook.rotate", hook, detail={"url": hook.url})
    db.session.commit()
    return hook.secret


def delete_webhook(actor: User, hook: Webhook) -> None:
    """Delete a hook and its deliveries (commits)."""
    _require(actor)
    audit.record(actor, "webhook.delete", hook, detail={"url": hook.url})
    db.session.delete(hook)
    db.session.commit()


def queue_delivery(hook: Webhook, event: str, data: dict[str, object], *,
                   post_id: int | None = None) -> WebhookDelivery:  # fmt: skip
    """Add one delivery for ``hook`` in the current transaction (the caller commits): its body is made now."""
    delivery_id = str(uuid.uuid4())
    now = utcnow()
    body = json.dumps({"event": event, "id": delivery_id, "created_at": now.isoformat().replace("+00:00", "Z"),
                       "data": data}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)  # fmt: skip
    delivery = WebhookDelivery(webhook_id=hook.id, uuid=delivery_id, event=event, body=body, post_id=post_id,
                               created_at=now, next_attempt_at=now)  # fmt: skip
    db.session.add(delivery)
    return delivery


def send_test(actor: User, hook: Webhook) -> WebhookDelivery:
    """Queue a ``ping`` delivery for the hook, whatever its events (commits): the worker sends it next round."""
    _require(actor)
    delivery = queue_delivery(hook, "ping", {"webhook": {"id": hook.id, "events": hook.events},
                                             "message": "A test from the community manager."})  # fmt: skip
    db.session.commit()
    return delivery


def webhooks_page() -> list[Webhook]:
    """Every hook, newest first, with its board (one query)."""
    return list(db.session.scalars(
        select(Webhook).options(joinedload(Webhook.board)).order_by(Webhook.id.desc())
    ))  # fmt: skip


def recent_deliveries(hook: Webhook, limit: int = 20) -> list[WebhookDelivery]:
    """The hook's latest deliveries, newest first (one query)."""
    return list(db.session.scalars(
        select(WebhookDelivery).options(defer(WebhookDelivery.body, raiseload=True))
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)
    ))  # fmt: skip


def hook_boards() -> list[tuple[int, str]]:
    """Every board a hook may watch, named with its group (one query): the manager may see them all."""
    rows = db.session.execute(
        select(Board.id, Board.name, Group.name).outerjoin(Group, Group.id == Board.group_id)
        .order_by(Group.name.is_not(None), Group.name, Board.name)
    ).all()  # fmt: skip
    return [(board_id, f"{group} · {name}" if group else name) for board_id, name, group in rows]
