"""``community seed-demo`` leaves p0 a data export ready to download and one participant's deletion pending."""

from sqlalchemy import select

from community.extensions import db
from community.models import DataExport, Notification, User
from community.services.account_data import export


def test_seed_demo_has_a_ready_export_and_a_pending_deletion(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    made = db.session.scalar(select(DataExport))
    assert made.state == "ready" and (export.export_folder() / made.file_name).is_file()
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == made.user_id,
                                                             Notification.kind == "export_ready"))  # fmt: skip
    leaving = list(db.session.scalars(select(User).where(User.deletion_due_at.is_not(None))))
    assert len(leaving) == 1 and leaving[0].state == "active" and leaving[0].role == "participant"
