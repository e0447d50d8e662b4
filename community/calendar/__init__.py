"""The calendar blueprint: the month view at /events, event pages, answers, .ics files and the calendar feed."""

from flask import Blueprint

bp = Blueprint("calendar", __name__, url_prefix="/events")

from community.services.calendar.reminders import send_event_reminders  # noqa: E402
from community.services.jobs import register_periodic_job  # noqa: E402

register_periodic_job(send_event_reminders, every=300.0,
                      does="e-mails event reminders, 24 hours and 1 hour before each date, to those going")  # fmt: skip
