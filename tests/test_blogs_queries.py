"""Exact query counts: the blog index, a member's blog and a post page cost the same whatever the data size."""

import pytest

from tests.factories_blogs import make_blog_post, make_comment
from tests.factories_groups import make_group

INDEX_QUERIES = 7
POST_QUERIES = 10  # the page, comments, likes, ... and the viewer's mutes (collapsed posts)


def _posts(author, group, n):
    for i in range(n):
        make_blog_post(author, title=f"Post {i}", tags=["reflection", f"t{i % 3}"], group=group if i % 2 else None)


@pytest.mark.parametrize("n", [3, 25])
def test_index_query_count(client, login, pat, sam, fran, assert_queries, n):
    cohort = make_group(fran, "private", members=[pat, sam])
    _posts(pat, cohort, n)
    login(sam)
    with assert_queries(INDEX_QUERIES):
        assert client.get("/blogs").status_code == 200
    with assert_queries(INDEX_QUERIES):  # the member in place of the group filter
        assert client.get("/members/pat/blog").status_code == 200


def _thread(topic, people, n):
    """``n`` comments threaded three and more deep."""
    made = []
    for i in range(n):
        parent = made[-1] if made and i % 5 else None
        made.append(make_comment(people[i % len(people)], topic, f"Comment {i}", parent=parent))


@pytest.mark.parametrize("n", [5, 50])
def test_post_page_query_count(client, login, pat, sam, fran, mallory, assert_queries, n):
    cohort = make_group(fran, "open", members=[pat, sam, mallory])
    topic = make_blog_post(pat, title="Busy post", tags="a b", group=cohort)
    _thread(topic, [sam, mallory, fran, pat], n)
    url = f"/blog/{topic.id}"
    login(sam)
    with assert_queries(POST_QUERIES):
        html = client.get(url).get_data(as_text=True)
    assert f"Comment {n - 1}" in html
