"""Views of the cpd blueprint. Each parses its form, loads through ``access_cpd_log`` or ``access_cpd_entry``
and calls one service; the services own the rules and the transaction."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from community.cpd import bp
from community.cpd.forms import ActionForm, EntryForm, ShareForm
from community.errors import DomainError, NotFound
from community.i18n import local_date
from community.models import CpdEntry, User, utcnow
from community.permissions import access_cpd_log, is_member
from community.services import cpd
from community.services.cpd import export


def _own() -> None:
    if not is_member(current_user):
        raise NotFound()


def _period() -> tuple[date | None, date | None, str | None]:
    """The ``from`` and ``to`` query args as dates (either may be empty), and an error message if bad."""
    found: list[date | None] = []
    for name in ("from", "to"):
        raw = (request.args.get(name) or "").strip()
        try:
            day = date.fromisoformat(raw) if raw else None
            if day is not None and not 1900 <= day.year <= 2999:
                raise ValueError(raw)
            found.append(day)
        except ValueError:
            return None, None, _("Please give the dates as year-month-day, for example 2026-01-31.")
    start, end = found
    if start and end and start > end:
        return None, None, _("The period must start before it ends.")
    return start, end, None


def _entry_fields(form: EntryForm) -> cpd.EntryFields:
    return cpd.EntryFields(done_on=form.done_on.data, title=form.title.data or "", learned=form.learned.data or "",
                           apply=form.apply.data or "", hours=form.hours.data or "",
                           links=list(form.links.data or []))  # fmt: skip


def _show_log(owner: User, status: int = 200, error: str | None = None) -> ResponseReturnValue:
    start, end, bad = _period()
    log = cpd.cpd_log(owner, start, end)
    mine = owner.id == current_user.id
    shared = cpd.logs_shared_with(current_user) if mine else []
    page = render_template("cpd/log.html", log=log, mine=mine, period_error=error or bad, action_form=ActionForm(),
                           visible_links=cpd.visible_links, shared=shared)  # fmt: skip
    return page, 400 if bad else status


@bp.get("/")
def log() -> ResponseReturnValue:
    """My CPD log: entries, hours per year, exports; and the logs facilitators' members share with me."""
    _own()
    return _show_log(current_user)


@bp.get("/members/<handle>")
def member_log(handle: str) -> ResponseReturnValue:
    """A member's CPD log, for a facilitator they shared it with (404 for anyone else, admins included)."""
    owner = access_cpd_log(current_user, handle)
    if owner.id == current_user.id:
        return redirect(url_for("cpd.log"))
    return _show_log(owner)


def _edit(entry: CpdEntry | None = None) -> ResponseReturnValue:
    form = EntryForm(obj=entry)
    form.links.choices = [(c.value, c.label) for c in cpd.link_choices(current_user)]
    if entry is not None:  # an entry's older links stay offered (the list holds the latest contributions)
        offered = {value for value, _label in form.links.choices}
        for link in entry.links:
            value = f"post:{link.post_id}" if link.post_id else f"event:{link.event_id}"
            if value not in offered:
                topic = link.post.topic if link.post is not None else link.event.topic
                form.links.choices.append((value, topic.title))
    if request.method == "GET":
        if entry is None:
            form.done_on.data = local_date(utcnow())
        else:
            form.hours.data = export.hours_text(entry.hours_hundredths) if entry.hours_hundredths else ""
            form.links.data = [f"post:{link.post_id}" if link.post_id else f"event:{link.event_id}"
                               for link in entry.links]  # fmt: skip
        return render_template("cpd/edit.html", form=form, entry=entry)
    if form.validate_on_submit():
        try:
            if entry is None:
                cpd.create_entry(current_user, _entry_fields(form))
                flash(_("Your entry is in your CPD log."), "success")
            else:
                cpd.update_entry(current_user, entry, _entry_fields(form))
                flash(_("Your entry is saved."), "success")
            return redirect(url_for("cpd.log"))
        except DomainError as error:
            if error.status == 404:
                raise
            field = getattr(form, error.field or "title", None) or form.title
            field.errors = [*field.errors, error.message]
            status = error.status
    else:
        status = 400
    return render_template("cpd/edit.html", form=form, entry=entry), status


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """Write a new entry in my CPD log."""
    _own()
    return _edit()


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
def edit(entry_id: int) -> ResponseReturnValue:
    """Change one of my entries."""
    _own()
    return _edit(cpd.access_cpd_entry(current_user, entry_id))


@bp.post("/<int:entry_id>/delete")
def delete(entry_id: int) -> ResponseReturnValue:
    """Delete one of my entries."""
    _own()
    entry = cpd.access_cpd_entry(current_user, entry_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("cpd.log")), 303
    cpd.delete_entry(current_user, entry)
    flash(_("The entry is deleted."), "success")
    return redirect(url_for("cpd.log"))


@bp.get("/sharing")
def sharing() -> ResponseReturnValue:
    """Whom I share my CPD log with: the facilitators of my groups, each shared or not."""
    _own()
    facilitators, shared = cpd.shares_of(current_user)
    return render_template("cpd/sharing.html", facilitators=facilitators, shared=shared, form=ShareForm())


@bp.post("/sharing/<action>")
def change_sharing(action: str) -> ResponseReturnValue:
    """Share my log with a facilitator, or stop."""
    _own()
    if action not in ("share", "revoke"):
        raise NotFound()
    form = ShareForm()
    raw = (form.facilitator.data or "").strip()
    if not form.validate_on_submit() or not raw.isdigit():
        flash(_("Please choose a facilitator of one of your groups."), "error")
        return redirect(url_for("cpd.sharing")), 303
    try:
        if action == "share":
            cpd.share_log(current_user, int(raw))
            flash(_("Your facilitator can now read your CPD log."), "success")
        else:
            cpd.revoke_share(current_user, int(raw))
            flash(_("You no longer share your CPD log with them."), "success")
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("cpd.sharing")), 303
    return redirect(url_for("cpd.sharing"))


def _export(fmt: str) -> ResponseReturnValue:
    _own()
    start, end, bad = _period()
    if bad:
        return _show_log(current_user, 400, bad)
    log = cpd.cpd_log(current_user, start, end)
    record = cpd.learning_record(current_user, current_user, start, end)
    stem = f"cpd-{current_user.handle}-{(start or '').__str__() or 'start'}-{(end or '').__str__() or 'today'}"
    if fmt == "csv":
        response = Response(export.log_csv(log, record), mimetype="text/csv")
    else:
        response = Response(export.log_pdf(log, record, local_date(utcnow())), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@bp.get("/export.pdf")
def export_pdf() -> ResponseReturnValue:
    """My CPD log and learning record as a PDF, for a period (``from``, ``to``)."""
    return _export("pdf")


@bp.get("/export.csv")
def export_csv() -> ResponseReturnValue:
    """My CPD log and learning record as CSV, for a period (``from``, ``to``)."""
    return _export("csv")
