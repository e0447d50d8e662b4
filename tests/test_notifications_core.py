"""Notifications: who is told about what, only when they may see it, never the actor; e-mail and unsubscribe."""

from sqlalchemy import select

from community.extensions import db
from community.models import Notification, OutboxMessage, User
from community.services import notifications, posts
from tests.factories import acting, load_post
from tests.factories_groups import make_group
from tests.factories_social import discussion, opening, question, reply


def _notes(user: User) -> list[tuple[str, int | None]]:
    db.session.expire_all()
    return [(n.kind, n.post_id) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


def test_reply_notifies_the_topic_author_not_the_actor(fran, pat):
    topic = discussion(pat)
    post = reply(fran, topic, "I agree")
    reply(pat, topic, "Thanks")  # the author replying in their own topic is not told about it
    assert _notes(pat) == [("reply", post.id)]
    assert _notes(fran) == []


def test_reply_to_a_post_notifies_its_author(fran, pat, sam):
    topic = discussion(pat)
    first = reply(fran, topic, "First")
    second = reply(sam, topic, "Replying to Fran", parent=first)
    assert _notes(fran) == [("reply", second.id)]
    assert ("reply", second.id) in _notes(pat)


def test_answer_accept_and_blog_comment_kinds(fran, pat, sam):
    q = question(pat)
    answer = reply(sam, q, "Start small.", kind="answer")
    assert _notes(pat) == [("answer", answer.id)]
    from community import events

    with db.session.no_autoflush:
        events.answer_accepted.send(q, actor=acting(pat), post=answer)
    db.session.commit()
    assert _notes(sam) == [("accepted", answer.id)]
    blog = posts.create_topic(acting(fran), kind="blog", title="My week", body="Notes")
    comment = reply(pat, blog, "Lovely", kind="comment")
    assert _notes(fran) == [("comment", comment.id)]


def test_mention_notifies_once_and_only_who_may_see(fran, pat, sam, mallory):
    group = make_group(fran, "private", members=[pat])
    topic = discussion(pat, group, body="Hello @fran and @mallory and @nobody")
    assert _notes(fran) == [("mention", opening(topic).id)]
    assert _notes(mallory) == []  # outside the private group: never told
    post = reply(fran, topic, "@pat see this")  # a mention and a reply: one notification, the mention
    assert _notes(pat) == [("mention", post.id)]
    assert _notes(sam) == []


def test_an_edit_notifies_only_new_mentions(fran, pat, sam):
    topic = discussion(pat, body="Hi @fran")
    post = load_post(pat, opening(topic).id)
    posts.edit_post(acting(pat), post, post.topic, "Hi @fran and @sam")
    assert len(_notes(fran)) == 1
    assert _notes(sam) == [("mention", post.id)]


def test_no_notification_about_a_draft_or_for_a_suspended_member(fran, pat, suspended):
    posts.create_topic(acting(pat), kind="blog", title="Draft", body="@fran @susie", status="draft")
    assert _notes(fran) == []
    discussion(pat, body="@susie hello")
    assert _notes(suspended) == []


def test_email_delivery_queues_mail_with_unsubscribe(app, fran, pat):
    notifications.set_preferences(pat, {"reply": "email"})
    topic = discussion(pat, title="Coaching <models>")
    reply(fran, topic, "Try **GROW** <script>x</script>")
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == "pat@example.org"))
    assert mail is not None
    assert "Coaching <models>" in mail.subject
    assert "<script>" not in (mail.body_html or "")
    assert "Coaching &lt;models&gt;" in mail.body_html
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail.headers["List-Unsubscribe"].strip("<>")
    assert url.startswith(app.config["BASE_URL"]) and url in mail.body_text
    assert "/p/" in mail.body_text


def test_web_only_and_off(fran, pat):
    notifications.set_preferences(pat, {"reply": "web", "mention": "off"})
    topic = discussion(pat)
    reply(fran, topic, "no mail")
    reply(fran, topic, "@pat ignored")
    assert [k for k, _ in _notes(pat)] == ["reply"]  # the mention is off (and counts as told)
    assert db.session.scalar(select(OutboxMessage)) is None


def test_unsubscribe_link_confirms_then_switches_kind_off(client, pat):
    token = notifications.unsubscribe_token(pat, "mention")
    page = client.get(f"/notifications/unsubscribe/{token}")
    assert page.status_code == 200 and b"Unsubscribe" in page.data
    db.session.rollback()
    assert notifications.preferences(db.session.get(User, pat.id))["mention"] == "email"
    assert client.post(f"/notifications/unsubscribe/{token}").status_code == 200
    db.session.rollback()  # end the test's read snapshot, to see what the request stored
    assert notifications.preferences(db.session.get(User, pat.id))["mention"] == "web"  # "In the page only"
    assert client.get("/notifications/unsubscribe/forged.token").status_code == 404
    assert client.post(f"/notifications/unsubscribe/{token}x").status_code == 404


def test_unsubscribe_from_a_digest_keeps_the_page(client, pat):
    token = notifications.unsubscribe_token(pat, "daily")
    assert client.post(f"/notifications/unsubscribe/{token}").status_code == 200
    db.session.rollback()  # end the test's read snapshot, to see what the request stored
    assert notifications.preferences(db.session.get(User, pat.id))["watched"] == "web"


def test_group_events_for_facilitators_and_invitations(fran, pat, mallory):
    group = make_group(fran, "private", members=[pat])
    notifications.notify([fran.id, pat.id], "join_request", mallory, group=group, url="/groups/x/members")
    db.session.commit()
    assert [k for k, _ in _notes(fran)] == ["join_request"]
    assert _notes(pat) == []  # not a facilitator
    notifications.notify([mallory.id], "invitation", fran, group=group)
    db.session.commit()
    assert [k for k, _ in _notes(mallory)] == ["invitation"]


def test_a_request_to_join_tells_the_facilitators(fran, pat, sam):
    from community.services.groups import request_to_join

    group = make_group(fran, "request", members=[sam])
    request_to_join(acting(pat), group, None)
    assert [k for k, _ in _notes(fran)] == ["join_request"]
    assert _notes(sam) == []
    note = db.session.scalar(select(Notification).where(Notification.user_id == fran.id))
    assert note.url == f"/groups/{group.slug}/members"


def test_no_mention_from_someone_you_blocked(fran, pat, mallory):
    from community.services.moderation import set_relation

    set_relation(acting(pat), mallory, "block", True)
    topic = discussion(mallory, body="@pat @fran look")
    assert _notes(pat) == []
    assert _notes(fran) == [("mention", opening(topic).id)]


def test_one_click_unsubscribe_works_without_a_csrf_token(client, csrf_app, pat):
    token = notifications.unsubscribe_token(pat, "reply")
    response = client.post(f"/notifications/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.rollback()
    assert notifications.preferences(db.session.get(User, pat.id))["reply"] == "web"


def _undo_form(html: str) -> tuple[str, dict[str, str]]:
    import re

    action = re.search(r'<form method="post" action="([^"]+/undo)">', html)
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    assert action, "no undo button"
    return action.group(1), fields


def test_unsubscribing_says_the_page_still_shows_them_and_can_be_undone(client, pat):
    notifications.set_preferences(pat, {"mention": "daily"})
    token = notifications.unsubscribe_token(pat, "mention")
    done = client.post(f"/notifications/unsubscribe/{token}")
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "still see these notifications in the page" in html
    db.session.rollback()
    assert notifications.preferences(db.session.get(User, pat.id))["mention"] == "web"
    action, fields = _undo_form(html)
    undone = client.post(action, data=fields)
    assert undone.status_code == 200 and b"E-mails are back on" in undone.data
    db.session.rollback()
    assert notifications.preferences(db.session.get(User, pat.id))["mention"] == "daily"  # as it was


def test_undoing_a_digest_unsubscribe_puts_back_only_that_digest(client, pat):
    notifications.set_preferences(pat, {"watched": "daily", "reply": "daily", "mention": "email"})
    token = notifications.unsubscribe_token(pat, "daily")
    html = client.post(f"/notifications/unsubscribe/{token}").get_data(as_text=True)
    action, fields = _undo_form(html)
    assert client.post(action, data=fields).status_code == 200
    db.session.rollback()
    prefs = notifications.preferences(db.session.get(User, pat.id))
    assert (prefs["watched"], prefs["reply"], prefs["mention"]) == ("daily", "daily", "email")


def test_an_undo_cannot_set_other_kinds_or_other_deliveries(client, pat):
    """An ill-intentioned edit of the hidden field: an unsubscribe link's undo only restores its own kind."""
    token = notifications.unsubscribe_token(pat, "mention")
    html = client.post(f"/notifications/unsubscribe/{token}").get_data(as_text=True)
    action, fields = _undo_form(html)
    for forged in ("reply=email", "mention=email,reply=email", "mention=sometimes", "garbage"):
        response = client.post(action, data={**fields, "before": forged})
        assert response.status_code == 302  # told why, on the settings or sign-in page
    db.session.rollback()
    prefs = notifications.preferences(db.session.get(User, pat.id))
    assert prefs["mention"] == "web" and prefs["reply"] == notifications.DEFAULT_DELIVERY["reply"]
    assert client.post(action, data={}).status_code == 400  # no field at all
    assert client.post(f"/notifications/unsubscribe/{token}x/undo", data=fields).status_code == 404


def test_unsubscribing_what_is_already_page_only_offers_no_undo(client, pat):
    notifications.set_preferences(pat, {"mention": "web"})
    token = notifications.unsubscribe_token(pat, "mention")
    html = client.post(f"/notifications/unsubscribe/{token}").get_data(as_text=True)
    assert "You're unsubscribed" in html and "/undo" not in html
