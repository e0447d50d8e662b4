""""Delete my account": asked with the password, erased after a grace period unless the member signs in.

``schedule_deletion`` (the member) and ``schedule_deletion_for`` (an admin, audited) set
``users.deletion_due_at`` ``GRACE_DAYS`` ahead and sign the member out everywhere; signing in again before
then cancels it (``cancel_on_sign_in``). The hourly ``erase_due`` job erases what is due: profile, e-mail,
password, sessions, URL tokens, uploads and avatar, follows and watches, drafts, notifications, exports,
memberships, mutes and blocks. The member chose whether their posts stay (shown under "Former member") or
go: gone, their posts are emptied and marked deleted, so replies by others stay where they are. The row
stays (state ``deleted``), so what others wrote keeps its place.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update

from community.errors import Conflict, InvalidInput
from community.extensions import db
from community.i18n import as_member
from community.models import (
    PRIVATE_KINDS,
    Draft,
    Group,
    MemberRelation,
    Membership,
    Notification,
    Participant,
    Post,
    PostHashtag,
    Revision,
    Subscription,
    Topic,
    Upload,
    UrlToken,
    User,
    UserSession,
    utcnow,
)
from community.services.account_data.export import remove_all_for
from community.services.accounts import verify_password
from community.services.audit import record
from community.services.mail import queue_mail
from community.services.settings import community_display_name

GRACE_DAYS = 14
FORMER_MEMBER = "Former member"  # stored name of an erased account; user_link shows it translated


def _check_not_last_admin(member: User) -> None:
    if member.role != "admin" or member.state != "active":
        return
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.state == "active", User.id != member.id,
        User.deletion_due_at.is_(None)))  # fmt: skip
    if not others:
        raise Conflict(_("You are the last community manager: make another member community manager before "
                         "deleting this account."))  # fmt: skip


def _schedule(actor: User, member: User, keeps_posts: bool, now: datetime, reason: str = "") -> None:
    if member.state == "deleted":
        raise Conflict(_("This account is erased already."))
    if member.deletion_due_at is not None:
        raise Conflict(_("This account is already due to be deleted."))
    _check_not_last_admin(member)
    member.deletion_due_at = now + timedelta(days=GRACE_DAYS)
    member.deletion_keeps_posts = keeps_posts
    db.session.execute(delete(UserSession).where(UserSession.user_id == member.id))
    record(actor, "member.deletion_scheduled", member, reason=reason[:500],
           detail={"keeps_posts": keeps_posts, "due": member.deletion_due_at.isoformat()})  # fmt: skip
    with as_member(member):
        community = community_display_name()
        lines = [_("Hello %(name)s,", name=member.display_name),
                 _("Your account on %(community)s will be deleted in %(num)d days.", community=community,
                   num=GRACE_DAYS),
                 _("Changed your mind? Sign in before then and the deletion is cancelled.")]  # fmt: skip
        queue_mail(member.email, _("Your account on %(community)s will be deleted", community=community),
                   "\n\n".join(lines) + "\n")  # fmt: skip


def schedule_deletion(actor: User, password: str, keeps_posts: bool, now: datetime | None = None) -> datetime:
    """The member asks for their account to be deleted (the password confirms it); they are signed out
    everywhere; returns when it will be erased (commits)."""
    if not password or not verify_password(actor, password):
        raise InvalidInput(_("That isn't your password."), field="password")
    _schedule(actor, actor, keeps_posts, now or utcnow())
    db.session.commit()
    assert actor.deletion_due_at is not None
    return actor.deletion_due_at


def schedule_deletion_for(actor: User, member: User, keeps_posts: bool, reason: str = "",
                          now: datetime | None = None) -> None:  # fmt: skip
    """An admin deletes a member's account, with the same grace period; audited (commits)."""
    _schedule(actor, member, keeps_posts, now or utcnow(), reason)
    db.session.commit()


def cancel_on_sign_in(user: User) -> bool:
    """Signing in within the grace period cancels the deletion; returns whether there was one (commits)."""
    if user.deletion_due_at is None:
        return False
    user.deletion_due_at = None
    record(user, "member.deletion_cancelled", user)
    db.session.commit()
    return True


def _remove_posts(user: User, now: datetime) -> None:
    """Empty and mark deleted the member's posts; a topic they opened goes only if nobody else wrote in it."""
    alone = select(Topic.id).where(Topic.author_id == user.id, Topic.kind.not_in(PRIVATE_KINDS),
                                   ~select(Post.id).where(Post.topic_id == Topic.id, Post.author_id != user.id,
                                                          Post.deleted_at.is_(None)).exists())  # fmt: skip
    db.session.execute(update(Topic).where(Topic.id.in_(alone), Topic.deleted_at.is_(None))
                       .values(deleted_at=now), execution_options={"synchronize_session": False})  # fmt: skip
    # Their earlier wordings (edit history) and hashtags go with them.
    theirs = select(Post.id).where(Post.author_id == user.id)
    db.session.execute(delete(Revision).where(Revision.post_id.in_(theirs)))
    db.session.execute(delete(PostHashtag).where(PostHashtag.post_id.in_(theirs)))
    db.session.execute(update(Post).where(Post.author_id == user.id, Post.deleted_at.is_(None))
                       .values(deleted_at=now, deleted_by_id=user.id, body="", body_html=""),
                       execution_options={"synchronize_session": False})  # fmt: skip


def erase(user: User, now: datetime | None = None) -> None:
    """Erase an account now (the job calls it when due; commits)."""
    now = now or utcnow()
    keeps = user.deletion_keeps_posts
    if not keeps:
        _remove_posts(user, now)
    folder = current_app.config["UPLOAD_FOLDER"]
    names = list(db.session.scalars(select(Upload.name).where(Upload.owner_id == user.id)))
    for name in [*names, *([user.avatar_path] if user.avatar_path else [])]:
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(folder, os.path.basename(name)))
    db.session.execute(delete(Upload).where(Upload.owner_id == user.id))
    remove_all_for(user)
    for table in (UserSession, UrlToken, Draft, Notification, Subscription):
        db.session.execute(delete(table).where(table.user_id == user.id))
    db.session.execute(delete(Subscription).where(Subscription.target_type.in_(("member", "blog")),
                                                  Subscription.target_id == user.id))  # fmt: skip
    db.session.execute(delete(MemberRelation).where(or_(MemberRelation.user_id == user.id,
                                                        MemberRelation.other_id == user.id)))  # fmt: skip
    groups = select(Membership.group_id).where(Membership.user_id == user.id, Membership.state == "active")
    for group_id in db.session.scalars(groups).all():
        db.session.execute(update(Group).where(Group.id == group_id, Group.member_count > 0)
                           .values(member_count=Group.member_count - 1))  # fmt: skip
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.execute(update(Participant).where(and_(Participant.user_id == user.id, Participant.left_at.is_(None)))
                       .values(left_at=now))  # fmt: skip
    user.email = f"erased-{user.id}@invalid"
    user.handle = f"erased_{user.id}"
    user.display_name = FORMER_MEMBER
    user.password_hash = None
    user.headline = user.bio = user.bio_html = user.organisation = user.programme = ""
    user.avatar_path = None
    user.preferences = {}
    user.language = user.timezone = None
    user.last_seen_at = user.last_visit_at = None
    user.state = "deleted"
    user.deletion_due_at = None
    user.unsubscribe_epoch = (user.unsubscribe_epoch or 0) + 1
    record(None, "member.erased", user, detail={"kept_posts": keeps})
    db.session.commit()


def erase_due(now: datetime | None = None) -> int:
    """The hourly job: erase every account whose grace period is over; returns how many."""
    now = now or utcnow()
    due = db.session.scalars(select(User).where(User.deletion_due_at.is_not(None), User.deletion_due_at <= now,
                                                User.state != "deleted")).all()  # fmt: skip
    for user in due:
        erase(user, now)
    return len(due)
