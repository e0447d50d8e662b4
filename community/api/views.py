"""The API's routes: each loads through the same ``access_*`` loaders and visibility filters as the pages and
writes through the same services, so a private thing is a 404 here exactly as it is there."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_smorest import abort

from community.api import bp, current_token
from community.api import schemas as s
from community.auth_session import load_group_roles
from community.extensions import db
from community.models import Post, Topic, User
from community.permissions import (
    access_board,
    access_event,
    access_group,
    access_post,
    access_topic,
    can_view_post,
)
from community.services import api_reads, boards, notifications, qa
from community.services.messages import access_conversation, send_message

PUBLIC_KINDS = {"discussion", "blog", "question", "event"}


@bp.before_request
def _authenticate() -> None:
    """A live bearer token or 401; writes need the write scope (403). The token's member is the request's
    member (``g._login_user``, Flask-Login's slot), so a session cookie never speaks for an API call."""
    from flask import request

    token = current_token()
    if token is None:
        abort(401, message=_("Send a personal access token: Authorization: Bearer cpat_…"),
              headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    user = token.user
    load_group_roles(user)
    g._login_user = user
    g.api_user = user
    if request.method not in ("GET", "HEAD", "OPTIONS") and not token.may_write:
        abort(403, message=_("This token may only read: make one with the write scope."))


@bp.teardown_request
def _rollback(_error: BaseException | None = None) -> None:
    """Nothing a request left unfinished outlives it."""
    db.session.rollback()


def viewer() -> User:
    return g.api_user


def _public_topic(topic_id: int) -> Topic:
    topic = access_topic(viewer(), topic_id)
    if topic.kind not in PUBLIC_KINDS:
        abort(404)
    return topic


def _topic_out(topic: Topic) -> Topic:
    return topic


def _post_out(post: Post, topic: Topic | None = None) -> dict[str, Any]:
    accepted = topic is not None and topic.accepted_post_id == post.id
    return {"id": post.id, "topic_id": post.topic_id, "number": post.number, "kind": post.kind,
            "parent_id": post.parent_id, "author": post.author, "body": post.body, "body_html": post.body_html,
            "created_at": post.created_at, "score": post.score, "accepted": accepted}  # fmt: skip


def _page(page: api_reads.Page, items: list[Any] | None = None) -> dict[str, Any]:
    return {"items": page.items if items is None else items, "next": page.next}


# --------------------------------------------------------------------------------------------------
# Reading


@bp.route("/me", methods=["GET"])
@bp.response(200, s.Me)
def me() -> dict[str, Any]:
    """The member the token belongs to."""
    user = viewer()
    fields = ("id", "handle", "display_name", "headline", "role", "organisation", "programme", "email",
              "language", "timezone")  # fmt: skip
    return {**{f: getattr(user, f) for f in fields}, "token_scope": current_token().scope}


@bp.route("/members", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.MemberPage)
def members(args: dict[str, Any]) -> dict[str, Any]:
    """The members' directory."""
    return _page(api_reads.members(args["before"], args["limit"]))


@bp.route("/groups", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.GroupPage)
def groups(args: dict[str, Any]) -> dict[str, Any]:
    """The groups the member may see listed."""
    return _page(api_reads.groups(viewer(), args["before"], args["limit"]))


@bp.route("/groups/<string(maxlength=60):slug>", methods=["GET"])
@bp.response(200, s.Group)
def group(slug: str) -> Any:
    """One group."""
    return access_group(viewer(), slug)


@bp.route("/boards", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.BoardPage)
def board_list(args: dict[str, Any]) -> dict[str, Any]:
    """The boards whose discussions the member may read."""
    return _page(api_reads.boards(viewer(), args["before"], args["limit"]))


@bp.route("/boards/<int:board_id>", methods=["GET"])
@bp.response(200, s.Board)
def board(board_id: int) -> Any:
    """One board."""
    return access_board(viewer(), board_id)


@bp.route("/boards/<int:board_id>/discussions", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.TopicPage)
def board_discussions(args: dict[str, Any], board_id: int) -> dict[str, Any]:
    """A board's discussions, newest first."""
    board = access_board(viewer(), board_id)
    return _page(api_reads.topics(viewer(), "discussion", args["before"], args["limit"], board=board))


def _listing(kind: str, args: dict[str, Any]) -> dict[str, Any]:
    return _page(api_reads.topics(viewer(), kind, args["before"], args["limit"]))


@bp.route("/discussions", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.TopicPage)
def discussions(args: dict[str, Any]) -> dict[str, Any]:
    """Discussions on every board the member may read, newest first."""
    return _listing("discussion", args)


@bp.route("/blog-posts", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.TopicPage)
def blog_posts(args: dict[str, Any]) -> dict[str, Any]:
    """Published blog posts the member may read, newest first."""
    return _listing("blog", args)


@bp.route("/questions", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.TopicPage)
def questions(args: dict[str, Any]) -> dict[str, Any]:
    """Questions the member may read, newest first (``accepted_post_id`` names the accepted answer)."""
    return _listing("question", args)


@bp.route("/topics/<int:topic_id>", methods=["GET"])
@bp.response(200, s.Topic)
def topic(topic_id: int) -> Any:
    """One discussion, blog post or question."""
    return _public_topic(topic_id)


@bp.route("/topics/<int:topic_id>/posts", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.PostPage)
def topic_posts(args: dict[str, Any], topic_id: int) -> dict[str, Any]:
    """A topic's posts (opening post, replies, answers, comments), newest first."""
    topic = _public_topic(topic_id)
    page = api_reads.posts(viewer(), topic, args["before"], args["limit"])
    return _page(page, [_post_out(p, topic) for p in page.items])


@bp.route("/posts/<int:post_id>", methods=["GET"])
@bp.response(200, s.Post)
def post(post_id: int) -> dict[str, Any]:
    """One post of a discussion, blog post or question."""
    found = access_post(viewer(), post_id)
    if found.topic.kind not in PUBLIC_KINDS:
        abort(404)
    return _post_out(found, found.topic)


@bp.route("/conversations", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.ConversationPage)
def conversations(args: dict[str, Any]) -> dict[str, Any]:
    """The member's own conversations (never anyone else's, whatever the token's member's role)."""
    page = api_reads.conversations(viewer(), args["before"], args["limit"])
    items = [{"id": t.id, "subject": t.title, "last_activity_at": t.last_activity_at,
              "reply_count": t.reply_count} for t in page.items]  # fmt: skip
    return _page(page, items)


@bp.route("/conversations/<int:topic_id>/messages", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.PostPage)
def conversation_messages(args: dict[str, Any], topic_id: int) -> dict[str, Any]:
    """The messages of one of the member's conversations, newest first."""
    topic = access_conversation(viewer(), topic_id)
    page = api_reads.messages(topic, args["before"], args["limit"])
    return _page(page, [_post_out(p) for p in page.items])


@bp.route("/notifications", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.NotificationPage)
def notification_list(args: dict[str, Any]) -> dict[str, Any]:
    """The member's notifications that they may still see, newest first."""
    page = notifications.list_notifications(viewer(), before=args["before"], limit=args["limit"])
    return {"items": page.items, "next": page.next_before}


def _event_out(topic: Topic, event: Any) -> dict[str, Any]:
    return {"id": topic.id, "title": topic.title, "group_id": topic.group_id, "starts_at": event.starts_at,
            "ends_at": event.ends_at, "timezone": event.timezone, "repeats": event.rrule,
            "capacity": event.capacity, "cancelled": event.cancelled_at is not None}  # fmt: skip


@bp.route("/events", methods=["GET"])
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.EventPage)
def events(args: dict[str, Any]) -> dict[str, Any]:
    """Events the member may see, newest first (``repeats`` is the RFC 5545 rule of a series)."""
    page = api_reads.events(viewer(), args["before"], args["limit"])
    return _page(page, [_event_out(topic, event) for topic, event in page.items])


@bp.route("/events/<int:topic_id>", methods=["GET"])
@bp.response(200, s.EventDetail)
def event(topic_id: int) -> dict[str, Any]:
    """One event with who answered what, and the member's own answer."""
    from community.services import calendar

    topic, found = access_event(viewer(), topic_id)
    page = calendar.event_page(viewer(), topic, found)
    return {**_event_out(topic, found), "going": page.answers["going"], "maybe": page.answers["maybe"],
            "not_going": page.answers["no"], "mine": page.mine}  # fmt: skip


@bp.route("/events/<int:topic_id>/rsvp", methods=["POST"])
@bp.arguments(s.NewRsvp)
@bp.response(200, s.RsvpResult)
def rsvp(data: dict[str, Any], topic_id: int) -> dict[str, str]:
    """Answer an event: going, maybe or no (a full event refuses "going" with a 400 naming ``answer``)."""
    from community.services import calendar

    topic, found = access_event(viewer(), topic_id)
    return {"answer": calendar.answer_event(viewer(), topic, found, data["answer"])}


@bp.route("/search", methods=["GET"])
@bp.arguments(s.SearchArgs, location="query")
@bp.response(200, s.TopicPage)
def search(args: dict[str, Any]) -> dict[str, Any]:
    """Topics matching the words, among those the member may see."""
    return _page(api_reads.search_topics(viewer(), args["q"], args["before"], args["limit"]))


# --------------------------------------------------------------------------------------------------
# Writing (the write scope)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@bp.response(204)
def notification_read(notification_id: int) -> None:
    """Mark one notification read."""
    notifications.mark_read(viewer(), notifications.access_notification(viewer(), notification_id))


@bp.route("/boards/<int:board_id>/discussions", methods=["POST"])
@bp.arguments(s.NewTopic)
@bp.response(201, s.Topic)
def start_discussion(data: dict[str, Any], board_id: int) -> Any:
    """Start a discussion on a board."""
    board = access_board(viewer(), board_id)
    return boards.start_discussion(viewer(), board, data["title"], data["body"], data["tags"])


@bp.route("/questions", methods=["POST"])
@bp.arguments(s.NewQuestion)
@bp.response(201, s.Topic)
def ask(data: dict[str, Any]) -> Any:
    """Ask a question, in the whole community or in one of the member's groups."""
    group = access_group(viewer(), data["group"], content=True) if data["group"] else None
    return qa.ask_question(viewer(), title=data["title"], body=data["body"], tags=data["tags"], group=group)


@bp.route("/topics/<int:topic_id>/posts", methods=["POST"])
@bp.arguments(s.NewPost)
@bp.response(201, s.Post)
def add_post(data: dict[str, Any], topic_id: int) -> dict[str, Any]:
    """Reply to a discussion, answer a question, or comment (``parent_id``: under a question's post, or a
    blog post's comment)."""
    topic = _public_topic(topic_id)
    parent = None
    if data["parent_id"] is not None:
        parent = access_post(viewer(), data["parent_id"])
        if parent.topic_id != topic.id:
            abort(404)
    if topic.kind == "question":
        made = (qa.add_comment(viewer(), topic, parent, data["body"]) if parent is not None
                else qa.post_answer(viewer(), topic, data["body"]))  # fmt: skip
    elif topic.kind == "event":
        from community.services import calendar

        if parent is not None:
            abort(422, message=_("Comments on an event are not threaded: send it without parent_id."))
        made = calendar.comment_on_event(viewer(), topic, data["body"])
    elif topic.kind == "blog":
        from community.services import blogs

        made = blogs.add_comment(viewer(), topic, data["body"], parent_id=parent.id if parent else None)
    else:
        made = boards.reply(viewer(), topic, data["body"], quoting=parent)
    db.session.refresh(made)
    return _post_out(_with_author(made), topic)


def _with_author(post: Post) -> Post:
    from sqlalchemy.orm import attributes

    attributes.set_committed_value(post, "author", viewer())
    return post


@bp.route("/posts/<int:post_id>/vote", methods=["POST"])
@bp.arguments(s.NewVote)
@bp.response(200, s.VoteResult)
def vote(data: dict[str, Any], post_id: int) -> dict[str, int]:
    """Vote +1 or -1 on a question or an answer, 0 to withdraw."""
    found = access_post(viewer(), post_id)
    return {"score": qa.cast_vote(viewer(), found, found.topic, data["value"])}


@bp.route("/posts/<int:post_id>/accept", methods=["POST"])
@bp.response(204)
def accept(post_id: int) -> None:
    """Accept an answer (the asker, a facilitator of the group, an admin)."""
    found = access_post(viewer(), post_id)
    if found.topic.kind != "question" or not can_view_post(viewer(), found, found.topic):
        abort(404)
    qa.accept_answer(viewer(), found.topic, found)


@bp.route("/conversations/<int:topic_id>/messages", methods=["POST"])
@bp.arguments(s.NewPost)
@bp.response(201, s.Post)
def send(data: dict[str, Any], topic_id: int) -> dict[str, Any]:
    """Send a message in one of the member's conversations."""
    topic = access_conversation(viewer(), topic_id)
    made = send_message(viewer(), topic, data["body"])
    db.session.refresh(made)
    return _post_out(_with_author(made))
