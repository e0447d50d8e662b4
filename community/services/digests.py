"""Daily and weekly digest e-mails.

A digest leads with "peers waiting for an answer" (unanswered questions in the member's groups and the
community-wide area, that they may see), then the notifications the member chose to get in this digest,
then the popular posts of the period. Every item goes through the visibility filter at send time. A
``DigestSent`` row (unique per member, frequency and period) is written in the same transaction as the mail,
so a period is never sent twice, even when two workers run at once.

Periods are the member's own: the daily digest covers their local day (period "2026-11-25") and goes out
from 07:00 their time; the weekly one covers their local ISO week ("2026-W48") and goes out from 07:00 on
their Monday. Each digest is written in the member's language and time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import desc, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community import permissions
from community.auth_session import load_group_roles
from community.database import writing
from community.extensions import db
from community.i18n import as_member, member_timezone, zoneinfo_or_utc
from community.models import DigestSent, Notification, Topic, User, utcnow
from community.services.notifications import preferences, visible_notifications

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
ITEMS = 5
DIGEST_HOUR = 7  # in the member's time zone: digests go out from this hour on (weekly ones on Mondays)


def period_key(frequency: str, local: datetime) -> str:
    """The period a digest covers, from the member's local time: the day (2026-11-25) or ISO week (2026-W48)."""
    if frequency == "daily":
        return local.date().isoformat()
    year, week, _weekday = local.isocalendar()
    return f"{year}-W{week:02d}"


def local_time(user: User, now: datetime) -> datetime:
    """``now`` on the member's clock (their time zone, else the community's)."""
    return now.astimezone(zoneinfo_or_utc(member_timezone(user)))


def is_due(frequency: str, local: datetime) -> bool:
    """Whether the member's morning has come: 07:00 of their day (of their Monday, for the weekly digest)."""
    if local.hour < DIGEST_HOUR:
        return False
    return frequency == "daily" or local.weekday() == 0


@dataclass
class Digest:
    """What one member's digest says."""

    waiting: list[Topic] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    popular: list[Topic] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.waiting or self.notifications or self.popular)


def build_digest(user: User, frequency: str, now: datetime) -> Digest:
    """The digest for one member (whose ``group_roles`` are loaded), everything filtered by what they may see."""
    since = now - PERIODS[frequency]
    kinds = [k for k, v in preferences(user).items() if v == frequency]
    waiting = list(db.session.scalars(
        select(Topic).options(joinedload(Topic.author), joinedload(Topic.group))
        .where(
            permissions.visible_topics(user), Topic.kind == "question", Topic.reply_count == 0,
            Topic.accepted_post_id.is_(None), Topic.closed_at.is_(None), Topic.author_id != user.id,
            or_(Topic.group_id.is_(None), Topic.group_id.in_(list(user.group_roles) or [-1])),
            Topic.published_at >= now - timedelta(days=30),
        )
        .order_by(Topic.published_at).limit(ITEMS)
    ))  # fmt: skip
    notes: list[Notification] = []
    if kinds:
        notes = list(db.session.scalars(
            select(Notification)
            .options(joinedload(Notification.actor), joinedload(Notification.topic), joinedload(Notification.group))
            .where(
                Notification.id.in_(visible_notifications(user)), Notification.kind.in_(kinds),
                Notification.created_at > since, Notification.read_at.is_(None),
            )
            .order_by(Notification.id.desc()).limit(20)
        ).unique())  # fmt: skip
    popular = list(db.session.scalars(
        select(Topic).options(joinedload(Topic.author), joinedload(Topic.group))
        .where(permissions.visible_topics(user), Topic.published_at > since, Topic.author_id != user.id)
        .order_by(desc(Topic.like_count + Topic.reply_count), Topic.id.desc()).limit(ITEMS)
    ))  # fmt: skip
    return Digest(waiting, notes, popular)


def _recipients(frequency: str) -> list[User]:
    """Active members with at least one kind delivered in this digest (defaults count)."""
    users = db.session.scalars(select(User).where(User.state == "active").order_by(User.id))
    return [u for u in users if frequency in preferences(u).values()]


def _subject(frequency: str, digest: Digest) -> str:
    """The subject line, in the language of the ``as_member`` block it is built in."""
    count = len(digest.waiting)
    if frequency == "daily":
        if count:
            return ngettext("Your daily digest: %(num)d peer waiting for an answer",
                            "Your daily digest: %(num)d peers waiting for an answer", count)  # fmt: skip
        return _("Your daily digest: what's new")
    if count:
        return ngettext("Your weekly digest: %(num)d peer waiting for an answer",
                        "Your weekly digest: %(num)d peers waiting for an answer", count)  # fmt: skip
    return _("Your weekly digest: what's new")


def send_digests(frequency: str, now: datetime | None = None, *, due_only: bool = False) -> int:
    """Queue the digest of each member's current period (on their own clock) to every member who takes it and
    hasn't had it; with ``due_only``, only to those whose morning has come (``is_due``). Returns how many."""
    if frequency not in PERIODS:
        raise ValueError(frequency)
    from community.services.notify_mail import send_templated

    now = now or utcnow()
    periods: dict[int, str] = {}
    for user in _recipients(frequency):
        local = local_time(user, now)
        if not due_only or is_due(frequency, local):
            periods[user.id] = period_key(frequency, local)
    if not periods:
        return 0
    done = {(row.user_id, row.period) for row in db.session.execute(select(DigestSent.user_id, DigestSent.period).where(
        DigestSent.frequency == frequency, DigestSent.period.in_(sorted(set(periods.values())))))}  # fmt: skip
    sent = 0
    for user_id, period in periods.items():
        if (user_id, period) in done:
            continue
        with writing():
            user = db.session.get(User, user_id)
            already = db.session.scalar(select(DigestSent.id).where(
                DigestSent.user_id == user_id, DigestSent.frequency == frequency, DigestSent.period == period))
            if user is None or already is not None:
                db.session.rollback()
                continue
            load_group_roles(user)
            digest = build_digest(user, frequency, now)
            if digest.is_empty:
                db.session.rollback()
                continue
            db.session.add(DigestSent(user_id=user_id, frequency=frequency, period=period, sent_at=now))
            with as_member(user):
                send_templated(user, frequency, _subject(frequency, digest), "notifications/email/digest",
                               digest=digest, frequency=frequency, bulk=True)  # fmt: skip
            try:
                db.session.commit()
            except IntegrityError:  # another worker sent this period's digest first
                db.session.rollback()
                continue
        sent += 1
    return sent


def send_due_digests(now: datetime | None = None) -> int:
    """The embedded loop's job (and ``send-digests --due``): each member's daily digest once their local time
    is past 07:00, and their weekly one from 07:00 on their Monday. Safe to run every few minutes: a member's
    period is only ever sent once."""
    now = now or utcnow()
    return send_digests("daily", now, due_only=True) + send_digests("weekly", now, due_only=True)
