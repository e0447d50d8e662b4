"""Views of the announcements blueprint. Each parses its form, loads through ``access_announcement`` (or
``access_group``) and calls one service; the services own the rules and the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from community.announcements import bp
from community.announcements.forms import ActionForm, AnnouncementForm
from community.errors import DomainError, InvalidInput
from community.i18n import to_local, to_utc
from community.models import Group, utcnow
from community.notices import flash_if_held
from community.permissions import (
    access_announcement,
    access_group,
    can_announce,
    can_edit_announcement,
    require,
)
from community.services import announcements as service
from community.services import reactions


def _form_error(form: Any, error: DomainError) -> None:
    """Show a service's message next to the field it names (or the text's)."""
    field = getattr(form, error.field or "body", None) or form.body
    field.errors = [*field.errors, error.message]


def _utc(value: datetime | None) -> datetime | None:
    return to_utc(value) if value is not None else None


def _fields(form: AnnouncementForm) -> service.AnnouncementFields:
    return service.AnnouncementFields(title=form.title.data or "", body=form.body.data or "",
                                      publish_at=_utc(form.publish_at.data),
                                      expires_at=_utc(form.expires_at.data))  # fmt: skip


def _back(default: str) -> str:
    """The form's ``next`` if it is a path on this site (never an open redirect), else ``default``."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def _where(form: AnnouncementForm, groups: list[Group]) -> Group | None:
    """The group the form names (None: the whole community); InvalidInput for one not offered."""
    chosen = (form.where.data or "").strip()
    if not chosen and can_announce(current_user, None):
        return None
    for group in groups:
        if str(group.id) == chosen:
            return group
    raise InvalidInput(_("Please choose one of the groups you can announce in."), field="where")


@bp.route("/announcements/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """Announce in one of the groups I facilitate (or to the whole community, for the community manager)."""
    groups = service.announceable_groups(current_user)
    if not groups and not can_announce(current_user, None):
        abort(403)
    form = AnnouncementForm()
    form.where.choices = [SelectChoice(str(g.id), g.name) for g in groups]
    if can_announce(current_user, None):
        form.where.choices.insert(0, SelectChoice("", _("The whole community")))
    if request.method == "GET":
        if request.args.get("group"):
            group = access_group(current_user, request.args["group"], content=True)
            require(can_announce(current_user, group), _("Only the group's facilitators can make announcements."))
            form.where.data = str(group.id)
        return render_template("announcements/edit.html", form=form, topic=None)
    if not form.validate_on_submit():
        return render_template("announcements/edit.html", form=form, topic=None), 400
    try:
        topic = service.announce(current_user, _where(form, groups), _fields(form),
                                 submission_key=form.submitted_key())  # fmt: skip
    except DomainError as error:
        _form_error(form, error)
        return render_template("announcements/edit.html", form=form, topic=None), error.status
    if topic.status == "scheduled":
        flash(_("Your announcement is scheduled: its members are told when it is published."), "success")
    elif not flash_if_held(topic):
        flash(_("Your announcement is published: its members are told now."), "success")
    return redirect(url_for("announcements.show", topic_id=topic.id))


@bp.get("/announcements/<int:topic_id>")
def show(topic_id: int) -> ResponseReturnValue:
    """An announcement's own page (expired or dismissed ones too), with how many have seen it for its staff."""
    topic, announcement, view = access_announcement(current_user, topic_id)
    opening, reach = service.announcement_page(current_user, topic, view)
    summary = reactions.summaries([opening.id], current_user)
    return render_template("announcements/show.html", topic=topic, announcement=announcement, opening=opening,
                           reach=reach, reactions=summary, dismissed=view is not None and view.dismissed_at,
                           form=ActionForm())  # fmt: skip


@bp.route("/announcements/<int:topic_id>/edit", methods=["GET", "POST"])
def edit(topic_id: int) -> ResponseReturnValue:
    """Change an announcement (nobody is told again)."""
    topic, announcement, _view = access_announcement(current_user, topic_id)
    require(can_edit_announcement(current_user, topic), _("You can't change this announcement."))
    opening = service.opening_of(topic)
    form = AnnouncementForm()
    if request.method == "GET":
        form.title.data, form.body.data, form.revision.data = topic.title, opening.body, str(opening.revision_count)
        form.publish_at.data = to_local(topic.publish_at).replace(tzinfo=None) if topic.publish_at else None
        form.expires_at.data = (
            to_local(announcement.expires_at).replace(tzinfo=None) if announcement.expires_at else None
        )
        return render_template("announcements/edit.html", form=form, topic=topic)
    if not form.validate_on_submit():
        return render_template("announcements/edit.html", form=form, topic=topic), 400
    base = int(form.revision.data) if (form.revision.data or "").isdigit() else None
    try:
        service.update_announcement(current_user, topic, announcement, opening, _fields(form), base_revision=base)
    except DomainError as error:
        _form_error(form, error)
        return render_template("announcements/edit.html", form=form, topic=topic), error.status
    flash(_("Your changes are saved. Nobody is told again."), "success")
    return redirect(url_for("announcements.show", topic_id=topic.id))


@bp.post("/announcements/<int:topic_id>/dismiss")
def dismiss(topic_id: int) -> ResponseReturnValue:
    """Take an announcement off the top of my home and group pages (a fetch from the page gets 204)."""
    topic, _announcement, _view = access_announcement(current_user, topic_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.dismiss(current_user, topic)
    if request.headers.get("X-Requested-With") == "fetch":
        return "", 204
    flash(_("Dismissed. You can still find it among the announcements."), "success")
    return redirect(_back(url_for("feed.home")))


@bp.post("/announcements/<int:topic_id>/withdraw")
def withdraw(topic_id: int) -> ResponseReturnValue:
    """Withdraw an announcement (its author or an admin)."""
    topic, _announcement, _view = access_announcement(current_user, topic_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.withdraw_announcement(current_user, topic)
    flash(_("The announcement is withdrawn."), "success")
    if topic.group is not None:
        return redirect(url_for("announcements.group_list", slug=topic.group.slug))
    return redirect(url_for("announcements.community_list"))


def _before() -> int | None:
    value = request.args.get("before", "")
    return int(value) if value.isdigit() and len(value) < 18 else None


@bp.get("/groups/<slug>/announcements")
def group_list(slug: str) -> ResponseReturnValue:
    """A group's announcements, newest first, past ones included."""
    group = access_group(current_user, slug, content=True)
    listing = service.group_announcements(current_user, group, before=_before())
    return render_template("announcements/list.html", group=group, listing=listing, now=utcnow())


@bp.get("/announcements")
def community_list() -> ResponseReturnValue:
    """The community-wide announcements, newest first, past ones included."""
    if not current_user.is_authenticated:
        abort(404)
    listing = service.group_announcements(current_user, None, before=_before())
    return render_template("announcements/list.html", group=None, listing=listing, now=utcnow())
