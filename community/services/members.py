"""Members: profiles, avatars, the member directory, and the rule that names never imitate staff.

Roles are shown by verified badges, never by names: a display name that folds to the same letters as a
facilitator's or the community manager's (ignoring case, spaces, accents and look-alike characters), or
that carries a staff word ("admin", "moderator", ...) for a member who is not staff, is refused.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.orm import contains_eager

from community.errors import InvalidInput
from community.extensions import db
from community.i18n import format_number
from community.markup import render_markdown
from community.models import ROLES, Group, Membership, Post, Topic, Upload, User
from community.permissions import can_edit_profile, require, visible_groups, visible_posts
from community.services.audit import record
from community.services.images import save_image
from community.services.media.write import record_profile_uses

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------------
# Facilitator identity

# Characters that look like Latin letters (Cyrillic, Greek, digits, symbols) fold to the letter they
# imitate; i/l/1/| all fold to "l" because they are told apart by nobody reading quickly.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "l", "ї": "l", "ј": "j", "ԁ": "d",
        "ɡ": "g", "һ": "h", "ո": "n", "ս": "u", "ԛ": "q", "ԝ": "w",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w", "μ": "u",
        "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s", "!": "l", "|": "l", "i": "l", "ı": "l", "ł": "l", "ø": "o", "đ": "d",
        "ß": "ss", "æ": "ae", "œ": "oe",
    }
)  # fmt: skip
_MULTI = (("rn", "m"), ("vv", "w"))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_STAFF_WORDS = frozenset(
    {"admin", "admins", "administrator", "moderator", "moderators", "mod", "mods", "facilitator",
     "facilitators", "manager", "staff", "official", "sysadmin", "superuser"}
)  # fmt: skip
# Also refused inside a longer word ("TheAdmin"); short words like "mod" or "staff" only on their own
# (Modupe and Stafford are people's names).
_STAFF_STEMS = ("admin", "moderator", "facilitator", "manager")


def _fold(text: str) -> str:
    """Lower-case, without accents, look-alikes replaced; word separators kept as spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    text = text.translate(_CONFUSABLES)
    for pair, letter in _MULTI:
        text = text.replace(pair, letter)
    return re.sub(r"[^a-z]+", " ", text).strip()


def name_skeleton(name: str) -> str:
    """The letters two names are compared by: "FRAN  Fàcilitator" and "fr4n facilitat0r" are the same."""
    return _fold(name).replace(" ", "")


_STAFF_SKELETONS = {name_skeleton(w) for w in _STAFF_WORDS}
_STEM_SKELETONS = tuple(name_skeleton(w) for w in _STAFF_STEMS)


def has_staff_word(name: str) -> bool:
    """Whether a name carries a word that claims a role (admin, moderator, facilitator, ...)."""
    folded = _fold(name)
    if any(token in _STAFF_SKELETONS for token in folded.split()):
        return True
    joined = folded.replace(" ", "")
    return any(stem in joined for stem in _STEM_SKELETONS)


def _is_staff(member: User | None, role: str) -> bool:
    if role in ("admin", "facilitator"):
        return True
    if member is None or member.id is None:
        return False
    facilitates = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.user_id == member.id, Membership.role == "facilitator", Membership.state == "active")
    )
    return bool(facilitates)


def _staff_names(exclude_id: int | None, *, admins_only: bool = False) -> list[tuple[str, str]]:
    """(display name, handle) of every community manager and (unless ``admins_only``) facilitator,
    community or group."""
    if admins_only:
        who = User.role == "admin"
    else:
        group_facilitators = select(Membership.user_id).where(
            Membership.role == "facilitator", Membership.state == "active"
        )
        who = or_(User.role.in_(("admin", "facilitator")), User.id.in_(group_facilitators))
    stmt = select(User.display_name, User.handle).where(User.state != "deleted", who)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return [(name, handle) for name, handle in db.session.execute(stmt)]


def plain_line(value: str | None) -> str:
    """One line of text: control characters (NUL included) dropped, runs of spaces folded."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def check_display_name(name: str, *, member: User | None = None, role: str | None = None) -> str:
    """The display name with spaces folded, or InvalidInput if it is empty, too long, or imitates staff.

    Participants may not look like any facilitator or the community manager; facilitators (verified
    themselves, and sometimes simply namesakes) may not look like the community manager.
    """
    name = plain_line(name)
    if not name:
        raise InvalidInput(_("Please give your name."), field="display_name")
    if len(name) > 80:
        raise InvalidInput(_("Names are 80 characters at most."), field="display_name")
    staff = _is_staff(member, role or (member.role if member is not None else "participant"))
    skeleton = name_skeleton(name)
    if skeleton:
        exclude = member.id if member is not None else None
        for staff_name, staff_handle in _staff_names(exclude, admins_only=staff):
            if skeleton in (name_skeleton(staff_name), name_skeleton(staff_handle)):
                raise InvalidInput(
                    _("That name is too close to the name of one of our facilitators or the community "
                      "manager. Please choose a name people can tell apart from theirs."),
                    field="display_name",
                )
    if has_staff_word(name) and not staff:
        raise InvalidInput(
            _("Please leave words like “admin”, “moderator”, “facilitator” or “manager” out of your name: "
              "facilitators and the community manager are shown by a verified badge instead."),
            field="display_name",
        )
    return name


# --------------------------------------------------------------------------------------------------
# Editing a profile

PROFILE_LIMITS = {"headline": 140, "organisation": 120, "programme": 120, "bio": 5000}


def _clean_line(value: str | None, field_name: str) -> str:
    value = plain_line(value)
    limit = PROFILE_LIMITS[field_name]
    if len(value) > limit:
        raise InvalidInput(_("That's too long: %(limit)s characters at most.", limit=format_number(limit)),
                           field=field_name)
    return value


def _clean_bio(value: str | None) -> str:
    value = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", (value or "").replace("\r\n", "\n")).strip()
    if len(value) > PROFILE_LIMITS["bio"]:
        raise InvalidInput(_("Your bio is %(count)s characters; %(limit)s at most.", count=format_number(len(value)),
                             limit=format_number(PROFILE_LIMITS["bio"])), field="bio")
    return value


def update_profile(
    actor: User,
    member: User,
    *,
    display_name: str,
    headline: str = "",
    bio: str = "",
    organisation: str = "",
    programme: str = "",
    avatar: IO[bytes] | None = None,
    remove_avatar: bool = False,
) -> User:
    """Change a profile, and its photo if one is given, all or nothing (commits)."""
    require(can_edit_profile(actor, member), _("You can only edit your own profile."))
    values = {
        "display_name": check_display_name(display_name, member=member),
        "headline": _clean_line(headline, "headline"),
        "organisation": _clean_line(organisation, "organisation"),
        "programme": _clean_line(programme, "programme"),
        "bio": _clean_bio(bio),
    }
    # The image is checked before anything changes: a refused file leaves the profile as it was.
    upload = save_image(member, avatar, "avatar") if avatar is not None else None
    old_avatar = member.avatar_path
    old_bio = member.bio or ""
    changed = sorted(k for k, v in values.items() if getattr(member, k) != v)
    for key, value in values.items():
        setattr(member, key, value)
    member.bio_html = render_markdown(values["bio"]) if values["bio"] else ""
    record_profile_uses(member, values["bio"], old_bio)
    if upload is not None:
        member.avatar_path = upload.name
        changed.append("avatar")
    elif remove_avatar and old_avatar:
        member.avatar_path = None
        changed.append("avatar")
    dropped = old_avatar if member.avatar_path != old_avatar else None
    _finish(actor, member, changed, dropped)
    return member


def set_avatar(actor: User, member: User, stream: IO[bytes]) -> User:
    """Replace the member's photo with an uploaded image (checked, re-encoded, stripped; commits)."""
    require(can_edit_profile(actor, member), _("You can only edit your own profile."))
    upload = save_image(member, stream, "avatar")
    old = member.avatar_path
    member.avatar_path = upload.name
    _finish(actor, member, ["avatar"], old)
    return member


def remove_avatar(actor: User, member: User) -> User:
    """Go back to the initials avatar (commits)."""
    require(can_edit_profile(actor, member), _("You can only edit your own profile."))
    old = member.avatar_path
    member.avatar_path = None
    _finish(actor, member, ["avatar"] if old else [], old)
    return member


def _finish(actor: User, member: User, changed: list[str], dropped_avatar: str | None) -> None:
    """Audit an admin's edit of someone else's profile, commit, then tidy away the replaced photo."""
    if dropped_avatar:
        db.session.execute(delete(Upload).where(Upload.name == dropped_avatar, Upload.purpose == "avatar"))
    if actor.id != member.id and changed:
        record(actor, "member.edit_profile", member, detail={"fields": changed})
    db.session.commit()
    if dropped_avatar:
        # After the commit: if it had failed, the old photo would still be in use.
        path = os.path.join(current_app.config["UPLOAD_FOLDER"], os.path.basename(dropped_avatar))
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        except OSError as error:  # a read-only folder: the profile is saved; the old file stays, unused
            log.error("could not delete a replaced photo: %s: %s", path, error.strerror or error)


# --------------------------------------------------------------------------------------------------
# Reading profiles and the directory


@dataclass
class Page:
    """One page of a numbered listing; views add ``prev_url``/``next_url`` with ``with_links``."""

    items: list[Any]
    number: int
    per_page: int
    total: int
    prev_url: str | None = None
    next_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def label(self) -> str:
        return _("Page %(number)d of %(pages)d", number=self.number, pages=self.pages) if self.pages > 1 else ""

    def with_links(self, build: Callable[[int], str]) -> Page:
        """Fill the pager's links from a function of the page number."""
        self.prev_url = build(self.number - 1) if self.has_prev else None
        self.next_url = build(self.number + 1) if self.has_next else None
        return self


def page_number(raw: Any) -> int:
    """A page number from the query string: 1 for anything that isn't a sensible positive integer."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 100_000 else 1


def like_pattern(text: str) -> str:
    """A LIKE pattern that matches ``text`` anywhere, with % and _ taken literally (escape ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def paginate(stmt: Any, number: int, per_page: int) -> Page:
    """Count, then fetch one page of ``stmt`` (two queries whatever the size)."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(number, pages)
    items = list(db.session.scalars(stmt.offset((number - 1) * per_page).limit(per_page)))
    return Page(items=items, number=number, per_page=per_page, total=total)


DIRECTORY_SORTS = ("name", "newest")


def directory(viewer: User, *, q: str = "", role: str = "", sort: str = "name", page: int = 1) -> Page:
    """Active members matching a search and a role, sorted by name or newest. Each word of the search must be
    found in the member's name, handle, organisation or headline ("acme coach": Acme's coaches)."""
    stmt = select(User).where(User.state == "active")
    q = plain_line(q)[:80]
    for word in q.split()[:6]:
        pattern = like_pattern(word.lstrip("@"))
        stmt = stmt.where(or_(*(column.ilike(pattern, escape="\\") for column in
                                (User.display_name, User.handle, User.organisation, User.headline))))  # fmt: skip
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if sort == "newest":
        stmt = stmt.order_by(User.created_at.desc(), User.id.desc())
    else:
        stmt = stmt.order_by(func.lower(User.display_name), User.id)
    return paginate(stmt, page, current_app.config["PAGE_SIZE"])


def profile_groups(viewer: User, member: User) -> list[tuple[Group, str]]:
    """The member's groups that the viewer may see, with the member's role in each."""
    rows = db.session.execute(
        select(Group, Membership.role)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == member.id, Membership.state == "active", visible_groups(viewer))
        .order_by(func.lower(Group.name))
    ).all()
    return [(group, role) for group, role in rows]


def recent_contributions(viewer: User, member: User, limit: int = 10) -> list[Post]:
    """The member's latest posts that the viewer may see (with their topics)."""
    return list(
        db.session.scalars(
            select(Post)
            .join(Post.topic)
            .options(contains_eager(Post.topic))
            .where(Post.author_id == member.id, visible_posts(viewer))
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(limit)
        )
    )


def contribution_counts(viewer: User, member: User) -> dict[str, int]:
    """How many posts (and of them, topics started) the viewer can see by the member."""
    total, started = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Post.number == 1, 1), else_=0)), 0))
        .select_from(Post)
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == member.id, visible_posts(viewer))
    ).one()
    return {"posts": int(total), "topics": int(started), "replies": int(total) - int(started)}


def profile_data(viewer: User, member: User) -> dict[str, Any]:
    """What the profile page shows, all filtered by what the viewer may see (three queries)."""
    return {
        "groups": profile_groups(viewer, member),
        "contributions": recent_contributions(viewer, member),
        "counts": contribution_counts(viewer, member),
    }


def viewer_relation(viewer: User, member: User) -> dict[str, Any]:
    """How the viewer stands to a member: following them, muted/blocked, facilitating one of their groups."""
    from community.services.moderation import relations_of
    from community.services.nudges import facilitates_member
    from community.services.social import is_watching

    if viewer.id == member.id:
        return {"following": False, "relations": {"mute": set(), "block": set()}, "facilitates": False}
    return {
        "following": is_watching(viewer, "member", member.id),
        "relations": relations_of(viewer),
        "facilitates": facilitates_member(viewer, member),
    }
