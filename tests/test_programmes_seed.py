"""``community seed-demo`` defines the diploma's units, has the cohort follow it, names units in its questions
and switches peers first on in the cohort."""

from sqlalchemy import select

from community.extensions import db
from community.models import Group, Programme, Topic, Unit
from community.programmes.demo import PEERS_FIRST_HOURS, UNITS
from community.qa.demo import UNIT_OF
from community.seed import MARKER_GROUP


def test_seed_demo_fills_programme_units_and_peers_first(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    programme = db.session.scalars(select(Programme)).one()
    codes = list(db.session.scalars(select(Unit.code).where(Unit.programme_id == programme.id)
                                    .order_by(Unit.position)))  # fmt: skip
    assert codes == [code for code, *_rest in UNITS]
    cohort = db.session.scalars(select(Group).where(Group.slug == MARKER_GROUP)).one()
    assert cohort.programme_id == programme.id and cohort.peers_first_hours == PEERS_FIRST_HOURS
    named = db.session.scalars(select(Topic).where(Topic.unit_id.is_not(None))).all()
    assert len(named) == len(UNIT_OF)
