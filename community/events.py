"""Signals the writing services send inside their transaction, before they commit.

Receivers (the search index, notifications, the activity feed) add their rows to the same transaction,
so an event and everything it causes are stored together or not at all. Receivers must not commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the Topic; kwargs: actor, post (the opening post). Sent when a topic becomes published.
topic_published = _signals.signal("topic-published")
#: sender: the Post; kwargs: actor, topic. Sent for replies, answers and comments once visible.
post_created = _signals.signal("post-created")
#: sender: the Post; kwargs: actor, topic, old_body.
post_edited = _signals.signal("post-edited")
#: sender: the Post; kwargs: actor, topic, reason. Hidden by a moderator, or deleted by its author.
post_removed = _signals.signal("post-removed")
#: sender: the Post; kwargs: actor, topic. Restored by a moderator.
post_restored = _signals.signal("post-restored")
#: sender: the Topic; kwargs: actor, post (the accepted answer).
answer_accepted = _signals.signal("answer-accepted")
#: sender: the Membership; kwargs: actor, group.
member_joined_group = _signals.signal("member-joined-group")
#: sender: the User; kwargs: actor.
member_joined = _signals.signal("member-joined")
#: sender: the Membership (state "invited"); kwargs: actor, group. A facilitator invited a member into a group.
group_invitation_sent = _signals.signal("group-invitation-sent")
#: sender: the Membership; kwargs: actor, group, approved (bool). A request to join was approved or declined.
group_request_answered = _signals.signal("group-request-answered")
#: sender: the Membership (state "requested"); kwargs: actor, group. A member asked to join a group.
join_requested = _signals.signal("join-requested")
#: sender: the Report; kwargs: actor (None for automatic reports). Reaches the facilitators who handle it.
report_filed = _signals.signal("report-filed")
#: sender: the User warned; kwargs: actor, message, post (or None).
member_warned = _signals.signal("member-warned")
#: sender: the User suspended; kwargs: actor, until, reason, hid_content (bool).
member_suspended = _signals.signal("member-suspended")
#: sender: the User whose content was all hidden (spam wave); kwargs: actor.
member_content_hidden = _signals.signal("member-content-hidden")
#: sender: the Membership; kwargs: actor, group, role ("facilitator" or "member"). A group role was changed.
group_role_changed = _signals.signal("group-role-changed")
#: sender: the User; kwargs: actor, previous, role. The community manager changed a member's community role.
member_role_changed = _signals.signal("member-role-changed")

#: sender: the User whose spam-wave-hidden content was restored on reactivation; kwargs: actor.
member_content_restored = _signals.signal("member-content-restored")

#: sender: the Post (a private message, the opening one too); kwargs: actor, topic. Conversations send this
#: instead of topic_published/post_created, whose receivers (search, feed, watchers, hashtags) are public.
message_sent = _signals.signal("message-sent")
#: sender: the Topic (a conversation); kwargs: actor, added (list of Users). The starter added people.
participants_added = _signals.signal("participants-added")
