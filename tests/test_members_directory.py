"""The member directory: search, role filter, sort, pages; only active members; constant queries."""

import re

import pytest

from tests.factories import make_user
from tests.factories_members import LAYOUT_QUERIES, make_members


def _names(html: str) -> list[str]:
    return re.findall(r'<h2 class="member-card-name"><a href="/members/[^"]+">([^<]+)</a>', html)


def test_the_directory_lists_active_members_only(client, login, admin, fran, pat, sam, suspended, pending):
    make_user("gone", state="deleted", display_name="Gone Member")
    make_user("ivy", state="invited", display_name="Ivy Invited")
    login(pat)
    page = client.get("/members")
    assert page.status_code == 200
    names = _names(page.get_data(as_text=True))
    assert names == ["Ada Admin", "Fran Facilitator", "Pat Participant", "Sam Peer"]


def test_cards_show_badge_headline_and_organisation(client, login, fran, pat):
    from community.services.members import update_profile
    from tests.factories import acting

    update_profile(acting(fran), fran, display_name="Fran Facilitator", headline="Coach & mentor", organisation="Acme")
    login(pat)
    html = client.get("/members").get_data(as_text=True)
    assert "✓ Facilitator" in html and "Coach &amp; mentor" in html and "Acme" in html and "@fran" in html


@pytest.mark.parametrize("q, expected", [("pat", ["Pat Participant"]), ("PEER", ["Sam Peer"]), ("@sam", ["Sam Peer"]),
                                         ("fran fac", ["Fran Facilitator"]), ("%", []), ("_", []),
                                         ("zzz", [])])  # fmt: skip
def test_search_by_name_or_handle(client, login, fran, pat, sam, q, expected):
    login(pat)
    html = client.get("/members", query_string={"q": q}).get_data(as_text=True)
    assert _names(html) == expected
    if not expected:
        assert "No members match" in html


def test_search_text_is_kept_and_escaped(client, login, pat):
    login(pat)
    html = client.get("/members", query_string={"q": '"><script>x</script>'}).get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_filter_by_role(client, login, admin, fran, pat, sam):
    login(pat)
    assert _names(client.get("/members?role=facilitator").get_data(as_text=True)) == ["Fran Facilitator"]
    assert _names(client.get("/members?role=admin").get_data(as_text=True)) == ["Ada Admin"]
    assert len(_names(client.get("/members?role=nonsense").get_data(as_text=True))) == 4


def test_sort_by_name_or_newest(client, login, pat):
    make_user("zoe", display_name="Zoe Zed")
    make_user("abe", display_name="abe able")
    login(pat)
    assert _names(client.get("/members?sort=name").get_data(as_text=True)) == ["abe able", "Pat Participant", "Zoe Zed"]
    assert _names(client.get("/members?sort=newest").get_data(as_text=True)) == [
        "abe able",
        "Zoe Zed",
        "Pat Participant",
    ]


def test_pages_of_twenty(client, login, pat):
    make_members(44)
    login(pat)
    first = client.get("/members").get_data(as_text=True)
    assert len(_names(first)) == 20 and "Page 1 of 3" in first and 'rel="next" href="/members?page=2"' in first
    third = client.get("/members?page=3").get_data(as_text=True)
    assert len(_names(third)) == 5 and 'rel="prev" href="/members?page=2"' in third and 'rel="next"' not in third
    # Filters survive paging; silly page numbers fall back to a real page.
    second = client.get("/members?q=member&page=2").get_data(as_text=True)
    assert 'href="/members?q=member&amp;page=1"' in second
    for silly in ("0", "-3", "abc", "999"):
        assert client.get(f"/members?page={silly}").status_code == 200


def test_anonymous_and_pending_people_cannot_browse(client, login, pending, pat):
    assert client.get("/members").status_code == 302
    login(pending)
    response = client.get("/members")
    assert response.status_code == 403 and b"Pat Participant" not in response.data


@pytest.mark.parametrize("n", [5, 60])
def test_directory_query_count_does_not_grow(client, login, pat, assert_queries, n):
    make_members(n)
    login(pat)
    # The layout, then the count and the page of members.
    with assert_queries(LAYOUT_QUERIES + 2):
        assert client.get("/members?q=member&role=participant&sort=newest").status_code == 200
    with assert_queries(LAYOUT_QUERIES + 2):
        assert client.get("/members?page=2").status_code == 200


def test_nul_bytes_in_a_search_are_harmless(client, login, pat):
    login(pat)
    assert client.get("/members", query_string={"q": "pat\x00"}).status_code == 200


@pytest.mark.parametrize("q, expected", [("acme", ["Fran Facilitator"]), ("Northwind", ["Sam Peer"]),
                                         ("coach", ["Fran Facilitator"]), ("talent", ["Sam Peer"]),
                                         ("acme coach", ["Fran Facilitator"]), ("sam talent", ["Sam Peer"]),
                                         ("acme talent", []),
                                         ("learning", ["Fran Facilitator", "Sam Peer"])])  # fmt: skip
def test_search_finds_members_by_organisation_and_headline_words(client, login, fran, pat, sam, q, expected):
    from community.services.members import update_profile
    from tests.factories import acting

    update_profile(acting(fran), fran, display_name="Fran Facilitator", headline="Coach for learning leads",
                   organisation="Acme Health")  # fmt: skip
    update_profile(acting(sam), sam, display_name="Sam Peer", headline="Talent and learning partner",
                   organisation="Northwind Traders")  # fmt: skip
    login(pat)
    html = client.get("/members", query_string={"q": q}).get_data(as_text=True)
    assert _names(html) == expected
