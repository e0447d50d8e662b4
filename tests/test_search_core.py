"""Full-text search core: SQLite FTS5 / PostgreSQL tsvector, kept in step by the writing services, and
never returning or counting what the searcher may not see."""

import pytest

from community.extensions import db
from community.models import Board
from community.search import count_topics, query_terms, reindex_all, search_topics
from community.services import posts
from tests.factories import acting, load_post
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_comment, make_question, opening_of

HOSTILE = [
    '"', '""', "'", "NEAR(", "NEAR(a b", "*", "**", "%", "%%", "\\", "\\\\", "AND", "OR", "NOT", "a AND OR NOT b",
    "^", "-", "+feedback -peer", "(", ")", "{}", "title:feedback", "col:*", "x" * 10_000, "feedback " * 2000,
    "!!!???...", ":*", "'feedback':*", "&|!", "\x00", "日本語", "<script>", "a\nb", "_", "___",
]  # fmt: skip


def _titles(hits):
    return [h.topic.title for h in hits]


def test_finds_questions_by_title_body_answer_and_comment(pat, sam):
    q1 = make_question(pat, title="Giving feedback to a senior colleague", body="How do I start?")
    q2 = make_question(pat, title="Designing an induction programme", body="Onboarding for new starters.")
    make_answer(sam, q2, "Try a buddy system with weekly check-ins.")
    make_comment(sam, opening_of(q1), "Mentoring circles helped me.")
    assert _titles(search_topics(acting(sam), "feedback")) == [q1.title]
    assert _titles(search_topics(acting(sam), "onboarding")) == [q2.title]
    assert _titles(search_topics(acting(sam), "buddy")) == [q2.title]
    assert _titles(search_topics(acting(sam), "mentoring")) == [q1.title]
    # Stemming: "designs" finds "Designing"; all words must match unless any_word.
    assert _titles(search_topics(acting(sam), "designs induction")) == [q2.title]
    assert search_topics(acting(sam), "feedback induction") == []
    assert len(search_topics(acting(sam), "feedback induction", any_word=True)) == 2
    assert count_topics(acting(sam), "feedback induction", any_word=True) == 2
    # Prefix of the last word while typing.
    assert _titles(search_topics(acting(sam), "induc", prefix_last=True)) == [q2.title]


def test_title_ranks_above_a_mention_in_the_body(pat):
    body_only = make_question(pat, title="A question about coaching", body="Some say feedback matters here.")
    titled = make_question(pat, title="Feedback models compared", body="SBI or COIN?")
    hits = search_topics(acting(pat), "feedback")
    assert _titles(hits) == [titled.title, body_only.title]
    assert hits[0].rank >= hits[1].rank


def test_one_hit_per_topic_with_its_best_post(pat, sam):
    q = make_question(pat, title="Facilitation tips", body="Reflection in groups.")
    answer = make_answer(sam, q, "Reflection journals, reflection walks, reflection cards.")
    hits = search_topics(acting(pat), "reflection")
    assert len(hits) == 1 and hits[0].topic.id == q.id
    assert hits[0].post_id in (answer.id, opening_of(q).id)


def test_edits_deletes_hiding_and_restoring_keep_the_index_in_step(pat, sam, fran):
    q = make_question(pat, title="Stakeholder mapping", body="Which template?")
    answer = make_answer(sam, q, "Use a power-interest grid.")
    assert search_topics(acting(pat), "grid")
    loaded = load_post(sam, answer.id)
    posts.edit_post(acting(sam), loaded, loaded.topic, "Use an influence matrix.")
    assert search_topics(acting(pat), "grid") == []
    assert search_topics(acting(pat), "influence")
    opening = load_post(pat, opening_of(q).id)
    posts.edit_post(acting(pat), opening, opening.topic, "Which template?", title="Mapping your sponsors")
    assert search_topics(acting(pat), "stakeholder") == []
    assert search_topics(acting(pat), "sponsors")
    loaded = load_post(sam, answer.id)
    posts.delete_post(acting(sam), loaded, loaded.topic)
    assert search_topics(acting(pat), "influence") == []
    # Hidden by a moderator, then restored.
    other = make_answer(sam, q, "A RACI chart.")
    loaded = load_post(fran, other.id)
    posts.hide_post(acting(fran), loaded, loaded.topic, "off topic")
    assert search_topics(acting(pat), "raci") == []
    loaded = load_post(fran, other.id)
    posts.restore_post(acting(fran), loaded, loaded.topic)
    assert search_topics(acting(pat), "raci")


def test_never_returns_or_counts_what_the_searcher_may_not_see(fran, pat, sam, mallory, admin):
    private = make_group(fran, "private", members=[pat])
    request_group = make_group(fran, "request", members=[pat])
    make_question(pat, title="Secret cohort budget question", group=private)
    make_question(pat, title="Secret request group budget", group=request_group)
    draft = posts.create_topic(acting(pat), kind="question", title="Secret draft budget", body="b", status="draft")
    hidden = make_question(pat, title="Secret hidden budget")
    posts.hide_post(acting(fran), load_post(fran, opening_of(hidden).id), load_post(fran, opening_of(hidden).id).topic)
    assert draft.status == "draft"
    for outsider in (mallory, sam):
        assert search_topics(acting(outsider), "secret budget") == []
        assert count_topics(acting(outsider), "secret budget") == 0
    assert sorted(_titles(search_topics(acting(pat), "secret budget"))) == [
        "Secret cohort budget question", "Secret request group budget",
    ]  # fmt: skip
    assert count_topics(acting(pat), "budget") == 2
    assert count_topics(acting(admin), "budget") == 2  # hidden and draft stay out of listings for everyone
    assert search_topics(None, "budget") == []


def test_kind_and_group_filters(fran, pat):
    group = make_group(fran, "open", members=[pat])
    board = db.session.query(Board).filter_by(group_id=group.id).one()
    posts.create_topic(acting(pat), kind="discussion", title="Budget discussion", body="b", board=board)
    q = make_question(pat, title="Budget question", group=group)
    make_question(pat, title="Budget question for everyone")
    assert len(search_topics(acting(pat), "budget")) == 3
    assert sorted(_titles(search_topics(acting(pat), "budget", kinds=["question"]))) == [
        "Budget question", "Budget question for everyone",
    ]  # fmt: skip
    assert _titles(search_topics(acting(pat), "budget", kinds=["question"], group_id=group.id)) == [q.title]
    assert _titles(search_topics(acting(pat), "budget", exclude_topic_id=q.id, kinds=["question"])) == [
        "Budget question for everyone"
    ]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(pat, query):
    make_question(pat, title="Feedback and peer review", body="NEAR AND OR NOT quoted words")
    for any_word in (False, True):
        for prefix in (False, True):
            hits = search_topics(acting(pat), query, any_word=any_word, prefix_last=prefix)
            assert isinstance(hits, list)
    assert count_topics(acting(pat), query) >= 0


def test_operators_are_only_words(pat):
    make_question(pat, title="Feedback and peer review", body="Sit near the door.")
    assert len(search_topics(acting(pat), 'feedback" OR "anything')) == 0  # all words: "anything" is missing
    assert len(search_topics(acting(pat), "feedback NEAR(peer")) == 1  # NEAR is a plain word here
    assert len(search_topics(acting(pat), "feedback NOT door")) == 1  # NOT is a word, not an operator
    assert query_terms("only ... punctuation!!!") == ["only", "punctuation"]
    assert query_terms("!!! ??? ***") == []
    assert query_terms("How do I") == ["how", "do", "i"]  # all small words: kept
    assert len(query_terms(" ".join(f"w{i}" for i in range(100)) + " word" * 5000)) == 12


def test_reindex_all_rebuilds_everything_live(pat, sam):
    q = make_question(pat, title="Coaching conversations", body="GROW model?")
    make_answer(sam, q, "Try OSKAR.")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "DELETE FROM search_documents" if conn.dialect.name == "postgresql" else "DELETE FROM search_index"
        )
    assert search_topics(acting(pat), "oskar") == []
    seen = []
    assert reindex_all(progress=lambda done, total: seen.append((done, total))) == 2
    assert seen[-1] == (2, 2)
    db.session.rollback()  # end the test's read snapshot, as a new request would
    assert _titles(search_topics(acting(pat), "oskar")) == [q.title]
    assert _titles(search_topics(acting(pat), "coaching")) == [q.title]
