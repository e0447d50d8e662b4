"""Edit history: whoever may see a post sees how it changed, as a word diff of the Markdown (<ins>/<del>)."""

from __future__ import annotations

import pytest

from community.services import posts
from community.services.revisions import word_diff
from tests.factories import acting, load_post
from tests.factories_groups import make_group
from tests.factories_social import discussion, opening, reply


def edit(user, post_id, body, **kwargs):
    post = load_post(user, post_id)
    return posts.edit_post(acting(user), post, post.topic, body, **kwargs)


@pytest.fixture
def edited(fran, pat, sam):
    """Pat's reply in Fran's private group (Sam is a member too), edited twice."""
    group = make_group(fran, "private", members=[pat, sam], name="Cohort 7")
    topic = discussion(pat, group, title="Week 3 reflections")
    post = reply(pat, topic, "I liked the GROW model\n\nSee #week-3")
    edit(pat, post.id, "I really liked the GROW model\n\nSee #week-3 and @sam")
    edit(pat, post.id, "I really liked the OSKAR model\n\nSee #week-3 and @sam")
    return topic, post


def test_word_diff_marks_inserted_and_removed_words():
    pieces = [(p.op, p.text) for p in word_diff("I liked the GROW model", "I really liked the OSKAR model")]
    assert pieces == [("equal", "I "), ("insert", "really "), ("equal", "liked the "), ("delete", "GROW"),
                      ("insert", "OSKAR"), ("equal", " model")]  # fmt: skip
    assert word_diff("same", "same") == [word_diff("same", "same")[0]] and word_diff("", "new")[0].op == "insert"


def test_a_member_who_sees_the_post_reads_its_history_as_a_diff(client, login, edited, sam):
    topic, post = edited
    login(sam)  # neither its author nor a moderator
    thread = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert f'href="/posts/{post.id}/revisions"' in thread
    response = client.get(f"/posts/{post.id}/revisions")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2 edits" in html and "Version 3" in html and "Version 2" in html
    assert '<del><span class="visually-hidden">removed: </span>GROW</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>OSKAR</ins>' in html
    assert '<ins><span class="visually-hidden">added: </span>really </ins>' in html
    assert "1 word added, 1 removed" in html and "3 words added, 0 removed" in html
    assert html.index("Version 3") < html.index("Version 2")  # newest first
    assert "Pat Participant" in html


def test_who_may_not_see_the_post_gets_a_404(client, login, edited, mallory):
    _, post = edited
    login(mallory)  # outside the private group
    assert client.get(f"/posts/{post.id}/revisions").status_code == 404


def test_a_hidden_posts_history_is_for_its_author_and_moderators(client, login, edited, fran, pat, sam):
    _, post = edited
    hidden = load_post(fran, post.id)
    posts.hide_post(acting(fran), hidden, hidden.topic, "Off-topic")
    for user, status in ((sam, 404), (pat, 200), (fran, 200)):
        login(user)
        assert client.get(f"/posts/{post.id}/revisions").status_code == status, user.handle


def test_a_deleted_posts_earlier_text_is_for_moderators_only(client, login, edited, fran, pat, sam):
    _, post = edited
    deleted = load_post(pat, post.id)
    posts.delete_post(acting(pat), deleted, deleted.topic)
    login(sam)
    assert client.get(f"/posts/{post.id}/revisions").status_code == 404
    login(fran)
    assert client.get(f"/posts/{post.id}/revisions").status_code == 200


def test_a_title_change_shows_both_titles(client, login, fran, sam):
    topic = discussion(fran, title="Week 3")
    edit(fran, opening(topic).id, "What works for you?", title="Week 3 reflections")
    login(sam)
    html = client.get(f"/posts/{opening(topic).id}/revisions").get_data(as_text=True)
    assert ('<del><span class="visually-hidden">removed: </span>Week 3</del> → '
            '<ins><span class="visually-hidden">added: </span>Week 3 reflections</ins>') in html


def test_typed_html_in_an_old_version_stays_text(client, login, fran, sam):
    topic = discussion(fran, title="Careful", body="<script>alert(1)</script> hello")
    edit(fran, opening(topic).id, "hello")
    login(sam)
    html = client.get(f"/posts/{opening(topic).id}/revisions").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unedited_post_says_so(client, login, fran, sam):
    topic = discussion(fran)
    login(sam)
    html = client.get(f"/posts/{opening(topic).id}/revisions").get_data(as_text=True)
    assert "This post hasn't been edited." in html


@pytest.mark.parametrize("edits", [1, 6])
def test_the_history_page_query_count_does_not_grow(client, login, fran, sam, assert_queries, edits):
    topic = discussion(fran)
    for n in range(edits):
        edit(fran, opening(topic).id, f"version {n + 2} of the text")
    path = f"/posts/{opening(topic).id}/revisions"
    login(sam)
    # Session, roles, the post (with topic, board, group, author), the revisions with their editors, settings,
    # the bell, mutes: 7 whatever the number of edits (the page had the same 7 before it showed diffs).
    with assert_queries(7):
        assert client.get(path).status_code == 200
