"""Groups and memberships: creating groups, adding and removing members (core; the groups work extends it)."""

from __future__ import annotations

import re
import unicodedata
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community import events
from community.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited, Unavailable
from community.extensions import db
from community.i18n import format_number
from community.markup import render_markdown
from community.models import VISIBILITIES, Board, Group, Membership, User, utcnow
from community.permissions import (
    can_accept_group_invitation,
    can_answer_group_invitation,
    can_answer_join_request,
    can_archive_group,
    can_cancel_join_request,
    can_demote_member,
    can_edit_group,
    can_invite_to_group,
    can_join_group,
    can_leave_group,
    can_promote_member,
    can_remove_member,
    can_request_to_join,
)
from community.services.audit import record

# Addresses the groups pages use themselves (/groups/new).
RESERVED_SLUGS = frozenset({"new"})
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def slugify(text: str, max_length: int = 60) -> str:
    """A URL slug from a name: lower-case ASCII letters, digits and hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].strip("-")


def create_group(actor: User, *, name: str, slug: str | None = None, description: str = "",
                 visibility: str = "open", with_board: bool = True,
                 cover: IO[bytes] | None = None) -> Group:  # fmt: skip
    """Create a group; its creator becomes its first facilitator, and it gets a General board (commits)."""
    name = _clean_name(name)
    description = _clean_description(description)
    _check_visibility(visibility)
    slug = (slug or slugify(name)).strip().lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput(_("Slugs use 3–60 lower-case letters, digits and hyphens."), field="slug")
    if slug in RESERVED_SLUGS:
        raise Conflict(_("That address is reserved. Please choose another slug."), field="slug")
    if db.session.scalar(select(func.count()).select_from(Group).where(Group.slug == slug)):
        raise Conflict(_("Another group already uses that address. Please choose another slug."), field="slug")
    group = Group(
        name=name, slug=slug, description=description, description_html=render_markdown(description),
        visibility=visibility, created_by_id=actor.id, member_count=1, last_activity_at=utcnow(),
    )  # fmt: skip
    db.session.add(group)
    db.session.flush()
    db.session.add(Membership(group_id=group.id, user_id=actor.id, role="facilitator", state="active"))
    if with_board:
        # Written in the creator's language, like any text they would have typed themselves.
        db.session.add(Board(group_id=group.id, name=_("General"), slug="general",
                             description=_("Discussions of %(name)s.", name=name)))  # fmt: skip
    if cover is not None:
        _attach_cover(actor, group, cover)
    record(actor, "group.create", group, group_id=group.id, detail={"visibility": visibility})
    _commit_slug(slug)
    if hasattr(actor, "group_roles"):
        actor.group_roles[group.id] = "facilitator"
    return group


def add_member(group: Group, user: User, *, role: str = "member", actor: User | None = None) -> Membership:
    """Make ``user`` an active member (or update their role); keeps ``member_count`` (commits)."""
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(group_id=group.id, user_id=user.id, role=role, state="active",
                                invited_by_id=actor.id if actor else None)  # fmt: skip
        db.session.add(membership)
        _bump_members(group, +1)
    else:
        if membership.state != "active":
            _bump_members(group, +1)
        membership.state = "active"
        membership.role = role
    db.session.commit()
    if hasattr(user, "group_roles"):
        user.group_roles[group.id] = role
    return membership


MAX_DESCRIPTION = 5000


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Please give the group a name."), field="name")
    if len(name) > 100:
        raise InvalidInput(_("Group names are 100 characters at most."), field="name")
    return name


def _clean_description(description: str | None) -> str:
    description = (description or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(_("Descriptions are %(limit)s characters at most.", limit=format_number(MAX_DESCRIPTION)),
                           field="description")
    return description


def _check_visibility(visibility: str) -> None:
    if visibility not in VISIBILITIES:
        raise InvalidInput(_("Choose who can see and join the group: open, by request or private."), field="visibility")


def _attach_cover(actor: User, group: Group, cover: IO[bytes]) -> None:
    """Store the cover image; on a bad file nothing of the transaction is kept."""
    from community.services.images import save_image

    try:
        upload = save_image(actor, cover, "cover", group_id=group.id)
    except (InvalidInput, RateLimited, Unavailable) as error:  # a bad file, too many, or a failing disk
        db.session.rollback()
        raise type(error)(error.message, field="cover") from None
    group.cover_path = upload.name


def _bump_members(group: Group, delta: int) -> None:
    # An UPDATE with an expression, never read-modify-write: concurrent joins keep the right count.
    db.session.execute(update(Group).where(Group.id == group.id).values(member_count=Group.member_count + delta))


def _commit_slug(slug: str) -> None:
    # Two people choosing the same slug at the same moment: the unique index decides, with a clear message.
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("Another group already uses that address. Please choose another slug."),
                       field="slug") from None


def _set_role(user: User, group: Group, role: str | None) -> None:
    """Keep the in-memory ``group_roles`` of the acting member in step with what was stored."""
    roles = getattr(user, "group_roles", None)
    if roles is None:
        return
    if role is None:
        roles.pop(group.id, None)
    else:
        roles[group.id] = role


def _membership_in(group: Group, membership_id: int) -> Membership:
    """A membership of *this* group (an id from another group is NotFound: no tampering across groups)."""
    membership = db.session.scalar(
        select(Membership).options(joinedload(Membership.user))
        .where(Membership.id == membership_id, Membership.group_id == group.id)
    )  # fmt: skip  (with the member: the predicates compare community roles)
    if membership is None:
        raise NotFound(_("No such member in this group."))
    return membership


def _facilitator_count(group: Group) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.group_id == group.id, Membership.role == "facilitator", Membership.state == "active"
        )
    ) or 0


def _activate(membership: Membership, group: Group, actor: User | None) -> None:
    membership.state = "active"
    _bump_members(group, +1)
    events.member_joined_group.send(membership, actor=actor, group=group)


# ----------------------------------------------------------------------------------------------------------
# Editing and archiving


def update_group(actor: User, group: Group, *, name: str, description: str, visibility: str,
                 cover: IO[bytes] | None = None, remove_cover: bool = False,
                 approve_all_posts: bool | None = None, peers_first_hours: int | None = None) -> Group:  # fmt: skip
    """Change a group's name, description, visibility and cover (facilitators and admins; commits)."""
    if not can_edit_group(actor, group):
        raise Forbidden(_("Only the group's facilitators can edit it, and not while it is archived."))
    name = _clean_name(name)
    description = _clean_description(description)
    _check_visibility(visibility)
    if peers_first_hours is not None and not 0 <= peers_first_hours <= 168:
        raise InvalidInput(_("Between 0 (off) and 168 hours (a week)."), field="peers_first_hours")
    before = group.visibility
    group.name = name
    if description != group.description:
        group.description = description
        group.description_html = render_markdown(description)
    group.visibility = visibility
    if remove_cover:
        group.cover_path = None
    if cover is not None:
        _attach_cover(actor, group, cover)
    detail: dict[str, object] = {"visibility": [before, visibility]}
    if approve_all_posts is not None and approve_all_posts != group.approve_all_posts:
        group.approve_all_posts = approve_all_posts
        detail["approve_all_posts"] = approve_all_posts
    if peers_first_hours is not None and peers_first_hours != group.peers_first_hours:
        group.peers_first_hours = peers_first_hours
        detail["peers_first_hours"] = peers_first_hours
    record(actor, "group.edit", group, group_id=group.id, detail=detail)
    db.session.commit()
    return group


def archive_group(actor: User, group: Group) -> None:
    """Archive a group at the end of a cohort: read-only, still readable by its members (commits)."""
    if not can_archive_group(actor, group):
        raise Forbidden(_("Only the group's facilitators can archive it."))
    if group.archived_at is None:
        group.archived_at = utcnow()
        record(actor, "group.archive", group, group_id=group.id)
        db.session.commit()


def unarchive_group(actor: User, group: Group) -> None:
    """Bring an archived group back to life (commits)."""
    if not can_archive_group(actor, group):
        raise Forbidden(_("Only the group's facilitators can reopen it."))
    if group.archived_at is not None:
        group.archived_at = None
        record(actor, "group.unarchive", group, group_id=group.id)
        db.session.commit()


# ----------------------------------------------------------------------------------------------------------
# Joining and leaving (the member's own actions)


def join_group(actor: User, group: Group, membership: Membership | None) -> Membership:
    """Join an open group in one click (commits)."""
    if not can_join_group(actor, group):
        if group.is_archived:
            raise Forbidden(_("This group is archived: it no longer takes new members."))
        raise Forbidden(_("This group can't be joined directly."))
    if membership is None:
        membership = Membership(group_id=group.id, user_id=actor.id, role="member", state="active")
        db.session.add(membership)
    _activate(membership, group, actor)
    _commit_membership()
    _set_role(actor, group, membership.role)
    return membership


def request_to_join(actor: User, group: Group, membership: Membership | None) -> Membership:
    """Ask to join a request group; its facilitators approve or decline (commits)."""
    if membership is not None and membership.state == "requested":
        raise Conflict(_("You have already asked to join; a facilitator will answer soon."))
    if not can_request_to_join(actor, group, membership):
        if group.is_archived:
            raise Forbidden(_("This group is archived: it no longer takes new members."))
        raise Forbidden(_("This group doesn't take requests to join."))
    membership = Membership(group_id=group.id, user_id=actor.id, role="member", state="requested")
    db.session.add(membership)
    record(actor, "group.request", group, group_id=group.id)
    events.join_requested.send(membership, actor=actor, group=group)
    _commit_membership()
    return membership


def _commit_membership() -> None:
    # A double click sends the same request twice: the (group, user) unique index keeps one.
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("That was already done.")) from None


def cancel_request(actor: User, group: Group, membership: Membership | None) -> None:
    """Withdraw one's own pending request (commits)."""
    if not can_cancel_join_request(actor, group, membership):
        raise Conflict(_("There is no pending request to cancel."))
    assert membership is not None
    db.session.delete(membership)
    record(actor, "group.request_cancel", group, group_id=group.id)
    db.session.commit()


def answer_invitation(actor: User, group: Group, membership: Membership | None, *, accept: bool) -> None:
    """Accept or decline one's own invitation to a group (commits)."""
    if not can_answer_group_invitation(actor, group, membership):
        raise Conflict(_("There is no invitation to answer."))
    assert membership is not None
    if accept:
        if not can_accept_group_invitation(actor, group, membership):
            raise Forbidden(_("This group is archived: it no longer takes new members."))
        _activate(membership, group, actor)
        record(actor, "group.invitation_accept", group, group_id=group.id)
        db.session.commit()
        _set_role(actor, group, membership.role)
    else:
        db.session.delete(membership)
        record(actor, "group.invitation_decline", group, group_id=group.id)
        db.session.commit()


def leave_group(actor: User, group: Group) -> None:
    """Leave a group; the last facilitator must first make someone else a facilitator (commits)."""
    if not can_leave_group(actor, group):
        raise Conflict(_("You are not a member of this group."))
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == actor.id)
    )
    if membership is None or membership.state != "active":
        raise Conflict(_("You are not a member of this group."))
    if membership.role == "facilitator" and _facilitator_count(group) <= 1:
        raise Conflict(_("You are the group's only facilitator: make another member a facilitator before you leave."))
    db.session.delete(membership)
    _bump_members(group, -1)
    record(actor, "group.leave", group, group_id=group.id)
    db.session.commit()
    _set_role(actor, group, None)


# ----------------------------------------------------------------------------------------------------------
# Facilitators' actions


def invite_to_group(actor: User, group: Group, user_id: int) -> Membership:
    """Invite an active community member into the group; they accept or decline (commits)."""
    if not can_invite_to_group(actor, group):
        raise Forbidden(_("Only the group's facilitators can invite, and not while it is archived."))
    user = db.session.get(User, user_id)
    if user is None or user.state != "active":
        raise InvalidInput(_("Choose an active member of the community to invite."), field="user_id")
    existing = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if existing is not None:
        if existing.state == "requested":
            raise Conflict(_("%(name)s has asked to join: approve their request instead.", name=user.display_name))
        if existing.state == "active":
            raise Conflict(_("%(name)s is already a member.", name=user.display_name))
        raise Conflict(_("%(name)s is already invited.", name=user.display_name))
    membership = Membership(group_id=group.id, user_id=user.id, role="member", state="invited",
                            invited_by_id=actor.id)  # fmt: skip
    db.session.add(membership)
    db.session.flush()
    # The notifications work delivers these; the audit row records who invited whom now.
    record(actor, "group.invite", membership, group_id=group.id, detail={"user_id": user.id})
    events.group_invitation_sent.send(membership, actor=actor, group=group)
    _commit_membership()
    return membership


def answer_request(actor: User, group: Group, membership_id: int, *, approve: bool) -> Membership:
    """Approve or decline a request to join (facilitators and admins; commits)."""
    if not can_answer_join_request(actor, group):
        raise Forbidden(_("Only the group's facilitators can answer requests, and not while it is archived."))
    membership = _membership_in(group, membership_id)
    if membership.state != "requested":
        raise Conflict(_("That request has already been answered."))
    if approve:
        _activate(membership, group, actor)
        record(actor, "group.request_approve", membership, group_id=group.id, detail={"user_id": membership.user_id})
    else:
        db.session.delete(membership)
        record(actor, "group.request_decline", membership, group_id=group.id, detail={"user_id": membership.user_id})
    events.group_request_answered.send(membership, actor=actor, group=group, approved=approve)
    db.session.commit()
    return membership


def remove_member(actor: User, group: Group, membership_id: int) -> None:
    """Remove a member (or withdraw an invitation); the last facilitator stays (commits)."""
    membership = _membership_in(group, membership_id)
    if not can_remove_member(actor, group, membership):
        raise Forbidden(_("You can't remove this member."))
    if membership.state == "active" and membership.role == "facilitator" and _facilitator_count(group) <= 1:
        raise Conflict(_("The group needs at least one facilitator."))
    if membership.state == "active":
        _bump_members(group, -1)
    db.session.delete(membership)
    record(actor, "group.remove", membership, group_id=group.id, detail={"user_id": membership.user_id})
    db.session.commit()


def set_member_role(actor: User, group: Group, membership_id: int, role: str) -> Membership:
    """Promote a member to facilitator or demote a facilitator; at least one facilitator stays (commits)."""
    membership = _membership_in(group, membership_id)
    if role == "facilitator":
        allowed = can_promote_member(actor, group, membership)
    elif role == "member":
        allowed = can_demote_member(actor, group, membership)
    else:
        raise InvalidInput(_("Choose facilitator or member."), field="role")
    if not allowed:
        raise Forbidden(_("You can't change this member's role."))
    if role == "member" and _facilitator_count(group) <= 1:
        raise Conflict(_("The group needs at least one facilitator: promote someone else first."))
    membership.role = role
    record(actor, "group.role", membership, group_id=group.id, detail={"user_id": membership.user_id, "role": role})
    events.group_role_changed.send(membership, actor=actor, group=group, role=role)
    db.session.commit()
    if membership.user_id == actor.id:
        _set_role(actor, group, role)
    return membership
