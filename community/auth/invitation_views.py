"""Invitation views: inviting people (by e-mail or a cohort link), the invitations list, and joining."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from community.auth import bp
from community.auth.forms import InviteForm, InviteLinkForm, RegisterForm, role_choices
from community.auth.limits import invite_per_member
from community.auth.views import remember_waiting, show_error, sign_member_in
from community.errors import InvalidInput, NotFound
from community.models import ROLES, User, utcnow
from community.permissions import access_invitation, can_invite, can_invite_with_role, require
from community.services import invitations as service
from community.services.invitations import InvitationClosed

CSV_MAX_BYTES = 1_000_000


def _forms(user: User) -> tuple[InviteForm, InviteLinkForm]:
    """The two invite forms, with the roles and groups this inviter may choose."""
    require(can_invite(user), _("Only facilitators and the community manager invite people."))
    roles = role_choices([role for role in ROLES if can_invite_with_role(user, role)])
    groups = [(g.id, g.name) for g in service.invitable_groups(user)]
    invite, link = InviteForm(prefix="invite"), InviteLinkForm(prefix="link")
    for form in (invite, link):
        form.role.choices = roles
        form.groups.choices = groups
    return invite, link


def _page(invite: InviteForm, link: InviteLinkForm, status: int = 200) -> ResponseReturnValue:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, has_next = service.list_invitations(current_user, page=page)
    pager = {"has_prev": page > 1, "has_next": has_next,
             "label": _("Page %(num)d", num=page) if page > 1 or has_next else "",
             "prev_url": url_for("auth.invitations", page=page - 1),
             "next_url": url_for("auth.invitations", page=page + 1)}  # fmt: skip
    return render_template("auth/invitations.html", invite=invite, link=link, invitations=rows, pager=pager,
                           action_form=FlaskForm(), now=utcnow()), status  # fmt: skip


def _read_lines(form: InviteForm) -> list[service.InviteLine]:
    lines = service.parse_pasted(form.emails.data or "")
    upload = form.csv_file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(CSV_MAX_BYTES + 1)
        if len(data) > CSV_MAX_BYTES:
            raise InvalidInput(_("That CSV file is too large (1 MB at most)."), field="csv_file")
        lines += service.parse_csv(data)
    return lines


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
@invite_per_member
def invitations() -> ResponseReturnValue:
    """Invite people by e-mail (one or many), and see the invitations you manage."""
    invite, link = _forms(current_user)
    if not invite.validate_on_submit():
        return _page(invite, link, 400 if invite.is_submitted() else 200)
    try:
        outcomes = service.invite_people(current_user, _read_lines(invite), role=invite.role.data,
                                         group_ids=invite.groups.data, note=invite.note.data or "")  # fmt: skip
    except InvalidInput as error:
        show_error(invite, error)
        return _page(invite, link, 400)
    return render_template("auth/invite_report.html", outcomes=outcomes)


@bp.post("/invitations/link")
@login_required
@invite_per_member
def create_invite_link() -> ResponseReturnValue:
    """Create a cohort invitation link (shown once)."""
    invite, link = _forms(current_user)
    if not link.validate_on_submit():
        return _page(invite, link, 400)
    try:
        invitation, url = service.create_link(
            current_user, role=link.role.data, days=link.days.data, max_uses=link.max_uses.data,
            group_ids=link.groups.data, needs_approval=link.needs_approval.data,
        )  # fmt: skip
    except InvalidInput as error:
        show_error(link, error)
        return _page(invite, link, 400)
    return render_template("auth/invite_link.html", invitation=invitation, url=url)


@bp.post("/invitations/<int:invitation_id>/resend")
@login_required
@invite_per_member
def resend_invitation(invitation_id: int) -> ResponseReturnValue:
    """Send a personal invitation again, with a fresh link."""
    invitation = access_invitation(current_user, invitation_id)
    if FlaskForm().validate_on_submit():
        service.resend(current_user, invitation)
        flash(_("Invitation sent again to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("auth.invitations"))


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    """Withdraw an invitation: its link stops working."""
    invitation = access_invitation(current_user, invitation_id)
    if FlaskForm().validate_on_submit():
        service.revoke(current_user, invitation)
        flash(_("Invitation withdrawn: its link no longer works."), "success")
    return redirect(url_for("auth.invitations"))


@bp.route("/join/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    """Create your account through an invitation (personal or a cohort link)."""
    if current_user.is_authenticated:
        flash(_("You're already signed in. To join with another account, sign out first."), "info")
        return redirect(url_for("feed.home"))
    try:
        invite = service.open_invitation(token)
    except (InvitationClosed, NotFound) as error:
        return render_template("auth/invitation_closed.html", error=error), error.status
    form = RegisterForm(display_name=invite.name)
    form.email.flags.required = invite.is_link  # a cohort link asks for the address (the service checks it)
    if form.validate_on_submit():
        problem = form.human_error()
        if problem is not None:
            form.form_errors.append(problem)
        else:
            try:
                user = service.register(token, display_name=form.display_name.data, handle=form.handle.data,
                                        password=form.password.data, email=form.email.data or "")  # fmt: skip
            except InvitationClosed as error:
                return render_template("auth/invitation_closed.html", error=error), error.status
            except InvalidInput as error:
                show_error(form, error)
            else:
                if user.state == "unconfirmed":  # a cohort link: the address is confirmed first
                    remember_waiting(user)
                    return redirect(url_for("auth.confirm_pending"))
                sign_member_in(user)
                if user.state == "pending":
                    return redirect(url_for("auth.holding"))
                flash(_("Welcome, %(name)s! You're in.", name=user.display_name), "success")
                return redirect(url_for("feed.home"))
    form.stamp()
    return render_template("auth/register.html", form=form, invitation=invite), 400 if form.is_submitted() else 200
