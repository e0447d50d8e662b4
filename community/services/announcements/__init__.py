"""Announcements: the writes (``write``) and the reads (``read``)."""

from community.services.announcements.read import (
    PAGE_SIZE,
    TOP_LIMIT,
    AnnouncementList,
    ListItem,
    Reach,
    TopItem,
    announceable_groups,
    announcement_page,
    group_announcements,
    opening_of,
    reach,
    top_announcements,
)
from community.services.announcements.write import (
    AnnouncementFields,
    announce,
    dismiss,
    mark_seen,
    publish_due_announcements,
    update_announcement,
    withdraw_announcement,
)

__all__ = [
    "PAGE_SIZE",
    "TOP_LIMIT",
    "AnnouncementFields",
    "AnnouncementList",
    "ListItem",
    "Reach",
    "TopItem",
    "announce",
    "announceable_groups",
    "announcement_page",
    "dismiss",
    "group_announcements",
    "mark_seen",
    "opening_of",
    "publish_due_announcements",
    "reach",
    "top_announcements",
    "update_announcement",
    "withdraw_announcement",
]
