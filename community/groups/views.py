"""Views of the groups blueprint: directory, group home, members, create/edit, and membership actions."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from community.errors import DomainError
from community.groups import bp
from community.groups.forms import ActionForm, GroupForm, InviteForm
from community.permissions import (
    access_group_membership,
    can_create_group,
    can_edit_group,
    can_invite_to_group,
    can_manage_group,
    can_see_group_content,
    require,
)
from community.security import safe_next
from community.services import announcements, calendar, group_pages, programmes
from community.services import groups as service
from community.services.settings import get_setting
from community.services.social import is_watching


def _page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


def _failed(form: GroupForm, error: DomainError, template: str, **context: Any) -> ResponseReturnValue:
    """Re-render the form with the service's message next to its field (or on top), keeping the input."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return render_template(template, form=form, **context), error.status


def _action_form() -> None:
    """One-button actions carry a CSRF token through a FlaskForm; a bad one is a 400."""
    if not ActionForm().validate_on_submit():
        abort(400)


def _cover() -> Any:
    file = request.files.get("cover")
    return file.stream if file is not None and file.filename else None


@bp.get("")
def index() -> ResponseReturnValue:
    """The groups directory: my groups, or all I may see; search by name."""
    mine = request.args.get("tab", "mine" if current_user.group_roles else "all") == "mine"
    q = request.args.get("q", "")
    listing = group_pages.directory(current_user, mine=mine, q=q, page=_page_arg(),
                                    per_page=current_app.config["PAGE_SIZE"])  # fmt: skip
    pending = group_pages.pending_memberships(current_user)
    return render_template("groups/index.html", listing=listing, pending=pending, mine=mine, q=q,
                           form=ActionForm())  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
def create() -> ResponseReturnValue:
    """Create a group: its creator becomes its first facilitator."""
    require(can_create_group(current_user, bool(get_setting("participants_create_groups"))),
            _("Only facilitators can create groups in this community."))  # fmt: skip
    form = GroupForm()
    if request.method == "GET":
        return render_template("groups/form.html", form=form, group=None)
    if not form.validate_on_submit():
        return render_template("groups/form.html", form=form, group=None), 400
    try:
        group = service.create_group(current_user, name=form.name.data, slug=form.slug.data or None,
                                     description=form.description.data or "", visibility=form.visibility.data,
                                     cover=_cover())  # fmt: skip
    except DomainError as error:
        return _failed(form, error, "groups/form.html", group=None)
    flash(_("Your group “%(name)s” is ready. You are its facilitator.", name=group.name), "success")
    return redirect(url_for("groups.show", slug=group.slug))


@bp.get("/<slug>")
def show(slug: str) -> ResponseReturnValue:
    """The group home (or, for a request group's non-members, only its about card)."""
    group, membership = access_group_membership(current_user, slug)
    content = can_see_group_content(current_user, group)
    home = group_pages.group_home(current_user, group, with_content=content)
    watching = content and is_watching(current_user, "group", group.id)
    events = calendar.upcoming(current_user, group=group, limit=calendar.HOME_EVENTS) if content else []
    notices = announcements.top_announcements(current_user, group=group) if content else []
    return render_template("groups/show.html", group=group, membership=membership, home=home, form=ActionForm(),
                           watching=watching, events=events, announcements=notices)  # fmt: skip


@bp.get("/<slug>/members")
def members(slug: str) -> ResponseReturnValue:
    """The member list; facilitators also see requests, invitations and whom to invite."""
    group, membership = access_group_membership(current_user, slug, content=True)
    listing = group_pages.member_list(group, page=_page_arg())
    waiting = group_pages.waiting_list(group) if can_manage_group(current_user, group) else []
    find = request.args.get("find", "")
    candidates = group_pages.invite_candidates(group, find) if can_invite_to_group(current_user, group) else []
    return render_template("groups/members.html", group=group, membership=membership, listing=listing,
                           waiting=waiting, find=find, candidates=candidates, form=ActionForm())  # fmt: skip


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> ResponseReturnValue:
    """Edit the group's name, description, cover and visibility."""
    group, _membership = access_group_membership(current_user, slug)
    require(
        can_edit_group(current_user, group), _("Only the group's facilitators can edit it, and not while archived.")
    )
    form = GroupForm(obj=group)
    form.programme.choices = [SelectChoice("", _("None")),
                              *(SelectChoice(str(p.id), p.name) for p, _units in programmes.programmes_with_units())]
    if request.method == "GET":
        form.programme.data = str(group.programme_id or "")
        return render_template("groups/form.html", form=form, group=group)
    if not form.validate_on_submit():
        return render_template("groups/form.html", form=form, group=group), 400
    try:
        # A tampered choice is refused here, before anything else is saved.
        chosen = form.programme.data or ""
        programmes.set_group_programme(current_user, group, int(chosen) if chosen.isdigit() else
                                       (None if chosen == "" else -1))  # fmt: skip
        service.update_group(current_user, group, name=form.name.data, description=form.description.data or "",
                             visibility=form.visibility.data, cover=_cover(),
                             remove_cover=bool(form.remove_cover.data),
                             approve_all_posts=bool(form.approve_all_posts.data),
                             peers_first_hours=form.peers_first_hours.data or 0)  # fmt: skip
    except DomainError as error:
        return _failed(form, error, "groups/form.html", group=group)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("groups.show", slug=group.slug))


# Membership actions (one button each). Domain errors become the friendly error page with their message.


def _member_action(slug: str, do: Any, message: str, to: str = "groups.show") -> ResponseReturnValue:
    """Load the group and the viewer's membership, check the form, run one service call, say so, go back."""
    group, membership = access_group_membership(current_user, slug)
    _action_form()
    do(group, membership)
    flash(message, "success")
    return redirect(url_for(to, slug=group.slug))


@bp.post("/<slug>/join")
def join(slug: str) -> ResponseReturnValue:
    """Join an open group in one click."""
    return _member_action(slug, lambda g, m: service.join_group(current_user, g, m), _("Welcome to the group!"))


@bp.post("/<slug>/request")
def request_to_join(slug: str) -> ResponseReturnValue:
    """Ask to join a request group."""
    return _member_action(slug, lambda g, m: service.request_to_join(current_user, g, m),
                          _("Your request is sent. A facilitator of the group will answer it."))  # fmt: skip


@bp.post("/<slug>/cancel-request")
def cancel_request(slug: str) -> ResponseReturnValue:
    """Withdraw one's own request to join."""
    return _member_action(
        slug, lambda g, m: service.cancel_request(current_user, g, m), _("Your request is cancelled.")
    )


@bp.post("/<slug>/accept")
def accept(slug: str) -> ResponseReturnValue:
    """Accept an invitation into the group."""
    return _member_action(slug, lambda g, m: service.answer_invitation(current_user, g, m, accept=True),
                          _("Welcome to the group!"))  # fmt: skip


@bp.post("/<slug>/decline")
def decline(slug: str) -> ResponseReturnValue:
    """Decline an invitation into the group."""
    group, membership = access_group_membership(current_user, slug)
    _action_form()
    service.answer_invitation(current_user, group, membership, accept=False)
    flash(_("Invitation declined."), "success")
    return redirect(url_for("groups.index"))


@bp.post("/<slug>/leave")
def leave(slug: str) -> ResponseReturnValue:
    """Leave the group."""
    group, _membership = access_group_membership(current_user, slug)
    _action_form()
    service.leave_group(current_user, group)
    flash(_("You have left “%(name)s”.", name=group.name), "success")
    return redirect(url_for("groups.index"))


@bp.post("/<slug>/archive")
def archive(slug: str) -> ResponseReturnValue:
    """Archive the group: read-only from now on."""
    return _member_action(slug, lambda g, m: service.archive_group(current_user, g),
                          _("The group is archived: it is now read-only."))  # fmt: skip


@bp.post("/<slug>/unarchive")
def unarchive(slug: str) -> ResponseReturnValue:
    """Reopen an archived group."""
    return _member_action(slug, lambda g, m: service.unarchive_group(current_user, g), _("The group is open again."))


@bp.post("/<slug>/invite")
def invite(slug: str) -> ResponseReturnValue:
    """Invite a community member (picked from the search on the members page)."""
    group, _membership = access_group_membership(current_user, slug, content=True)
    form = InviteForm()
    if not form.validate_on_submit() or not str(form.user_id.data).isdigit():
        abort(400)
    invited = service.invite_to_group(current_user, group, int(form.user_id.data))
    flash(_("Invitation sent. They will see it in their groups."), "success")
    return redirect(url_for("groups.members", slug=group.slug, _anchor=f"m{invited.id}"))


def _manage(slug: str, membership_id: int, do: Any, message: str) -> ResponseReturnValue:
    """A facilitator's action on one membership of this group (an id from another group is a 404)."""
    group, _membership = access_group_membership(current_user, slug, content=True)
    _action_form()
    do(group, membership_id)
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), url_for("groups.members", slug=group.slug)))


@bp.post("/<slug>/requests/<int:membership_id>/approve")
def approve(slug: str, membership_id: int) -> ResponseReturnValue:
    """Approve a request to join."""
    return _manage(slug, membership_id, lambda g, mid: service.answer_request(current_user, g, mid, approve=True),
                   _("Request approved: they are now a member."))  # fmt: skip


@bp.post("/<slug>/requests/<int:membership_id>/decline")
def decline_request(slug: str, membership_id: int) -> ResponseReturnValue:
    """Decline a request to join."""
    return _manage(slug, membership_id, lambda g, mid: service.answer_request(current_user, g, mid, approve=False),
                   _("Request declined."))  # fmt: skip


@bp.post("/<slug>/members/<int:membership_id>/remove")
def remove(slug: str, membership_id: int) -> ResponseReturnValue:
    """Remove a member, or withdraw an invitation."""
    return _manage(slug, membership_id, lambda g, mid: service.remove_member(current_user, g, mid),
                   _("Removed from the group."))  # fmt: skip


@bp.post("/<slug>/members/<int:membership_id>/promote")
def promote(slug: str, membership_id: int) -> ResponseReturnValue:
    """Make a member a facilitator of the group."""
    return _manage(slug, membership_id, lambda g, mid: service.set_member_role(current_user, g, mid, "facilitator"),
                   _("They are now a facilitator of the group."))  # fmt: skip


@bp.post("/<slug>/members/<int:membership_id>/demote")
def demote(slug: str, membership_id: int) -> ResponseReturnValue:
    """Make a facilitator a plain member again."""
    return _manage(slug, membership_id, lambda g, mid: service.set_member_role(current_user, g, mid, "member"),
                   _("They are now a member (no longer a facilitator)."))  # fmt: skip
