"""``community seed-demo`` fills a few CPD logs, one of them shared with the cohort's facilitator."""

from sqlalchemy import select

from community.cpd.demo import ENTRIES
from community.extensions import db
from community.models import CpdEntry, CpdLink, CpdShare, User


def test_seed_demo_fills_cpd_logs(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.query(CpdEntry).count() == len(ENTRIES)
    assert db.session.query(CpdLink).count() == 1
    share = db.session.scalar(select(CpdShare))
    assert db.session.get(User, share.facilitator_id).role == "facilitator"
    assert db.session.get(User, share.owner_id).role == "participant"
