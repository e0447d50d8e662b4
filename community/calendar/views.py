"""Views of the calendar blueprint. Each parses its form, loads through ``access_event`` (or ``access_group``)
and calls one service; the services own the rules and the transaction."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from community.calendar import bp
from community.calendar.forms import ActionForm, CommentForm, EventForm, MoveForm, RsvpForm
from community.errors import DomainError, InvalidInput
from community.i18n import as_member, current_zone, local_date, timezone_names, zoneinfo_or_utc
from community.models import RSVP_ANSWERS, Event, Group, Topic, utcnow
from community.notices import flash_if_held
from community.permissions import access_event, access_group, can_create_event, can_edit_event, require
from community.services import calendar as cal
from community.services import programmes, site
from community.services.calendar import ics
from community.services.calendar.recurrence import describe_rule, form_choice
from community.services.drafts import discard_draft, draft_key

STAMP = "%Y%m%dT%H%M%SZ"


def _form_error(form: Any, error: DomainError, default_field: str = "body") -> None:
    """Show a service's message next to the field it names (or the form's main field)."""
    field = getattr(form, error.field or default_field, None) or getattr(form, default_field)
    field.errors = [*field.errors, error.message]


def _zone_choices() -> list[SelectChoice]:
    return [SelectChoice(name, name.replace("_", " ")) for name in timezone_names()]


def _to_utc(local: datetime | None, zone: str) -> datetime | None:
    return local.replace(tzinfo=zoneinfo_or_utc(zone)).astimezone(UTC) if local is not None else None


def _to_form(value: datetime, zone: str) -> datetime:
    return value.astimezone(zoneinfo_or_utc(zone)).replace(tzinfo=None)


def _domain() -> str:
    return urlsplit(site.base_url_or_none() or request.host_url).hostname or "localhost"


# --------------------------------------------------------------------------------------------------
# The month view


@bp.get("/")
def index() -> ResponseReturnValue:
    """The month's events the viewer may see, as a grid (a list on a phone), with the previous and next month."""
    group = access_group(current_user, request.args["group"], content=True) if request.args.get("group") else None
    first = cal.parse_month(request.args.get("month"), local_date(utcnow()))
    month = cal.month_view(current_user, first, group=group)
    # The community's staff schedule community-wide events; others only in a live group they facilitate.
    may_schedule = can_create_event(current_user, None) or (
        "facilitator" in current_user.group_roles.values() and bool(cal.schedulable_groups(current_user)))
    return render_template("calendar/index.html", month=month, group=group, may_schedule=may_schedule)


# --------------------------------------------------------------------------------------------------
# Scheduling and changing


def _fields(form: EventForm) -> cal.EventFields:
    """The event's fields from the form, times read in its zone; InvalidInput for a repeat without an end."""
    zone = (form.timezone.data or "").strip()
    starts_at = _to_utc(form.starts_at.data, zone)
    ends_at = _to_utc(form.ends_at.data, zone)
    assert starts_at is not None and ends_at is not None  # the validators required them
    if form.repeat.data == "custom":
        if not (form.rrule.data or "").strip():
            raise InvalidInput(_("Please write the rule, or choose another way to repeat."), field="rrule")
        rule = form.rrule.data.strip()
    else:
        if form.repeat_count.data is not None and form.repeat_count.data < 1:
            raise InvalidInput(_("The number of times is at least 1."), field="repeat_count")
        until = form.repeat_until.data
        until_utc = _to_utc(datetime.combine(until, time(23, 59, 59)), zone) if until else None
        rule = cal.build_rule(form.repeat.data or "none", count=form.repeat_count.data, until=until_utc)
    return cal.EventFields(title=form.title.data or "", body=form.body.data or "", starts_at=starts_at,
                           ends_at=ends_at, timezone=zone, location=form.location.data or "",
                           online_url=form.online_url.data or "", capacity=form.capacity.data,
                           rrule=rule)  # fmt: skip


def _where_choices(form: EventForm, groups: list[Group]) -> None:
    choices = [SelectChoice(str(g.id), g.name) for g in groups]
    if can_create_event(current_user, None):
        choices.insert(0, SelectChoice("", _("The whole community")))
    form.where.choices = choices
    form.timezone.choices = _zone_choices()
    units = {u.id: u for us in programmes.units_by_group(groups).values() for u in us}
    form.unit.choices = [SelectChoice("", _("No unit")), *(SelectChoice(str(u.id), u.label) for u in units.values())]


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """Schedule an event in one of the groups I facilitate (or community-wide, for the community's staff)."""
    groups = cal.schedulable_groups(current_user)
    if not groups and not can_create_event(current_user, None):
        abort(403)
    form = EventForm()
    _where_choices(form, groups)
    if request.method == "GET":
        form.timezone.data = current_zone().replace(" ", "_")
        if request.args.get("group"):
            group = access_group(current_user, request.args["group"], content=True)
            require(can_create_event(current_user, group), _("Only the group's facilitators can schedule events."))
            form.where.data = str(group.id)
        start = (datetime.now(zoneinfo_or_utc(form.timezone.data)) + timedelta(days=7)).replace(
            hour=18, minute=0, second=0, microsecond=0, tzinfo=None)
        form.starts_at.data, form.ends_at.data = start, start + timedelta(hours=1)
        return render_template("calendar/edit.html", form=form, topic=None)
    if not form.validate():
        return render_template("calendar/edit.html", form=form, topic=None), 400
    group = next((g for g in groups if str(g.id) == form.where.data), None)
    if group is None and form.where.data:
        form.where.errors = [_("Please choose one of the groups you facilitate.")]
        return render_template("calendar/edit.html", form=form, topic=None), 400
    try:
        topic = cal.schedule_event(current_user, group, _fields(form), unit_id=form.unit.data or None,
                                   submission_key=form.submitted_key())
    except InvalidInput as error:
        _form_error(form, error)
        return render_template("calendar/edit.html", form=form, topic=None), 400
    discard_draft(current_user, draft_key("new-event"))
    if not flash_if_held(topic):
        flash(_("The event is scheduled. Members can now answer whether they come."), "success")
    return redirect(url_for("calendar.event", topic_id=topic.id))


@bp.route("/<int:topic_id>/edit", methods=["GET", "POST"])
def edit(topic_id: int) -> ResponseReturnValue:
    """Change the event's text, time, place, places or recurrence; those who answered hear of a new time."""
    topic, event = access_event(current_user, topic_id)
    require(can_edit_event(current_user, topic), _("You can't change this event."))
    page = cal.event_page(current_user, topic, event)
    form = EventForm()
    form.where.choices = []
    form.timezone.choices = _zone_choices()
    if request.method == "GET":
        repeat, count, until = form_choice(event.rrule)
        form.title.data, form.body.data = topic.title, page.opening.body
        form.timezone.data = event.timezone
        form.starts_at.data = _to_form(event.starts_at, event.timezone)
        form.ends_at.data = _to_form(event.ends_at, event.timezone)
        form.location.data, form.online_url.data, form.capacity.data = event.location, event.online_url, event.capacity
        form.repeat.data, form.repeat_count.data = repeat, count
        form.repeat_until.data = _to_form(until, event.timezone).date() if until else None
        form.rrule.data = event.rrule if repeat == "custom" else ""
        form.revision.data = str(page.opening.revision_count)
        return render_template("calendar/edit.html", form=form, topic=topic)
    if not form.validate():
        return render_template("calendar/edit.html", form=form, topic=topic), 400
    base = int(form.revision.data) if (form.revision.data or "").isdigit() else None
    try:
        changed = cal.update_event(current_user, topic, event, page.opening, _fields(form), base_revision=base)
    except DomainError as error:
        _form_error(form, error)
        return render_template("calendar/edit.html", form=form, topic=topic), error.status
    discard_draft(current_user, draft_key("event", "topic", topic.id))
    flash(_("The event is changed; those who answered were told of the new time or place.") if changed
          else _("The event is changed."), "success")  # fmt: skip
    return redirect(url_for("calendar.event", topic_id=topic.id))


# --------------------------------------------------------------------------------------------------
# The event page and what members do there


def _event_page(topic: Topic, event: Event, status: int = 200, **forms: Any) -> ResponseReturnValue:
    page = cal.event_page(current_user, topic, event)
    now = utcnow()
    coming = [o for o in page.occurrences if o.end > now]
    rsvp_form = forms.pop("rsvp_form", None) or RsvpForm(formdata=None, answer=page.mine)
    return render_template("calendar/event.html", topic=topic, event=event, page=page, now=now, coming=coming,
                           next_occurrence=next((o for o in coming if not o.cancelled), None),
                           rsvp_form=rsvp_form, comment_form=forms.pop("comment_form", None) or CommentForm(),
                           action_form=ActionForm(), stamp=STAMP, **forms), status  # fmt: skip


@bp.get("/<int:topic_id>")
def event(topic_id: int) -> ResponseReturnValue:
    """The event: when and where, the answers, the description and the comments."""
    topic, event = access_event(current_user, topic_id)
    return _event_page(topic, event)


@bp.post("/<int:topic_id>/rsvp")
def rsvp(topic_id: int) -> ResponseReturnValue:
    """Answer going, maybe or not going (or change the answer)."""
    topic, event = access_event(current_user, topic_id)
    form = RsvpForm()
    try:
        if not form.validate():
            raise InvalidInput(" ".join(str(e) for e in form.answer.errors) or _("Please choose an answer."),
                               field="answer")  # fmt: skip
        answer = cal.answer_event(current_user, topic, event, form.answer.data)
    except InvalidInput as error:
        form.answer.errors = [error.message]
        return _event_page(topic, event, 400, rsvp_form=form)
    messages = {"going": _("See you there! You'll get a reminder the day before and an hour before."),
                "maybe": _("Noted as maybe. You'll get the reminders too."),
                "no": _("Thanks for letting the organisers know.")}  # fmt: skip
    flash(messages[answer], "success")
    return redirect(url_for("calendar.event", topic_id=topic.id))


@bp.post("/<int:topic_id>/comments")
def comment(topic_id: int) -> ResponseReturnValue:
    """Comment under the event."""
    topic, event = access_event(current_user, topic_id)
    form = CommentForm()
    try:
        if not form.validate():
            raise InvalidInput(" ".join(str(e) for e in form.body.errors), field="body")
        post = cal.comment_on_event(current_user, topic, form.body.data, submission_key=form.submitted_key())
    except InvalidInput as error:
        form.body.errors = [error.message]
        return _event_page(topic, event, 400, comment_form=form)
    discard_draft(current_user, draft_key("comment", "topic", topic.id))
    flash_if_held(post)
    return redirect(url_for("calendar.event", topic_id=topic.id, _anchor=f"post-{post.number}"))


@bp.post("/<int:topic_id>/cancel")
def cancel(topic_id: int) -> ResponseReturnValue:
    """Cancel the whole event (every date of a series)."""
    topic, event = access_event(current_user, topic_id)
    if ActionForm().validate_on_submit():
        cal.cancel_event(current_user, topic, event)
        flash(_("The event is cancelled; those who answered were told."), "success")
    return redirect(url_for("calendar.event", topic_id=topic.id))


def _occurrence_start(stamp: str) -> datetime:
    try:
        return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
    except ValueError:
        abort(404)


@bp.post("/<int:topic_id>/dates/<stamp>/cancel")
def cancel_date(topic_id: int, stamp: str) -> ResponseReturnValue:
    """Cancel one date of a series."""
    topic, event = access_event(current_user, topic_id)
    if ActionForm().validate_on_submit():
        cal.cancel_occurrence(current_user, topic, event, _occurrence_start(stamp))
        flash(_("That date is cancelled; those who answered were told."), "success")
    return redirect(url_for("calendar.event", topic_id=topic.id))


@bp.route("/<int:topic_id>/dates/<stamp>/move", methods=["GET", "POST"])
def move_date(topic_id: int, stamp: str) -> ResponseReturnValue:
    """Move one date of a series to another time (in the event's time zone)."""
    topic, event = access_event(current_user, topic_id)
    require(can_edit_event(current_user, topic), _("You can't change this event."))
    original = _occurrence_start(stamp)
    occurrence = next((o for o in cal.event_page(current_user, topic, event).occurrences
                       if o.original_start == original), None)  # fmt: skip
    if occurrence is None:
        abort(404)
    form = MoveForm()
    if request.method == "GET":
        form.starts_at.data = _to_form(occurrence.start, event.timezone)
        form.ends_at.data = _to_form(occurrence.end, event.timezone)
    elif form.validate():
        try:
            cal.move_occurrence(current_user, topic, event, original, _to_utc(form.starts_at.data, event.timezone),
                                _to_utc(form.ends_at.data, event.timezone))  # type: ignore[arg-type]  # fmt: skip
        except InvalidInput as error:
            _form_error(form, error, "starts_at")
        else:
            flash(_("That date is moved; those who answered were told."), "success")
            return redirect(url_for("calendar.event", topic_id=topic.id))
    status = 400 if request.method == "POST" else 200
    return render_template("calendar/move.html", form=form, topic=topic, event=event, occurrence=occurrence), status


# --------------------------------------------------------------------------------------------------
# iCalendar: the event's file and the member's feed


def _ics_response(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/<int:topic_id>.ics")
def event_ics(topic_id: int) -> ResponseReturnValue:
    """"Add to calendar": the event (with its series, cancelled and moved dates) as an .ics file."""
    topic, event = access_event(current_user, topic_id)
    page = cal.event_page(current_user, topic, event)
    calendar = ics.calendar(topic.title)
    base = site.base_url_or_none() or request.host_url.rstrip("/")
    ics.add_event(calendar, topic, event, page.exceptions, domain=_domain(),
                  url=base + url_for("calendar.event", topic_id=topic.id), description=page.opening.body)
    return _ics_response(ics.serialise(calendar), f"event-{topic.id}.ics")


@bp.get("/feed/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    """The member's private calendar feed (no session: the token is the key; a bad or revoked one is 404)."""
    member = cal.user_for_feed_token(token)
    rows = cal.feed_rows(member)
    texts = cal.opening_texts([t.id for t, _e in rows])
    with as_member(member):
        calendar = ics.calendar(_("%(community)s events", community=site.community_name()))
    domain = _domain()
    base = site.base_url_or_none() or request.host_url.rstrip("/")
    for topic, event in rows:
        ics.add_event(calendar, topic, event, list(event.exceptions), domain=domain,
                      url=base + url_for("calendar.event", topic_id=topic.id), description=texts.get(topic.id, ""))
    return _ics_response(ics.serialise(calendar))


def _subscribe_page(link: str | None = None) -> ResponseReturnValue:
    webcal = "webcal://" + link.split("://", 1)[1] if link else None
    return render_template("calendar/subscribe.html", form=ActionForm(), link=link, webcal=webcal,
                           has_link=link is not None or cal.has_feed_link(current_user))  # fmt: skip


@bp.get("/subscribe")
def subscribe() -> ResponseReturnValue:
    """The member's calendar link: what it is, and the buttons to make (or reset) and stop it."""
    return _subscribe_page()


@bp.post("/subscribe/reset")
def reset_link() -> ResponseReturnValue:
    """Make a new calendar link, shown this once (only its hash is kept); the old one stops working."""
    if not ActionForm().validate_on_submit():
        abort(400)
    token = cal.reset_feed_link(current_user)
    base = site.base_url_or_none() or request.host_url.rstrip("/")
    return _subscribe_page(base + url_for("calendar.feed", token=token))


@bp.post("/subscribe/stop")
def stop_link() -> ResponseReturnValue:
    """Stop the calendar link: calendars subscribed to it get nothing more."""
    if ActionForm().validate_on_submit():
        cal.stop_feed_link(current_user)
        flash(_("Your calendar link no longer works. Calendars subscribed to it stop updating."), "success")
    return redirect(url_for("calendar.subscribe"))


@bp.app_template_global()
def rule_summary(rule: str) -> str:
    """How an event repeats, in the reader's words (for the event page)."""
    return describe_rule(rule)


@bp.app_template_global()
def answers_label(answer: str) -> str:
    """Going / Maybe / Not going, in the reader's language."""
    return str(RSVP_ANSWERS.get(answer, answer))
