"""Who may see and do what: the one place for the community's rules.

Predicates (``can_*``) are pure: they read already-loaded objects and ``user.group_roles`` (the viewer's
active memberships, ``{group_id: "facilitator" | "member"}``, filled once per request) and never query.
Loaders (``access_*``) fetch and authorise in one go and raise ``NotFound`` both for what is missing and for
what the viewer may not see, so private things cannot be probed; ``Forbidden`` only where the thing is
visible but the action is not allowed. Listings build on the ``visible_*`` SQL filters below.

Policy table (A = admin, F = group facilitator, M = group member, O = other active member):

| thing / action                       | open group | request group           | private group |
|--------------------------------------|------------|-------------------------|---------------|
| group listed, its "about" card        | A F M O    | A F M O                 | A F M         |
| group content (boards, topics, list)  | A F M O    | A F M                   | A F M         |
| join                                  | O joins    | O requests, F approves  | F invites     |
| post, reply, answer, comment          | A F M      | A F M                   | A F M         |
| moderate (pin, lock, move, hide, ...) | A F        | A F                     | A F           |
| schedule, change, cancel an event     | A F        | A F                     | A F           |
| see an event, its place; answer it    | A F M O    | A F M                   | A F M         |
| announce (edit, withdraw: its author) | A F        | A F                     | A F           |
| see an announcement                   | A F M O    | A F M                   | A F M         |
| choose the programme it follows       | A F        | A F                     | A F           |

Programmes and their units: only admins define them; every active member reads a unit's page (its questions
through the same visibility filter as every listing). A topic names only a unit of its group's programme.

Community-wide areas (no group): every active member reads and posts; admins and members whose
community role is facilitator moderate (and schedule community-wide events); only admins announce to the whole
community. An announcement takes no replies (reactions and reports work on it). Archived groups are read-only
for everybody. Drafts are seen by their author alone. Pending and suspended members see nothing but a page
that says so (see auth).
A facilitator of one group has no power in another.

A member's CPD log (``can_read_cpd_log``) is read by the member alone, and by a facilitator the member shared
it with while that facilitator still facilitates one of the member's groups; not by admins (404 for all others).
It is written, shared and exported by its owner alone.

Private messages (a Topic of kind ``conversation``): read and written by its current participants alone,
admins included; a member who leaves loses access to all of it (404). Who may write to whom:
``can_message_member``. A reported message reaches the community manager's queue alone, as that one message.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, bindparam, false, or_, select, true
from sqlalchemy.orm import joinedload

from community.errors import Forbidden, NotFound
from community.extensions import db
from community.models import PRIVATE_KINDS, Board, Group, Invitation, Post, Topic, User

if TYPE_CHECKING:
    from community.models import Membership

# --------------------------------------------------------------------------------------------------
# The viewer


def is_member(user: Any) -> bool:
    """An authenticated, active (approved, not suspended) member."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "state", None) == "active"


def is_admin(user: Any) -> bool:
    """The community manager."""
    return is_member(user) and user.role == "admin"


def group_role(user: Any, group_id: int | None) -> str | None:
    """The viewer's active role in a group, or None."""
    if group_id is None or not is_member(user):
        return None
    return user.group_roles.get(group_id)


# --------------------------------------------------------------------------------------------------
# Community


def can_invite(user: Any) -> bool:
    """Admins and facilitators may invite people to the community."""
    return is_member(user) and user.role in ("admin", "facilitator")


def can_invite_with_role(user: Any, role: str) -> bool:
    """Only admins invite admins and facilitators; facilitators invite participants."""
    if is_admin(user):
        return True
    return can_invite(user) and role == "participant"


def can_invite_for_approval(user: Any) -> bool:
    """A cohort link whose joiners wait for approval: the admin's alone (only admins approve new members)."""
    return is_admin(user)


def can_manage_invitation(user: Any, invitation: Invitation) -> bool:
    """Resend or revoke: the admin any invitation, a facilitator their own."""
    return is_admin(user) or (can_invite(user) and invitation.created_by_id == user.id)


def can_administer(user: Any) -> bool:
    """The admin area: members, approvals, roles, invitations, audit log, settings."""
    return is_admin(user)


def can_create_group(user: Any, participants_may_create: bool = False) -> bool:
    """Admins and facilitators create groups; participants too when the community allows it."""
    if not is_member(user):
        return False
    return user.role in ("admin", "facilitator") or participants_may_create


def can_edit_profile(user: Any, member: User) -> bool:
    """Members edit their own profile; admins any."""
    return is_member(user) and (user.id == member.id or user.role == "admin")


def can_view_participation(user: Any, member: User, shared_groups_facilitated: bool = False) -> bool:
    """'My participation' is for the member, admins and facilitators of one of their groups."""
    return is_member(user) and (user.id == member.id or user.role == "admin" or shared_groups_facilitated)


def can_read_cpd_log(user: Any, owner: User, shared_with_viewer: bool = False) -> bool:
    """A CPD log: its owner, or a facilitator the owner shared it with (the loader checks the share is live);
    admins are not let in (the record is the member's own)."""
    if not is_member(user) or owner.state == "deleted":
        return False
    return user.id == owner.id or shared_with_viewer


def can_write_cpd_log(user: Any, owner: User) -> bool:
    """Entries are written, changed, deleted, shared and exported by the log's owner alone."""
    return is_member(user) and user.id == owner.id


# Members and the admin area (profiles, approvals, suspensions, roles)


def can_view_profile(user: Any, member: User) -> bool:
    """Members see the profiles of active and suspended members; admins also pending and invited ones."""
    if not is_member(user) or member.state == "deleted":
        return False
    return member.state in ("active", "suspended") or user.role == "admin"


def can_approve_member(user: Any, member: User) -> bool:
    """Admins let a pending member in."""
    return is_admin(user) and member.state == "pending"


def can_suspend_member(user: Any, member: User) -> bool:
    """Admins suspend an active member other than themselves."""
    return is_admin(user) and member.state == "active" and member.id != user.id


def can_delete_member_account(user: Any, member: User) -> bool:
    """Admins delete an account not yet erased nor already due (the last active admin: the service says no)."""
    return is_admin(user) and member.state != "deleted" and member.deletion_due_at is None


def can_reactivate_member(user: Any, member: User) -> bool:
    """Admins lift a suspension."""
    return is_admin(user) and member.state == "suspended"


def can_change_role(user: Any, member: User) -> bool:
    """Admins change community roles (the service keeps at least one active admin)."""
    return is_admin(user) and member.state in ("active", "suspended", "pending")


# --------------------------------------------------------------------------------------------------
# Groups


def can_see_group(user: Any, group: Group) -> bool:
    """The group appears in listings and its about card can be opened."""
    if not is_member(user):
        return False
    return user.role == "admin" or group.visibility != "private" or group.id in user.group_roles


def can_see_group_content(user: Any, group: Group) -> bool:
    """Boards, discussions, posts, member list and attachments of the group."""
    if not is_member(user):
        return False
    return user.role == "admin" or group.visibility == "open" or group.id in user.group_roles


def can_join_group(user: Any, group: Group) -> bool:
    """Open groups are joined in one click."""
    return (
        is_member(user)
        and group.visibility == "open"
        and not group.is_archived
        and group.id not in user.group_roles
    )


def can_request_to_join(user: Any, group: Group, membership: Membership | None = None) -> bool:
    """Request groups take requests, once."""
    return (
        is_member(user)
        and group.visibility == "request"
        and not group.is_archived
        and group.id not in user.group_roles
        and membership is None
    )


def can_leave_group(user: Any, group: Group) -> bool:
    """Any member may leave (the service keeps at least one facilitator)."""
    return is_member(user) and group.id in user.group_roles


def can_manage_group(user: Any, group: Group) -> bool:
    """Edit the group, approve requests, invite, remove and promote members."""
    return is_admin(user) or group_role(user, group.id) == "facilitator"


def can_archive_group(user: Any, group: Group) -> bool:
    """Facilitators of the group and admins archive (and unarchive) it."""
    return can_manage_group(user, group)


def can_see_group_card(user: Any, group: Group, membership: Membership | None = None) -> bool:
    """The about card: whoever sees the group, and the invitee of a private group (to accept or decline)."""
    if can_see_group(user, group):
        return True
    return (
        is_member(user) and membership is not None and membership.user_id == user.id and membership.state == "invited"
    )


def can_edit_group(user: Any, group: Group) -> bool:
    """Name, description, cover, visibility: the group's facilitators and admins, while not archived."""
    return can_manage_group(user, group) and not group.is_archived


def can_invite_to_group(user: Any, group: Group) -> bool:
    """Facilitators (and admins) invite community members, in any visibility, while not archived."""
    return can_manage_group(user, group) and not group.is_archived


def can_answer_join_request(user: Any, group: Group) -> bool:
    """Approve or decline requests to join: facilitators and admins, while not archived."""
    return can_manage_group(user, group) and not group.is_archived


def _own_membership(user: Any, group: Group, membership: Membership | None, state: str) -> bool:
    """The viewer's own membership row of this group, in the given state."""
    return (
        is_member(user)
        and membership is not None
        and membership.group_id == group.id
        and membership.user_id == user.id
        and membership.state == state
    )


def can_cancel_join_request(user: Any, group: Group, membership: Membership | None) -> bool:
    """The requester withdraws their own pending request."""
    return _own_membership(user, group, membership, "requested")


def can_answer_group_invitation(user: Any, group: Group, membership: Membership | None) -> bool:
    """The invitee declines their own invitation (and accepts it, see below)."""
    return _own_membership(user, group, membership, "invited")


def can_accept_group_invitation(user: Any, group: Group, membership: Membership | None) -> bool:
    """The invitee accepts, unless the group has been archived meanwhile (no new members then)."""
    return can_answer_group_invitation(user, group, membership) and not group.is_archived


COMMUNITY_RANK = {"participant": 0, "facilitator": 1, "admin": 2}


def _outranks_or_equals(user: Any, membership: Membership) -> bool:
    """A group's facilitator acts on members whose community role is not above theirs: a participant who runs a
    study group can't demote or remove the community manager or a community facilitator (``membership.user``
    loaded)."""
    return COMMUNITY_RANK.get(user.role, 0) >= COMMUNITY_RANK.get(membership.user.role, 0)


def can_remove_member(user: Any, group: Group, membership: Membership) -> bool:
    """Facilitators remove members (or withdraw an invitation) whose community role isn't above theirs; never
    themselves (they leave instead)."""
    return (
        can_manage_group(user, group)
        and not group.is_archived
        and membership.group_id == group.id
        and membership.user_id != user.id
        and _outranks_or_equals(user, membership)
    )


def can_promote_member(user: Any, group: Group, membership: Membership) -> bool:
    """Make an active member a facilitator of the group."""
    return (
        can_manage_group(user, group)
        and not group.is_archived
        and membership.group_id == group.id
        and membership.state == "active"
        and membership.role == "member"
    )


def can_demote_member(user: Any, group: Group, membership: Membership) -> bool:
    """Make a facilitator a plain member again, if their community role isn't above the actor's (the service
    keeps at least one facilitator)."""
    return (
        can_manage_group(user, group)
        and not group.is_archived
        and membership.group_id == group.id
        and membership.state == "active"
        and membership.role == "facilitator"
        and (membership.user_id == user.id or _outranks_or_equals(user, membership))
    )


def can_post_in_group(user: Any, group: Group | None) -> bool:
    """Members of a group post in it while it is not archived; community-wide areas take every member."""
    if not is_member(user):
        return False
    if group is None:
        return True
    if group.is_archived:
        return False
    return group.id in user.group_roles or user.role == "admin"


def can_moderate_group(user: Any, group: Group | None) -> bool:
    """Moderators of a group's content; for community-wide content, admins and facilitators."""
    if group is None:
        return is_member(user) and user.role in ("admin", "facilitator")
    return is_admin(user) or group_role(user, group.id) == "facilitator"


# --------------------------------------------------------------------------------------------------
# Boards


def can_see_board(user: Any, board: Board) -> bool:
    """A board's visibility follows its group."""
    if board.group_id is None:
        return is_member(user)
    return can_see_group_content(user, board.group)


def can_manage_board(user: Any, board_group: Group | None) -> bool:
    """Admins manage community boards; group facilitators add boards to their group."""
    if board_group is None:
        return is_admin(user)
    return can_manage_group(user, board_group) and not board_group.is_archived


def can_start_discussion(user: Any, board: Board) -> bool:
    """Members of the board's group (every member on community boards) start discussions."""
    return can_see_board(user, board) and can_post_in_group(user, board.group if board.group_id else None)


# --------------------------------------------------------------------------------------------------
# Topics and posts (discussions, blog posts, questions)


def _topic_group(topic: Topic) -> Group | None:
    return topic.group if topic.group_id is not None else None


def can_moderate_topic(user: Any, topic: Topic) -> bool:
    """Pin, lock, move, hide, feature, close: the group's facilitators, admins everywhere (not a private
    conversation: nobody moderates what they can't read; a reported message is hidden from the queue)."""
    if topic.kind in PRIVATE_KINDS:
        return False
    return can_moderate_group(user, _topic_group(topic))


def can_view_topic(user: Any, topic: Topic) -> bool:
    """Published, in a place the viewer may see, not hidden or deleted (except for its author/moderators)."""
    if not is_member(user):
        return False
    if topic.kind in PRIVATE_KINDS:
        # A conversation is read by its current participants alone, admins included.
        return is_participant(user, topic) and topic.deleted_at is None
    if topic.status == "pending":
        # Held for approval: its author and the moderators who will approve it.
        return topic.author_id == user.id or can_moderate_topic(user, topic)
    if topic.status != "published":
        return topic.author_id == user.id  # drafts and scheduled posts: the author alone
    group = _topic_group(topic)
    if group is not None and not can_see_group_content(user, group):
        return False
    if topic.deleted_at is not None:
        return can_moderate_topic(user, topic)
    if topic.hidden_at is not None:
        return topic.author_id == user.id or can_moderate_topic(user, topic)
    return True


def can_reply(user: Any, topic: Topic) -> bool:
    """Reply, answer or comment: the topic is open and the viewer may post where it lives."""
    if not can_view_topic(user, topic) or topic.status != "published":
        return False
    if topic.deleted_at is not None or topic.hidden_at is not None:
        return False
    if topic.locked or (topic.kind == "question" and topic.closed_at is not None):
        return False
    if topic.kind == "announcement":  # read, reacted to and reported, never replied to (as on Ning)
        return False
    if topic.kind == "blog" and topic.closed_at is not None and user.id != topic.author_id:
        return False
    return can_post_in_group(user, _topic_group(topic))


def can_edit_topic(user: Any, topic: Topic) -> bool:
    """The author edits the title and opening post while they could still post there; moderators always."""
    if not can_view_topic(user, topic):
        return False
    if can_moderate_topic(user, topic):
        return True
    group = _topic_group(topic)
    if group is not None and group.is_archived:
        return False
    return topic.author_id == user.id and not topic.locked


def can_view_post(user: Any, post: Post, topic: Topic) -> bool:
    """A post is seen where its topic is; hidden and pending posts only by author and moderators."""
    if not can_view_topic(user, topic):
        return False
    if post.hidden_at is not None or post.pending:
        return post.author_id == user.id or can_moderate_topic(user, topic)
    return True


def can_edit_post(user: Any, post: Post, topic: Topic) -> bool:
    """Authors edit their own live posts in open topics; moderators any. Messages are not edited (what was
    sent stays as sent; its author may delete it)."""
    if topic.kind in PRIVATE_KINDS or not can_view_post(user, post, topic) or post.deleted_at is not None:
        return False
    if can_moderate_topic(user, topic):
        return True
    group = _topic_group(topic)
    if group is not None and group.is_archived:
        return False
    return post.author_id == user.id and not topic.locked and post.hidden_at is None


def can_delete_post(user: Any, post: Post, topic: Topic) -> bool:
    """Authors delete their own posts (soft); a blog's author deletes comments on it; moderators any."""
    if not can_view_post(user, post, topic) or post.deleted_at is not None:
        return False
    if can_moderate_topic(user, topic):
        return True
    group = _topic_group(topic)
    if group is not None and group.is_archived:
        return False
    if post.author_id == user.id:
        return True
    return topic.kind == "blog" and topic.author_id == user.id and post.number > 1


def can_hide_post(user: Any, post: Post, topic: Topic) -> bool:
    """Hide or restore: moderators of the topic's group; a reported private message, the community manager
    (from the report in the queue, the only place they see it)."""
    if topic.kind in PRIVATE_KINDS:
        return is_admin(user)
    return can_view_topic(user, topic) and can_moderate_topic(user, topic)


def can_view_revisions(user: Any, post: Post, topic: Topic) -> bool:
    """A post's edit history is seen by whoever sees the post (``can_view_post``); a deleted post's earlier
    text only by moderators (deleting took it back from everyone else)."""
    return can_view_post(user, post, topic) and (post.deleted_at is None or can_moderate_topic(user, topic))


def can_move_topic(user: Any, topic: Topic, to_board: Board) -> bool:
    """Move a discussion between two boards the viewer moderates."""
    return (
        topic.kind == "discussion"
        and can_moderate_topic(user, topic)
        and can_see_board(user, to_board)
        and can_moderate_group(user, to_board.group if to_board.group_id else None)
    )


def can_react(user: Any, post: Post, topic: Topic) -> bool:
    """Like or react to any live post the viewer may see, other than their own."""
    return (
        can_view_post(user, post, topic)
        and post.deleted_at is None
        and post.hidden_at is None
        and post.author_id != user.id
        and topic.status == "published"
    )


# Q&A


def can_vote(user: Any, post: Post, topic: Topic) -> bool:
    """Vote on questions and answers, never on your own post or a deleted one."""
    return (
        topic.kind == "question"
        and post.kind in ("opening", "answer")
        and can_view_post(user, post, topic)
        and post.deleted_at is None
        and post.hidden_at is None
        and post.author_id != user.id
        and topic.status == "published"
    )


def can_accept_answer(user: Any, topic: Topic) -> bool:
    """The asker, a facilitator of the question's group, or an admin marks the accepted answer."""
    if topic.kind != "question" or not can_view_topic(user, topic) or topic.deleted_at is not None:
        return False
    group = _topic_group(topic)
    if group is not None and group.is_archived:
        return False
    return topic.author_id == user.id or can_moderate_topic(user, topic)


def can_close_question(user: Any, topic: Topic) -> bool:
    """Facilitators close a question (as a duplicate) and reopen it."""
    return topic.kind == "question" and can_view_topic(user, topic) and can_moderate_topic(user, topic)


# Blogs


def can_write_blog(user: Any) -> bool:
    """Every active member has a blog."""
    return is_member(user)


def can_feature(user: Any, topic: Topic) -> bool:
    """Facilitators and admins feature good blog posts."""
    return (
        topic.kind == "blog"
        and topic.status == "published"
        and is_member(user)
        and (can_moderate_topic(user, topic) or user.role == "facilitator")
    )


def can_close_comments(user: Any, topic: Topic) -> bool:
    """A blog's author (and moderators) close or reopen comments on a post."""
    return topic.kind == "blog" and can_view_topic(user, topic) and (
        topic.author_id == user.id or can_moderate_topic(user, topic)
    )


def can_manage_blog_post(user: Any, topic: Topic) -> bool:
    """Publish, schedule and unpublish a blog post: its author alone (not while a moderator reviews it)."""
    return (
        topic.kind == "blog"
        and is_member(user)
        and topic.author_id == user.id
        and topic.deleted_at is None
        and topic.status != "pending"
    )


def can_blog_to_group(user: Any, group: Group) -> bool:
    """Share a blog post with a group: only one the member belongs to, while it is not archived."""
    return is_member(user) and group.id in user.group_roles and not group.is_archived


# --------------------------------------------------------------------------------------------------
# Events (a Topic of kind "event" with its Event row: times, place, capacity, recurrence)


def can_create_event(user: Any, group: Group | None) -> bool:
    """Schedule an event: a group's facilitators (and admins) in a live group; community-wide, the admins and
    the community's facilitators (those who moderate the community-wide areas)."""
    if group is None:
        return can_moderate_group(user, None)
    return not group.is_archived and can_moderate_group(user, group)


def can_edit_event(user: Any, topic: Topic) -> bool:
    """Change, move, cancel an event or one of its occurrences: whoever may schedule one where it lives."""
    return topic.kind == "event" and can_view_topic(user, topic) and topic.deleted_at is None and (
        can_create_event(user, _topic_group(topic)))


def can_rsvp(user: Any, topic: Topic, event: Any, now: Any) -> bool:
    """Answer going / maybe / not going: whoever may see the event, while it is neither cancelled nor over
    (``now``: the current time, so the predicate runs no clock of its own), outside archived groups."""
    if topic.kind != "event" or not can_view_topic(user, topic) or topic.status != "published":
        return False
    if event.cancelled_at is not None or event.last_ends_at <= now:
        return False
    group = _topic_group(topic)
    return group is None or not group.is_archived


def can_see_event_place(user: Any, topic: Topic) -> bool:
    """The place and the meeting link: those who may see the event (never an e-mail or feed of anyone else)."""
    return topic.kind == "event" and can_view_topic(user, topic)


# --------------------------------------------------------------------------------------------------
# Announcements (a Topic of kind "announcement" with its Announcement row: the expiry)


def can_announce(user: Any, group: Group | None) -> bool:
    """Post an announcement: in a live group, its facilitators and admins; to the whole community, admins."""
    if not is_member(user):
        return False
    if group is None:
        return user.role == "admin"
    return not group.is_archived and (is_admin(user) or group_role(user, group.id) == "facilitator")


def can_edit_announcement(user: Any, topic: Topic) -> bool:
    """Edit or withdraw an announcement: its author while they may still announce there, and admins."""
    if topic.kind != "announcement" or topic.deleted_at is not None or not can_view_topic(user, topic):
        return False
    return is_admin(user) or (topic.author_id == user.id and can_announce(user, _topic_group(topic)))


def can_see_announcement_reach(user: Any, topic: Topic) -> bool:
    """How many have seen an announcement ("31 of 40"): its author, the group's facilitators and admins."""
    if topic.kind != "announcement" or not can_view_topic(user, topic):
        return False
    return (
        topic.author_id == user.id
        or is_admin(user)
        or (topic.group_id is not None and group_role(user, topic.group_id) == "facilitator")
    )


def can_dismiss_announcement(user: Any, topic: Topic) -> bool:
    """Take a published announcement off the top of one's pages: whoever may see it."""
    return topic.kind == "announcement" and topic.status == "published" and can_view_topic(user, topic)


# --------------------------------------------------------------------------------------------------
# Moderation and safety


def can_report_post(user: Any, post: Post, topic: Topic) -> bool:
    """Any member may report a live post they can see, other than their own."""
    return (
        can_view_post(user, post, topic)
        and post.author_id != user.id
        and post.deleted_at is None
        and post.hidden_at is None
    )


def can_report_member(user: Any, member: User) -> bool:
    """Any member may report another member's profile."""
    return is_member(user) and member.id != user.id and member.state != "deleted"


def can_handle_report(user: Any, report: Any, group: Group | None) -> bool:
    """Facilitators handle reports from their groups' content; admins everything (profiles too)."""
    if is_admin(user):
        return True
    if report.target_user_id is not None:
        return False  # profile reports go to the community manager
    if report.topic is not None and report.topic.kind in PRIVATE_KINDS:
        return False  # so do reported private messages
    if report.group_id is None:
        return is_member(user) and user.role == "facilitator"
    return group is not None and group.id == report.group_id and can_moderate_group(user, group)


def is_held(post: Post, topic: Topic) -> bool:
    """A post waiting for a moderator: a held reply, or the opening post of a held topic (rejected ones too)."""
    return post.deleted_at is None and (post.pending or (post.number == 1 and topic.status == "pending"))


def can_approve_post(user: Any, post: Post, topic: Topic) -> bool:
    """Approve a held post (also one rejected before): the moderators of where it lives."""
    return is_held(post, topic) and can_view_post(user, post, topic) and can_moderate_topic(user, topic)


def can_reject_post(user: Any, post: Post, topic: Topic) -> bool:
    """Reject a held post with a reason its author sees: the moderators, once (then it may still be approved)."""
    return can_approve_post(user, post, topic) and post.hidden_at is None


def can_undelete_post(user: Any, post: Post, topic: Topic) -> bool:
    """Staff restore a deleted post (by its author or a moderator) where they moderate."""
    return post.deleted_at is not None and can_view_topic(user, topic) and can_moderate_topic(user, topic)


def can_decline_member(user: Any, member: User) -> bool:
    """Admins turn down someone waiting for approval (the person is told by e-mail)."""
    return can_approve_member(user, member)


def can_spam_wave(user: Any, member: User) -> bool:
    """The community manager suspends a member and hides all they posted; never an admin or themselves."""
    return is_admin(user) and member.id != user.id and member.role != "admin" and member.state in (
        "active", "suspended")


def can_view_moderation_queue(user: Any) -> bool:
    """Admins, facilitators, and anyone who facilitates a group."""
    return is_member(user) and (
        user.role in ("admin", "facilitator") or "facilitator" in user.group_roles.values()
    )


def can_manage_programmes(user: Any) -> bool:
    """Programmes and their units are defined by the community manager alone."""
    return is_admin(user)


def can_view_programme(user: Any) -> bool:
    """A programme's units and a unit's page: every active member (the questions listed are filtered)."""
    return is_member(user)


def can_set_group_programme(user: Any, group: Group) -> bool:
    """The programme a cohort follows: the group's facilitators and admins, while not archived."""
    return can_edit_group(user, group)


def can_release_held_answers(user: Any, topic: Topic) -> bool:
    """Peers first: publish a question's held answers now (its group's facilitators and admins)."""
    return topic.kind == "question" and can_moderate_topic(user, topic)


def can_view_dashboard(user: Any) -> bool:
    """The facilitator's dashboard: admins, and members who facilitate at least one group."""
    return is_admin(user) or (is_member(user) and "facilitator" in user.group_roles.values())


def can_purge_post(user: Any, post: Post) -> bool:
    """Only the community manager destroys content, and only what is already hidden or deleted."""
    return is_admin(user) and (post.hidden_at is not None or post.deleted_at is not None)


def can_mute_member(user: Any, member: User) -> bool:
    """Members mute or block others (not themselves)."""
    return is_member(user) and member.id != user.id


# --------------------------------------------------------------------------------------------------
# Private messages


def participation(user: Any, topic: Topic) -> Any:
    """The viewer's Participant row for a conversation, where a loader fetched it (``user.participations``,
    filled by ``access_topic``/``access_post`` and the messages pages); None otherwise."""
    return (getattr(user, "participations", None) or {}).get(topic.id)


def is_participant(user: Any, topic: Topic) -> bool:
    """The viewer takes part in this conversation now (joined and not left)."""
    row = participation(user, topic)
    return row is not None and row.user_id == user.id and row.left_at is None


def can_send_messages(user: Any) -> bool:
    """Active members send private messages (pending and suspended ones don't)."""
    return is_member(user)


def can_offer_message(user: Any, member: User) -> bool:
    """Show a "Message" button for this member (profile, directory, dashboard): an active member other than
    oneself. The full rule (``can_message_member``: shared groups, blocks, the community's setting) needs
    more than a page has loaded, and is applied when the message is sent, with its reason on the form."""
    return can_send_messages(user) and member.id != user.id and member.state == "active"


def can_message_member(user: Any, other: User, *, other_groups: dict[int, str] | Any = (),
                       blocked: bool = False, participants_may_message: bool = True) -> bool:  # fmt: skip
    """Write to another active member: admins and facilitators anyone; a participant someone who shares a
    group with them, while the community lets participants message each other (a group's facilitator and
    its members always may). Never across a block, either way; never oneself.

    ``other_groups``: the other member's active group roles; ``blocked``: a block between the two exists
    (either direction); both loaded by the caller (``services.messages.recipients``)."""
    if not can_send_messages(user) or other.id == user.id or other.state != "active" or blocked:
        return False
    if user.role in ("admin", "facilitator") or other.role in ("admin", "facilitator"):
        return True
    shared = set(user.group_roles) & set(other_groups)
    if not shared:
        return False
    if participants_may_message:
        return True
    return any(user.group_roles.get(g) == "facilitator" or other_groups.get(g) == "facilitator"  # type: ignore[union-attr]
               for g in shared)  # fmt: skip


def can_reply_in_conversation(user: Any, topic: Topic, *, blocked: bool = False) -> bool:
    """Write in a conversation: a current participant, while no block stands between them and another."""
    return topic.kind in PRIVATE_KINDS and can_send_messages(user) and can_reply(user, topic) and not blocked


def can_add_participants(user: Any, topic: Topic, count: int) -> bool:
    """Add people: the conversation's starter, while it has room (``count``: current participants)."""
    from community.models import MAX_PARTICIPANTS

    return can_reply_in_conversation(user, topic) and topic.author_id == user.id and count < MAX_PARTICIPANTS


def can_leave_conversation(user: Any, topic: Topic) -> bool:
    """Any current participant leaves (and loses access to the conversation)."""
    return topic.kind in PRIVATE_KINDS and is_member(user) and is_participant(user, topic)


# --------------------------------------------------------------------------------------------------
# SQL filters for listings: every listing, count, search, feed and e-mail builds on these.


# Statements built once (``database.prebuilt``) take the viewer's groups as this expanding parameter...
VIEWER_GROUPS = "viewer_group_ids"
# ... the groups they facilitate as this one, and their own id as this one.
VIEWER_FACILITATED = "viewer_facilitated_ids"
VIEWER_ID = "viewer_id"


def viewer_shape(user: Any) -> str:
    """Which form the visibility filters take for the viewer: "none", "admin", "moderator" (a member who
    moderates the community-wide areas) or "member"."""
    if not is_member(user):
        return "none"
    if user.role == "admin":
        return "admin"
    return "moderator" if can_moderate_group(user, None) else "member"


def viewer_params(user: Any) -> dict[str, Any]:
    """The bound values a ``bound=True`` visibility filter needs for this viewer."""
    shape = viewer_shape(user)
    if shape == "none":
        return {}
    if shape == "admin":
        return {VIEWER_ID: user.id}
    return {VIEWER_ID: user.id, VIEWER_GROUPS: sorted(user.group_roles),
            VIEWER_FACILITATED: moderated_group_ids(user)}  # fmt: skip


def moderated_group_ids(user: Any) -> list[int]:
    """The groups whose content the viewer moderates as one of their facilitators (see ``can_moderate_group``)."""
    if not is_member(user):
        return []
    return sorted(gid for gid in user.group_roles if group_role(user, gid) == "facilitator")


def visible_group_ids_clause(user: Any, column: Any, *, bound: bool = False) -> ColumnElement[bool]:
    """``column`` (a group id) is NULL or names a group whose content the viewer may see.

    ``bound=True`` leaves the member's groups as the ``VIEWER_GROUPS`` parameter (values from
    ``viewer_params``), so one statement serves every member of the same ``viewer_shape``.
    """
    if not is_member(user):
        return false()
    if user.role == "admin":
        return true()
    open_groups = select(Group.id).where(Group.visibility == "open").scalar_subquery()
    clauses = [column.is_(None), column.in_(open_groups)]
    if bound:
        clauses.append(column.in_(bindparam(VIEWER_GROUPS, expanding=True)))
    elif user.group_roles:
        clauses.append(column.in_(list(user.group_roles)))
    return or_(*clauses)


def visible_topics(user: Any, *, bound: bool = False) -> ColumnElement[bool]:
    """Topics the viewer may see in listings: published, not deleted or hidden, in a visible place, and not a
    private conversation (those are listed from their participants' own rows, never through this filter)."""
    if not is_member(user):
        return false()
    return and_(live_topics(), Topic.kind.not_in(PRIVATE_KINDS),
                visible_group_ids_clause(user, Topic.group_id, bound=bound))  # fmt: skip


def moderated_group_ids_clause(user: Any, column: Any, *, bound: bool = False) -> ColumnElement[bool]:
    """``column`` (a group id) names a group whose content the viewer moderates, or is NULL (the community-wide
    areas) when they moderate those: ``can_moderate_group`` in SQL. ``bound=True``: the facilitated groups
    are the ``VIEWER_FACILITATED`` parameter."""
    if not is_member(user):
        return false()
    if is_admin(user):
        return true()
    facilitated = bindparam(VIEWER_FACILITATED, expanding=True) if bound else moderated_group_ids(user)
    clauses = [column.in_(facilitated)]
    if can_moderate_group(user, None):
        clauses.append(column.is_(None))
    return or_(*clauses)


def invited_or_member_clause(user: Any, column: Any, *, bound: bool = False) -> ColumnElement[bool]:
    """``column`` (a group id) names a group the viewer belongs to or has an invitation into that they may still
    answer (``can_answer_group_invitation``): a withdrawn or declined invitation no longer counts."""
    from community.models import Membership

    if not is_member(user):
        return false()
    viewer = bindparam(VIEWER_ID) if bound else user.id
    return (
        select(Membership.id)
        .where(Membership.group_id == column, Membership.user_id == viewer,
               Membership.state.in_(("active", "invited")))
        .exists()
    )  # fmt: skip


def live_topics() -> ColumnElement[bool]:
    """Topics anybody may see where they live: published, not deleted or hidden."""
    return and_(Topic.status == "published", Topic.deleted_at.is_(None), Topic.hidden_at.is_(None))


def live_posts() -> ColumnElement[bool]:
    """Posts anybody may see where their topic is seen: not deleted, hidden or held for approval."""
    return and_(Post.deleted_at.is_(None), Post.hidden_at.is_(None), Post.pending.is_(False))


def visible_posts(user: Any) -> ColumnElement[bool]:
    """Posts (joined to their Topic) the viewer may see in listings, search and feeds."""
    return and_(visible_topics(user), live_posts())


def visible_groups(user: Any, *, bound: bool = False) -> ColumnElement[bool]:
    """Groups listed for the viewer: open and request groups, and private ones they belong to
    (``can_see_group``). ``bound=True``: the member's groups are the ``VIEWER_GROUPS`` parameter."""
    if not is_member(user):
        return false()
    if user.role == "admin":
        return true()
    clauses = [Group.visibility != "private"]
    if bound:
        clauses.append(Group.id.in_(bindparam(VIEWER_GROUPS, expanding=True)))
    elif user.group_roles:
        clauses.append(Group.id.in_(list(user.group_roles)))
    return or_(*clauses)


def visible_invitations(user: Any) -> ColumnElement[bool]:
    """Invitations listed to the viewer: all for the admin, their own for facilitators."""
    if is_admin(user):
        return true()
    if can_invite(user):
        return Invitation.created_by_id == user.id
    return false()


# --------------------------------------------------------------------------------------------------
# Loaders: fetch and authorise together.


def access_group(user: Any, slug: str, *, content: bool = False) -> Group:
    """The group by slug if the viewer may see it (its content, with ``content=True``); else NotFound."""
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    if group is None or not can_see_group(user, group):
        raise NotFound(_("No such group."))
    if content and not can_see_group_content(user, group):
        raise NotFound(_("No such group."))
    return group


def access_unit(user: Any, programme_slug: str, code: str) -> Any:
    """A programme's unit by code (its programme loaded) for any active member; else NotFound."""
    from community.models import Programme, Unit

    if not can_view_programme(user):
        raise NotFound(_("No such unit."))
    unit = db.session.scalar(
        select(Unit).options(joinedload(Unit.programme)).join(Programme, Programme.id == Unit.programme_id)
        .where(Programme.slug == programme_slug, Unit.code == (code or "").upper())
    )  # fmt: skip
    if unit is None:
        raise NotFound(_("No such unit."))
    return unit


def access_group_membership(user: Any, slug: str, *, content: bool = False) -> tuple[Group, Membership | None]:
    """The group and the viewer's own membership row (any state) in one query, if the viewer may see its
    about card (its content, with ``content=True``); else NotFound, as for a missing group."""
    from community.models import Membership

    if not is_member(user):
        raise NotFound(_("No such group."))
    row = db.session.execute(
        select(Group, Membership)
        .outerjoin(Membership, and_(Membership.group_id == Group.id, Membership.user_id == user.id))
        .where(Group.slug == slug)
    ).first()
    if row is None or not can_see_group_card(user, row[0], row[1]):
        raise NotFound(_("No such group."))
    if content and not can_see_group_content(user, row[0]):
        raise NotFound(_("No such group."))
    return row[0], row[1]


def access_board(user: Any, board_id: int) -> Board:
    """The board with its group, if the viewer may see it; else NotFound."""
    board = db.session.scalar(select(Board).options(joinedload(Board.group)).where(Board.id == board_id))
    if board is None or not can_see_board(user, board):
        raise NotFound(_("No such board."))
    return board


def access_topic(user: Any, topic_id: int, kind: str | None = None) -> Topic:
    """The topic with its author, group and board, if the viewer may see it; else NotFound."""
    topic = db.session.scalar(
        select(Topic)
        .options(joinedload(Topic.author), joinedload(Topic.group), joinedload(Topic.board))
        .where(Topic.id == topic_id)
    )
    if topic is not None and topic.kind in PRIVATE_KINDS:
        load_participation(user, topic)
    if topic is None or (kind is not None and topic.kind != kind) or not can_view_topic(user, topic):
        raise NotFound(_("Not found."))
    return topic


def load_participation(user: Any, topic: Topic) -> None:
    """Fetch the viewer's Participant row of a conversation into ``user.participations`` (one query, only
    for conversations), where the predicates read it."""
    from community.models import Participant

    if not is_member(user):
        return
    row = db.session.get(Participant, (topic.id, user.id))
    remember_participations(user, [row] if row is not None else [], [topic.id])


def remember_participations(user: Any, rows: list[Any], topic_ids: list[int] | None = None) -> None:
    """Record loaded Participant rows of the viewer (and, for ``topic_ids`` without one, that there is none)."""
    known = getattr(user, "participations", None)
    if not isinstance(known, dict):
        known = user.participations = {}
    for topic_id in topic_ids or []:
        known[topic_id] = None
    for row in rows:
        if row.user_id == user.id:
            known[row.topic_id] = row


def access_post(user: Any, post_id: int) -> Post:
    """The post with its topic (and the topic's group), if the viewer may see it; else NotFound."""
    post = db.session.scalar(
        select(Post)
        .options(
            joinedload(Post.author),
            joinedload(Post.topic).joinedload(Topic.group),
            joinedload(Post.topic).joinedload(Topic.board),
        )
        .where(Post.id == post_id)
    )
    if post is not None and post.topic.kind in PRIVATE_KINDS:
        load_participation(user, post.topic)
    if post is None or not can_view_post(user, post, post.topic):
        raise NotFound(_("Not found."))
    return post


def access_event(user: Any, topic_id: int) -> tuple[Topic, Any]:
    """The event's topic (with author and group) and its Event row in one query, if the viewer may see it;
    NotFound otherwise (a private group's event can't be probed)."""
    from community.models import Event

    row = db.session.execute(
        select(Topic, Event).join(Event, Event.topic_id == Topic.id)
        .options(joinedload(Topic.author), joinedload(Topic.group))
        .where(Topic.id == topic_id, Topic.kind == "event")
    ).first()  # fmt: skip
    if row is None or not can_view_topic(user, row[0]):
        raise NotFound(_("No such event."))
    return row[0], row[1]


def access_announcement(user: Any, topic_id: int) -> tuple[Topic, Any, Any]:
    """The announcement's topic (with author and group), its Announcement row and the viewer's own view row
    (None if unseen) in one query, if the viewer may see it; NotFound otherwise (a private group's can't be
    probed)."""
    from community.models import Announcement, AnnouncementView

    if not is_member(user):
        raise NotFound(_("No such announcement."))
    row = db.session.execute(
        select(Topic, Announcement, AnnouncementView).join(Announcement, Announcement.topic_id == Topic.id)
        .outerjoin(AnnouncementView, and_(AnnouncementView.topic_id == Topic.id, AnnouncementView.user_id == user.id))
        .options(joinedload(Topic.author), joinedload(Topic.group))
        .where(Topic.id == topic_id, Topic.kind == "announcement")
    ).first()  # fmt: skip
    if row is None or not can_view_topic(user, row[0]):
        raise NotFound(_("No such announcement."))
    return row[0], row[1], row[2]


_HANDLE = re.compile(r"[a-z0-9_]{1,30}")


def access_upload(user: Any, name: str) -> Any:
    """An uploaded image, if the viewer may see it; else NotFound. A cover or photo follows what it belongs to
    (the post, the group; a member's photo any member sees); an inline image is seen by its uploader and by
    whoever may see a post, or the profile, that shows it (``UploadUse``): a message's image by the
    conversation's participants alone."""
    from community.models import Upload

    upload = db.session.scalar(select(Upload).where(Upload.name == name)) if is_member(user) else None
    if upload is None:
        raise NotFound(_("Not found."))
    if upload.purpose == "inline":
        if upload.owner_id == user.id or _sees_a_use(user, upload) or _sees_topic(user, upload.topic_id):
            return upload
        raise NotFound(_("Not found."))
    if upload.topic_id is not None:
        if not _sees_topic(user, upload.topic_id, author_too=True):
            raise NotFound(_("Not found."))
    elif upload.group_id is not None:
        group = db.session.get(Group, upload.group_id)
        if group is None or not can_see_group(user, group):
            raise NotFound(_("Not found."))
    return upload


def _sees_topic(user: Any, topic_id: int | None, *, author_too: bool = False) -> bool:
    """The topic an upload belongs to (a blog cover; an inline image of a blog post from before
    ``upload_uses``) is one the viewer may see (or wrote)."""
    if topic_id is None:
        return False
    topic = db.session.scalar(select(Topic).options(joinedload(Topic.group)).where(Topic.id == topic_id))
    return topic is not None and (can_view_topic(user, topic) or (author_too and topic.author_id == user.id))


def _sees_a_use(user: Any, upload: Any) -> bool:
    """One of the posts or profiles showing an inline image is one the viewer may see."""
    from community.models import UploadUse

    uses = db.session.execute(
        select(UploadUse.post_id, UploadUse.profile_id).where(UploadUse.upload_id == upload.id).limit(200)
    ).all()
    profile_ids = [row.profile_id for row in uses if row.profile_id is not None]
    if profile_ids:
        members = db.session.scalars(select(User).where(User.id.in_(profile_ids)))
        if any(can_view_profile(user, member) for member in members):
            return True
    post_ids = [row.post_id for row in uses if row.post_id is not None]
    if not post_ids:
        return False
    posts = db.session.scalars(
        select(Post).options(joinedload(Post.topic).joinedload(Topic.group)).where(Post.id.in_(post_ids))
    ).all()
    private = [post.topic for post in posts if post.topic.kind in PRIVATE_KINDS]
    if private:
        load_participations(user, private)
    return any(can_view_post(user, post, post.topic) and post.deleted_at is None for post in posts)


def load_participations(user: Any, topics: list[Topic]) -> None:
    """Fetch the viewer's Participant rows of these conversations into ``user.participations`` (one query)."""
    from community.models import Participant

    ids = sorted({topic.id for topic in topics})
    rows = list(db.session.scalars(select(Participant).where(Participant.user_id == user.id,
                                                             Participant.topic_id.in_(ids))))  # fmt: skip
    remember_participations(user, rows, ids)


def access_member(user: Any, handle: str) -> User:
    """The member by @handle if the viewer may see their profile; else NotFound."""
    handle = handle.strip().lstrip("@").lower()
    # Only well-formed handles reach the database (a NUL byte, say, is an error on PostgreSQL).
    member = db.session.scalar(select(User).where(User.handle == handle)) if _HANDLE.fullmatch(handle) else None
    if member is None or not can_view_profile(user, member):
        raise NotFound(_("No such member."))
    return member


def cpd_share_is_live(viewer: Any, owner: User) -> ColumnElement[bool]:
    """SQL: the owner shared their CPD log with the viewer, and the viewer facilitates a group the owner is an
    active member of (a share to someone who no longer facilitates them reads nothing)."""
    from community.models import CpdShare, Membership

    facilitated = [gid for gid, role in (getattr(viewer, "group_roles", None) or {}).items() if role == "facilitator"]
    if not facilitated:
        return false()
    shared = select(CpdShare.id).where(CpdShare.owner_id == owner.id, CpdShare.facilitator_id == viewer.id)
    in_group = select(Membership.user_id).where(Membership.user_id == owner.id, Membership.state == "active",
                                                Membership.group_id.in_(facilitated))  # fmt: skip
    return and_(shared.exists(), in_group.exists())


def access_cpd_log(user: Any, handle: str) -> User:
    """The owner of the CPD log at @handle if the viewer may read it (one query for the share); else NotFound."""
    handle = handle.strip().lstrip("@").lower()
    owner = db.session.scalar(select(User).where(User.handle == handle)) if _HANDLE.fullmatch(handle) else None
    if owner is None or not is_member(user):
        raise NotFound(_("Not found."))
    shared = False
    if owner.id != user.id:
        shared = bool(db.session.scalar(select(cpd_share_is_live(user, owner))))
    if not can_read_cpd_log(user, owner, shared):
        raise NotFound(_("Not found."))
    return owner


def access_admin_area(user: Any) -> None:
    """NotFound for everyone but admins: the admin pages don't exist for anyone else."""
    if not can_administer(user):
        raise NotFound(_("Not found."))


def access_member_for_admin(user: Any, member_id: int) -> User:
    """Any member but a deleted one, for the admin area; NotFound otherwise and for non-admins."""
    access_admin_area(user)
    member = db.session.get(User, member_id)
    if member is None or member.state == "deleted":
        raise NotFound(_("No such member."))
    return member


def access_invitation(user: Any, invitation_id: int) -> Invitation:
    """An invitation the viewer manages (NotFound for missing and for someone else's)."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.id == invitation_id).options(joinedload(Invitation.created_by))
    )
    if invitation is None or not can_manage_invitation(user, invitation):
        raise NotFound()
    return invitation


def can_follow_member(user: Any, member: User) -> bool:
    """Follow another member whose profile the viewer may see (not oneself)."""
    return can_view_profile(user, member) and member.id != user.id


def access_watch_target(user: Any, target_type: str, target_id: int) -> Any:
    """What a member asks to watch or follow (topic, board, group, blog, tag, member), if they may see it;
    NotFound otherwise (so watching cannot probe private things)."""
    from community.models import Tag

    if target_type == "topic":
        topic = access_topic(user, target_id)
        if topic.kind in PRIVATE_KINDS:  # its participants hear of every message anyway; nothing to watch
            raise NotFound(_("Not found."))
        return topic
    if target_type == "board":
        return access_board(user, target_id)
    if target_type == "group":
        group = db.session.get(Group, target_id)
        # Watching means hearing about its content: a request group's about card is not enough.
        if group is None or not can_see_group_content(user, group):
            raise NotFound(_("No such group."))
        return group
    if target_type in ("member", "blog"):
        member = db.session.get(User, target_id)
        if member is None or not can_view_profile(user, member):
            raise NotFound(_("No such member."))
        return member
    if target_type == "tag" and is_member(user):
        tag = db.session.get(Tag, target_id)
        if tag is not None:
            return tag
    raise NotFound(_("Not found."))


def require(allowed: bool, message: str | None = None) -> None:
    """Raise Forbidden unless ``allowed`` (for things the viewer can see but not do)."""
    if not allowed:
        raise Forbidden(message if message is not None else _("You can't do that here."))


class BoundPredicates:
    """``can.<name>(...)`` in templates: every ``can_<name>`` predicate with the viewer bound first."""

    def __init__(self, user: Any) -> None:
        # The member object itself, not Flask-Login's proxy: a page asks hundreds of questions, and every
        # attribute read through the proxy costs a context lookup.
        self._user = user._get_current_object() if hasattr(user, "_get_current_object") else user

    def __getattr__(self, name: str) -> Any:
        func = globals().get(f"can_{name}")
        if func is None:
            raise AttributeError(f"no predicate can_{name}")
        bound = partial(func, self._user)
        setattr(self, name, bound)  # bound once per page: later calls skip __getattr__
        return bound


# --------------------------------------------------------------------------------------------------
# Outgoing webhooks (the community manager's)


def can_manage_webhooks(user: Any) -> bool:
    """Outgoing webhooks are the community manager's alone: they carry content out of the community."""
    return is_admin(user)


def can_webhook_carry(owner: Any, topic: Topic, group: Group | None) -> bool:
    """A hook carries a post only where its maker may still read everything: a community-wide or open
    group's topic for any manager; a request or private group's only while the maker is an admin. A private
    message never (it is not a webhook event at all, and this says so again)."""
    if topic.kind in PRIVATE_KINDS or topic.status != "published" or topic.deleted_at is not None:
        return False
    if topic.hidden_at is not None:
        return False
    if group is not None and group.visibility != "open":
        return is_admin(owner)
    return is_member(owner)


def access_webhook(user: Any, webhook_id: int) -> Any:
    """A webhook, for the admin area; NotFound for a missing one and for everyone but admins."""
    from community.models import Webhook

    if not can_manage_webhooks(user):
        raise NotFound(_("Not found."))
    hook = db.session.scalar(
        select(Webhook).options(joinedload(Webhook.board)).where(Webhook.id == webhook_id)
    )
    if hook is None:
        raise NotFound(_("Not found."))
    return hook
