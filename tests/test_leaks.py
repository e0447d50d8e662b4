"""Nothing of a private group or a draft reaches a non-member: not the feed, a tag page, a notification, a
digest, an e-mail, a search result or a search count. Members of the group do see it all."""

from sqlalchemy import func, select

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


# Private messages: a conversation between two members is theirs alone -------------------------------------

WHISPER = "quixotical"
WHISPERS = (f"{WHISPER} hello", f"{WHISPER} answer", f"{WHISPER} subject", "Pat Participant, Sam Peer")


def _conversation_world(pat, sam, mallory, fran, admin):
    """Mallory follows both, watches the tag and wants everything by e-mail; Pat writes to Sam (mentioning
    Mallory, with a hashtag) and Sam answers."""
    from community.services import messages
    from tests.factories_messages import send

    group = make_group(fran, "open", members=[pat, sam, mallory])
    for user in (mallory, fran, admin):
        notifications.set_preferences(user, {kind: "email" for kind in notifications.DEFAULT_DELIVERY})
        social.follow(acting(user), pat)
        social.follow(acting(user), sam)
        social.watch(acting(user), "tag", social.tag_for_watching("whispertag").id)
    topic = messages.start_conversation(acting(pat), "@sam", f"{WHISPER} hello @mallory @fran #whispertag",
                                        subject=f"{WHISPER} subject")  # fmt: skip
    answer = send(sam, topic.id, f"{WHISPER} answer #whispertag @ada")
    return group, topic, answer


def _api_body(path: str) -> dict | None:
    """A well-formed body for an API write (so the request reaches the loader, which must say 404)."""
    if path.endswith("/vote"):
        return {"value": 1}
    if path.endswith("/rsvp"):
        return {"answer": "going"}
    if path.endswith("/accept"):
        return None
    return {"body": "sneaky"}


def _crawl_ids(client, topic_id: int, post_id: int, token: str | None = None) -> list[tuple[str, str, int]]:
    """Every route that takes a topic or post id, asked with the conversation's (GET, and POST where allowed);
    the API's with the visitor's own write token and a well-formed body."""
    from flask import current_app

    from tests.factories_api import bearer

    seen = []
    for rule in current_app.url_map.iter_rules():
        args = set(rule.arguments)
        if not args or not args <= {"topic_id", "post_id", "action", "kind"}:
            continue
        values = {"topic_id": topic_id, "post_id": post_id}
        for name in ("action", "kind"):
            if name in args:
                converter = rule._converters[name]
                items = getattr(converter, "items", None) or ["like"]
                values[name] = sorted(items)[0]  # any one of the allowed values
        path = rule.build({k: v for k, v in values.items() if k in args}, append_unknown=False)[1]
        for method in ("GET", "POST"):
            if method not in rule.methods:
                continue
            if path.startswith("/api/"):
                assert token is not None, path
                response = client.open(path, method=method, headers=bearer(token),
                                       json=_api_body(path) if method == "POST" else None)  # fmt: skip
            else:
                response = client.open(path, method=method, data={"body": "sneaky", "to": "@mallory", "kind": "like",
                                                                 "reason": "spam"})  # fmt: skip
            seen.append((method, path, response.status_code, response.data.decode()))
    return seen


def test_a_conversation_reaches_nobody_but_its_participants(client, login, pat, sam, mallory, fran, admin):
    _group, topic, answer = _conversation_world(pat, sam, mallory, fran, admin)
    digests.send_digests("daily")
    digests.send_digests("weekly")
    from tests.factories_api import api_get, token_for

    for outsider in (mallory, fran, admin):
        login(outsider)
        token = token_for(outsider, "write")
        for path in ("/conversations", "/notifications", f"/search?q={WHISPER}", "/discussions", "/members",
                     f"/conversations/{topic.id}/messages", f"/topics/{topic.id}", f"/topics/{topic.id}/posts",
                     f"/posts/{answer.id}"):  # fmt: skip
            response = api_get(client, path, token)
            assert response.status_code in (200, 404), (outsider.handle, path, response.status_code)
            assert not any(leak in response.data.decode() for leak in WHISPERS), (outsider.handle, path)
        for path in ("/", "/?show=following", "/?show=groups", "/tags/whispertag", "/notifications",
                     f"/search?q={WHISPER}", "/messages", f"/messages?q={WHISPER}", "/members/pat", "/members/sam",
                     "/members", "/dashboard/", "/moderation/", "/boards", "/blogs", "/qa"):
            response = client.get(path)
            assert response.status_code in (200, 404), (outsider.handle, path, response.status_code)
            html = response.data.decode()  # (the search pages echo the visitor's query: their own words)
            assert not any(leak in html for leak in WHISPERS), (outsider.handle, path)
        crawled = _crawl_ids(client, topic.id, answer.id, token)
        paths = {path for _method, path, _status, _html in crawled}
        assert {f"/api/v1/conversations/{topic.id}/messages", f"/api/v1/posts/{answer.id}/vote",
                f"/api/v1/topics/{topic.id}/posts"} <= paths, paths
        assert {f"/messages/{topic.id}", f"/messages/{topic.id}/reply", f"/messages/{topic.id}/people",
                f"/p/{answer.id}", f"/discussions/{topic.id}"} <= paths, paths
        assert any(p.endswith(f"/report/post/{answer.id}") for p in paths)
        for method, path, status, html in crawled:
            assert status in (400, 404, 405), (outsider.handle, method, path, status)
            assert not any(leak in html for leak in WHISPERS), (outsider.handle, method, path)
        db.session.rollback()
        viewer = acting(db.session.get(User, outsider.id))
        assert db.session.scalar(select(Notification).where(Notification.user_id == outsider.id)) is None
        assert notifications.header_counts(viewer) == (0, 0)
        assert count_topics(viewer, WHISPER) == 0 and search(viewer, Filters(q=WHISPER)).total == 0
        assert not any(leak in _mail_to(outsider) for leak in WHISPERS)
    # Nobody got in by the crawl: the conversation still has its two people and its two messages.
    from community.models import Participant, Post

    assert sorted(db.session.scalars(select(Participant.user_id).where(Participant.topic_id == topic.id))) == sorted(
        [pat.id, sam.id])
    assert db.session.scalar(select(func.count()).select_from(Post).where(Post.topic_id == topic.id)) == 2


def test_the_participants_read_it_and_are_told(client, login, pat, sam, mallory, fran, admin):
    from tests.factories_api import api_get, token_for

    _group, topic, _answer = _conversation_world(pat, sam, mallory, fran, admin)
    token = token_for(sam)
    assert api_get(client, "/conversations", token).json["items"][0]["subject"] == f"{WHISPER} subject"
    bodies = [m["body"] for m in api_get(client, f"/conversations/{topic.id}/messages", token).json["items"]]
    assert any(f"{WHISPER} hello" in body for body in bodies) and any(f"{WHISPER} answer" in b for b in bodies)
    login(sam)
    assert f"{WHISPER} hello" in client.get(f"/messages/{topic.id}").data.decode()
    assert f"{WHISPER} subject" in client.get("/messages").data.decode()
    db.session.rollback()
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.user_id == sam.id)))
    assert kinds == {"message"}
    assert "message" in set(db.session.scalars(select(Notification.kind).where(Notification.user_id == pat.id)))
