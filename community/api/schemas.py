"""What the API sends and takes: marshmallow schemas, documented in the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from community.converters import MAX_ID

F = ma.fields
ID = {"validate": validate.Range(min=1, max=MAX_ID)}


class PageArgs(ma.Schema):
    """Keyset pagination: ``before`` is the ``next`` of the previous page."""

    before = F.Integer(validate=validate.Range(min=1, max=MAX_ID), load_default=None)
    limit = F.Integer(validate=validate.Range(min=1, max=100), load_default=25)


class MemberRef(ma.Schema):
    id = F.Integer()
    handle = F.String()
    display_name = F.String()


class Member(MemberRef):
    headline = F.String()
    role = F.String()
    organisation = F.String()
    programme = F.String()


class Me(Member):
    email = F.String()
    language = F.String(allow_none=True)
    timezone = F.String(allow_none=True)
    token_scope = F.String()


class Group(ma.Schema):
    id = F.Integer()
    slug = F.String()
    name = F.String()
    description = F.String()
    visibility = F.String()
    member_count = F.Integer()


class Board(ma.Schema):
    id = F.Integer()
    name = F.String()
    description = F.String()
    group_id = F.Integer(allow_none=True)
    topic_count = F.Integer()


class Topic(ma.Schema):
    id = F.Integer()
    kind = F.String()
    title = F.String()
    board_id = F.Integer(allow_none=True)
    group_id = F.Integer(allow_none=True)
    author = F.Nested(MemberRef)
    created_at = F.DateTime()
    last_activity_at = F.DateTime()
    reply_count = F.Integer()
    score = F.Integer()
    accepted_post_id = F.Integer(allow_none=True)
    locked = F.Boolean()


class Post(ma.Schema):
    id = F.Integer()
    topic_id = F.Integer()
    number = F.Integer()
    kind = F.String()
    parent_id = F.Integer(allow_none=True)
    author = F.Nested(MemberRef)
    body = F.String()
    body_html = F.String()
    created_at = F.DateTime()
    score = F.Integer()
    accepted = F.Boolean()


class Conversation(ma.Schema):
    id = F.Integer()
    subject = F.String()
    last_activity_at = F.DateTime()
    reply_count = F.Integer()


class Notification(ma.Schema):
    id = F.Integer()
    kind = F.String()
    message = F.String()
    topic_id = F.Integer(allow_none=True)
    post_id = F.Integer(allow_none=True)
    created_at = F.DateTime()
    read_at = F.DateTime(allow_none=True)


def page_of(item: type[ma.Schema]) -> type[ma.Schema]:
    """A page schema: ``items`` and the ``next`` cursor (null on the last page)."""
    return ma.Schema.from_dict({"items": F.List(F.Nested(item)), "next": F.Integer(allow_none=True)},
                               name=f"{item.__name__}Page")  # fmt: skip


MemberPage, GroupPage, BoardPage, TopicPage, PostPage = (page_of(s) for s in (Member, Group, Board, Topic, Post))
ConversationPage, NotificationPage = page_of(Conversation), page_of(Notification)


class SearchArgs(PageArgs):
    q = F.String(required=True, validate=validate.Length(min=1, max=200))


class NewTopic(ma.Schema):
    title = F.String(required=True, validate=validate.Length(min=1, max=200))
    body = F.String(required=True, validate=validate.Length(min=1, max=50000))
    tags = F.String(load_default=None, validate=validate.Length(max=500))


class NewQuestion(NewTopic):
    group = F.String(load_default=None, validate=validate.Length(max=60))


class NewPost(ma.Schema):
    body = F.String(required=True, validate=validate.Length(min=1, max=50000))
    parent_id = F.Integer(load_default=None, **ID)


class NewVote(ma.Schema):
    value = F.Integer(required=True, validate=validate.OneOf([-1, 0, 1]))


class VoteResult(ma.Schema):
    score = F.Integer()


class Event(ma.Schema):
    id = F.Integer()
    title = F.String()
    group_id = F.Integer(allow_none=True)
    starts_at = F.DateTime()
    ends_at = F.DateTime()
    timezone = F.String()
    repeats = F.String()
    capacity = F.Integer(allow_none=True)
    cancelled = F.Boolean()


class EventDetail(Event):
    going = F.List(F.Nested(MemberRef))
    maybe = F.List(F.Nested(MemberRef))
    not_going = F.List(F.Nested(MemberRef))
    mine = F.String(allow_none=True)


EventPage = page_of(Event)


class NewRsvp(ma.Schema):
    answer = F.String(required=True, validate=validate.OneOf(["going", "maybe", "no"]))


class RsvpResult(ma.Schema):
    answer = F.String()
