"""``community seed-demo`` leaves p0 a half-written reply and bio, which the composer offers back."""

from sqlalchemy import select

from community.composer.demo import BIO, REPLY
from community.extensions import db
from community.models import Draft, Topic, User


def test_seed_demo_leaves_drafts_to_offer_back(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    rows = list(db.session.scalars(select(Draft)))
    assert {d.body for d in rows} == {REPLY, BIO}
    owner = db.session.get(User, rows[0].user_id)
    assert {d.user_id for d in rows} == {owner.id} and owner.role == "participant"
    reply = next(d for d in rows if d.body == REPLY)
    topic = db.session.get(Topic, int(reply.key.rsplit(":", 1)[1]))
    assert reply.key.startswith("reply:topic:") and topic.kind == "discussion"
