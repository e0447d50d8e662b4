"""GET /composer/tags: #tag completion from tags on topics the member can see (a private group's stay hidden)."""

from __future__ import annotations

import pytest

from tests.factories_boards import make_board, make_discussion
from tests.factories_groups import make_group


@pytest.fixture
def tagged(fran, pat, admin):
    open_board = make_board(admin)
    make_discussion(fran, open_board, tags="reflection reflective-practice")
    private = make_group(fran, "private", members=[pat])
    make_discussion(fran, make_board(fran, group=private), title="Plans", body="About #refsecret here", tags="refplan")


def test_members_get_the_tags_they_can_see(client, login, pat, tagged):
    login(pat)
    names = [row["name"] for row in client.get("/composer/tags?q=ref").get_json()]
    assert sorted(names) == ["reflection", "reflective-practice", "refplan", "refsecret"]


def test_a_private_groups_tags_stay_unknown_outside_it(client, login, mallory, tagged):
    login(mallory)
    assert sorted(r["name"] for r in client.get("/composer/tags?q=%23REF").get_json()) == [
        "reflection", "reflective-practice"]  # fmt: skip
    assert client.get("/composer/tags?q=refp").get_json() == []


@pytest.mark.parametrize("q", ["", "#", "%", "_", "x" * 41])
def test_an_empty_or_wild_query_finds_nothing(client, login, pat, tagged, q):
    login(pat)
    assert client.get("/composer/tags", query_string={"q": q}).get_json() == []


def test_anonymous_visitors_are_sent_to_sign_in(client, tagged):
    assert client.get("/composer/tags?q=ref").status_code == 302


@pytest.mark.parametrize("extra", [0, 20])
def test_tag_completion_takes_three_queries(client, login, pat, admin, assert_queries, extra, tagged):
    board = make_board(admin, name="More")
    for i in range(extra):
        make_discussion(admin, board, title=f"Topic {i}", tags=f"ref{i}")
    login(pat)
    with assert_queries(3):  # the session's member, their groups, the tags
        assert len(client.get("/composer/tags?q=ref").get_json()) == (8 if extra else 4)
