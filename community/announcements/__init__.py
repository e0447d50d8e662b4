"""The announcements blueprint: announcing, an announcement's page, a group's list, dismissing."""

from flask import Blueprint

bp = Blueprint("announcements", __name__)

from community.services.announcements import publish_due_announcements  # noqa: E402
from community.services.jobs import register_periodic_job  # noqa: E402

register_periodic_job(publish_due_announcements, every=30.0,
                      does="publishes scheduled announcements when their time comes")  # fmt: skip
