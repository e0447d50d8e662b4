"""Nothing of a private group or a draft reaches a non-member: not the feed, a tag page, a notification, a
digest, an e-mail, a search result or a search count. Members of the group do see it all."""

from sqlalchemy import select

from community.extensions import db
from community.models import Notification, OutboxMessage, User
from community.search import count_topics
from community.services import digests, notifications, posts, social
from community.services.search_page import Filters, search
from tests.factories import acting
from tests.factories_groups import make_group
from tests.factories_social import discussion, question, reply

SECRET = "zanzibarish"
LEAKS = (f"{SECRET} plans", f"{SECRET} question", f"{SECRET} draft", f"{SECRET} reply", f"{SECRET} @",
         "Cohort secret")


def _private_world(fran, pat, mallory):
    """Mallory follows Fran, watches the tag and takes every kind by e-mail or digest, before anything is
    written; then Fran writes in the private cohort (mentioning Mallory) and a draft."""
    for user in (mallory, pat):
        notifications.set_preferences(user, {"mention": "email", "watched": "daily", "reply": "weekly",
                                             "answer": "email", "comment": "email"})  # fmt: skip
    social.follow(acting(mallory), fran)
    social.watch(acting(mallory), "tag", social.tag_for_watching("secrettag").id)
    group = make_group(fran, "private", members=[pat], name="Cohort secret")
    social.watch(acting(mallory), "group", group.id)  # pretend an earlier open phase: still nothing leaks
    topic = discussion(fran, group, title=f"{SECRET} plans", body=f"{SECRET} @mallory @pat #secrettag",
                       tags="secrettag")
    reply(pat, topic, f"{SECRET} reply @mallory")
    question(pat, group, title=f"{SECRET} question", body="Who can help?")
    posts.create_topic(acting(fran), kind="blog", title=f"{SECRET} draft", body=f"{SECRET} @mallory @pat #secrettag",
                       tags="secrettag", status="draft")
    return group


def _mail_to(user: User) -> str:
    db.session.rollback()
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == user.email))
    return "\n".join(f"{m.subject}\n{m.body_text}\n{m.body_html}" for m in mails)


def test_a_non_member_sees_nothing_anywhere(client, login, fran, pat, mallory):
    _private_world(fran, pat, mallory)
    digests.send_digests("daily")
    digests.send_digests("weekly")
    login(mallory)
    for path in ("/", "/?show=following", "/?show=groups", "/tags/secrettag", "/notifications",
                 f"/search?q={SECRET}", f"/search?q={SECRET}&tag=secrettag"):
        html = client.get(path).data.decode()
        for leak in LEAKS:  # (the search page echoes the query itself: that is the visitor's own words)
            assert leak not in html, (path, leak)
        assert "<mark>" not in html
    assert "0 results" in client.get(f"/search?q={SECRET}").data.decode()
    db.session.rollback()
    viewer = acting(db.session.get(User, mallory.id))
    assert db.session.scalar(select(Notification).where(Notification.user_id == mallory.id)) is None
    assert notifications.unread_count(viewer) == 0
    assert count_topics(viewer, SECRET) == 0
    assert search(viewer, Filters(q=SECRET)).total == 0
    mail = _mail_to(mallory)
    assert SECRET not in mail and "Cohort secret" not in mail


def test_a_member_sees_it_everywhere_but_never_the_draft(client, login, fran, pat, mallory):
    _private_world(fran, pat, mallory)
    digests.send_digests("daily")
    login(pat)
    for path in ("/", "/?show=groups", "/tags/secrettag", "/notifications", f"/search?q={SECRET}"):
        html = client.get(path).data.decode()
        assert f"{SECRET} plans" in html, path
        assert f"{SECRET} draft" not in html, path
    db.session.rollback()
    viewer = acting(db.session.get(User, pat.id))
    assert notifications.unread_count(viewer) == 1  # the mention in the opening post
    assert count_topics(viewer, SECRET) == 2
    assert search(viewer, Filters(q=SECRET)).total == 2
    mail = _mail_to(pat)
    assert f"{SECRET} plans" in mail  # the mention, e-mailed at once
    assert f"{SECRET} draft" not in mail
    fran_mail = _mail_to(fran)
    assert f"{SECRET} question" in fran_mail  # fran's digest: a peer waiting for an answer


def test_the_bell_statement_built_once_counts_each_viewer_by_their_own_groups(fran, pat, mallory, admin):
    """The bell's count is one statement per kind of viewer, reused with the viewer's groups as parameters."""
    from community.services import groups as groups_service

    group = _private_world(fran, pat, mallory)
    for user in (mallory, pat, mallory, pat):  # the same statement, alternating viewers
        viewer = acting(db.session.get(User, user.id))
        assert notifications.unread_count(viewer) == (1 if user is pat else 0)
    groups_service.leave_group(acting(db.session.get(User, pat.id)), group)
    assert notifications.unread_count(acting(db.session.get(User, pat.id))) == 0  # no longer in the group
    assert notifications.unread_count(acting(db.session.get(User, admin.id))) == 0
