"""Discussions on boards: boards themselves, starting and replying, moderation, subscriptions, unread.

Built on ``services.posts`` (the shared content writes and counters); what is particular to discussions
lives here. Writers check their permission again (a view's check is not the last line of defence).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from community.errors import Conflict, Forbidden, InvalidInput
from community.extensions import db
from community.models import Board, Group, Membership, Post, Topic, User
from community.permissions import (
    can_manage_board,
    can_moderate_topic,
    can_move_topic,
    can_reply,
    can_start_discussion,
    live_posts,
    visible_group_ids_clause,
)
from community.services import posts, submissions
from community.services.audit import record
from community.services.groups import slugify
from community.services.programmes import check_unit

SUBSCRIPTION_TARGETS = ("topic", "board")


# ----------------------------------------------------------------------------------------------------------
# Boards


def _board_fields(name: str | None, description: str | None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Please give the board a name."), field="name")
    if len(name) > 100:
        raise InvalidInput(_("Board names are 100 characters at most."), field="name")
    description = (description or "").strip()
    if len(description) > 2000:
        raise InvalidInput(_("Descriptions are 2,000 characters at most."), field="description")
    return name, description


def create_board(actor: User, *, name: str, description: str = "", group: Group | None = None,
                 position: int | None = None) -> Board:  # fmt: skip
    """Add a community board (admins) or a board to a group (its facilitators) (commits)."""
    if not can_manage_board(actor, group):
        raise Forbidden(_("You can't add boards here."))
    name, description = _board_fields(name, description)
    group_id = group.id if group is not None else None
    if position is None:
        last = db.session.scalar(
            select(func.max(Board.position)).where(
                Board.group_id.is_(None) if group_id is None else Board.group_id == group_id
            )
        )
        position = (last or 0) + 1
    board = Board(group_id=group_id, name=name, slug=slugify(name) or "board", description=description,
                  position=position)  # fmt: skip
    db.session.add(board)
    db.session.flush()
    record(actor, "board.create", board, group_id=group_id, detail={"name": name})
    db.session.commit()
    return board


def update_board(actor: User, board: Board, *, name: str, description: str = "",
                 position: int | None = None) -> Board:  # fmt: skip
    """Rename, describe or reorder a board (commits)."""
    if not can_manage_board(actor, board.group if board.group_id else None):
        raise Forbidden(_("You can't change this board."))
    board.name, board.description = _board_fields(name, description)
    if position is not None:
        board.position = position
    record(actor, "board.update", board, group_id=board.group_id)
    db.session.commit()
    return board


def community_boards() -> list[Board]:
    """Community-wide boards in their order (for the admins' board management page)."""
    return list(db.session.scalars(select(Board).where(Board.group_id.is_(None)).order_by(Board.position, Board.id)))


def visible_boards(user: User) -> list[Board]:
    """The boards the viewer may see: community boards first (in order), then group boards by group name."""
    stmt = (
        select(Board)
        .outerjoin(Group, Group.id == Board.group_id)
        .where(visible_group_ids_clause(user, Board.group_id))
        .order_by(Board.group_id.is_not(None), Group.name, Board.position, Board.id)
    )
    from sqlalchemy.orm import contains_eager

    return list(db.session.scalars(stmt.options(contains_eager(Board.group))))


def moderated_boards(user: User, topic: Topic) -> list[Board]:
    """Boards this discussion may be moved to by the viewer (boards they moderate, other than its own)."""
    return [b for b in visible_boards(user) if b.id != topic.board_id and can_move_topic(user, topic, b)]


# ----------------------------------------------------------------------------------------------------------
# Discussions


def start_discussion(actor: User, board: Board, title: str, body: str, tags: str | None = None, *,
                     unit_id: int | str | None = None, submission_key: str | None = None) -> Topic:  # fmt: skip
    """Start a discussion on a board (commits); a form sent twice lands on the first (``submissions``)."""
    submission_key = submissions.check(actor, submission_key, body)
    if not can_start_discussion(actor, board):
        raise Forbidden(_("You can't start a discussion on this board."))
    checked_unit = check_unit(board.group, unit_id)
    topic = posts.create_topic(actor, kind="discussion", title=title, body=body, board=board, tags=tags,
                               submission_key=submission_key, commit=False)  # fmt: skip
    topic.unit_id = checked_unit
    db.session.commit()
    return topic


def quote_text(post: Post) -> str:
    """The Markdown that quotes a post in a reply: "Name wrote:" and its text as a block quote."""
    lines = post.body.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"{post.author.display_name} wrote:\n{quoted}\n\n"


def reply(actor: User, topic: Topic, body: str, *, quoting: Post | None = None,
          submission_key: str | None = None) -> Post:  # fmt: skip
    """Reply to a discussion; ``quoting`` (a post of the same discussion) becomes its parent (commits)."""
    submission_key = submissions.check(actor, submission_key, body)
    if not can_reply(actor, topic):
        if topic.locked:
            raise Forbidden(_("This discussion is locked: no new replies."))
        if topic.group is not None and topic.group.is_archived:
            raise Forbidden(_("This group is archived: it can be read but no longer takes replies."))
        raise Forbidden(_("You can't reply here."))
    parent = quoting if quoting is not None and quoting.topic_id == topic.id and not quoting.deleted_at else None
    post = posts.add_post(actor, topic, body, parent=parent, commit=False, submission_key=submission_key)
    # One's own reply is not news to one: the read position moves in the same transaction (no second write).
    db.session.execute(posts.read_position_statement(actor.id, topic.id, post.number))
    db.session.commit()
    return post


def set_pinned(actor: User, topic: Topic, pinned: bool) -> None:
    """Pin a discussion to the top of its board, or unpin it (moderators; commits)."""
    _moderate(actor, topic, "pinned", pinned, "topic.pin" if pinned else "topic.unpin")


def set_locked(actor: User, topic: Topic, locked: bool) -> None:
    """Lock a discussion (no new replies) or unlock it (moderators; commits)."""
    _moderate(actor, topic, "locked", locked, "topic.lock" if locked else "topic.unlock")


def _moderate(actor: User, topic: Topic, column: str, value: bool, action: str) -> None:
    if topic.kind != "discussion" or not can_moderate_topic(actor, topic):
        raise Forbidden(_("Only the moderators of this discussion can do that."))
    db.session.execute(update(Topic).where(Topic.id == topic.id).values({column: value}))
    record(actor, action, topic, group_id=topic.group_id)
    db.session.commit()


def move_topic(actor: User, topic: Topic, to_board: Board) -> None:
    """Move a discussion to another board the moderator also moderates; board counters follow (commits)."""
    if to_board.id == topic.board_id:
        raise InvalidInput(_("The discussion is already on that board."), field="board_id")
    if not can_move_topic(actor, topic, to_board):
        raise Forbidden(_("You can only move discussions between boards you moderate."))
    _refuse_stranding(topic, to_board)
    from_board_id = topic.board_id
    live_count = (
        select(func.count())
        .select_from(Post)
        .where(Post.topic_id == topic.id, live_posts())
        .scalar_subquery()
    )
    # Counters move with UPDATE expressions, so concurrent replies elsewhere on the boards are not lost.
    counted = topic.status == "published" and topic.deleted_at is None
    if counted and from_board_id is not None:
        db.session.execute(
            update(Board).where(Board.id == from_board_id)
            .values(topic_count=Board.topic_count - 1, post_count=Board.post_count - live_count)
        )  # fmt: skip
    db.session.execute(
        update(Topic).where(Topic.id == topic.id).values(board_id=to_board.id, group_id=to_board.group_id)
    )
    if counted:
        db.session.execute(
            update(Board).where(Board.id == to_board.id)
            .values(topic_count=Board.topic_count + 1, post_count=Board.post_count + live_count,
                    last_activity_at=func.coalesce(Board.last_activity_at, topic.last_activity_at))
        )  # fmt: skip
    record(actor, "topic.move", topic, group_id=to_board.group_id,
           detail={"from_board": from_board_id, "to_board": to_board.id})  # fmt: skip
    db.session.commit()


def _refuse_stranding(topic: Topic, to_board: Board) -> None:
    """Refuse a move that would take the discussion away from people who wrote in it.

    Moving into a request or private group hides it from everyone outside the group. Keeping the author's
    access to a topic in a group they don't belong to would punch a hole in the one visibility rule (they
    would read the group's replies and see its name in listings), and moving anyway would make their own
    words vanish for them without a word. So the move is refused, naming who would lose their posts: the
    mover adds them to the group first, or picks another board.
    """
    group = to_board.group if to_board.group_id is not None else None
    if group is None or group.visibility == "open":
        return
    members = select(Membership.user_id).where(Membership.group_id == group.id, Membership.state == "active")
    names = list(db.session.scalars(
        select(User.display_name).where(
            User.id.in_(select(Post.author_id).where(Post.topic_id == topic.id, Post.deleted_at.is_(None))),
            User.id.not_in(members), User.role != "admin", User.state.in_(("active", "suspended")),
        ).order_by(User.id != topic.author_id, User.display_name)
    ))  # fmt: skip
    if not names:
        return
    shown = ", ".join(names[:3])
    raise Conflict(ngettext(
        "%(names)s wrote in this discussion but is not a member of %(group)s: they would lose their own posts. "
        "Add them to the group first, or choose another board.",
        "%(names)s wrote in this discussion but are not members of %(group)s: they would lose their own posts. "
        "Add them to the group first, or choose another board.", len(names), names=shown if len(names) <= 3
        else _("%(names)s and %(num)d others", names=shown, num=len(names) - 3), group=group.name), field="board_id")


def group_boards(group: Group) -> list[Board]:
    """A group's boards in their order."""
    return list(db.session.scalars(select(Board).where(Board.group_id == group.id).order_by(Board.position, Board.id)))
