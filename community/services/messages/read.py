"""Private messages, reading: the inbox, a conversation's page, the header's unread count, recipients.

Every statement here starts from the viewer's own ``participants`` rows, so nothing but their current
conversations can come out of it (never the shared visibility filter, which keeps conversations out).
Page query counts are fixed: they don't grow with the number of conversations or messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from community import permissions
from community.database import prebuilt
from community.errors import InvalidInput
from community.extensions import db
from community.models import (
    MAX_PARTICIPANTS,
    PRIVATE_KINDS,
    MemberRelation,
    Membership,
    Participant,
    Post,
    Topic,
    User,
)

INBOX_PAGE_SIZE = 20
MESSAGES_PER_PAGE = 50
_HANDLE = re.compile(r"[a-z0-9_]{1,30}")


# ----------------------------------------------------------------------------------------------------------
# Recipients


def parse_handles(raw: str | None) -> list[str]:
    """``@ana, ben carl`` → ["ana", "ben", "carl"] (lower-case, unique, in order)."""
    handles: list[str] = []
    for item in re.split(r"[,;\s]+", raw or ""):
        handle = item.strip().lstrip("@").lower()
        if handle and handle not in handles:
            handles.append(handle)
    return handles


def blocked_ids(user_id: int, other_ids: list[int]) -> set[int]:
    """Which of ``other_ids`` stand behind a block with ``user_id``, in either direction (one query)."""
    if not other_ids:
        return set()
    rows = db.session.execute(
        select(MemberRelation.user_id, MemberRelation.other_id).where(
            MemberRelation.kind == "block",
            or_(and_(MemberRelation.user_id == user_id, MemberRelation.other_id.in_(other_ids)),
                and_(MemberRelation.other_id == user_id, MemberRelation.user_id.in_(other_ids))),
        )
    )  # fmt: skip
    return {b if a == user_id else a for a, b in rows}


def group_roles_of(user_ids: list[int]) -> dict[int, dict[int, str]]:
    """Active group roles of several members (one query)."""
    roles: dict[int, dict[int, str]] = {i: {} for i in user_ids}
    if user_ids:
        for user_id, group_id, role in db.session.execute(
            select(Membership.user_id, Membership.group_id, Membership.role).where(
                Membership.user_id.in_(user_ids), Membership.state == "active")
        ):  # fmt: skip
            roles[user_id][group_id] = role
    return roles


def may_message(actor: User, others: list[User]) -> dict[int, bool]:
    """For each member, whether ``actor`` may write to them (``permissions.can_message_member``), with what
    the rule needs loaded in three queries however many they are."""
    from community.services.settings import get_setting

    ids = [o.id for o in others]
    roles = group_roles_of(ids)
    blocked = blocked_ids(actor.id, ids)
    allowed = bool(get_setting("participants_may_message"))
    return {o.id: permissions.can_message_member(actor, o, other_groups=roles[o.id], blocked=o.id in blocked,
                                                 participants_may_message=allowed) for o in others}  # fmt: skip


def resolve_recipients(actor: User, raw: str | None, *, already: int = 1, exclude: set[int] | None = None,
                       field_name: str = "to") -> list[User]:  # fmt: skip
    """The members named in a "To" field whom ``actor`` may write to; InvalidInput on the field for nobody,
    an unknown handle, too many people (``already`` count in the conversation) or someone they may not
    message. ``exclude``: members already in the conversation (named again, they are skipped)."""
    handles = [h for h in parse_handles(raw) if h != actor.handle]
    if not handles:
        raise InvalidInput(_("Please name at least one member to write to."), field=field_name)
    bad = [h for h in handles if not _HANDLE.fullmatch(h)]
    wanted = [h for h in handles if h not in bad]
    found = {u.handle: u for u in db.session.scalars(
        select(User).where(User.handle.in_(wanted), User.state != "deleted"))}  # fmt: skip
    unknown = [h for h in handles if h not in found]
    if unknown:
        names = ", ".join("@" + h for h in unknown)
        raise InvalidInput(ngettext("There is no member called %(names)s: please check the handle.",
                                    "There are no members called %(names)s: please check the handles.",
                                    len(unknown), names=names), field=field_name)  # fmt: skip
    users = [found[h] for h in handles if found[h].id not in (exclude or set())]
    if not users:
        raise InvalidInput(_("Everyone you named is already in this conversation."), field=field_name)
    if already + len(users) > MAX_PARTICIPANTS:
        raise InvalidInput(_("A conversation has %(num)d people at most, you included.", num=MAX_PARTICIPANTS),
                           field=field_name)
    allowed = may_message(actor, users)
    refused = [u for u in users if not allowed[u.id]]
    if refused:
        raise InvalidInput(_("You can't send a message to %(names)s.",
                             names=", ".join(f"{u.display_name} (@{u.handle})" for u in refused)), field=field_name)
    return users


# ----------------------------------------------------------------------------------------------------------
# The inbox


@dataclass
class InboxRow:
    """One conversation in the inbox: who else is in it, the latest message, unread or not."""

    topic: Topic
    participant: Participant
    others: list[User]
    last_post: Post | None
    unread: bool


@dataclass
class InboxPage:
    """A page of the inbox, newest activity first (keyset on last activity and id)."""

    rows: list[InboxRow]
    next_cursor: str | None = None


def _cursor(topic: Topic) -> str:
    return f"{topic.last_activity_at.isoformat()}_{topic.id}"


def parse_cursor(raw: str | None) -> tuple[datetime, int] | None:
    """The keyset position a "Older conversations" link carries; None for a missing or malformed one."""
    if not raw or "_" not in raw:
        return None
    stamp, _sep, ident = raw.rpartition("_")
    try:
        return datetime.fromisoformat(stamp), int(ident)
    except ValueError:
        return None


def _others(topic_ids: list[int], viewer_id: int) -> dict[int, list[User]]:
    """The other current participants of these conversations, with their users (one query)."""
    result: dict[int, list[User]] = {t: [] for t in topic_ids}
    if topic_ids:
        for row in db.session.scalars(
            select(Participant).options(joinedload(Participant.user))
            .where(Participant.topic_id.in_(topic_ids), Participant.left_at.is_(None), Participant.user_id != viewer_id)
            .order_by(Participant.joined_at, Participant.user_id)
        ):  # fmt: skip
            result[row.topic_id].append(row.user)
    return result


def inbox(user: User, cursor: str | None = None, *, query: str = "", limit: int = INBOX_PAGE_SIZE) -> InboxPage:
    """The member's current conversations, newest activity first (three queries, any page, any size).
    ``query``: only conversations with a message containing these words (the member's own messages search)."""
    stmt = (
        select(Topic, Participant)
        .join(Participant, and_(Participant.topic_id == Topic.id, Participant.user_id == user.id))
        .where(Participant.left_at.is_(None), Topic.kind.in_(PRIVATE_KINDS), Topic.deleted_at.is_(None))
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
        .limit(limit + 1)
    )
    position = parse_cursor(cursor)
    if position is not None:
        at, ident = position
        stmt = stmt.where(or_(Topic.last_activity_at < at, and_(Topic.last_activity_at == at, Topic.id < ident)))
    words = query.split()[:5]
    if words:
        matching = select(Post.topic_id).where(Post.topic_id == Topic.id, *permissions_live(),
                                               *[Post.body.ilike(f"%{_escape(w)}%", escape="\\") for w in words])
        stmt = stmt.where(matching.exists())
    pairs = [(row[0], row[1]) for row in db.session.execute(stmt)]
    more = len(pairs) > limit
    pairs = pairs[:limit]
    ids = [t.id for t, _p in pairs]
    others = _others(ids, user.id)
    last_ids = [t.last_post_id for t, _p in pairs if t.last_post_id is not None]
    lasts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(last_ids)))} if last_ids else {}
    rows = []
    for topic, participant in pairs:
        last = lasts.get(topic.last_post_id) if topic.last_post_id is not None else None
        unread = last is not None and last.number > participant.last_read_number and last.author_id != user.id
        rows.append(InboxRow(topic, participant, others[topic.id], last, unread))
    return InboxPage(rows, _cursor(pairs[-1][0]) if more and pairs else None)


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def permissions_live() -> tuple[Any, ...]:
    """The messages anybody in the conversation reads: not deleted or hidden."""
    return (Post.deleted_at.is_(None), Post.hidden_at.is_(None), Post.pending.is_(False))


def unread_count_statement() -> Any:
    """The header's number: the member's current, unmuted conversations whose latest message is someone
    else's and after what they read (one statement, built once; ``permissions.VIEWER_ID`` bound, and
    ``messages_read_now``: a conversation to leave out, 0 for none)."""

    def build() -> Any:
        viewer = bindparam(permissions.VIEWER_ID)
        return (
            select(func.count())
            .select_from(Participant)
            .join(Topic, Topic.id == Participant.topic_id)
            .join(Post, Post.id == Topic.last_post_id)
            .where(Participant.user_id == viewer, Participant.left_at.is_(None), Participant.muted.is_(False),
                   Post.number > Participant.last_read_number, Post.author_id != viewer,
                   Participant.topic_id != bindparam("messages_read_now"))
            .scalar_subquery()
        )  # fmt: skip

    return prebuilt("messages-unread", build)


def unread_conversations(user: User) -> int:
    """How many conversations have something new for the member (one query)."""
    if not permissions.is_member(user):
        return 0
    return db.session.scalar(select(unread_count_statement()),
                             {permissions.VIEWER_ID: user.id, "messages_read_now": 0}) or 0


# ----------------------------------------------------------------------------------------------------------
# A conversation


@dataclass
class ConversationView:
    """What a conversation's page shows: its messages (a page of them, oldest first), who is in it."""

    topic: Topic
    participant: Participant
    posts: list[Post]
    people: list[Participant]
    blocked: bool
    earlier: int | None = None  # the number to pass as ``before`` for earlier messages
    first_unread: int | None = None
    reactions: dict[int, Any] = field(default_factory=dict)

    @property
    def others(self) -> list[User]:
        return [p.user for p in self.people if p.user_id != self.participant.user_id]


def access_conversation(user: User, topic_id: int) -> Topic:
    """A conversation the member takes part in now; NotFound for anything else (missing, someone else's,
    left, not a conversation), exactly alike."""
    return permissions.access_topic(user, topic_id, kind="conversation")


def conversation_page(user: User, topic: Topic, before: int | None = None) -> ConversationView:
    """The conversation's latest messages (or those before ``before``), its people, reactions, and whether a
    block stands between the viewer and another participant: four queries, however long it is."""
    from community.services import reactions

    participant = permissions.participation(user, topic)
    stmt = (
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.topic_id == topic.id)
        .order_by(Post.number.desc())
        .limit(MESSAGES_PER_PAGE + 1)
    )
    if before is not None:
        stmt = stmt.where(Post.number < before)
    posts = list(db.session.scalars(stmt))
    earlier = None
    if len(posts) > MESSAGES_PER_PAGE:
        posts = posts[:MESSAGES_PER_PAGE]
        earlier = posts[-1].number
    posts.reverse()
    people = list(db.session.scalars(
        select(Participant).options(joinedload(Participant.user))
        .where(Participant.topic_id == topic.id, Participant.left_at.is_(None))
        .order_by(Participant.joined_at, Participant.user_id)
    ))  # fmt: skip
    others = [p.user_id for p in people if p.user_id != user.id]
    blocked = bool(blocked_ids(user.id, others))
    first_unread = next((p.number for p in posts if p.number > participant.last_read_number
                         and p.author_id != user.id), None)  # fmt: skip
    summary = reactions.summaries([p.id for p in posts], user)
    return ConversationView(topic, participant, posts, people, blocked, earlier, first_unread, summary)


def excerpt_of(post: Post, length: int = 120) -> str:
    """A message's first words for the inbox, quoted lines (a reply's "> ...") left out when there is more."""
    from community.markup import plain_excerpt

    own = "\n".join(line for line in post.body.splitlines() if not line.lstrip().startswith(">")).strip()
    return plain_excerpt(own or post.body, length)


def conversation_title(topic: Topic, others: list[User]) -> str:
    """The subject, or the other participants' names when there is none."""
    if topic.title:
        return topic.title
    if not others:
        return _("Only you")
    names = [u.display_name for u in others[:3]]
    if len(others) > 3:
        return _("%(names)s and %(num)d more", names=", ".join(names), num=len(others) - 3)
    return ", ".join(names)
