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
from community.models import (
    PRIVATE_KINDS,
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
    can_approve_post,
    can_handle_report,
    can_purge_post,
    can_reject_post,
    can_report_member,
    can_report_post,
    can_spam_wave,
    can_undelete_post,
    is_admin,
    is_held,
    is_member,
    moderated_group_ids_clause,
)
from community.services import posts
from community.services.audit import record
from community.services.media.write import record_post_uses


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
    from community.services.notifications import notify

    # The author is told at once that it waits (and later what became of it): nothing vanishes silently.
    notify([post.author_id], "post_held", None, topic=topic, post=post)
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
    # Reports of a profile, and of a private message, go to the community manager alone (can_handle_report).
    private = select(Topic.id).where(Topic.id == Report.topic_id, Topic.kind.in_(PRIVATE_KINDS)).exists()
    return and_(moderated_group_ids_clause(user, Report.group_id), Report.target_user_id.is_(None), ~private)


def _report_loads() -> tuple[Any, ...]:
    """What a report is shown with: who reported, whom or which post (and its author), and where."""
    return (
        joinedload(Report.reporter),
        joinedload(Report.target_user),
        joinedload(Report.post).joinedload(Post.author),
        joinedload(Report.topic).joinedload(Topic.group),
    )


def queue(user: User, *, status: str = "open", limit: int = 50, before_id: int | None = None,
          automatic: bool | None = None) -> list[Report]:  # fmt: skip
    """Reports for this moderator, newest first, with what they are about loaded (``automatic=True``: only
    held posts' own reports)."""
    stmt = (
        select(Report)
        .options(*_report_loads())
        .where(reports_visible_to(user), Report.status == status)
        .order_by(Report.id.desc())
        .limit(limit)
    )
    if automatic is not None:
        stmt = stmt.where(Report.automatic.is_(automatic))
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
    """Nothing wrong: close the report (commits). A held post's own report is not dismissed: the post would
    wait for ever, seen by nobody; it is approved or rejected."""
    _require_handler(actor, report)
    if report.automatic and report.post is not None and report.topic is not None and is_held(report.post, report.topic):
        raise InvalidInput(_("A held post is approved or rejected, not dismissed: its author is waiting."))
    _close(report, actor, "dismissed", note or _("Dismissed"))
    record(actor, "report.dismiss", report, reason=note, group_id=report.group_id)
    db.session.commit()


def hide_reported(actor: User, report: Report, reason: str) -> None:
    """Hide the reported post (and its topic, when it is the opening post) (commits)."""
    _require_handler(actor, report)
    post, topic = _content(report)
    # Notes kept with the report and the post are written in the moderator's language.
    reason = reason.strip() or str(REPORT_REASONS.get(report.reason) or _("Against the community guidelines"))
    if is_held(post, topic):
        reject_post(actor, post, topic, reason)  # hiding what was never shown is rejecting it
        return
    hide_content(actor, post, topic, reason)
    _close(report, actor, "resolved", _("Hidden: %(reason)s", reason=reason))
    _close_related(actor, report, _("Hidden: %(reason)s", reason=reason))
    db.session.commit()


def hide_content(actor: User, post: Post, topic: Topic, reason: str) -> None:
    """Hide a post; hiding an opening post hides the whole topic from listings too (commits). A private
    message is hidden alone: its conversation stays with its participants."""
    if post.number == 1 and topic.hidden_at is None and topic.kind not in PRIVATE_KINDS:
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
    """Approve the held topic or post a report is about (commits)."""
    _require_handler(actor, report)
    post, topic = _content(report)
    if not is_held(post, topic):
        raise InvalidInput(_("Nothing here is waiting for approval: dismiss the report or act on the post."))
    approve_post(actor, post, topic)


def reject_held(actor: User, report: Report, reason: str) -> None:
    """Reject the held topic or post a report is about, with a reason its author sees (commits)."""
    _require_handler(actor, report)
    post, topic = _content(report)
    if not is_held(post, topic):
        raise InvalidInput(_("Nothing here is waiting for approval: dismiss the report or act on the post."))
    reject_post(actor, post, topic, reason)


def _close_held_reports(actor: User, post: Post, resolution: str) -> None:
    """Every open report about this post is settled by the decision on it."""
    db.session.execute(
        update(Report)
        .where(Report.post_id == post.id, Report.status == "open")
        .values(status="resolved", resolved_by_id=actor.id, resolved_at=utcnow(), resolution=resolution[:500])
        .execution_options(synchronize_session="fetch")
    )


def approve_post(actor: User, post: Post, topic: Topic) -> None:
    """A moderator approves a held (or rejected) post: it becomes visible and counts; its author is told
    (commits)."""
    if not can_approve_post(actor, post, topic):
        raise Forbidden(_("Only the moderators of this place can approve posts."))
    if post.hidden_at is not None:  # rejected before: approving undoes that
        post.hidden_at, post.hidden_reason, post.hidden_by_id = None, "", None
        if post.number == 1:
            topic.hidden_at = None
    if topic.status == "pending" and post.number == 1:
        posts.publish_topic(actor, topic, commit=False, screen=False)
    if post.pending:
        posts.release_post(actor, post, topic)
    _close_held_reports(actor, post, _("Approved"))
    record(actor, "post.approve", post, group_id=topic.group_id)
    _tell_author(actor, post, topic, "post_approved")
    db.session.commit()


def reject_post(actor: User, post: Post, topic: Topic, reason: str) -> None:
    """A moderator rejects a held post with a reason: it stays out of sight, its author sees it with the reason
    and is told; it can still be approved later (commits)."""
    if not can_reject_post(actor, post, topic):
        raise Forbidden(_("Only the moderators of this place can reject posts."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason: the author will see it."), field="reason")
    now = utcnow()
    post.hidden_at, post.hidden_reason, post.hidden_by_id = now, reason[:500], actor.id
    if post.number == 1 and topic.status == "pending":
        topic.hidden_at = now
    _close_held_reports(actor, post, _("Rejected: %(reason)s", reason=reason))
    record(actor, "post.reject", post, reason=reason, group_id=topic.group_id)
    _tell_author(actor, post, topic, "post_rejected", message=reason)
    db.session.commit()


def _tell_author(actor: User, post: Post, topic: Topic, kind: str, message: str = "") -> None:
    """A moderation notice to the post's author, from "a moderator" (the moderator is not named to them)."""
    from community.services.notifications import notify

    notify([post.author_id], kind, None, topic=topic, post=post, message=message, skip={actor.id})


def undelete_post(actor: User, post: Post, topic: Topic) -> None:
    """Staff restore a deleted post; it counts again and its author is told (commits)."""
    if not can_undelete_post(actor, post, topic):
        raise Forbidden(_("Only the moderators of this place can restore posts."))
    posts.undelete_post(actor, post, topic)  # its author hears of it (services.notify_moderation)
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
    # The warning reaches the member as a notification (in the page, and by e-mail unless they chose
    # otherwise), with the post it is about.
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

    if not can_spam_wave(actor, member):
        raise Forbidden(_("Only the community manager can do this, and not to an admin."))
    if not reason.strip():
        raise InvalidInput(_("Please give a reason: the member will see it."), field="reason")
    now = utcnow()
    hidden = hide_all_content(actor, member, reason.strip(), now=now)
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
    # The moment of the wave names what it hid, so that reactivating can offer to restore exactly that.
    record(actor, "member.hide_all", member, reason=reason, detail={"hid_posts": hidden, "at": now.isoformat()})
    if member.state == "suspended":
        db.session.commit()  # already suspended: the wave only needed cleaning up
    else:
        suspend_member(actor, member, until, reason)  # commits everything above with it
    events.member_suspended.send(member, actor=actor, until=until, reason=reason, hid_content=True)
    return hidden


def hide_all_content(actor: User, member: User, reason: str, *, now: datetime | None = None) -> int:
    """Hide every live post and topic of a member in one go (kept, not destroyed); returns the post count."""
    now = now or utcnow()
    note = _("Removed with the member's other posts: %(reason)s", reason=reason.strip().rstrip(".").rstrip())[:500]
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


def last_wave(member: User) -> tuple[datetime, int] | None:
    """When the latest spam wave on the member hid their posts, and how many (None: there was none)."""
    from community.models import AuditEvent

    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "member.hide_all", AuditEvent.target_type == "user",
               AuditEvent.target_id == member.id)
        .order_by(AuditEvent.id.desc()).limit(1)
    )  # fmt: skip
    return wave_of(event) if event is not None else None


def wave_of(event: Any) -> tuple[datetime, int] | None:
    """The moment and the count a "member.hide_all" audit event recorded (None for older events without them)."""
    detail = event.detail or {}
    try:
        return datetime.fromisoformat(detail["at"]), int(detail.get("hid_posts") or 0)
    except (KeyError, TypeError, ValueError):
        return None


def restore_wave(actor: User, member: User) -> int:
    """Undo the latest spam wave: show again what it hid (what was hidden before it stays hidden); held posts
    among them go back to the queue. Returns how many posts came back (no commit: the reactivation commits)."""
    if not is_admin(actor):
        raise Forbidden(_("Only the community manager can do this."))
    wave = last_wave(member)
    if wave is None:
        return 0
    at = wave[0]
    of_wave = and_(Post.author_id == member.id, Post.hidden_at == at)
    rows = db.session.execute(
        select(Post.topic_id, func.count())
        .where(of_wave, Post.number > 1, Post.deleted_at.is_(None), Post.pending.is_(False))
        .group_by(Post.topic_id)
    ).all()
    for topic_id, count in rows:
        db.session.execute(update(Topic).where(Topic.id == topic_id).values(reply_count=Topic.reply_count + count))
    held = [(row[0], row[1]) for row in db.session.execute(
        select(Post, Topic).join(Topic, Topic.id == Post.topic_id)
        .where(of_wave, Post.deleted_at.is_(None), or_(Post.pending.is_(True),
                                                       and_(Post.number == 1, Topic.status == "pending")))
    )]  # fmt: skip
    restored = db.session.execute(
        update(Post).where(of_wave).values(hidden_at=None, hidden_reason="", hidden_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    db.session.execute(
        update(Topic).where(Topic.author_id == member.id, Topic.hidden_at == at).values(hidden_at=None)
        .execution_options(synchronize_session=False)
    )
    for post, topic in held:
        hold_for_review(topic, post, [_("Held again: the member's posts were restored after a suspension.")])
    record(actor, "member.restore_all", member, detail={"restored_posts": restored})
    events.member_content_restored.send(member, actor=actor)
    return restored


def purge_post(actor: User, post: Post) -> None:
    """Destroy a hidden post's text and history for good (admins only) (commits)."""
    if not is_admin(actor):
        raise Forbidden(_("Only the community manager can delete content for good."))
    if not can_purge_post(actor, post):
        raise InvalidInput(_("Hide or delete the post first."))
    post.body = "[removed]"
    post.body_html = "<p>[removed]</p>"
    db.session.execute(delete(Revision).where(Revision.post_id == post.id))
    record_post_uses(post.id, post.author_id, post.body, None)  # its images are no longer shown there
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

