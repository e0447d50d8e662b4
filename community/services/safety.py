"""Screening of what members post: rate limits, link caps, the blocklist and pre-moderation.

Every topic and post goes through ``screen`` (called by services/posts.py), so discussions, blog posts,
comments, questions and answers share one set of abuse limits. Limits answer with a clear message (the
views keep the typed text); blocklist matches and pre-moderated posts are held for a moderator instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from limits import parse as parse_limit
from sqlalchemy import func, select

from community.errors import InvalidInput, RateLimited
from community.extensions import db
from community.models import Group, Post, User, utcnow

NEW_MEMBER_DAYS = 3
NEW_MEMBER_POSTS = 3
URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\"']+")


@dataclass
class Screening:
    """The outcome of screening a text: held for approval or not, and why."""

    pending: bool = False
    reasons: list[str] = field(default_factory=list)


def is_staff(user: User, group_id: int | None = None) -> bool:
    """Admins, facilitators, and facilitators of the group are trusted posters."""
    if user.role in ("admin", "facilitator"):
        return True
    return group_id is not None and getattr(user, "group_roles", {}).get(group_id) == "facilitator"


def is_new_member(user: User) -> bool:
    """Joined in the last few days, or has posted only a few times."""
    if user.role in ("admin", "facilitator"):
        return False
    recent = user.created_at is not None and utcnow() - user.created_at < timedelta(days=NEW_MEMBER_DAYS)
    return recent or user.post_count < NEW_MEMBER_POSTS


def links_in(text: str) -> list[str]:
    """The web addresses a text contains (Markdown links and bare URLs)."""
    return URL_RE.findall(text or "")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", text)


def blocklist_matches(text: str, words: list[str], domains: list[str]) -> list[str]:
    """Blocked words (whole words, accents and case folded) and link domains found in the text."""
    found: list[str] = []
    folded = _fold(text)
    for word in words:
        w = _fold(word).strip()
        if w and re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", folded):
            found.append(_("word “%(word)s”", word=word.strip()))
    blocked = {d.strip().lower().lstrip(".") for d in domains if d.strip()}
    for link in links_in(text):
        host = (urlsplit(link if "://" in link else f"http://{link}").hostname or "").lower()
        if any(host == d or host.endswith("." + d) for d in blocked):
            found.append(_("link to %(host)s", host=host))
    return found


def check_rate(user: User) -> None:
    """Raise RateLimited if the member has posted too often in the last while (stricter for newcomers).

    Counted from the posts table (indexed by author and time), so the limit holds across app servers.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    key = "RATELIMIT_POSTING_NEW_MEMBER" if is_new_member(user) else "RATELIMIT_POSTING"
    limit = parse_limit(current_app.config[key])
    since = utcnow() - timedelta(seconds=limit.get_expiry())
    recent = db.session.scalar(
        select(func.count()).select_from(Post).where(Post.author_id == user.id, Post.created_at >= since)
    )
    if recent is not None and recent >= limit.amount:
        raise RateLimited(
            _("You're posting very quickly. Please wait a minute and try again: what you wrote is kept below."),
            field="body",
        )


def screen_message(actor: User, text: str) -> None:
    """Screen a private message: the posting rate and a new member's link cap, as for posts. What would hold a
    post for a moderator (the blocklist) refuses the message instead: nobody but its participants may read it,
    so it can't wait in the review queue. Raises RateLimited or InvalidInput on the body."""
    from community.services.settings import all_settings

    if actor.role in ("admin", "facilitator"):
        return
    check_rate(actor)
    settings = all_settings()
    if is_new_member(actor):
        cap = int(settings.get("new_member_link_limit") or 0)
        count = len(links_in(text))
        if cap >= 0 and count > cap:
            raise InvalidInput(
                ngettext("New members can include at most %(num)d link in a message (this one has %(count)d). "
                         "Please remove some and send it again.",
                         "New members can include at most %(num)d links in a message (this one has %(count)d). "
                         "Please remove some and send it again.", cap, count=count),
                field="body",
            )  # fmt: skip
    if blocklist_matches(text, settings.get("blocked_words") or [], settings.get("blocked_domains") or []):
        raise InvalidInput(_("This message contains words or links the community doesn't allow. Please change "
                             "it and send it again."), field="body")  # fmt: skip


def screen(actor: User, group_id: int | None, text: str) -> Screening:
    """Screen a new topic or post before it is stored; raises RateLimited or InvalidInput for limits."""
    from community.services.settings import all_settings

    if is_staff(actor, group_id):
        return Screening()
    check_rate(actor)
    settings = all_settings()
    result = Screening()
    if is_new_member(actor):
        cap = int(settings.get("new_member_link_limit") or 0)
        count = len(links_in(text))
        if cap >= 0 and count > cap:
            raise InvalidInput(
                ngettext("New members can include at most %(num)d link in a post (this one has %(count)d). Please "
                         "remove some and post again.",
                         "New members can include at most %(num)d links in a post (this one has %(count)d). Please "
                         "remove some and post again.", cap, count=count),
                field="body",
            )  # fmt: skip
    matches = blocklist_matches(text, settings.get("blocked_words") or [], settings.get("blocked_domains") or [])
    if matches:
        result.pending = True
        result.reasons.append(_("Matches the community blocklist: %(matches)s", matches=", ".join(matches)))
    if group_id is not None:
        group = db.session.get(Group, group_id)
        if group is not None and group.approve_all_posts:
            result.pending = True
            result.reasons.append(_("The group approves every post."))
    else:
        first = int(settings.get("premoderate_first_posts") or 0)
        if first > 0 and actor.post_count < first:
            result.pending = True
            result.reasons.append(ngettext(
                "A new member's first post in community-wide areas is approved first.",
                "A new member's first %(num)d posts in community-wide areas are approved first.", first))  # fmt: skip
    return result
