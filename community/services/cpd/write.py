"""Writing the CPD log: entries, their links to the member's own contributions, and shares with facilitators.

Every verb takes the log's owner as the actor: nobody writes in another member's log."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from limits import parse as parse_limit
from sqlalchemy import delete, func, select

from community.errors import InvalidInput, NotFound, RateLimited
from community.extensions import db
from community.markup import render_markdown
from community.models import (
    MAX_HOURS_HUNDREDTHS,
    CpdEntry,
    CpdLink,
    CpdShare,
    Event,
    EventRsvp,
    Membership,
    Post,
    User,
    utcnow,
)
from community.permissions import can_write_cpd_log, live_posts

MAX_LINKS = 10
TEXT_MAX = 10_000
_HOURS = re.compile(r"^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*$")
_HOURS_MINUTES = re.compile(r"^\s*(\d{1,3}):([0-5]\d)\s*$")


@dataclass
class EntryFields:
    """What a member typed in the entry form (the service checks it)."""

    done_on: date | None
    title: str
    learned: str = ""
    apply: str = ""
    hours: str = ""
    links: list[str] = field(default_factory=list)  # "post:12", "event:3"


def parse_hours(text: str) -> int:
    """Hours as typed ("1.5", "1,25", "1:30", "2") to hundredths; InvalidInput otherwise."""
    text = (text or "").strip()
    if not text:
        return 0
    found = _HOURS.match(text)
    if found:
        whole, part = found.groups()
        value = int(whole) * 100 + (int(part.ljust(2, "0")) if part else 0)
    elif (found := _HOURS_MINUTES.match(text)) is not None:
        value = int(found.group(1)) * 100 + round(int(found.group(2)) * 100 / 60)
    else:
        raise InvalidInput(_("Please give the hours as a number, for example 1.5 or 1:30."), field="hours")
    if value > MAX_HOURS_HUNDREDTHS:
        raise InvalidInput(_("One entry can count at most %(num)d hours.", num=MAX_HOURS_HUNDREDTHS // 100),
                           field="hours")  # fmt: skip
    return value


def _check_rate(actor: User) -> None:
    """The posting limit holds for CPD entries too (counted from the table, so across app servers)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    limit = parse_limit(current_app.config["RATELIMIT_POSTING"])
    since = utcnow() - timedelta(seconds=limit.get_expiry())
    recent = db.session.scalar(select(func.count()).select_from(CpdEntry)
                               .where(CpdEntry.user_id == actor.id, CpdEntry.created_at >= since))  # fmt: skip
    if recent and recent >= limit.amount:
        raise RateLimited(_("You're writing entries very quickly. Please wait a minute and try again: what you "
                            "wrote is kept below."), field="title")  # fmt: skip


def _checked(fields: EntryFields) -> tuple[date, str, int]:
    title = " ".join((fields.title or "").split())
    if not title:
        raise InvalidInput(_("Please say what you did."), field="title")
    if len(title) > 200:
        raise InvalidInput(_("Please keep what you did under 200 characters."), field="title")
    if fields.done_on is None:
        raise InvalidInput(_("Please give the date you did it."), field="done_on")
    if fields.done_on > date.today() + timedelta(days=1) or fields.done_on.year < 1990:
        raise InvalidInput(_("Please give a date that has passed."), field="done_on")
    for name in ("learned", "apply"):
        if len(getattr(fields, name) or "") > TEXT_MAX:
            raise InvalidInput(_("Please keep this under %(num)d characters.", num=TEXT_MAX), field=name)
    if len(fields.links) > MAX_LINKS:
        raise InvalidInput(ngettext("An entry can link at most %(num)d contribution.",
                                    "An entry can link at most %(num)d contributions.", MAX_LINKS), field="links")
    return fields.done_on, title, parse_hours(fields.hours)


def _links(actor: User, chosen: list[str]) -> list[CpdLink]:
    """The links chosen, each checked to be the actor's own live post or an event they said yes to."""
    post_ids: set[int] = set()
    event_ids: set[int] = set()
    for value in chosen:
        kind, _sep, raw = (value or "").partition(":")
        if not raw.isdigit() or kind not in ("post", "event"):
            raise InvalidInput(_("Please choose among your own contributions."), field="links")
        (post_ids if kind == "post" else event_ids).add(int(raw))
    own_posts = set(db.session.scalars(select(Post.id).where(Post.id.in_(post_ids), Post.author_id == actor.id,
                                                             live_posts()))) if post_ids else set()  # fmt: skip
    own_events = set(db.session.scalars(
        select(EventRsvp.event_id).join(Event, Event.id == EventRsvp.event_id)
        .where(EventRsvp.event_id.in_(event_ids), EventRsvp.user_id == actor.id, EventRsvp.answer == "going")
    )) if event_ids else set()  # fmt: skip
    if own_posts != post_ids or own_events != event_ids:
        raise InvalidInput(_("Please choose among your own contributions."), field="links")
    return [CpdLink(post_id=i) for i in sorted(post_ids)] + [CpdLink(event_id=i) for i in sorted(event_ids)]


def _fill(entry: CpdEntry, actor: User, fields: EntryFields) -> None:
    done_on, title, hours = _checked(fields)
    links = _links(actor, fields.links)
    entry.done_on, entry.title, entry.hours_hundredths = done_on, title, hours
    entry.learned, entry.apply = (fields.learned or "").strip(), (fields.apply or "").strip()
    entry.learned_html, entry.apply_html = render_markdown(entry.learned), render_markdown(entry.apply)
    entry.links = links
    entry.updated_at = utcnow()


def create_entry(actor: User, fields: EntryFields) -> CpdEntry:
    """Add an entry to the actor's own CPD log."""
    _check_rate(actor)
    entry = CpdEntry(user_id=actor.id, links=[])
    _fill(entry, actor, fields)
    db.session.add(entry)
    db.session.commit()
    return entry


def update_entry(actor: User, entry: CpdEntry, fields: EntryFields) -> CpdEntry:
    """Change one of the actor's entries (its links are replaced by those chosen)."""
    if not can_write_cpd_log(actor, entry.user):
        raise NotFound(_("Not found."))
    _fill(entry, actor, fields)
    db.session.commit()
    return entry


def delete_entry(actor: User, entry: CpdEntry) -> None:
    """Delete one of the actor's entries for good."""
    if not can_write_cpd_log(actor, entry.user):
        raise NotFound(_("Not found."))
    db.session.delete(entry)
    db.session.commit()


def share_log(actor: User, facilitator_id: int) -> CpdShare:
    """Let a facilitator of one of the actor's groups read the actor's CPD log."""
    mine = select(Membership.group_id).where(Membership.user_id == actor.id, Membership.state == "active")
    facilitator = db.session.scalar(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(User.id == facilitator_id, User.state == "active", User.id != actor.id, Membership.state == "active",
               Membership.role == "facilitator", Membership.group_id.in_(mine)).limit(1)
    )  # fmt: skip
    if facilitator is None:
        raise InvalidInput(_("Please choose a facilitator of one of your groups."), field="facilitator")
    share = db.session.scalar(select(CpdShare).where(CpdShare.owner_id == actor.id,
                                                     CpdShare.facilitator_id == facilitator.id))  # fmt: skip
    if share is None:
        share = CpdShare(owner_id=actor.id, facilitator_id=facilitator.id)
        db.session.add(share)
        db.session.commit()
    return share


def revoke_share(actor: User, facilitator_id: int) -> None:
    """Stop sharing the actor's CPD log with that facilitator (nothing happens if it was not shared)."""
    db.session.execute(delete(CpdShare).where(CpdShare.owner_id == actor.id, CpdShare.facilitator_id == facilitator_id))
    db.session.commit()
