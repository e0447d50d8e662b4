"""The API's lists cost the same number of queries for a few rows as for many (keyset pages, eager authors)."""

import pytest

from tests.factories_api import bearer, token_for
from tests.factories_groups import make_group
from tests.factories_social import discussion, reply


def _grow(fran, pat, group, n):
    for i in range(n):
        topic = discussion(fran, group, title=f"Topic {i}")
        reply(pat, topic, f"Reply {i}")
    return topic


# token lookup, group roles, the page (+ the last-used write, done once a minute: not here)
@pytest.mark.parametrize(("path", "expected"), [("/discussions", 3), ("/members", 3), ("/groups", 3),
                                                ("/boards", 3), ("/conversations", 3), ("/notifications", 3),
                                                ("/me", 2)])  # fmt: skip
def test_list_queries_do_not_grow(client, fran, pat, path, expected, assert_queries):
    group = make_group(fran, "open", members=[pat])
    _grow(fran, pat, group, 2)
    token = bearer(token_for(pat))
    assert client.get(f"/api/v1{path}", headers=token).status_code == 200  # the first use writes last-used
    with assert_queries(expected):
        assert client.get(f"/api/v1{path}", headers=token).status_code == 200
    _grow(fran, pat, group, 12)
    with assert_queries(expected):
        assert client.get(f"/api/v1{path}", headers=token).status_code == 200


def test_a_topics_posts_and_the_cursor(client, fran, pat, assert_queries):
    group = make_group(fran, "open", members=[pat])
    topic = discussion(fran, group, title="Long")
    for i in range(7):
        reply(pat, topic, f"Reply {i}")
    token = bearer(token_for(pat))
    client.get("/api/v1/me", headers=token)
    path = f"/api/v1/topics/{topic.id}/posts"
    with assert_queries(4):  # token, roles, the topic (access_topic), its posts
        first = client.get(f"{path}?limit=5", headers=token).json
    assert len(first["items"]) == 5 and first["next"] == first["items"][-1]["id"]
    rest = client.get(f"{path}?limit=5&before={first['next']}", headers=token).json
    assert len(rest["items"]) == 3 and rest["next"] is None
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 8
