"""Exact query counts: the question list and a question page don't grow with the data."""

from tests.factories import make_user
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_comment, make_question, opening_of, vote

# Sign-in session, memberships, the page of questions, their tags, my groups (filter), settings, bell count.
LIST_QUERIES = 7
# Session, memberships, the topic, mark read, every post with its author, my votes, tags, settings, bell count.
PAGE_QUERIES = 11  # ... mutes, watching, the read position (read first: a re-read writes nothing)


def _questions(asker, group, n):
    for i in range(n):
        make_question(asker, title=f"Question {i}", tags="cipd coaching" if i % 2 else "feedback", group=group)


def _list_queries(client, count_queries, url):
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return len(seen)


def test_question_list_query_count_is_the_same_for_3_and_25_questions(client, login, fran, pat, count_queries,
                                                                      assert_queries):  # fmt: skip
    group = make_group(fran, "private", members=[pat], name="Cohort")
    _questions(pat, group, 3)
    login(pat)
    urls = ["/questions/", "/questions/?filter=unanswered&sort=votes", f"/questions/?group={group.slug}&tag=cipd"]
    small = [_list_queries(client, count_queries, url) for url in urls]
    _questions(pat, None, 22)
    large = [_list_queries(client, count_queries, url) for url in urls]
    assert small == large == [LIST_QUERIES, LIST_QUERIES, LIST_QUERIES + 1]  # + the group filter's group
    with assert_queries(LIST_QUERIES):
        page = client.get("/questions/")
    assert page.data.count(b'class="qa-row"') == 20 and b'rel="next"' in page.data


def _page_queries(client, count_queries, topic_id):
    with count_queries() as seen:
        response = client.get(f"/questions/{topic_id}")
    assert response.status_code == 200
    return len(seen), response


def _thread(question, fran, answerers, n):
    for i in range(n):
        author = answerers[i % len(answerers)]
        answer = make_answer(author, question, f"Answer {i}")
        make_comment(fran, answer, f"Comment {i}")
        vote(fran, answer, 1 if i % 3 else -1)


def test_question_page_query_count_is_the_same_for_5_and_30_answers(client, login, fran, pat, count_queries,
                                                                     assert_queries):  # fmt: skip
    answerers = [make_user(f"peer{i}") for i in range(4)]
    group = make_group(fran, "open", members=[pat, *answerers], name="Cohort")
    small_q = make_question(pat, title="Small", group=group, tags="one two")
    big_q = make_question(pat, title="Big", group=group, tags="one two")
    make_comment(fran, opening_of(small_q))
    make_comment(fran, opening_of(big_q))
    _thread(small_q, fran, answerers, 5)
    _thread(big_q, fran, answerers, 30)
    small_id, big_id = small_q.id, big_q.id
    login(fran)
    small, _ = _page_queries(client, count_queries, small_id)
    large, response = _page_queries(client, count_queries, big_id)
    assert small == large
    assert response.data.count(b"Accept this answer") == 30 and response.data.count(b"Comment ") >= 30
    # Fran facilitates: her header also counts what waits for review (one query).
    assert small == PAGE_QUERIES + 1 + 1  # a first visit also records the read position
    with assert_queries(PAGE_QUERIES + 1):  # a second visit only reads
        assert client.get(f"/questions/{big_id}").status_code == 200
