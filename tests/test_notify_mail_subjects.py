"""E-mail subjects say what a notification is about, for kinds without a title too: a private message with
no subject, a post reported on an event."""

from sqlalchemy import select

from community.extensions import db
from community.models import OutboxMessage, Post
from community.services.notify_mail import mail_notification, report_subject
from tests.factories_events import in_days, make_event
from tests.factories_groups import make_group
from tests.factories_messages import make_conversation


def _last_subject(user) -> str:
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == user.email)
                              .order_by(OutboxMessage.id.desc())).first()  # fmt: skip
    return mail.subject


def test_a_held_message_without_a_subject_is_named_in_the_mail(fran, pat, sam):
    make_group(fran, "open", members=[pat, sam])  # people who share a group may write to each other
    topic = make_conversation(pat, sam, body="Can we talk?")
    assert not topic.title
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    mail_notification(pat, "post_held", None, topic=topic, post=post, group=None, url="")
    assert _last_subject(pat) == "Your post is waiting for a moderator: your private message"


def test_a_report_on_an_event_says_it_is_an_event(fran, pat):
    group = make_group(fran, "private", members=[pat], name="Cohort 9")
    topic = make_event(fran, group, starts_at=in_days(2), title="Tutorial four")
    assert report_subject(topic, group, None) == "A post was reported on an event of the group Cohort 9: Tutorial four"
    community = make_event(fran, None, starts_at=in_days(2), title="Open day")
    assert report_subject(community, None, None) == "A post was reported on a community event: Open day"


def test_a_reported_message_never_names_its_conversation(fran, pat, sam):
    make_group(fran, "open", members=[pat, sam])
    topic = make_conversation(pat, sam, body="Between us", subject="Salary talk")
    assert report_subject(topic, None, None) == "A private message was reported"
