"""Reporting, the moderation queue and its actions, muting and blocking."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from community.admin.forms import ReasonForm as AdminReasonForm
from community.errors import DomainError, NotFound
from community.extensions import db
from community.models import REPORT_REASONS, User
from community.moderation import bp
from community.moderation.forms import ReasonForm, ReportForm, SpamWaveForm, WarnForm
from community.permissions import (
    access_post,
    can_approve_post,
    can_reject_post,
    can_report_member,
    can_report_post,
    can_undelete_post,
    can_view_moderation_queue,
    require,
)
from community.security import safe_next
from community.services import moderation, review


@bp.record_once
def _register_review_counts(state: object) -> None:
    """The header's review count (base.html) reads from this provider."""
    state.app.extensions["community.review_counts"] = review.counts  # type: ignore[attr-defined]


def _post_url(post: object, topic: object) -> str:
    from community.templating import topic_url

    return topic_url(topic, post) or url_for("feed.home")


@bp.route("/report/post/<int:post_id>", methods=["GET", "POST"])
def report_post(post_id: int) -> ResponseReturnValue:
    """Report a post to the moderators."""
    post = access_post(current_user, post_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_post(current_user, post, post.topic, form.reason.data, form.text.data or "")
        except DomainError as error:
            form.form_errors.append(error.message)
            return render_template("moderation/report.html", form=form, post=post, member=None), error.status
        flash(_("Thank you. Your report was received and the moderators will look at it."), "success")
        return redirect(_post_url(post, post.topic))
    require(can_report_post(current_user, post, post.topic), _("You can't report this post."))
    status = 400 if form.is_submitted() else 200
    return render_template("moderation/report.html", form=form, post=post, member=None), status


@bp.route("/report/member/<handle>", methods=["GET", "POST"])
def report_member(handle: str) -> ResponseReturnValue:
    """Report a member's profile to the community manager."""
    member = _member(handle)
    require(can_report_member(current_user, member), _("You can't report this member."))
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_member(current_user, member, form.reason.data, form.text.data or "")
        except DomainError as error:
            form.form_errors.append(error.message)
            return render_template("moderation/report.html", form=form, post=None, member=member), error.status
        flash(_("Thank you. Your report was received and the community manager will look at it."), "success")
        return redirect(url_for("members.profile", handle=member.handle))
    status = 400 if form.is_submitted() else 200
    return render_template("moderation/report.html", form=form, post=None, member=member), status


TABS = ("open", "held", "members", "requests", "resolved", "dismissed")


@bp.get("/")
def queue() -> ResponseReturnValue:
    """The review queue: reports and held posts from the groups I moderate, people waiting to be let in (the
    community manager) and requests to join my groups; "open" shows everything waiting."""
    if not can_view_moderation_queue(current_user):
        raise NotFound()
    status = request.args.get("status", "open")
    if status not in TABS:
        status = "open"
    before = request.args.get("before", type=int)
    reports: list[Any] = []
    if status in ("open", "held", "resolved", "dismissed"):
        automatic = True if status == "held" else None
        reports = moderation.queue(current_user, status="open" if status == "held" else status, limit=31,
                                   before_id=before, automatic=automatic)  # fmt: skip
    has_more = len(reports) > 30
    everything = status == "open" and before is None
    return render_template(
        "moderation/queue.html",
        reports=reports[:30],
        status=status,
        reasons=REPORT_REASONS,
        has_more=has_more,
        reason_form=ReasonForm(),
        warn_form=WarnForm(),
        wave_form=SpamWaveForm(),
        pending_members=review.pending_members(current_user) if everything or status == "members" else [],
        approve_form=AdminReasonForm(),
        join_requests=review.join_requests(current_user) if everything or status == "requests" else [],
    )


ACTIONS = {
    "dismiss": lambda actor, report, form: moderation.dismiss(actor, report, form.get("reason", "")),
    "hide": lambda actor, report, form: moderation.hide_reported(actor, report, form.get("reason", "")),
    "delete": lambda actor, report, form: moderation.delete_reported(actor, report, form.get("reason", "")),
    "lock": lambda actor, report, form: moderation.lock_reported(actor, report, form.get("reason", "")),
    "approve": lambda actor, report, form: moderation.approve_held(actor, report),
    "reject": lambda actor, report, form: moderation.reject_held(actor, report, form.get("reason", "")),
    "warn": lambda actor, report, form: moderation.warn_author(actor, report, form.get("message", "")),
}
DONE = {
    "dismiss": _l("Report dismissed."),
    "hide": _l("The post is hidden; its author sees why."),
    "delete": _l("The post is deleted."),
    "lock": _l("The discussion is locked."),
    "approve": _l("Approved: it is now visible, and its author is told."),
    "reject": _l("Rejected: its author sees your reason."),
    "warn": _l("Your message was sent to the author."),
}


@bp.post("/reports/<int:report_id>/<action>")
def act(report_id: int, action: str) -> ResponseReturnValue:
    """One action on a report, from the queue."""
    report = moderation.access_report(current_user, report_id)
    handler = ACTIONS.get(action)
    form = FlaskForm()
    if handler is None:
        raise NotFound()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("moderation.queue")), 303
    try:
        handler(current_user, report, request.form)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(url_for("moderation.queue")), 303
    flash(str(DONE[action]), "success")
    return redirect(safe_next(request.form.get("next"), url_for("moderation.queue")))


POST_ACTIONS = {
    "approve": (can_approve_post, lambda actor, post, form: moderation.approve_post(actor, post, post.topic)),
    "reject": (can_reject_post,
               lambda actor, post, form: moderation.reject_post(actor, post, post.topic, form.get("reason", ""))),
    "undelete": (can_undelete_post, lambda actor, post, form: moderation.undelete_post(actor, post, post.topic)),
}
POST_DONE = {
    "approve": _l("Approved: it is now visible, and its author is told."),
    "reject": _l("Rejected: its author sees your reason."),
    "undelete": _l("The post is restored, and its author is told."),
}


@bp.post("/posts/<int:post_id>/<any(approve, reject, undelete):action>")
def decide(post_id: int, action: str) -> ResponseReturnValue:
    """Approve or reject a held post, or restore a deleted one (its moderators), from the queue or the thread."""
    post = access_post(current_user, post_id)
    allowed, handler = POST_ACTIONS[action]
    require(allowed(current_user, post, post.topic), _("Only the moderators of this place can do that."))
    back = safe_next(request.form.get("next"), _post_url(post, post.topic))
    if not FlaskForm().validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(back), 303
    try:
        handler(current_user, post, request.form)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(back), 303
    flash(str(POST_DONE[action]), "success")
    return redirect(back)


@bp.post("/posts/<int:post_id>/purge")
def purge(post_id: int) -> ResponseReturnValue:
    """Destroy a hidden or deleted post's text and history for good (the community manager)."""
    post = access_post(current_user, post_id)
    if not FlaskForm().validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("moderation.queue")), 303
    moderation.purge_post(current_user, post)
    flash(_("The post's text and its history are deleted for good."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("moderation.queue", status="resolved")))


@bp.post("/members/<handle>/spam-wave")
def spam_wave(handle: str) -> ResponseReturnValue:
    """Suspend a member and hide everything they posted (admins)."""
    member = _member(handle)
    form = SpamWaveForm()
    back = safe_next(request.form.get("next"), url_for("moderation.queue"))
    if not form.validate_on_submit():
        flash(_("Please give a reason for the suspension."), "error")
        return redirect(back), 303
    until = datetime.combine(form.until.data, time(0, 0), tzinfo=UTC) if form.until.data else None
    try:
        if form.hide_everything.data:
            hidden = moderation.spam_wave(current_user, member, until=until, reason=form.reason.data)
            flash(ngettext("%(name)s is suspended and %(num)d of their posts is hidden.",
                           "%(name)s is suspended and %(num)d of their posts are hidden.", hidden,
                           name=member.display_name), "success")  # fmt: skip
        else:
            from community.services.admin import suspend_member

            suspend_member(current_user, member, until, form.reason.data)
            flash(_("%(name)s is suspended.", name=member.display_name), "success")
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
    return redirect(back)


@bp.post("/members/<handle>/<kind>")
def relation(handle: str, kind: str) -> ResponseReturnValue:
    """Mute or block a member (or undo it)."""
    if kind not in ("mute", "unmute", "block", "unblock"):
        raise NotFound()
    member = _member(handle)
    form = FlaskForm()
    if form.validate_on_submit():
        on = not kind.startswith("un")
        try:
            moderation.set_relation(current_user, member, kind.removeprefix("un"), on)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("members.profile", handle=member.handle))
        name = member.display_name
        messages = {
            "mute": lambda: _("%(name)s is muted: their posts are collapsed and you get no notifications from them.",
                              name=name),
            "unmute": lambda: _("You see %(name)s's posts again.", name=name),
            "block": lambda: _("%(name)s is blocked: they can no longer mention you, and you get no notifications "
                               "from them.", name=name),
            "unblock": lambda: _("%(name)s is no longer blocked.", name=name),
        }
        flash(messages[kind](), "success")
    return redirect(url_for("members.profile", handle=member.handle))


def _member(handle: str) -> User:
    member = db.session.scalar(select(User).where(User.handle == handle.lower(), User.state != "deleted"))
    if member is None or not current_user.is_authenticated:
        raise NotFound("No such member.")
    return member
