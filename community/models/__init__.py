"""The shared model. Everything is re-exported here so Alembic sees every table."""

from community.models.admin import AuditEvent, Invitation, OutboxMessage, invitation_groups
from community.models.base import UTCDateTime, utcnow
from community.models.content import (
    REACTIONS,
    TOPIC_KINDS,
    Board,
    Post,
    Reaction,
    Revision,
    Subscription,
    Tag,
    Topic,
    TopicRead,
    TopicTag,
    Upload,
    Vote,
)
from community.models.group import GROUP_ROLES, VISIBILITIES, Group, Membership
from community.models.moderation import REPORT_REASONS, REPORT_STATES, MemberRelation, Report
from community.models.social import (
    ACTIVITY_KINDS,
    DELIVERIES,
    NOTIFICATION_KINDS,
    Activity,
    DigestSent,
    Notification,
    PostHashtag,
)
from community.models.user import ROLE_LABELS, ROLES, STATES, Setting, User, UserSession

__all__ = [
    "ACTIVITY_KINDS",
    "DELIVERIES",
    "GROUP_ROLES",
    "NOTIFICATION_KINDS",
    "REACTIONS",
    "REPORT_REASONS",
    "REPORT_STATES",
    "ROLES",
    "ROLE_LABELS",
    "STATES",
    "TOPIC_KINDS",
    "VISIBILITIES",
    "Activity",
    "AuditEvent",
    "Board",
    "DigestSent",
    "Group",
    "Invitation",
    "MemberRelation",
    "Membership",
    "Notification",
    "OutboxMessage",
    "Post",
    "PostHashtag",
    "Reaction",
    "Report",
    "Revision",
    "Setting",
    "Subscription",
    "Tag",
    "Topic",
    "TopicRead",
    "TopicTag",
    "UTCDateTime",
    "Upload",
    "User",
    "UserSession",
    "Vote",
    "invitation_groups",
    "utcnow",
]
