"""Moderation: reports, the queue, the actions taken from it, held posts, suspensions and the spam wave.

Facilitators handle what is reported in their groups, admins everything; the rule is
permissions.can_moderate_group. Hidden content is kept (never destroyed) until an admin purges it, and
every action goes into the audit log with who, what, why and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select, true, update
from sqlalchemy.orm import joinedload

from community import events
from community.errors import Forbidden, InvalidInput, NotFound
from community.extensions import db
from community.i18n import as_member
from community.models import (
    REPORT_REASONS,
    Group,
    MemberRelation,
    Post,
    Report,
    Revision,
    Topic,
    User,
    utcnow,
)
from community.permissions import (
    can_handle_report,
    can_purge_post,
    can_report_member,
    can_report_post,
    is_admin,
    is_member,
)
from community.services import posts
from community.services.audit import record


def _clean_reason(reason: str) -> str:
    if reason not in REPORT_REASONS:
        raise InvalidInput(_("Please choose a reason."), field="reason")
    return reason


def hold_for_review(topic: Topic, post: Post, reasons: list[str]) -> Report:
    """File an automatic report for a held (pending) topic or post, in the caller's transaction."""
    report = Report(
        post_id=post.id, topic_id=topic.id, group_id=topic.group_id, reason="other", automatic=True,
        text=" ".join(reasons)[:2000] or _("Held for approval."),
    )  # fmt: skip
    db.session.add(report)
    db.session.flush()
    events.report_filed.send(report, actor=None)
    return report


def report_post(actor: User, post: Post, topic: Topic, reason: str, text: str = "") -> Report:
    """A member reports a post they can see; one open report per member and post (commits)."""
    if not can_report_post(actor, post, topic):
        raise Forbidden(_("You can't report this post."))
    reason = _clean_reason(reason)
    text = (text or "").strip()
    if reason == "other" and not text:
        raise InvalidInput(_("Please tell the moderators what is wrong."), field="text")
    existing = db.session.scalar(
        select(Report).where(Report.reporter_id == actor.id, Report.post_id == post.id, Report.status == "open")
    )
    if existing is not None:
        return existing
    report = Report(reporter_id=actor.id, post_id=post.id, topic_id=topic.id, group_id=topic.group_id,
                    reason=reason, text=text[:2000])  # fmt: skip
    db.session.add(report)
    db.session.flush()
    events.report_filed.send(report, actor=actor)
    db.session.commit()
    return report


def report_member(actor: User, member: User, reason: str, text: str = "") -> Report:
    """A member reports a profile (it reaches the admins) (commits)."""
    if not can_report_member(actor, member):
        raise Forbidden(_("You can't report this member."))
    reason = _clean_reason(reason)
    text = (text or "").strip()
    if reason == "other" and not text:
        raise InvalidInput(_("Please tell the moderators what is wrong."), field="text")
    report = Report(reporter_id=actor.id, target_user_id=member.id, reason=reason, text=text[:2000])
    db.session.add(report)
    db.session.flush()
    events.report_filed.send(report, actor=actor)
    db.session.commit()
    return report


# ----------------------------------------------------------------------------------------------------------
# The queue


def reports_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter: the reports this moderator handles (admins all; facilitators their groups')."""
    if not is_member(user):
        return false()
    if is_admin(user):
        return true()
    facilitated = [gid for gid, role in user.group_roles.items() if role == "facilitator"]
    clauses = []
    if facilitated:
        clauses.append(Report.group_id.in_(facilitated))
    if user.role == "facilitator":
        clauses.append(and_(Report.group_id.is_(None), Report.target_user_id.is_(None)))
    return or_(*clauses) if clauses else false()


def _report_loads() -> tuple[Any, ...]:
    """What a report is shown with: who reported, whom or which post (and its author), and where."""
    return (
        joinedload(Report.reporter),
        joinedload(Report.target_user),
        joinedload(Report.post).joinedload(Post.author),
        joinedload(Report.topic).joinedload(Topic.group),
    )


def queue(user: User, *, status: str = "open", limit: int = 50, before_id: int | None = None) -> list[Report]:
    """Reports for this moderator, newest first, with what they are about loaded."""
    stmt = (
        select(Report)
        .options(*_report_loads())
        .where(reports_visible_to(user), Report.status == status)
        .order_by(Report.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        stmt = stmt.where(Report.id < before_id)
    return list(db.session.scalars(stmt).unique())


def open_report_count(user: User) -> int:
    """How many open reports wait for this moderator."""
    return db.session.scalar(
        select(func.count()).select_from(Report).where(reports_visible_to(user), Report.status == "open")
    ) or 0


def access_report(user: User, report_id: int) -> Report:
    """A report this moderator handles, with its content loaded; NotFound otherwise."""
    report = db.session.scalar(
        select(Report)
        .options(*_report_loads(), joinedload(Report.topic).joinedload(Topic.board))
        .where(Report.id == report_id)
    )
    if report is None or not can_handle_report(user, report, _group_of(report)):
        raise NotFound(_("No such report."))
    return report


def _group_of(report: Report) -> Group | None:
    if report.topic is not None:
        return report.topic.group if report.topic.group_id is not None else None
    return None


def _close(report: Report, actor: User, status: str, resolution: str) -> None:
    report.status = status
    report.resolved_by_id = actor.id
    report.resolved_at = utcnow()
    report.resolution = resolution[:500]


def _close_related(actor: User, report: Report, resolution: str) -> None:
    """Close every other open report about the same post, so the queue doesn't ask twice."""
    if report.post_id is None:
        return
    db.session.execute(
        update(Report)
        .where(Report.post_id == report.post_id, Report.status == "open", Report.id != report.id)
        .values(status="resolved", resolved_by_id=actor.id, resolved_at=utcnow(), resolution=resolution[:500])
    )


def dismiss(actor: User, report: Report, note: str = "") -> None:
    """Nothing wrong: close the report (commits)."""
    _require_handler(actor, report)
    _close(report, actor, "dismissed", note or _("Dismissed"))
    record(actor, "report.dismiss", report, reason=note, group_id=report.group_id)
    db.session.commit()


def hide_reported(actor: User, report: Report, reason: str) -> None:
    """Hide the reported post (and its topic, when it is the opening post) (commits)."""
    _require_handler(actor, report)
    post, topic = _content(report)
    # Notes kept with the report and the post are written in the moderator's language.
    reason = reason.strip() or str(REPORT_REASONS.get(report.reason) or _("Against the community guidelines"))
    hide_content(actor, post, topic, reason)
    _close(report, actor, "resolved", _("Hidden: %(reason)s", reason=reason))
    _close_related(actor, report, _("Hidden: %(reason)s", reason=reason))
    db.session.commit()


def hide_content(actor: User, post: Post, topic: Topic, reason: str) -> None:
    """Hide a post; hiding an opening post hides the whole topic from listings too (commits)."""
    if post.number == 1 and topic.hidden_at is None:
        topic.hidden_at = utcnow()
    posts.hide_post(actor, post, topic, reason)


def restore_content(actor: User, post: Post, topic: Topic) -> None:
    """Undo a hide (commits)."""
    if post.number == 1:
        topic.hidden_at = None
    posts.restore_post(actor, post, topic)


def lock_reported(actor: User, report: Report, reason: str = "") -> None:
    """Lock the reported discussion: no more replies (commits)."""
    _require_handler(actor, report)
    _post, topic = _content(report)
    topic.locked = True
    _close(report, actor, "resolved", (_("Discussion locked.") + " " + reason).strip())
    record(actor, "topic.lock", topic, reason=reason, group_id=topic.group_id)
    db.session.commit()


def delete_reported(actor: User, report: Report, reason: str = "") -> None:
    """Delete the reported post (soft: the text is kept for the audit trail) (commits)."""
    _require_handler(actor, report)
    post, topic = _content(report)
    _close(report, actor, "resolved", (_("Deleted.") + " " + reason).strip())
    _close_related(actor, report, _("Deleted"))
    db.session.flush()
    posts.delete_post(actor, post, topic)


def approve_held(actor: User, report: Report) -> None:
    """Approve a held (pending) topic or post: it becomes visible and counts (commits)."""
    _require_handler(actor, report)
    post, topic = _content(report)
    if topic.status == "pending" and post.number == 1:
        posts.publish_topic(actor, topic, commit=False, screen=False)
    elif post.pending:
        posts.release_post(actor, post, topic)
    else:
        raise InvalidInput(_("Nothing here is waiting for approval: dismiss the report or act on the post."))
    _close(report, actor, "resolved", _("Approved"))
    record(actor, "post.approve", post, group_id=topic.group_id)
    db.session.commit()


def warn_author(actor: User, report: Report, message: str) -> None:
    """Send the author a private warning from the moderators (commits)."""
    _require_handler(actor, report)
    message = message.strip()
    if not message:
        raise InvalidInput(_("Please write the message the member will read."), field="message")
    author = report.post.author if report.post is not None else report.target_user
    if author is None:
        raise NotFound(_("No such member."))
    from community.services.mail import queue_mail
    from community.services.site import base_url

    base = base_url()
    with as_member(author):
        queue_mail(
            author.email,
            _("A message from the moderators"),
            "\n\n".join([_("Hello %(name)s,", name=author.display_name), message,
                          _("The moderators of the community") + f"\n{base}/\n"]),
            automated=False,  # the moderators' own words
        )  # fmt: skip
    events.member_warned.send(author, actor=actor, message=message, post=report.post)
    _close(report, actor, "resolved", _("Author warned: %(message)s", message=message))
    record(actor, "member.warn", author, reason=message, group_id=report.group_id)
    db.session.commit()


def _require_handler(actor: User, report: Report) -> None:
    if not can_handle_report(actor, report, _group_of(report)):
        raise NotFound(_("No such report."))
    if report.status != "open":
        raise InvalidInput(_("This report has already been handled."))


def _content(report: Report) -> tuple[Post, Topic]:
    if report.post is None or report.topic is None:
        raise InvalidInput(_("This report is about a member, not a post."))
    report.post.topic = report.topic
    return report.post, report.topic


# ----------------------------------------------------------------------------------------------------------
# Suspensions and the spam wave


def spam_wave(actor: User, member: User, *, until: datetime | None, reason: str) -> int:
    """The spam-wave button: suspend the member (services.admin rules and audit) and hide all their
    content at once, so it appears nowhere. Returns how many posts were hidden (commits)."""
    from community.services.admin import suspend_member

    if not is_admin(actor) or member.id == actor.id or member.role == "admin":
        raise Forbidden(_("Only the community manager can do this, and not to an admin."))
    if not reason.strip():
        raise InvalidInput(_("Please give a reason: the member will see it."), field="reason")
    hidden = hide_all_content(actor, member, reason.strip())
    now = utcnow()
    db.session.execute(
        update(Report)
        .where(
            Report.status == "open",
            or_(
                Report.target_user_id == member.id,
                Report.post_id.in_(select(Post.id).where(Post.author_id == member.id)),
            ),
        )
        .values(
            status="resolved", resolved_by_id=actor.id, resolved_at=now,
            resolution=_("Member suspended: %(reason)s", reason=reason)[:500],
        )
    )
    record(actor, "member.hide_all", member, reason=reason, detail={"hid_posts": hidden})
    if member.state == "suspended":
        db.session.commit()  # already suspended: the wave only needed cleaning up
    else:
        suspend_member(actor, member, until, reason)  # commits everything above with it
    events.member_suspended.send(member, actor=actor, until=until, reason=reason, hid_content=True)
    return hidden


def hide_all_content(actor: User, member: User, reason: str) -> int:
    """Hide every live post and topic of a member in one go (kept, not destroyed); returns the post count."""
    now = utcnow()
    note = _("Removed with the member's other posts: %(reason)s", reason=reason)[:500]
    hidden = db.session.execute(
        update(Post)
        .where(Post.author_id == member.id, Post.hidden_at.is_(None))
        .values(hidden_at=now, hidden_by_id=actor.id, hidden_reason=note)
    ).rowcount
    db.session.execute(
        update(Topic).where(Topic.author_id == member.id, Topic.hidden_at.is_(None)).values(hidden_at=now)
    )
    # Replies by the member no longer count in the threads they were in.
    rows = db.session.execute(
        select(Post.topic_id, Topic.kind, func.count())
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == member.id, Post.hidden_at == now, Post.number > 1, Post.deleted_at.is_(None),
               Post.pending.is_(False))
        .group_by(Post.topic_id, Topic.kind)
    ).all()
    for topic_id, _kind, count in rows:
        db.session.execute(update(Topic).where(Topic.id == topic_id).values(reply_count=Topic.reply_count - count))
    events.member_content_hidden.send(member, actor=actor)
    return hidden or 0


def purge_post(actor: User, post: Post) -> None:
    """Destroy a hidden post's text and history for good (admins only) (commits)."""
    if not is_admin(actor):
        raise Forbidden(_("Only the community manager can delete content for good."))
    if not can_purge_post(actor, post):
        raise InvalidInput(_("Hide or delete the post first."))
    post.body = "[removed]"
    post.body_html = "<p>[removed]</p>"
    db.session.execute(delete(Revision).where(Revision.post_id == post.id))
    record(actor, "post.purge", post)
    db.session.commit()


# ----------------------------------------------------------------------------------------------------------
# Mute and block


def set_relation(user: User, other: User, kind: str, on: bool) -> None:
    """Mute or block another member (or undo it) (commits)."""
    if kind not in ("mute", "block"):
        raise InvalidInput(_("Unknown action."))
    if user.id == other.id:
        raise InvalidInput(_("You can't mute or block yourself."))
    existing = db.session.scalar(
        select(MemberRelation).where(
            MemberRelation.user_id == user.id, MemberRelation.other_id == other.id, MemberRelation.kind == kind
        )
    )
    if on and existing is None:
        db.session.add(MemberRelation(user_id=user.id, other_id=other.id, kind=kind))
    elif not on and existing is not None:
        db.session.delete(existing)
    db.session.commit()


def relations_of(user: User) -> dict[str, set[int]]:
    """{"mute": {ids}, "block": {ids}} for the member (one query)."""
    result: dict[str, set[int]] = {"mute": set(), "block": set()}
    for other_id, kind in db.session.execute(
        select(MemberRelation.other_id, MemberRelation.kind).where(MemberRelation.user_id == user.id)
    ):
        result[kind].add(other_id)
    return result


def has_blocked(user_id: int, other_id: int) -> bool:
    """Whether ``user_id`` blocked ``other_id`` (then other_id can't mention or message them)."""
    return bool(
        db.session.scalar(
            select(func.count()).select_from(MemberRelation).where(
                MemberRelation.user_id == user_id, MemberRelation.other_id == other_id, MemberRelation.kind == "block"
            )
        )
    )

