"""Q&A pages: asking (with similar questions), the question page, answering, comments, votes, accepting,
closing, editing and deleting, through real requests."""

import pytest

from community.extensions import db
from community.models import Post, Revision, Subscription, Topic, Vote
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_question, opening_of, reload, vote


@pytest.fixture
def cohort(fran, pat, sam):
    """A private cohort group: fran facilitates, pat and sam are members."""
    return make_group(fran, "private", members=[pat, sam], name="Cohort 7")


def test_ask_in_my_group_then_answer_vote_accept(client, login, cohort, pat, sam, fran):
    login(pat)
    page = client.get("/questions/ask")
    assert page.status_code == 200
    assert b"Cohort 7" in page.data and b"Check for similar questions" in page.data
    response = client.post("/questions/ask", data={
        "title": "How do I run a retrospective?", "body": "With a **remote** team.", "tags": "agile, teams",
        "where": str(cohort.id), "submit": "Post your question",
    })  # fmt: skip
    assert response.status_code == 302
    topic = db.session.query(Topic).one()
    assert (topic.kind, topic.group_id, topic.board_id) == ("question", cohort.id, None)
    assert topic.title == "How do I run a retrospective?"
    assert db.session.query(Subscription).filter_by(user_id=pat.id, target_id=topic.id).count() == 1
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert b"<strong>remote</strong>" in page.data and b"#agile" in page.data
    assert b"No answers yet" in page.data

    login(sam)
    response = client.post(f"/questions/{topic.id}/answers", data={"body": "Start, stop, continue."})
    assert response.status_code == 302
    answer = db.session.query(Post).filter_by(kind="answer").one()
    topic = reload(Topic, topic.id)
    assert topic.reply_count == 1 and topic.first_answer_by_role == "participant" and topic.first_answer_at

    login(fran)
    assert client.post(f"/questions/posts/{answer.id}/vote", data={"value": "1"}).status_code == 302
    assert reload(Post, answer.id).score == 1
    page = client.get(f"/questions/{topic.id}")
    assert b"Accept this answer" in page.data  # a facilitator of the group may accept

    login(pat)
    response = client.post(f"/questions/{topic.id}/accept", data={"answer_id": str(answer.id), "current": "0"})
    assert response.status_code == 302
    topic = reload(Topic, topic.id)
    assert topic.accepted_post_id == answer.id and topic.accepted_by_role == "participant" and topic.accepted_at
    page = client.get(f"/questions/{topic.id}")
    assert b"Accepted answer" in page.data and b"Unmark as accepted" in page.data


def test_similar_questions_fragment_json_and_no_js_check(client, login, cohort, pat, sam, mallory):
    make_question(sam, title="Giving feedback to a senior colleague")
    make_question(sam, title="Feedback secrets of cohort seven", group=cohort)
    login(pat)
    fragment = client.get("/questions/similar?title=how+to+give+feedb")
    assert fragment.status_code == 200
    assert b"Giving feedback to a senior colleague" in fragment.data and b"Feedback secrets" in fragment.data
    data = client.get("/questions/similar?title=feedback&format=json").get_json()
    assert {q["title"] for q in data["questions"]} == {"Giving feedback to a senior colleague",
                                                        "Feedback secrets of cohort seven"}  # fmt: skip
    page = client.post("/questions/ask", data={"title": "Feedback for seniors", "body": "kept text",
                                               "check": "Check for similar questions"})  # fmt: skip
    assert page.status_code == 200
    assert b"Giving feedback to a senior colleague" in page.data and b"kept text" in page.data
    assert db.session.query(Topic).count() == 2  # checking asks nothing
    login(mallory)
    fragment = client.get("/questions/similar?title=feedback")
    assert b"Giving feedback" in fragment.data and b"Feedback secrets" not in fragment.data
    assert b"yours looks new" in client.get("/questions/similar?title=zzzzqqq").data


def test_comments_edit_history_and_delete(client, login, pat, sam):
    q = make_question(pat, title="Which coaching model?", body="GROW or CLEAR?")
    answer = make_answer(sam, q, "GROW, to start.")
    login(pat)
    response = client.post(f"/questions/posts/{answer.id}/comments", data={"body": "Why GROW?"})
    assert response.status_code == 302
    comment = db.session.query(Post).filter_by(kind="comment").one()
    assert comment.parent_id == answer.id
    assert reload(Topic, q.id).reply_count == 1  # comments aren't answers
    login(sam)
    assert b"Why GROW?" in client.get(f"/questions/{q.id}").data
    assert client.get(f"/questions/posts/{answer.id}/edit").status_code == 200
    response = client.post(f"/questions/posts/{answer.id}/edit", data={"body": "CLEAR, then GROW.", "revision": "0"})
    assert response.status_code == 302
    assert reload(Post, answer.id).body == "CLEAR, then GROW."
    assert [r.body for r in db.session.query(Revision).filter_by(post_id=answer.id)] == ["GROW, to start."]
    assert client.post(f"/questions/posts/{answer.id}/delete").status_code == 302
    answer = reload(Post, answer.id)
    assert answer.deleted_at is not None and answer.body == "CLEAR, then GROW."
    assert reload(Topic, q.id).reply_count == 0
    assert b"CLEAR, then GROW." not in client.get(f"/questions/{q.id}").data


def test_asker_edits_title_and_tags_and_deletes_the_question(client, login, pat):
    q = make_question(pat, title="Old title", tags="one")
    opening = opening_of(q)
    login(pat)
    form = client.get(f"/questions/posts/{opening.id}/edit")
    assert b'value="Old title"' in form.data and b'value="one"' in form.data
    data = {"title": "New title", "body": "b", "tags": "two", "revision": "0"}
    assert client.post(f"/questions/posts/{opening.id}/edit", data=data).status_code == 302
    assert reload(Topic, q.id).title == "New title"
    assert client.post(f"/questions/posts/{opening.id}/delete").status_code == 302
    assert reload(Topic, q.id).deleted_at is not None
    assert client.get(f"/questions/{q.id}").status_code == 404
    assert b"New title" not in client.get("/questions/").data


def test_close_as_duplicate_and_reopen(client, login, cohort, fran, pat, sam):
    original = make_question(pat, title="Original", group=cohort)
    copy = make_question(sam, title="Copy", group=cohort)
    login(fran)
    response = client.post(f"/questions/{copy.id}/close", data={"duplicate_of": f"http://x/questions/{original.id}"})
    assert response.status_code == 302
    copy = reload(Topic, copy.id)
    assert copy.closed_at is not None and copy.duplicate_of_id == original.id
    page = client.get(f"/questions/{copy.id}")
    assert b"closed</strong> as a duplicate of" in page.data and b"Reopen" in page.data
    login(pat)
    page = client.get(f"/questions/{copy.id}")
    assert b"takes no new answers" in page.data and b"Post your answer" not in page.data
    response = client.post(f"/questions/{copy.id}/answers", data={"body": "late"})
    assert response.status_code == 403
    assert reload(Topic, copy.id).reply_count == 0
    login(fran)
    assert client.post(f"/questions/{copy.id}/reopen").status_code == 302
    assert reload(Topic, copy.id).closed_at is None


def test_votes_change_and_withdraw_and_mirror_on_the_topic(client, login, pat, sam, mallory):
    q = make_question(pat, title="Q")
    login(sam)
    opening = opening_of(q)
    client.post(f"/questions/posts/{opening.id}/vote", data={"value": "1"})
    assert reload(Topic, q.id).score == 1
    client.post(f"/questions/posts/{opening.id}/vote", data={"value": "-1"})
    assert (reload(Post, opening.id).score, reload(Topic, q.id).score) == (-1, -1)
    json = {"Accept": "application/json"}
    response = client.post(f"/questions/posts/{opening.id}/vote", data={"value": "0"}, headers=json)
    assert response.get_json() == {"score": 0, "value": 0}
    assert db.session.query(Vote).count() == 0
    vote(mallory, opening, 1)
    assert reload(Topic, q.id).score == 1


def test_list_tabs_filters_and_keyset_pages(client, login, fran, pat, sam):
    import re

    group = make_group(fran, "open", members=[pat, sam], name="Cohort")
    asked = [make_question(pat if i % 2 else sam, title=f"Question {i:02d}", group=group if i < 5 else None,
                           tags="coaching" if i % 3 == 0 else None) for i in range(45)]  # fmt: skip
    answered = make_answer(fran, asked[0])
    accepted = make_answer(fran, asked[1])
    vote(sam, opening_of(asked[3]), 1)
    login(pat)
    client.post(f"/questions/{asked[1].id}/accept", data={"answer_id": accepted.id})
    assert answered

    def titles(url):
        page = client.get(url)
        assert page.status_code == 200
        return re.findall(r'qa-row-title"><a href="/questions/\d+">(Question \d+)</a>', page.data.decode()), page

    # Keyset pages of 20, newest first, walked forwards and back.
    first, page = titles("/questions/")
    assert first == [f"Question {i:02d}" for i in range(44, 24, -1)]
    next_url = re.search(r'rel="next" href="([^"]+)"', page.data.decode()).group(1).replace("&amp;", "&")
    second, page = titles(next_url)
    assert second == [f"Question {i:02d}" for i in range(24, 4, -1)]
    third, page = titles(re.search(r'rel="next" href="([^"]+)"', page.data.decode()).group(1).replace("&amp;", "&"))
    assert third == [f"Question {i:02d}" for i in range(4, -1, -1)] and b'rel="next"' not in page.data
    back, _ = titles(re.search(r'rel="prev" href="([^"]+)"', page.data.decode()).group(1).replace("&amp;", "&"))
    assert back == second
    assert titles("/questions/?after=garbage")[0] == first  # a broken cursor is the first page

    unanswered, _ = titles("/questions/?filter=unanswered")
    assert "Question 00" not in unanswered and "Question 01" not in unanswered and len(unanswered) == 20
    unaccepted, _ = titles("/questions/?filter=unaccepted&sort=activity")
    assert unaccepted[0] == "Question 00" and "Question 01" not in unaccepted  # answered, so most active
    mine, _ = titles("/questions/?filter=mine")
    assert all(int(t.split()[1]) % 2 for t in mine)
    assert titles("/questions/?sort=votes")[0][0] == "Question 03"
    tagged, _ = titles("/questions/?tag=coaching")
    assert tagged and all(int(t.split()[1]) % 3 == 0 for t in tagged)
    in_group, _ = titles(f"/questions/?group={group.slug}")
    assert sorted(in_group) == [f"Question {i:02d}" for i in range(5)]
    assert client.get("/questions/?group=no-such-group").status_code == 404


def test_re_reading_a_question_writes_nothing(client, login, fran, pat, count_queries):
    from tests.factories_groups import make_group
    from tests.factories_qa import make_question

    group = make_group(fran, "open", members=[pat])
    question = make_question(fran, title="Where do I find the handbook?", group=group)
    login(pat)
    client.get(f"/questions/{question.id}")  # the first visit records the read position
    with count_queries() as seen:
        assert client.get(f"/questions/{question.id}").status_code == 200
    assert not [q for q in seen if q.lstrip().upper().startswith(("INSERT", "UPDATE"))]
