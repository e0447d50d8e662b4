"""The facilitator's dashboard, on a hand-built cohort whose right answers are known."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.extensions import db
from community.models import Board, Notification, OutboxMessage, Post, Topic, utcnow
from community.services import dashboard, posts
from tests.factories import acting, load_post, make_user
from tests.factories_groups import make_group
from tests.factories_qa import accept, make_answer, make_question

NOW = utcnow()
# session+user, group roles, settings, bell; groups; attention (2 lists, totals, reports, requests); weeks (2);
# participation; peer support (2 x 2); quiet members (ids), quiet members (rows)
# (+1 since the header counts what waits for review for staff: one query of four counts)
# (+1 the next sessions of the groups: tests/test_calendar_queries.py counts them with sessions)
# (+1 the CPD logs shared with the facilitator)
DASHBOARD_QUERIES = 22
# With the period's figures cached: no weeks (2), participation, peer support (4) or quiet ids: 8 fewer.
DASHBOARD_QUERIES_CACHED = 14


def _at(topic_or_post, when):
    """Move something into the past (services stamp 'now')."""
    model = type(topic_or_post)
    db.session.execute(update(model).where(model.id == topic_or_post.id).values(created_at=when))
    if model is Topic:
        db.session.execute(update(Post).where(Post.topic_id == topic_or_post.id, Post.number == 1)
                           .values(created_at=when))  # fmt: skip
    db.session.commit()


def _answer_at(question, author, when):
    answer = make_answer(author, question)
    db.session.execute(update(Post).where(Post.id == answer.id).values(created_at=when))
    db.session.execute(update(Topic).where(Topic.id == question.id).values(first_answer_at=when)
                       .where(Topic.first_answer_at.is_not(None)))  # fmt: skip
    db.session.commit()
    return answer


@pytest.fixture
def cohort(fran, pat, sam, mallory):
    quinn = make_user("quinn", display_name="Quinn Quiet")
    olga = make_user("olga", role="facilitator", display_name="Olga Other")
    group = make_group(fran, "private", members=[pat, sam, quinn], name="Cohort 12")
    other = make_group(olga, "private", members=[mallory], name="Other cohort")
    # Q1: asked 10 days ago by Pat, first answered 3 hours later by Sam (a peer), whose answer is accepted.
    q1 = make_question(pat, title="How do I structure my reflective log?", group=group)
    _at(q1, NOW - timedelta(days=10))
    a1 = _answer_at(q1, sam, NOW - timedelta(days=10) + timedelta(hours=3))
    accept(pat, a1)
    # Q2: asked 5 days ago by Sam, first answered 1 hour later by Fran (a facilitator); nothing accepted.
    q2 = make_question(sam, title="Is the assignment deadline firm?", group=group)
    _at(q2, NOW - timedelta(days=5))
    _answer_at(q2, fran, NOW - timedelta(days=5) + timedelta(hours=1))
    # Q3: asked 2 days ago by Pat, no answer yet.
    q3 = make_question(pat, title="Any tips for the stakeholder interview?", group=group)
    _at(q3, NOW - timedelta(days=2))
    # D1: a discussion by Sam with no reply.
    board = db.session.scalar(select(Board).where(Board.group_id == group.id))
    d1 = posts.create_topic(acting(sam), kind="discussion", title="Coffee chat on Friday?", body="Anyone?",
                            board=board)  # fmt: skip
    # A post Fran hid: it must count nowhere.
    hidden = posts.create_topic(acting(pat), kind="discussion", title="Spammy", body="oops", board=board)
    opening = load_post(fran, db.session.scalar(select(Post.id).where(Post.topic_id == hidden.id)))
    from community.services.moderation import hide_content

    hide_content(acting(fran), opening, opening.topic, "test")
    # The other group's content must not show in Fran's dashboard.
    make_question(mallory, title="Other cohort question", group=other)
    return {"group": group, "other": other, "q1": q1, "q2": q2, "q3": q3, "d1": d1, "quinn": quinn, "olga": olga}


def test_figures_are_right_for_a_known_cohort(cohort, fran):
    scope = dashboard.make_scope(acting(fran), None, "30", now=utcnow() + timedelta(seconds=5))
    assert [g.id for g in scope.groups] == [cohort["group"].id] and not scope.whole_community
    peers = dashboard.peer_support(scope)
    assert (peers.questions, peers.answered, peers.first_by_peer) == (3, 2, 1)
    assert peers.peer_first_rate == 0.5
    assert (peers.accepted, peers.accepted_from_peer, peers.peer_accepted_rate) == (1, 1, 1.0)
    assert peers.median_hours == pytest.approx(2.0)
    share = dashboard.participation(scope)
    assert (share.members, share.posted) == (3, 2)
    quiet = dashboard.load_members(dashboard.quiet_member_ids(scope))
    assert [(m.handle, never) for m, never in quiet] == [("quinn", True)]
    attention = dashboard.needs_attention(acting(fran), scope)
    assert [t.id for t in attention.unanswered] == [cohort["q3"].id]
    assert [t.id for t in attention.no_reply] == [cohort["d1"].id]
    weeks = dashboard.engagement(scope)
    assert sum(w.questions for w in weeks) == 3
    assert sum(w.answers for w in weeks) == 2
    assert sum(w.discussions for w in weeks) == 1  # the hidden one does not count


def test_a_shorter_period_only_counts_what_happened_in_it(cohort, fran):
    scope = dashboard.make_scope(acting(fran), None, "7", now=utcnow() + timedelta(seconds=5))
    peers = dashboard.peer_support(scope)
    assert (peers.questions, peers.answered, peers.first_by_peer) == (2, 1, 0)
    assert peers.median_hours == pytest.approx(1.0)
    assert peers.previous.questions == 1 and peers.previous.first_by_peer == 1


def test_the_page_and_the_csv_show_the_same_numbers(client, login, cohort, fran):
    login(fran)
    page = client.get("/dashboard/?period=30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Any tips for the stakeholder interview?" in html and "Coffee chat on Friday?" in html
    assert "Quinn Quiet" in html and "never posted" in html
    assert "67%" in html  # 2 of 3 participants posted
    assert "50%" in html and "100%" in html and "2.0 h" in html
    assert "Other cohort question" not in html and "Spammy" not in html
    assert "<svg" in html and 'role="img"' in html
    response = client.get("/dashboard/figures.csv?period=30")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, weekly = rows[0], rows[1:rows.index([])]
    assert header[0] == "week starting"
    assert sum(int(r[3]) for r in weekly) == 3 and sum(int(r[4]) for r in weekly) == 2
    figures = dict(rows[rows.index([]) + 2:])
    assert figures["participants"] == "3" and figures["participants who posted"] == "2"
    assert figures["first answers from a peer"] == "1" and figures["questions answered"] == "2"
    assert figures["accepted answers from a peer"] == "1"
    assert figures["median hours to first answer"] == "2.0"
    for row in weekly:
        assert f"<td>{row[3]}</td>" in html or row[3] == "0"


def test_who_may_open_the_dashboard(client, login, cohort, admin, fran, pat):
    login(pat)
    assert client.get("/dashboard/").status_code == 404
    assert client.get("/dashboard/figures.csv").status_code == 404
    login(cohort["olga"])
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "Other cohort question" in html and "Any tips for the stakeholder" not in html
    # Naming a group one doesn't facilitate falls back to one's own groups.
    html = client.get(f"/dashboard/?group={cohort['group'].slug}").get_data(as_text=True)
    assert "Any tips for the stakeholder" not in html
    login(admin)
    html = client.get("/dashboard/?period=all").get_data(as_text=True)
    assert "Other cohort question" in html and "Any tips for the stakeholder" in html
    html = client.get(f"/dashboard/?group={cohort['other'].slug}&period=bogus").get_data(as_text=True)
    assert "Other cohort question" in html and "Any tips for the stakeholder" not in html


def test_nudging_a_quiet_member(client, login, cohort, fran, mallory):
    login(fran)
    quinn = cohort["quinn"]
    response = client.post(f"/dashboard/nudge/{quinn.handle}", data={"message": "We'd love to hear from you!"})
    assert response.status_code == 302
    note = db.session.scalar(select(Notification).where(Notification.user_id == quinn.id))
    assert note.kind == "nudge" and note.message == "We'd love to hear from you!" and note.actor_id == fran.id
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == quinn.email))
    assert mail is not None and "We'd love to hear from you!" in mail.body_text
    again = client.post(f"/dashboard/nudge/{quinn.handle}", data={"message": "Again"})
    assert again.status_code == 303
    assert db.session.query(Notification).filter_by(user_id=quinn.id).count() == 1
    assert client.post(f"/dashboard/nudge/{quinn.handle}", data={"message": ""}).status_code == 303
    # Not a member of Fran's groups: as if they did not exist.
    assert client.post(f"/dashboard/nudge/{mallory.handle}", data={"message": "hi"}).status_code == 404
    assert db.session.query(Notification).filter_by(user_id=mallory.id).count() == 0


def test_my_participation(client, login, cohort, fran, pat, sam):
    login(pat)
    html = client.get(f"/dashboard/participation/{pat.handle}").get_data(as_text=True)
    assert "My participation" in html
    login(sam)
    page = client.get(f"/dashboard/participation/{sam.handle}")
    assert page.status_code == 200
    assert "Any tips for the stakeholder interview?" in page.get_data(as_text=True)  # a peer's open question
    from community.services.dashboard import my_participation

    mine = my_participation(acting(sam), acting(sam))
    assert (mine.answers_accepted, mine.topics) == (1, 2)
    assert client.get(f"/dashboard/participation/{pat.handle}").status_code == 404
    login(fran)
    assert client.get(f"/dashboard/participation/{pat.handle}").status_code == 200


def _grow(cohort, fran, pat, sam, n):
    group = cohort["group"]
    board = db.session.scalar(select(Board).where(Board.group_id == group.id))
    for i in range(n):
        make_question(pat, title=f"Extra question {i}", group=group)
        posts.create_topic(acting(sam), kind="discussion", title=f"Extra talk {i}", body="hello", board=board)
        make_user(f"extra{i}_{n}")


def test_dashboard_query_count_does_not_grow(app, client, login, cohort, fran, pat, sam, count_queries):
    login(fran)
    with count_queries() as small:
        assert client.get("/dashboard/").status_code == 200
    _grow(cohort, fran, pat, sam, 12)
    with count_queries() as large:
        assert client.get("/dashboard/").status_code == 200
    assert len(small) == len(large), "\n".join(large)


def test_dashboard_query_count_is_exact(app, client, login, cohort, fran, assert_queries):
    login(fran)
    with assert_queries(DASHBOARD_QUERIES):
        assert client.get("/dashboard/").status_code == 200


def test_period_figures_are_reused_for_a_while_but_attention_stays_live(
    app, client, login, cohort, fran, pat, sam, assert_queries
):
    from community import cache

    cache.clear()
    app.config["DASHBOARD_CACHE_SECONDS"] = 120
    try:
        login(fran)
        first = client.get("/dashboard/").get_data(as_text=True)
        assert "Figures below as of" in first
        with assert_queries(DASHBOARD_QUERIES_CACHED):
            assert client.get("/dashboard/").status_code == 200
        # New activity: the question shows at once in "needs attention"; the period's figures wait for the cache.
        make_question(pat, title="A brand new unanswered question", group=cohort["group"])
        page = client.get("/dashboard/").get_data(as_text=True)
        assert "A brand new unanswered question" in page
        csv_cached = client.get("/dashboard/figures.csv").get_data(as_text=True)
        cache.clear()
        csv_fresh = client.get("/dashboard/figures.csv").get_data(as_text=True)
        assert csv_cached != csv_fresh  # one more question asked in the period
        assert "questions asked," in csv_fresh
        # Another facilitator's scope never reads this one's figures: the key is the scope, not the viewer.
        from community.services import dashboard

        key_groups = {k[3] for k in cache._entries}
        assert key_groups == {tuple(sorted(g.id for g in dashboard.facilitated_groups(fran)))}
    finally:
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        cache.clear()


def test_quiet_members_show_twenty_then_all_on_request(client, login, cohort, fran):
    from community.services.groups import add_member

    for i in range(25):
        add_member(cohort["group"], make_user(f"hush{i:02d}", display_name=f"Hush {i:02d}"), actor=fran)
    db.session.commit()
    login(fran)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert html.count('class="nudge"') == dashboard.QUIET_SHOWN
    assert "Show all 26 quiet members" in html  # quinn and 25 more, none of whom posted
    html = client.get("/dashboard/?quiet=all").get_data(as_text=True)
    assert html.count('class="nudge"') == 26 and "Show all" not in html
    assert "Quinn Quiet" in html and "Hush 24" in html
