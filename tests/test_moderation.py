"""Moderation: reports, the queue and its actions, held posts, abuse limits, mute and block."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.errors import Forbidden, InvalidInput, RateLimited
from community.extensions import db
from community.models import AuditEvent, Board, Group, OutboxMessage, Post, Report, Topic, User
from community.permissions import visible_posts, visible_topics
from community.services import moderation, posts
from community.services.settings import update_settings
from tests.factories import acting, load_post, make_user
from tests.factories_groups import make_group


@pytest.fixture
def cohort(fran, pat, sam):
    """A private cohort group facilitated by Fran, with Pat and Sam."""
    return make_group(fran, "private", members=[pat, sam], name="Cohort 9")


@pytest.fixture
def board(cohort):
    return db.session.scalar(select(Board).where(Board.group_id == cohort.id))


@pytest.fixture
def community_board():
    board = Board(name="Lounge", slug="lounge")
    db.session.add(board)
    db.session.commit()
    return board


def _visible(column, viewer):
    return select(column).join(Topic, Topic.id == Post.topic_id).where(visible_posts(viewer))


def fran_of(board):
    return db.session.scalar(select(User).where(User.handle == "fran"))


def _discussion(author, board, body="What do you all think about the new policy?"):
    return posts.create_topic(acting(author), kind="discussion", title="Policy", body=body, board=board)


def _reply(author, topic, body):
    topic = load_post(author, db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number == 1)))
    return posts.add_post(acting(author), topic.topic, body)


# Reporting ------------------------------------------------------------------------------------------------


def test_a_member_reports_a_post_and_is_told_it_was_received(client, login, board, pat, sam):
    topic = _discussion(pat, board)
    reply = _reply(sam, topic, "Buy cheap watches at example.com")
    login(pat)
    page = client.get(f"/moderation/report/post/{reply.id}")
    assert page.status_code == 200 and b"Report a post" in page.data
    response = client.post(f"/moderation/report/post/{reply.id}", data={"reason": "spam", "text": "advert"})
    assert response.status_code == 302
    follow = client.get(response.headers["Location"])
    assert b"Your report was received" in follow.data
    report = db.session.scalar(select(Report))
    assert (report.reporter_id, report.post_id, report.group_id) == (pat.id, reply.id, board.group_id)
    assert report.status == "open"


def test_reporting_needs_a_reason_and_keeps_the_text(client, login, board, pat, sam):
    reply = _reply(sam, _discussion(pat, board), "hmm")
    login(pat)
    response = client.post(f"/moderation/report/post/{reply.id}", data={"text": "It felt rude to me"})
    assert response.status_code == 400
    assert b"Please choose a reason" in response.data and b"It felt rude to me" in response.data
    response = client.post(f"/moderation/report/post/{reply.id}", data={"reason": "other", "text": ""})
    assert response.status_code == 400 and b"tell the moderators" in response.data
    assert db.session.scalar(select(Report)) is None


def test_reporting_what_you_cannot_see_is_not_found_and_your_own_post_forbidden(client, login, board, pat, mallory):
    topic = _discussion(pat, board)
    opening_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
    login(mallory)
    assert client.get(f"/moderation/report/post/{opening_id}").status_code == 404
    assert client.post(f"/moderation/report/post/{opening_id}", data={"reason": "spam"}).status_code == 404
    assert client.get("/moderation/report/post/999999").status_code == 404
    login(pat)
    assert client.get(f"/moderation/report/post/{opening_id}").status_code == 403
    assert db.session.scalar(select(Report)) is None


def test_the_same_member_reporting_twice_makes_one_report(board, pat, sam):
    reply = _reply(sam, _discussion(pat, board), "hmm")
    post = load_post(pat, reply.id)
    first = moderation.report_post(acting(pat), post, post.topic, "abuse")
    post = load_post(pat, reply.id)
    second = moderation.report_post(acting(pat), post, post.topic, "abuse")
    assert first.id == second.id


# The queue --------------------------------------------------------------------------------------------------


def test_facilitators_see_only_their_groups_reports_and_admins_see_all(client, login, board, admin, fran, pat, sam):
    other_facilitator = make_user("olga", role="facilitator")
    make_group(other_facilitator, "private", members=[sam], name="Other cohort")
    reply = _reply(sam, _discussion(pat, board), "You are all idiots")
    post = load_post(pat, reply.id)
    report = moderation.report_post(acting(pat), post, post.topic, "abuse", "insult")
    login(fran)
    assert b"You are all idiots" in client.get("/moderation/").data
    login(admin)
    assert b"You are all idiots" in client.get("/moderation/").data
    login(other_facilitator)
    page = client.get("/moderation/")
    assert page.status_code == 200 and b"You are all idiots" not in page.data
    assert client.post(f"/moderation/reports/{report.id}/hide", data={"reason": "x"}).status_code == 404
    login(pat)
    assert client.get("/moderation/").status_code == 404
    assert client.post(f"/moderation/reports/{report.id}/dismiss").status_code == 404
    assert db.session.get(Report, report.id).status == "open"


def test_hide_from_the_queue_keeps_the_post_tells_the_author_and_is_audited(client, login, board, fran, pat, sam):
    reply = _reply(sam, _discussion(pat, board), "Off-topic advert")
    post = load_post(pat, reply.id)
    report = moderation.report_post(acting(pat), post, post.topic, "spam")
    login(fran)
    response = client.post(f"/moderation/reports/{report.id}/hide", data={"reason": "Adverts are not allowed"})
    assert response.status_code == 302
    hidden = db.session.get(Post, reply.id)
    assert hidden.hidden_at is not None and hidden.body == "Off-topic advert"
    assert hidden.hidden_reason == "Adverts are not allowed"
    assert db.session.get(Report, report.id).status == "resolved"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "post.hide"))
    assert event.actor_id == fran.id and event.reason == "Adverts are not allowed"
    # Gone for everyone else, shown to its author with the reason.
    assert load_post(sam, reply.id).hidden_reason == "Adverts are not allowed"
    ids = db.session.scalars(_visible(Post.id, acting(pat))).all()
    assert reply.id not in ids


def test_dismiss_lock_and_warn(client, login, board, fran, pat, sam):
    topic = _discussion(pat, board)
    reply = _reply(sam, topic, "heated words")
    post = load_post(pat, reply.id)
    first = moderation.report_post(acting(pat), post, post.topic, "abuse")
    login(fran)
    assert client.post(f"/moderation/reports/{first.id}/dismiss").status_code == 302
    assert db.session.get(Report, first.id).status == "dismissed"
    post = load_post(pat, reply.id)
    second = moderation.report_post(acting(pat), post, post.topic, "abuse")
    client.post(f"/moderation/reports/{second.id}/lock")
    assert db.session.get(Topic, topic.id).locked is True
    post = load_post(pat, reply.id)
    third = moderation.report_post(acting(pat), post, post.topic, "abuse")
    response = client.post(f"/moderation/reports/{third.id}/warn", data={"message": ""})
    assert response.status_code == 303 and db.session.get(Report, third.id).status == "open"
    client.post(f"/moderation/reports/{third.id}/warn", data={"message": "Please keep it kind."})
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == sam.email))
    assert mail is not None and "Please keep it kind." in mail.body_text


def test_a_handled_report_cannot_be_handled_again(client, login, board, fran, pat, sam):
    reply = _reply(sam, _discussion(pat, board), "x")
    post = load_post(pat, reply.id)
    report = moderation.report_post(acting(pat), post, post.topic, "spam")
    login(fran)
    client.post(f"/moderation/reports/{report.id}/dismiss")
    response = client.post(f"/moderation/reports/{report.id}/hide", data={"reason": "late"})
    assert response.status_code == 303
    assert db.session.get(Post, reply.id).hidden_at is None


# Pre-moderation, blocklist, limits -----------------------------------------------------------------------


def test_blocklisted_posts_are_held_visible_to_author_and_moderators_only(board, admin, fran, pat, sam):
    update_settings(acting(admin), blocked_words=["casino"], blocked_domains=["spam.example"])
    topic = _discussion(pat, board, body="Best CASINO bonus at http://win.spam.example/now")
    assert topic.status == "pending"
    report = db.session.scalar(select(Report))
    assert report.automatic and "casino" in report.text and "spam.example" in report.text
    from community.permissions import access_topic

    assert access_topic(acting(pat), topic.id).id == topic.id
    assert access_topic(acting(fran), topic.id).id == topic.id
    from community.errors import NotFound

    with pytest.raises(NotFound):
        access_topic(acting(sam), topic.id)
    assert topic.id not in db.session.scalars(select(Topic.id).where(visible_topics(acting(sam)))).all()
    moderation.approve_held(acting(fran), moderation.access_report(acting(fran), report.id))
    assert db.session.get(Topic, topic.id).status == "published"
    assert topic.id in db.session.scalars(select(Topic.id).where(visible_topics(acting(sam)))).all()


def test_a_held_reply_counts_only_once_approved(board, fran, pat, sam):
    topic = _discussion(pat, board)
    group = db.session.get(Group, board.group_id)
    group.approve_all_posts = True
    db.session.commit()
    reply = _reply(sam, topic, "My first answer")
    assert reply.pending is True
    assert db.session.get(Topic, topic.id).reply_count == 0
    report = db.session.scalar(select(Report).where(Report.post_id == reply.id))
    moderation.approve_held(acting(fran), moderation.access_report(acting(fran), report.id))
    assert db.session.get(Post, reply.id).pending is False
    assert db.session.get(Topic, topic.id).reply_count == 1


def test_first_posts_in_community_areas_wait_when_premoderation_is_on(admin, community_board, pat, fran):
    update_settings(acting(admin), premoderate_first_posts=1)
    held = _discussion(pat, community_board)
    assert held.status == "pending"
    trusted = _discussion(fran, community_board)
    assert trusted.status == "published"


def test_new_members_link_cap_refuses_with_a_clear_message(board, pat):
    body = "see http://a.example http://b.example http://c.example"
    with pytest.raises(InvalidInput) as error:
        _discussion(pat, board, body=body)
    assert "at most 2 links" in error.value.message
    db.session.rollback()
    assert db.session.scalar(select(Topic)) is None


def test_posting_rate_limit_is_stricter_for_new_members(app, rate_limits, board, pat, sam):
    topic = _discussion(pat, board)
    for i in range(5):
        _reply(sam, topic, f"reply {i}")
    with pytest.raises(RateLimited):
        _reply(sam, topic, "one too many")
    # A facilitator of the group is trusted: no posting limit applies to them.
    for i in range(8):
        _reply(fran_of(board), topic, f"facilitator note {i}")


def test_rate_limited_reply_over_http_keeps_the_text(app, rate_limits, client, login, board, pat, sam):
    topic = _discussion(pat, board)
    for i in range(5):
        _reply(sam, topic, f"reply {i}")
    login(sam)
    response = client.post(f"/discussions/{topic.id}/reply", data={"body": "My carefully typed thoughts"})
    assert response.status_code == 429
    assert b"My carefully typed thoughts" in response.data


# The spam wave ----------------------------------------------------------------------------------------------


def test_spam_wave_is_stopped_queued_reported_and_removed_in_one_action(app, rate_limits, admin, fran, pat, sam):
    group = make_group(fran, "open", members=[pat], name="Open circle")
    board = db.session.scalar(select(Board).where(Board.group_id == group.id))
    update_settings(acting(admin), blocked_domains=["pills.example"])
    spammer = make_user("spammy", display_name="Spammy")
    from community.services.groups import add_member

    add_member(group, spammer)
    intro = posts.create_topic(acting(spammer), kind="discussion", title="Hi all",
                               body="Happy to be here @pat, pillsdeal", board=board)  # fmt: skip
    stopped = held = published = 0
    for i in range(29):
        body = f"Great deal {i} http://pills.example/{i} http://x{i}.example/ http://y{i}.example/"
        if i % 3 == 0:
            body = f"Great deal {i} http://pills.example/{i}"
        try:
            topic = posts.create_topic(acting(spammer), kind="discussion", title=f"Deal {i}", body=body, board=board)
        except (RateLimited, InvalidInput):
            db.session.rollback()
            stopped += 1
            continue
        if topic.status == "pending":
            held += 1
        else:
            published += 1
    assert stopped >= 20 and published == 0 and held >= 1
    # The blocklist put the held ones in the facilitator's queue; a member reports the one that got through.
    opening_id = db.session.scalar(select(Post.id).where(Post.topic_id == intro.id))
    post = load_post(pat, opening_id)
    report = moderation.report_post(acting(pat), post, post.topic, "spam")
    waiting = moderation.queue(acting(fran))
    assert report.id in [r.id for r in waiting]
    assert sum(1 for r in waiting if r.automatic) == held
    from datetime import timedelta

    from community.models import utcnow
    from community.search import count_topics, search_topics
    from community.services.digests import build_digest
    from community.services.feed import feed
    from community.services.notifications import list_notifications

    def surfaces():
        viewer = acting(db.session.get(User, pat.id))
        digest = build_digest(viewer, "daily", utcnow() + timedelta(minutes=1))
        return {
            "feed": any(e.actor_id == spammer.id for e in feed(viewer).items),
            "search": bool(search_topics(viewer, "pillsdeal")) or count_topics(viewer, "pillsdeal") > 0,
            "notifications": any(n.actor_id == spammer.id for n in list_notifications(viewer).items),
            "digest": any(t.author_id == spammer.id for t in digest.waiting + digest.popular)
            or any(n.actor_id == spammer.id for n in digest.notifications),
        }

    before = surfaces()
    assert before["feed"] and before["search"] and before["notifications"]
    hidden = moderation.spam_wave(acting(admin), db.session.get(User, spammer.id), until=None, reason="Spam")
    assert hidden == 1 + held
    member = db.session.get(User, spammer.id)
    assert member.state == "suspended"
    viewer = acting(pat)
    authors = db.session.scalars(_visible(Post.author_id, viewer)).all()
    assert spammer.id not in authors
    topic_authors = db.session.scalars(select(Topic.author_id).where(visible_topics(viewer))).all()
    assert spammer.id not in topic_authors
    assert all(r.status != "open" for r in db.session.scalars(select(Report)))
    # ... and it appears nowhere: feed, search, notifications, digests.
    assert surfaces() == {"feed": False, "search": False, "notifications": False, "digest": False}
    with pytest.raises(Forbidden):
        moderation.spam_wave(acting(fran), db.session.get(User, pat.id), until=None, reason="no")


# Mute and block ---------------------------------------------------------------------------------------------


def test_mute_and_block_are_recorded_and_undone(client, login, pat, sam):
    login(pat)
    assert client.post(f"/moderation/members/{sam.handle}/mute").status_code == 302
    assert client.post(f"/moderation/members/{sam.handle}/block").status_code == 302
    assert moderation.relations_of(pat) == {"mute": {sam.id}, "block": {sam.id}}
    assert moderation.has_blocked(pat.id, sam.id) and not moderation.has_blocked(sam.id, pat.id)
    client.post(f"/moderation/members/{sam.handle}/unmute")
    assert moderation.relations_of(pat)["mute"] == set()
    assert client.post(f"/moderation/members/{pat.handle}/block").status_code == 302
    assert pat.id not in moderation.relations_of(pat)["block"]


def test_a_muted_members_posts_are_collapsed_for_the_one_who_muted_them(client, login, board, fran, pat, sam):
    topic = _discussion(pat, board)
    _reply(sam, topic, "An opinion Pat would rather skip")
    moderation.set_relation(pat, sam, "mute", True)
    login(pat)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "You muted Sam Peer. Show this post" in html
    assert "<details class=\"muted-post\">" in html and "An opinion Pat would rather skip" in html
    login(fran)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "You muted" not in html and "An opinion Pat would rather skip" in html


def test_facilitators_switch_on_approval_of_all_posts_from_the_group_form(client, login, cohort, fran, pat, sam):
    login(fran)
    form = client.get(f"/groups/{cohort.slug}/edit").get_data(as_text=True)
    assert "Approve every post before others see it" in form
    response = client.post(f"/groups/{cohort.slug}/edit", data={
        "name": cohort.name, "description": "", "visibility": "private", "approve_all_posts": "y"})
    assert response.status_code == 302
    assert db.session.get(Group, cohort.id).approve_all_posts is True
    board = db.session.scalar(select(Board).where(Board.group_id == cohort.id))
    held = _discussion(sam, board)
    assert held.status == "pending"
    login(pat)
    assert client.get(f"/groups/{cohort.slug}/edit").status_code in (403, 404)


def test_only_the_community_manager_destroys_hidden_content(client, login, board, admin, fran, pat, sam):
    from community.models import Revision

    reply = _reply(sam, _discussion(pat, board), "Private details of a colleague")
    post = load_post(sam, reply.id)
    posts.edit_post(acting(sam), post, post.topic, "Private details of a colleague, edited")
    post = load_post(pat, reply.id)
    report = moderation.report_post(acting(pat), post, post.topic, "privacy")
    login(fran)
    client.post(f"/moderation/reports/{report.id}/hide", data={"reason": "Confidential"})
    assert "Delete for good" not in client.get("/moderation/?status=resolved").get_data(as_text=True)
    assert client.post(f"/moderation/posts/{reply.id}/purge").status_code == 403
    assert db.session.get(Post, reply.id).body.startswith("Private details")
    login(admin)
    assert "Delete for good" in client.get("/moderation/?status=resolved").get_data(as_text=True)
    assert client.post(f"/moderation/posts/{reply.id}/purge").status_code == 302
    gone = db.session.get(Post, reply.id)
    assert gone.body == "[removed]" and "Private" not in gone.body_html
    assert db.session.query(Revision).filter_by(post_id=reply.id).count() == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "post.purge")).actor_id == admin.id
