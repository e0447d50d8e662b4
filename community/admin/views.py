"""Views of the admin area. Everyone but admins gets a 404: the pages don't exist for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from community.admin import bp
from community.admin.audit_text import action_label, audit_sentence, settings_changes
from community.admin.forms import (
    AuditFilterForm,
    DeclineForm,
    DeleteMemberForm,
    ReactivateForm,
    ReasonForm,
    RoleForm,
    SettingsForm,
    SuspendForm,
)
from community.errors import DomainError
from community.i18n import language_choices, timezone_names
from community.members.forms import show_error
from community.models import ROLE_LABELS, STATES
from community.permissions import access_admin_area, access_member_for_admin
from community.security import safe_next
from community.services import admin as service
from community.services import confirmations, moderation
from community.services.account_data import deletion, member_csv
from community.services.members import page_number
from community.services.settings import DEFAULTS, all_settings
from community.services.site import configured_base_url

bp.add_app_template_global(audit_sentence, "audit_sentence")
bp.add_app_template_global(settings_changes, "audit_settings_changes")


@bp.before_request
def _admins_only() -> None:
    """The whole blueprint is for admins; anyone else sees a plain 404."""
    access_admin_area(current_user)


@bp.get("")
def index() -> ResponseReturnValue:
    """Overview: members by state, who waits for approval, the latest audit events."""
    return render_template("admin/index.html", **service.overview(), form=ReasonForm())


@bp.get("/members")
def members() -> ResponseReturnValue:
    """Every member, filtered by state, role and a search, a page at a time."""
    args = {k: request.args.get(k, "").strip() for k in ("state", "role", "q")}
    page = service.members_page(**args, page=page_number(request.args.get("page")))
    page.with_links(lambda n: url_for(".members", **{k: v for k, v in args.items() if v}, page=n))
    return render_template("admin/members.html", page=page, args=args, states=STATES, roles=ROLE_LABELS,
                           form=ReasonForm())  # fmt: skip


def _member_page(member: Any, status: int = 200, **forms: Any) -> ResponseReturnValue:
    forms.setdefault("reason_form", ReasonForm())
    forms.setdefault("suspend_form", SuspendForm())
    forms.setdefault("role_form", RoleForm(role=member.role))
    forms.setdefault("decline_form", DeclineForm())
    forms.setdefault("reactivate_form", ReactivateForm())
    forms.setdefault("delete_form", DeleteMemberForm())
    events = service.audit_for(member)
    # The latest spam wave among the events shown (no query): reactivating offers to restore what it hid.
    wave = next((moderation.wave_of(e) for e in events if e.action == "member.hide_all"), None)
    removal_due = confirmations.removal_due(member) if member.state == "unconfirmed" else None
    return render_template("admin/member.html", member=member, events=events, wave=wave, removal_due=removal_due,
                           grace_days=deletion.GRACE_DAYS, **forms), status  # fmt: skip


@bp.get("/members/<int:member_id>")
def member(member_id: int) -> ResponseReturnValue:
    """One member: their state and role, the actions on them, and what the audit log says about them."""
    return _member_page(access_member_for_admin(current_user, member_id))


def _act(member_id: int, form_name: str, form: Any, action: Any, done: Callable[[Any], str]) -> ResponseReturnValue:
    """Run an admin action from a posted form (``done(member)`` says what happened); on bad input re-render the
    member page with 4xx."""
    member = access_member_for_admin(current_user, member_id)
    if form.validate_on_submit():
        try:
            action(member, form)
        except DomainError as error:
            # A field's error goes next to it; others (a conflict) at the top, where they are always seen.
            if error.field and error.field in form._fields:
                show_error(form, error)
                return _member_page(member, error.status, **{form_name: form})
            return _member_page(member, error.status, alert=error.message)
        flash(done(member), "success")
        return redirect(safe_next(request.form.get("next"), url_for(".member", member_id=member.id)))
    return _member_page(member, 400, **{form_name: form})


@bp.post("/members/<int:member_id>/delete-account")
def delete_account(member_id: int) -> ResponseReturnValue:
    """Delete a member's account after the grace period, audited (signing in cancels, as for their own)."""
    return _act(member_id, "delete_form", DeleteMemberForm(),
                lambda m, f: deletion.schedule_deletion_for(current_user, m, f.posts.data != "remove",
                                                            f.reason.data or ""),
                lambda m: _("The account of %(name)s will be erased in %(num)d days unless they sign in.",
                            name=m.display_name, num=deletion.GRACE_DAYS))  # fmt: skip


@bp.get("/members.csv")
def members_csv() -> ResponseReturnValue:
    """The member list as a CSV file, streamed (and the copy noted in the audit log)."""
    member_csv.record_member_export(current_user)
    response = Response(member_csv.member_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="members.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/members/<int:member_id>/approve")
def approve(member_id: int) -> ResponseReturnValue:
    """Let a pending member in (they get an e-mail)."""
    return _act(member_id, "reason_form", ReasonForm(),
                lambda m, f: service.approve_member(current_user, m, f.reason.data or ""),
                lambda m: _("%(name)s is approved and has been sent a welcome e-mail.",
                            name=m.display_name))  # fmt: skip


@bp.post("/members/<int:member_id>/decline")
def decline(member_id: int) -> ResponseReturnValue:
    """Turn down someone waiting for approval (they get an e-mail, with the reason if one is given)."""
    member = access_member_for_admin(current_user, member_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            service.decline_member(current_user, member, form.reason.data or "")
        except DomainError as error:
            return _member_page(member, error.status, alert=error.message)
        flash(_("%(name)s is declined and has been told by e-mail.", name=member.display_name), "success")
        return redirect(safe_next(request.form.get("next"), url_for(".index")))
    return _member_page(member, 400, decline_form=form)


@bp.post("/members/<int:member_id>/suspend")
def suspend(member_id: int) -> ResponseReturnValue:
    """Suspend a member until a date or indefinitely; their sessions end."""
    hidden: list[int] = []

    def do(member: Any, form: Any) -> None:
        until = service.suspension_end(form.until.data)
        if form.hide_everything.data:
            hidden.append(moderation.spam_wave(current_user, member, until=until, reason=form.reason.data or ""))
        else:
            service.suspend_member(current_user, member, until, form.reason.data)

    def done(member: Any) -> str:
        if hidden:
            return ngettext("%(name)s is suspended and %(num)d of their posts is hidden.",
                            "%(name)s is suspended and %(num)d of their posts are hidden.", hidden[0],
                            name=member.display_name)  # fmt: skip
        return _("%(name)s is suspended and has been signed out.", name=member.display_name)

    return _act(member_id, "suspend_form", SuspendForm(), do, done)


@bp.post("/members/<int:member_id>/reactivate")
def reactivate(member_id: int) -> ResponseReturnValue:
    """Lift a suspension."""
    return _act(member_id, "reactivate_form", ReactivateForm(),
                lambda m, f: service.reactivate_member(current_user, m, f.reason.data or "",
                                                       restore_content=bool(f.restore_content.data)),
                lambda m: _("%(name)s can take part again.", name=m.display_name))  # fmt: skip


@bp.post("/members/<int:member_id>/role")
def role(member_id: int) -> ResponseReturnValue:
    """Change a member's community role."""
    return _act(member_id, "role_form", RoleForm(),
                lambda m, f: service.change_role(current_user, m, f.role.data, f.reason.data or ""),
                lambda m: _("%(name)s's role is changed.", name=m.display_name))  # fmt: skip


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    """The audit log: who did what, to whom, why and when; filtered and paged."""
    form = AuditFilterForm(request.args)
    actions = sorted(service.audit_actions(), key=lambda a: action_label(a).lower())
    form.action.choices = [SelectChoice("", _("Any action")), *(SelectChoice(a, action_label(a)) for a in actions)]
    valid = form.validate()
    filters = {"actor": form.actor.data or "", "action": form.action.data or "",
               "since": form.since.data, "until": form.until.data} if valid else {}  # fmt: skip
    page = service.audit_page(**filters, page=page_number(request.args.get("page")))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    page.with_links(lambda n: url_for(".audit", **args, page=n))
    return render_template("admin/audit.html", form=form, page=page), 200 if valid else 400


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> ResponseReturnValue:
    """The community's settings: name, welcome text, joining, groups, moderation and blocklists."""
    values = all_settings()
    form = SettingsForm(data={**values, "blocked_words": "\n".join(values["blocked_words"]),
                              "blocked_domains": "\n".join(values["blocked_domains"])})  # fmt: skip
    form.default_language.choices = language_choices()
    form.default_timezone.choices = [(name, name.replace("_", " ")) for name in timezone_names()]
    configured_address = configured_base_url()
    if configured_address:
        del form.base_url  # the server's configuration (COMMUNITY_BASE_URL) decides it
    if form.validate_on_submit():
        try:
            service.save_settings(current_user, {key: form[key].data for key in DEFAULTS if key in form})
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The settings are saved."), "success")
            return redirect(url_for(".settings"))
    return render_template("admin/settings.html", form=form, configured_address=configured_address), \
        400 if form.is_submitted() else 200  # fmt: skip
