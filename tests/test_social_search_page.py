"""The search page: ranked results with safe highlighted snippets, filters, members, hostile queries; counts."""

import pytest

from community.services import posts
from community.services.search_page import highlight
from tests.factories import acting, make_user
from tests.factories_groups import make_group
from tests.factories_social import discussion, question, reply


def test_finds_topics_and_answers_with_marked_snippets(client, login, fran, pat):
    discussion(fran, title="Coaching models compared", body="GROW and OSKAR are **coaching** models")
    q = question(pat, title="Which framework?", body="Looking for a framework")
    reply(fran, q, "Try the coaching habit <script>alert(1)</script>", kind="answer")
    login(pat)
    html = client.get("/search?q=coaching").data.decode()
    assert "Coaching models compared" in html and "Which framework?" in html
    assert "<mark>coaching</mark>" in html
    assert "<script>alert" not in html and "&lt;script" in html
    assert "2 results" in html


def test_filters_kind_group_author_tag_date(client, login, fran, pat, sam):
    group = make_group(fran, "open", members=[pat])
    discussion(fran, group, title="Mentoring in groups", body="mentoring", tags="people")
    discussion(sam, title="Mentoring alone", body="mentoring")
    posts.create_topic(acting(pat), kind="blog", title="Mentoring diary", body="mentoring")
    login(pat)
    get = lambda qs: client.get("/search?q=mentoring&" + qs).data.decode()  # noqa: E731
    assert "1 result" in get("kind=blog") and "Mentoring diary" in get("kind=blog")
    assert "Mentoring in groups" in get(f"group={group.slug}") and "1 result" in get(f"group={group.slug}")
    assert "Mentoring alone" in get("author=@sam") and "1 result" in get("author=sam")
    assert "Mentoring in groups" in get("tag=people") and "1 result" in get("tag=people")
    assert "3 results" in get("date=week")
    assert "0 results" in get("group=no-such-group")


def test_group_filter_offers_my_groups_and_the_chosen_visible_one(client, login, fran, pat):
    mine = make_group(fran, "open", name="Cohort Mine", members=[pat])
    other = make_group(fran, "open", name="Cohort Elsewhere")
    secret = make_group(fran, "private", name="Cohort Secret")
    discussion(fran, other, title="Mentoring elsewhere", body="mentoring")
    login(pat)
    html = client.get("/search?q=mentoring").data.decode()
    assert f'value="{mine.slug}"' in html
    assert f'value="{other.slug}"' not in html and f'value="{secret.slug}"' not in html
    # Chosen from the other group's page: offered (selected) and filtering, since pat may see it.
    html = client.get(f"/search?q=mentoring&group={other.slug}").data.decode()
    assert f'value="{other.slug}" selected' in html and "Mentoring elsewhere" in html
    # A private group pat is not in stays out of the list, and filtering by it finds nothing.
    html = client.get(f"/search?q=mentoring&group={secret.slug}").data.decode()
    assert f'value="{secret.slug}"' not in html and "0 results" in html
    blog_index = client.get(f"/blogs?group={other.slug}").data.decode()
    assert f'value="{mine.slug}"' in blog_index and f'value="{other.slug}" selected' in blog_index
    assert client.get(f"/blogs?group={secret.slug}").status_code == 404


def test_members_are_found_by_name_handle_or_headline(client, login, pat):
    make_user("lou", display_name="Lou Learner", headline="L&D coordinator in Leeds")
    login(pat)
    html = client.get("/search?q=leeds").data.decode()
    assert "Lou Learner" in html and "@lou" in html


def test_members_are_found_by_the_start_of_any_word_and_stay_in_step(client, login, pat, suspended):
    from community.extensions import db

    ada = make_user("ada_l", display_name="Ada Lovelace", headline="Analyst")
    make_user("zoe", display_name="Zoë Brontë", headline="People partner")
    login(pat)
    assert "Ada Lovelace" in client.get("/search?q=lov").data.decode()  # the start of a word
    assert "Ada Lovelace" in client.get("/search?q=ada+love").data.decode()  # every word must match
    assert "Ada Lovelace" not in client.get("/search?q=ada+bronte").data.decode()
    assert "Zoë Brontë" in client.get("/search?q=zo%C3%AB+bront%C3%AB").data.decode()  # written as it is
    assert "@ada_l" in client.get("/search?q=ada_l").data.decode()  # a handle, as written
    assert "Susie Suspended" not in client.get("/search?q=susie").data.decode()  # active members only
    ada.display_name = "Ada Byron"
    db.session.commit()
    assert "Ada Byron" in client.get("/search?q=byron").data.decode()  # renamed: found by the new name
    assert "Ada Byron" not in client.get("/search?q=lovelace").data.decode()


@pytest.mark.parametrize("query", ['"', 'NEAR(a b', "*", "%", "\\", "a" * 10_000, "'; DROP TABLE posts; --",
                                   "<script>", "AND OR NOT", "  ", "💡"])
def test_hostile_queries_give_a_normal_page(client, login, fran, pat, query):
    discussion(fran, title="Anything")
    login(pat)
    response = client.get("/search", query_string={"q": query, "page": "x", "kind": "evil", "date": "0"})
    assert response.status_code == 200


def test_highlight_escapes_and_marks():
    snippet = highlight("Use <b GROW & grow again \"<mark>\"", ["grow"])
    # The excerpt keeps what was typed ('>' included: only a quote's mark at a line's start goes), escaped.
    assert str(snippet) == "Use &lt;b <mark>GROW</mark> &amp; <mark>grow</mark> again &#34;&lt;mark&gt;&#34;"


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/search?q=x").status_code == 302


@pytest.mark.parametrize("size", [2, 12])
def test_search_query_count(client, login, fran, pat, assert_queries, size):
    group = make_group(fran, "private", members=[pat])
    for i in range(size):
        topic = discussion(fran, group, title=f"Feedback topic {i}", body="feedback loops")
        reply(pat, topic, "more feedback")
    login(pat)
    # session + roles + settings + bell + groups + results with their count + posts + members
    with assert_queries(8):
        html = client.get("/search?q=feedback").get_data(as_text=True)
    assert f"{size} results" in html
    # Past the last page: no results, and the count alone says how many there are.
    assert f"{size} results" in client.get("/search?q=feedback&page=9").get_data(as_text=True)
