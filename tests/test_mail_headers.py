"""Mail says the right thing: the community's own name (in From and the text), a real Date, a Message-ID on the
community's domain, automated mail marked as such, digests as bulk, and excerpts and report mails that keep
what matters (@handles and #tags; where the reported post is)."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime

from sqlalchemy import select

from community.extensions import db
from community.models import OutboxMessage
from community.services import digests, mail, moderation
from community.services.settings import update_settings
from tests.factories import acting, load_post
from tests.factories_auth import invite
from tests.factories_blogs import make_blog_post
from tests.factories_groups import make_group
from tests.factories_social import discussion, opening, question, reply

NAME = "People & Learning Cohort"


def name_community(admin, name: str = NAME) -> None:
    update_settings(acting(admin), community_name=name)


def sent_to(outbox, address: str) -> list[EmailMessage]:
    """Deliver the outbox and read back every message to ``address`` as it was written out, oldest first."""
    mail.deliver_pending()
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.to_addr == address)
                             .order_by(OutboxMessage.id)).all()  # fmt: skip
    db.session.rollback()
    return [message_from_bytes((outbox / f"{i:06d}.eml").read_bytes(), policy=default_policy) for i in ids]


def raw(outbox, address: str) -> bytes:
    mail.deliver_pending()
    last = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.to_addr == address)
                              .order_by(OutboxMessage.id.desc())).first()  # fmt: skip
    db.session.rollback()
    return (outbox / f"{last:06d}.eml").read_bytes()


def test_a_notification_comes_from_the_community_by_its_configured_name(outbox, admin, pat, sam):
    name_community(admin)
    reply(sam, discussion(pat), "Thanks!")
    assert f"\nFrom: {NAME} <noreply@community.test>\n".encode() in raw(outbox, pat.email)  # '&' needs no quotes
    [message] = sent_to(outbox, pat.email)
    assert message["From"].addresses[0].display_name == NAME
    assert message["From"].addresses[0].addr_spec == "noreply@community.test"
    text = message.get_body(("plain",)).get_content()
    assert f"because of your settings in {NAME}" in text
    assert "Learning Community" not in text  # the configured default is not the community's name


def test_the_sender_address_comes_from_mail_from_with_the_communitys_name(app, monkeypatch, outbox, admin, pat, sam):
    name_community(admin)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Whatever <cohort@mail.example.org>")
    reply(sam, discussion(pat), "Thanks!")
    [message] = sent_to(outbox, pat.email)
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (NAME, "cohort@mail.example.org")


def test_a_name_with_specials_is_quoted(outbox, admin, pat, sam):
    name_community(admin, "Cohort 3, L&D (2026)")
    reply(sam, discussion(pat), "Thanks!")
    assert b'\nFrom: "Cohort 3, L&D (2026)" <noreply@community.test>\n' in raw(outbox, pat.email)


def test_a_name_beyond_ascii_is_encoded_in_the_header(outbox, admin, pat, sam):
    name_community(admin, "Communauté d'apprentissage")
    reply(sam, discussion(pat), "Merci !")
    written = raw(outbox, pat.email)
    from_line = next(line for line in written.split(b"\n") if line.startswith(b"From:"))
    assert b"=?utf-8?" in from_line.lower() and "é".encode() not in from_line
    parsed = message_from_bytes(written, policy=default_policy)
    assert parsed["From"].addresses[0].display_name == "Communauté d'apprentissage"


def test_date_carries_a_real_offset_and_message_id_the_communitys_domain(outbox, pat, sam):
    reply(sam, discussion(pat), "Thanks!")
    [message] = sent_to(outbox, pat.email)
    assert message["Date"].endswith("+0000")  # not "-0000", which says the offset is unknown
    assert parsedate_to_datetime(message["Date"]).utcoffset() is not None
    assert message["Message-ID"].endswith("@community.test>")


def test_the_message_id_is_made_when_the_message_is_queued_on_the_base_urls_host(app, monkeypatch, pat, sam):
    monkeypatch.setitem(app.config, "BASE_URL", "https://cohort.example.org:8443/community")
    reply(sam, discussion(pat), "Thanks!")
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == pat.email)).one()
    assert row.headers["Message-ID"].endswith("@cohort.example.org>")
    assert row.headers["From"].endswith("<noreply@cohort.example.org>")
    assert mail.make_message_id("cohort.example.org") != mail.make_message_id("cohort.example.org")


def test_notifications_are_marked_automated_and_keep_their_unsubscribe_headers(outbox, pat, sam):
    reply(sam, discussion(pat), "Thanks!")
    [message] = sent_to(outbox, pat.email)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Precedence"] is None  # one notification is not bulk mail
    assert message["List-Unsubscribe"].startswith("<http://community.test/") and message["List-Unsubscribe-Post"]
    # Written out as the plain <URL> mail clients read, not folded into encoded words.
    assert b"\nList-Unsubscribe: <http://community.test/notifications/unsubscribe/" in raw(outbox, pat.email)


def test_a_digest_is_bulk_and_automated(outbox, fran, pat):
    question(fran, title="Where do I start?")
    assert digests.send_digests("daily") >= 1
    [message] = sent_to(outbox, pat.email)
    assert message["Auto-Submitted"] == "auto-generated" and message["Precedence"] == "bulk"
    assert message["List-Unsubscribe"]


def test_a_password_reset_is_automated_and_named(outbox, admin, pat):
    from community.services import auth

    name_community(admin)
    auth.request_password_reset(pat.email)
    [message] = sent_to(outbox, pat.email)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"].addresses[0].display_name == NAME and NAME in message["Subject"]


def test_a_persons_invitation_is_not_marked_automated_but_comes_from_the_community(outbox, admin):
    name_community(admin)
    invite(admin, "new@example.org", note="See you there")
    [message] = sent_to(outbox, "new@example.org")
    assert message["Auto-Submitted"] is None
    assert message["From"].addresses[0].display_name == NAME


def test_excerpts_in_mail_keep_handles_and_tags(outbox, pat, sam):
    reply(sam, discussion(pat), "## Thanks @pat and @sam_peer!\n\nSee **#week-3** and _#reflection_ notes")
    [message] = sent_to(outbox, pat.email)
    text = message.get_body(("plain",)).get_content()
    assert "Thanks @pat and @sam_peer! See #week-3 and #reflection notes" in text
    html = message.get_body(("html",)).get_content()
    assert "#week-3" in html and "@sam_peer" in html


def test_a_report_mail_names_the_community_board(outbox, admin, fran, pat, sam):
    topic = discussion(pat, title="Week 3 reflections")
    post = reply(pat, topic, "A reply")
    moderation.report_post(acting(sam), load_post(sam, post.id), topic, "abuse")
    [message] = sent_to(outbox, admin.email)
    assert message["Subject"] == "A post was reported on the community board Community: Week 3 reflections"


def test_a_report_mail_names_the_group_and_its_board(outbox, admin, fran, pat, sam):
    group = make_group(fran, members=[pat, sam], name="Cohort A")
    topic = discussion(pat, group, title="Week 3 reflections")
    moderation.report_post(acting(sam), load_post(sam, opening(topic).id), topic, "spam")
    [message] = sent_to(outbox, fran.email)
    assert message["Subject"] == "A post was reported on the board General of the group Cohort A: Week 3 reflections"
    assert "your group" not in message["Subject"]


def test_a_report_mail_names_the_blog(outbox, admin, pat, sam):
    topic = make_blog_post(pat, title="What I learned")
    moderation.report_post(acting(sam), load_post(sam, opening(topic).id), topic, "spam")
    [message] = sent_to(outbox, admin.email)
    assert message["Subject"] == "A post was reported on Pat Participant's blog: What I learned"


def test_a_report_mail_names_a_reported_profile(outbox, admin, pat, mallory):
    moderation.report_member(acting(pat), mallory, "spam")
    [message] = sent_to(outbox, admin.email)
    assert message["Subject"] == "A member's profile was reported: Mallory Mischief"
