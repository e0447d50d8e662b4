"""Concurrency rules, proven with real concurrent requests (threads, each with its own test client and so
its own app context and database session) on the SQLite file database and on PostgreSQL."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from sqlalchemy import func, select

from community.extensions import db
from community.models import Group, Post, Topic, User, Vote
from community.services.accounts import start_session
from tests.factories import make_user
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_question, opening_of, reload


def _client_for(app, user):
    """A test client signed in as ``user`` (its own cookie jar)."""
    client = app.test_client()
    token = start_session(user)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def _run_together(app, calls):
    """Run the calls at the same moment (a barrier releases every thread at once); return the results.
    Each thread has an app context of its own (its requests run in fresh ones, see IsolatedClient)."""
    db.session.commit()  # the test's own session holds no transaction while the requests run
    db.session.remove()
    barrier = threading.Barrier(len(calls))

    def run(call):
        with app.app_context():
            barrier.wait()
            return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _accept(client, question_id, answer_id, **extra):
    data = {"answer_id": answer_id, **extra}
    return client.post(f"/questions/{question_id}/accept", data=data).status_code


def _sum_of_votes(post_id):
    return db.session.scalar(select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.post_id == post_id))


def test_fifty_concurrent_votes_from_the_same_member_keep_the_score_exact(app, pat, sam):
    q = make_question(pat, title="Concurrent votes")
    answer_id, sam_id = make_answer(pat, q).id, sam.id
    clients = [_client_for(app, sam) for _ in range(50)]
    values = [random.choice([1, -1, 0, 1]) for _ in range(50)]
    responses = _run_together(app, [
        (lambda c=c, v=v: c.post(f"/questions/posts/{answer_id}/vote", data={"value": str(v)}).status_code)
        for c, v in zip(clients, values, strict=True)
    ])  # fmt: skip
    assert responses == [302] * 50
    post = reload(Post, answer_id)
    assert db.session.query(Vote).filter_by(post_id=answer_id, user_id=sam_id).count() <= 1
    assert post.score == _sum_of_votes(answer_id)
    assert post.score in (-1, 0, 1)


def test_fifty_concurrent_votes_from_many_members_lose_nothing(app, pat):
    q = make_question(pat, title="Many voters")
    opening_id, topic_id = opening_of(q).id, q.id
    voters = [make_user(f"voter{i}") for i in range(10)]
    calls = []
    finals = {}
    for voter in voters:
        client = _client_for(app, voter)
        sequence = [random.choice([1, -1]) for _ in range(5)]
        finals[voter.id] = sequence
        for value in sequence:
            calls.append(lambda c=client, v=value: c.post(f"/questions/posts/{opening_id}/vote",
                                                          data={"value": str(v)}).status_code)  # fmt: skip
    random.shuffle(calls)
    assert _run_together(app, calls) == [302] * 50
    post, topic = reload(Post, opening_id), reload(Topic, topic_id)
    assert db.session.query(Vote).filter_by(post_id=opening_id).count() == 10
    assert post.score == _sum_of_votes(opening_id) == topic.score


def test_two_simultaneous_accepts_leave_exactly_one_accepted(app, fran, pat, sam, mallory):
    ids = {u.handle: u.id for u in (fran, pat, sam, mallory)}
    cohort_id = make_group(fran, "open", members=[pat, sam, mallory]).id
    for _round in range(3):
        fran, pat, sam, mallory = (db.session.get(User, ids[h]) for h in ("fran", "pat", "sam", "mallory"))
        cohort = db.session.get(Group, cohort_id)
        q = make_question(pat, title="Which answer wins?", group=cohort)
        qid = q.id
        first, second = make_answer(sam, q, "First answer").id, make_answer(mallory, q, "Second answer").id
        clients = [(_client_for(app, pat), first), (_client_for(app, fran), second)]
        statuses = _run_together(app, [partial(_accept, c, qid, a, current=0) for c, a in clients])
        assert sorted(statuses) == [302, 409]
        topic = reload(Topic, qid)
        assert topic.accepted_post_id == (first if statuses[0] == 302 else second)
        assert topic.accepted_by_role == "participant" and topic.accepted_at is not None


def test_simultaneous_accepts_without_expectation_last_writer_wins_cleanly(app, fran, pat, sam, mallory):
    cohort = make_group(fran, "open", members=[pat, sam, mallory])
    q = make_question(pat, title="Last writer", group=cohort)
    qid = q.id
    first, second = make_answer(sam, q, "First").id, make_answer(mallory, q, "Second").id
    asker, facilitator = _client_for(app, pat), _client_for(app, fran)
    statuses = _run_together(app, [
        lambda: asker.post(f"/questions/{qid}/accept", data={"answer_id": first}).status_code,
        lambda: facilitator.post(f"/questions/{qid}/accept", data={"answer_id": second}).status_code,
    ])  # fmt: skip
    assert statuses == [302, 302]
    assert reload(Topic, qid).accepted_post_id in (first, second)


def test_concurrent_answers_lose_no_count_and_only_the_first_is_recorded(app, fran, pat):
    members = [make_user(f"peer{i}") for i in range(19)]
    cohort = make_group(fran, "open", members=[pat, *members])
    qid = make_question(pat, title="Everyone answers at once", group=cohort).id
    clients = [_client_for(app, fran)] + [_client_for(app, m) for m in members]
    statuses = _run_together(app, [
        (lambda c=c, i=i: c.post(f"/questions/{qid}/answers", data={"body": f"Answer {i}"}).status_code)
        for i, c in enumerate(clients)
    ])  # fmt: skip
    assert statuses == [302] * 20
    topic = reload(Topic, qid)
    answers = db.session.query(Post).filter_by(topic_id=qid, kind="answer").all()
    assert topic.reply_count == len(answers) == 20
    assert sorted(a.number for a in answers) == list(range(2, 22)) and topic.post_counter == 21
    first = min(answers, key=lambda a: a.number)
    assert topic.first_answer_at == first.created_at
    assert topic.first_answer_by_role == first.author_role
