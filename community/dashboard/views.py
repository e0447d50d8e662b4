"""The facilitator's dashboard, its CSV, nudges to quiet members, and a member's participation."""

from __future__ import annotations

import csv
import io

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from community.dashboard import bp
from community.dashboard.charts import SERIES, phone_chart, weekly_chart
from community.errors import DomainError, NotFound
from community.extensions import db
from community.models import User
from community.permissions import can_view_dashboard
from community.services import calendar, cpd, unit_figures
from community.services import dashboard as figures
from community.services.nudges import DEFAULT_NUDGE, send_nudge


class NudgeForm(FlaskForm):
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=500)], default=DEFAULT_NUDGE)


def _scope() -> figures.Scope:
    if not can_view_dashboard(current_user):
        raise NotFound()
    return figures.make_scope(current_user, request.args.get("group") or None, request.args.get("period", "30"))


@bp.get("/")
def index() -> ResponseReturnValue:
    """Needs attention, engagement, peer support and quiet members, for the chosen groups and period."""
    scope = _scope()
    found = _figures(scope)
    all_quiet = request.args.get("quiet") == "all"
    return render_template(
        "dashboard/index.html",
        scope=scope,
        groups=scope.available,
        periods=figures.PERIODS,
        attention=figures.needs_attention(current_user, scope),
        weeks=found.weeks,
        chart=weekly_chart(found.weeks),
        narrow_chart=phone_chart(found.weeks),
        series=SERIES,
        share=found.participation,
        peers=found.peers,
        quiet=figures.load_members(found.quiet if all_quiet else found.quiet[: figures.QUIET_SHOWN]),
        quiet_total=len(found.quiet),
        all_quiet=all_quiet,
        computed_at=found.computed_at,
        cache_seconds=current_app.config["DASHBOARD_CACHE_SECONDS"],
        nudge_form=NudgeForm(),
        sessions=calendar.coming_sessions(current_user, scope.group_ids),
        cpd_shared=cpd.logs_shared_with(current_user),
    )


def _figures(scope: figures.Scope) -> figures.Figures:
    return figures.figures(scope, ttl=current_app.config["DASHBOARD_CACHE_SECONDS"])


@bp.get("/figures.csv")
def figures_csv() -> ResponseReturnValue:
    """The dashboard's figures as CSV (the same numbers as the page)."""
    scope = _scope()
    found = _figures(scope)
    weeks, share, peers = found.weeks, found.participation, found.peers
    out = io.StringIO()
    writer = csv.writer(out)
    # Headings in the facilitator's language: the file is read in a spreadsheet, not parsed by a program.
    writer.writerow([_("week starting"), _("discussions"), _("replies"), _("questions"), _("answers"), _("blog posts"),
                     _("comments"), _("active members")])  # fmt: skip
    for w in weeks:
        writer.writerow([w.start.date().isoformat(), w.discussions, w.replies, w.questions, w.answers, w.blog_posts,
                         w.comments, w.active_members])  # fmt: skip
    writer.writerow([])
    writer.writerow([_("figure"), _("value")])
    writer.writerow([_("participants"), share.members])
    writer.writerow([_("participants who posted"), share.posted])
    writer.writerow([_("questions asked"), peers.questions])
    writer.writerow([_("questions answered"), peers.answered])
    writer.writerow([_("first answers from a peer"), peers.first_by_peer])
    writer.writerow([_("accepted answers"), peers.accepted])
    writer.writerow([_("accepted answers from a peer"), peers.accepted_from_peer])
    median = "" if peers.median_hours is None else f"{peers.median_hours:.1f}"
    writer.writerow([_("median hours to first answer"), median])
    name = "community" if scope.whole_community else "-".join(g.slug for g in scope.groups)[:80] or "groups"
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="dashboard-{name}-{scope.period}.csv"'
    return response


@bp.post("/nudge/<handle>")
def nudge(handle: str) -> ResponseReturnValue:
    """Send a quiet member a friendly note (a notification, e-mailed as they prefer)."""
    if not can_view_dashboard(current_user):
        raise NotFound()
    member = db.session.scalar(select(User).where(User.handle == handle.lower()))
    if member is None:
        raise NotFound()
    form = NudgeForm()
    back = url_for("dashboard.index", group=request.args.get("group"), period=request.args.get("period"))
    if not form.validate_on_submit():
        flash(_("Please write a short message."), "error")
        return redirect(back), 303
    try:
        send_nudge(current_user, member, form.message.data)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(back), 303
    flash(_("Your note is on its way to %(name)s.", name=member.display_name), "success")
    return redirect(back)


@bp.get("/participation/<handle>")
def participation(handle: str) -> ResponseReturnValue:
    """'My participation': for the member, admins and facilitators of one of their groups."""
    from community.permissions import can_view_participation

    member = db.session.scalar(select(User).where(User.handle == handle.lower(), User.state != "deleted"))
    if member is None:
        raise NotFound()
    from community.services.nudges import facilitates_member

    shared = facilitates_member(current_user, member)
    if not can_view_participation(current_user, member, shared):
        raise NotFound()
    return render_template("dashboard/participation.html", member=member,
                           mine=figures.my_participation(member, current_user),
                           record=cpd.learning_record(member, current_user))  # fmt: skip


@bp.get("/units")
def units() -> ResponseReturnValue:
    """Per unit: questions asked, unanswered, median time to a first answer, peer-answer rate (chart, table)."""
    scope = _scope()
    rows = unit_figures.unit_rows(scope)
    return render_template("dashboard/units.html", scope=scope, groups=scope.available, periods=figures.PERIODS,
                           rows=rows, bars=unit_figures.unit_bars(rows), chart=unit_figures)  # fmt: skip


@bp.get("/units.csv")
def units_csv() -> ResponseReturnValue:
    """The per-unit figures as CSV (the same numbers as the page)."""
    scope = _scope()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("programme"), _("unit"), _("title"), _("questions asked"), _("unanswered"),
                     _("median hours to first answer"), _("first answers from a peer (%)")])  # fmt: skip
    for row in unit_figures.unit_rows(scope):
        median = "" if row.median_hours is None else f"{row.median_hours:.1f}"
        rate = "" if row.peer_rate is None else f"{row.peer_rate * 100:.0f}"
        writer.writerow([row.unit.programme.name, row.unit.code, row.unit.title, row.asked, row.unanswered, median,
                         rate])  # fmt: skip
    name = "community" if scope.whole_community else "-".join(g.slug for g in scope.groups)[:80] or "groups"
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="units-{name}-{scope.period}.csv"'
    return response
