""""Download my data": a ZIP of everything the member wrote and did, made by the worker.

The member asks (``request_export``: one at a time, 409; three a day, 429); the worker's periodic job
(``run_queued_exports``) makes the ZIP: ``data.json`` (profile, posts and blog posts, answers, comments,
conversations, votes, reactions, follows, RSVPs, notification settings), ``writing.html`` (a readable copy
of their writing, from the sanitised ``body_html``) and their uploads, then tells the member with an
``export_ready`` notification. Only the owner downloads it (``access_export``: 404 for anyone else, admins
included), for ``KEEP_DAYS``; housekeeping removes it after.

Of a conversation, the export holds only what the member could read there: the messages written while they
were in it (from joining until leaving), never anyone else's private content.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import and_, delete, func, or_, select, update

from community.errors import Conflict, NotFound, RateLimited
from community.extensions import db
from community.models import (
    PRIVATE_KINDS,
    DataExport,
    Event,
    EventRsvp,
    Participant,
    Post,
    Reaction,
    Subscription,
    Topic,
    Upload,
    User,
    Vote,
    utcnow,
)
from community.services.notifications import notify
from community.services.notifications import preferences as notification_preferences
from community.services.notify_mail import path_for
from community.tokens import new_token

log = logging.getLogger("community.exports")
KEEP_DAYS = 7
PER_DAY = 3


def export_folder() -> Path:
    """Where the ZIPs are kept (``EXPORT_FOLDER``, by default ``<instance>/exports``), created if need be."""
    folder = Path(current_app.config.get("EXPORT_FOLDER") or Path(current_app.instance_path) / "exports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def request_export(actor: User, now: datetime | None = None) -> DataExport:
    """Queue a copy of the member's data for the worker (commits); Conflict while one is being made,
    RateLimited after ``PER_DAY`` in a day."""
    now = now or utcnow()
    running = db.session.scalar(select(func.count()).select_from(DataExport).where(
        DataExport.user_id == actor.id, DataExport.state.in_(("queued", "running"))))  # fmt: skip
    if running:
        raise Conflict(_("A copy of your data is being made already. We'll tell you when it's ready."))
    today = db.session.scalar(select(func.count()).select_from(DataExport).where(
        DataExport.user_id == actor.id, DataExport.created_at > now - timedelta(days=1)))  # fmt: skip
    if (today or 0) >= PER_DAY:
        raise RateLimited(_("You have asked for a copy of your data %(num)d times today. Please try again tomorrow.",
                            num=PER_DAY))  # fmt: skip
    export = DataExport(user_id=actor.id, state="queued", created_at=now)
    db.session.add(export)
    db.session.commit()
    return export


def list_exports(actor: User, now: datetime | None = None) -> list[DataExport]:
    """The member's exports still worth showing (being made, or ready and not expired), newest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(DataExport).where(DataExport.user_id == actor.id,
                                 or_(DataExport.state.in_(("queued", "running")),
                                     and_(DataExport.state == "ready", DataExport.expires_at > now)))
        .order_by(DataExport.id.desc()).limit(5)
    ))  # fmt: skip


def access_export(actor: User, export_id: int, now: datetime | None = None) -> tuple[DataExport, Path]:
    """The member's own ready export and its file; NotFound for anyone else's (admins too), or one gone."""
    now = now or utcnow()
    export = db.session.scalar(select(DataExport).where(DataExport.id == export_id, DataExport.user_id == actor.id))
    if export is None or export.state != "ready" or export.file_name is None or not export.expires_at \
            or export.expires_at <= now:
        raise NotFound()
    path = export_folder() / export.file_name
    if not path.is_file():
        raise NotFound()
    return export, path


# ----------------------------------------------------------------------------------------------------------
# Making the ZIP (the worker)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _post_row(post: Post, topic: Topic) -> dict[str, Any]:
    return {"id": post.id, "topic_id": topic.id, "topic_title": topic.title, "topic_kind": topic.kind,
            "kind": post.kind, "number": post.number, "parent_id": post.parent_id, "body": post.body,
            "created_at": _iso(post.created_at), "edited_at": _iso(post.edited_at),
            "hidden_by_moderator": post.hidden_at is not None}  # fmt: skip


def collect(user: User) -> dict[str, Any]:
    """Everything the member wrote and did, as JSON-ready data (reads only)."""
    writing = db.session.execute(
        select(Post, Topic).join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == user.id, Post.deleted_at.is_(None), Topic.deleted_at.is_(None),
               Topic.kind.not_in(PRIVATE_KINDS))
        .order_by(Post.created_at, Post.id)
    ).all()  # fmt: skip
    by_kind: dict[str, list[dict[str, Any]]] = {"posts": [], "blog_posts": [], "questions": [], "answers": [],
                                                "comments": []}  # fmt: skip
    for post, topic in writing:
        row = _post_row(post, topic)
        if post.number == 1:
            key = {"blog": "blog_posts", "question": "questions"}.get(topic.kind, "posts")
        elif topic.kind == "question" and post.parent_id is None:
            key = "answers"
        elif post.parent_id is not None or topic.kind == "blog":
            key = "comments"
        else:
            key = "posts"
        by_kind[key].append(row)

    # Conversations: only the messages written while the member was in them (joined_at .. left_at).
    seen = db.session.execute(
        select(Post, Topic, User).join(Topic, Topic.id == Post.topic_id).join(User, User.id == Post.author_id)
        .join(Participant, and_(Participant.topic_id == Topic.id, Participant.user_id == user.id))
        .where(Topic.kind.in_(PRIVATE_KINDS), Post.deleted_at.is_(None), Post.created_at >= Participant.joined_at,
               or_(Participant.left_at.is_(None), Post.created_at <= Participant.left_at))
        .order_by(Topic.id, Post.number)
    ).all()  # fmt: skip
    conversations: dict[int, dict[str, Any]] = {}
    for post, topic, author in seen:
        entry = conversations.setdefault(topic.id, {"id": topic.id, "subject": topic.title, "messages": []})
        entry["messages"].append({"number": post.number, "author": author.handle, "author_name": author.display_name,
                                  "mine": author.id == user.id, "body": post.body,
                                  "created_at": _iso(post.created_at)})  # fmt: skip

    votes = db.session.execute(select(Vote.post_id, Vote.value, Vote.created_at).where(Vote.user_id == user.id)
                               .order_by(Vote.id)).all()  # fmt: skip
    reactions = db.session.execute(select(Reaction.post_id, Reaction.kind, Reaction.created_at)
                                   .where(Reaction.user_id == user.id).order_by(Reaction.id)).all()  # fmt: skip
    follows = db.session.execute(select(Subscription.target_type, Subscription.target_id, Subscription.created_at)
                                 .where(Subscription.user_id == user.id).order_by(Subscription.id)).all()  # fmt: skip
    rsvps = db.session.execute(select(Event.topic_id, EventRsvp.answer, EventRsvp.updated_at)
                               .join(Event, Event.id == EventRsvp.event_id)
                               .where(EventRsvp.user_id == user.id).order_by(EventRsvp.id)).all()  # fmt: skip
    uploads = list(db.session.scalars(select(Upload).where(Upload.owner_id == user.id).order_by(Upload.id)))
    return {
        "format": "community-data-export/1",
        "made_at": _iso(utcnow()),
        "profile": {"handle": user.handle, "display_name": user.display_name, "email": user.email,
                    "role": user.role, "headline": user.headline, "bio": user.bio,
                    "organisation": user.organisation, "programme": user.programme,
                    "language": user.language, "timezone": user.timezone,
                    "joined_at": _iso(user.created_at)},
        **by_kind,
        "conversations": list(conversations.values()),
        "votes": [{"post_id": p, "value": v, "at": _iso(t)} for p, v, t in votes],
        "reactions": [{"post_id": p, "kind": k, "at": _iso(t)} for p, k, t in reactions],
        "follows": [{"type": k, "id": i, "at": _iso(t)} for k, i, t in follows],
        "rsvps": [{"event_topic_id": e, "answer": a, "at": _iso(t)} for e, a, t in rsvps],
        "notification_settings": notification_preferences(user),
        "uploads": [{"file": f"uploads/{u.name}", "purpose": u.purpose, "type": u.content_type,
                     "created_at": _iso(u.created_at)} for u in uploads],
    }  # fmt: skip


def writing_html(user: User) -> str:
    """A readable copy of the member's writing: titles escaped, bodies from the sanitised ``body_html``."""
    rows = db.session.execute(
        select(Post, Topic).join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == user.id, Post.deleted_at.is_(None), Topic.deleted_at.is_(None),
               Topic.kind.not_in(PRIVATE_KINDS))
        .order_by(Post.created_at, Post.id)
    ).all()  # fmt: skip
    heading = escape(_("Writing by %(name)s", name=user.display_name))
    parts = [f'<!doctype html><html><head><meta charset="utf-8"><title>{heading}</title></head><body>',
             f"<h1>{heading}</h1>"]  # fmt: skip
    for post, topic in rows:
        when = escape(_iso(post.created_at) or "")
        # body_html was sanitised by community.markup when it was written: the only HTML taken as it is.
        parts.append(f'<article><h2>{escape(topic.title)}</h2><p><time datetime="{when}">{when}</time></p>'
                     f"{post.body_html}</article>")  # fmt: skip
    parts.append("</body></html>")
    return "\n".join(parts)


def build_zip(user: User, path: Path) -> int:
    """Write the member's ZIP to ``path``; returns its size."""
    data = collect(user)
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("writing.html", writing_html(user))
        for upload in data["uploads"]:
            source = folder / os.path.basename(upload["file"])
            if source.is_file():
                archive.write(source, upload["file"])
    return path.stat().st_size


def make_export(export: DataExport) -> None:
    """Make one queued export and tell its owner (commits)."""
    user = db.session.get(User, export.user_id)
    if user is None:
        return
    name = f"{new_token(18)}.zip"
    path = export_folder() / name
    try:
        size = build_zip(user, path)
    except Exception:
        log.exception("data export %s failed", export.id)
        path.unlink(missing_ok=True)
        export.state, export.finished_at = "failed", utcnow()
        db.session.commit()
        return
    now = utcnow()
    export.state, export.finished_at, export.file_name, export.size = "ready", now, name, size
    export.expires_at = now + timedelta(days=KEEP_DAYS)
    notify([user.id], "export_ready", None, url=path_for("auth.account") + "#data-title",
           message=_("A copy of your data is ready to download for %(num)d days.", num=KEEP_DAYS))  # fmt: skip
    db.session.commit()


def run_queued_exports(limit: int = 5) -> int:
    """The worker's job: make the queued exports, each claimed once (safe from several processes)."""
    done = 0
    for export_id in db.session.scalars(select(DataExport.id).where(DataExport.state == "queued")
                                        .order_by(DataExport.id).limit(limit)).all():  # fmt: skip
        claimed = db.session.execute(update(DataExport).where(DataExport.id == export_id,
                                                              DataExport.state == "queued")
                                     .values(state="running")).rowcount  # fmt: skip
        db.session.commit()
        if not claimed:
            continue
        export = db.session.get(DataExport, export_id)
        if export is not None:
            make_export(export)
            done += 1
    return done


def remove_expired(now: datetime) -> int:
    """Housekeeping: delete exports past their week (and their files), and failed ones; the caller commits."""
    gone = list(db.session.scalars(select(DataExport).where(
        or_(and_(DataExport.state == "ready", DataExport.expires_at <= now),
            and_(DataExport.state == "failed", DataExport.created_at <= now - timedelta(days=1))))))  # fmt: skip
    for export in gone:
        if export.file_name:
            (export_folder() / os.path.basename(export.file_name)).unlink(missing_ok=True)
    if gone:
        db.session.execute(delete(DataExport).where(DataExport.id.in_([e.id for e in gone])))
    return len(gone)


def remove_all_for(user: User) -> None:
    """The erase job: the member's exports and their files go (the caller commits)."""
    for export in db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)).all():
        if export.file_name:
            (export_folder() / os.path.basename(export.file_name)).unlink(missing_ok=True)
    db.session.execute(delete(DataExport).where(DataExport.user_id == user.id))
