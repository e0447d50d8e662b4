"""The announcement pages: the form's bad input (a message on the field, the text kept, 4xx), the top of home
and group pages with "Dismiss" (with and without JavaScript), the notification settings, and exact query
counts at two sizes."""

from datetime import timedelta

import pytest

from community.models import utcnow
from tests.factories import make_user
from tests.factories_announcements import make_announcement
from tests.factories_groups import make_group

FMT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def cohort(fran, pat, sam):
    return make_group(fran, "private", members=[pat, sam], name="Cohort 9", slug="cohort-9")


def _local(when):
    return when.strftime(FMT)  # the test members' zone is UTC


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"title": ""}, "title", "Please give the announcement a title."),
    ({"body": ""}, "body", "Please write the announcement first."),
    ({"publish_at": "past"}, "publish_at", "That time has already passed: choose a time in the future."),
    ({"expires_at": "before"}, "expires_at", "The announcement must stop showing after it is published."),
    ({"where": "999999"}, "where", "Please choose one of the groups you can announce in."),
    ({"publish_at": "not a time"}, "publish_at", "Not a valid datetime value."),
])  # fmt: skip
def test_bad_input_keeps_the_text_and_says_what_is_wrong(client, login, fran, cohort, change, field, message):
    login(fran)
    data = {"title": "Session moved", "body": "Unmistakable body text 42", "where": str(cohort.id)}
    if change.get("publish_at") == "past":
        change = {"publish_at": _local(utcnow() - timedelta(hours=2))}
    if change.get("expires_at") == "before":
        now = utcnow()
        change = {"publish_at": _local(now + timedelta(days=2)), "expires_at": _local(now + timedelta(days=1))}
    data.update(change)
    response = client.post("/announcements/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'id="{field}-error"' in html or f"{field}-error" in html
    if field != "body":
        assert "Unmistakable body text 42" in html
    if field != "title":
        assert 'value="Session moved"' in html


def test_an_unknown_group_in_the_link_is_a_404(client, login, fran, cohort):
    login(fran)
    assert client.get("/announcements/new?group=no-such-group").status_code == 404


def test_a_scheduled_announcement_is_read_in_the_authors_zone(client, login, fran, cohort):
    from community.services import auth

    auth.set_language(fran, "", "Europe/Paris")
    login(fran)
    at = (utcnow() + timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    response = client.post("/announcements/new", data={"title": "Later", "body": "Soon", "where": str(cohort.id),
                                                        "publish_at": at.strftime(FMT)})  # fmt: skip
    assert response.status_code == 302
    from sqlalchemy import select

    from community.extensions import db
    from community.models import Topic

    topic = db.session.scalar(select(Topic).where(Topic.title == "Later"))
    assert topic.status == "scheduled"
    assert topic.publish_at.hour in (8, 7)  # 09:30 in Paris is 08:30 UTC in winter, 07:30 in summer


def test_the_top_of_home_and_group_page_and_dismiss_without_javascript(client, login, fran, pat, cohort):
    topic = make_announcement(fran, cohort, title="Read chapter 4", body="**Before** Monday.")
    login(pat)
    marker = f'id="announcement-{topic.id}"'
    home = client.get("/").get_data(as_text=True)
    assert marker in home and "<strong>Before</strong> Monday." in home
    assert marker in client.get("/groups/cohort-9").get_data(as_text=True)
    response = client.post(f"/announcements/{topic.id}/dismiss", data={"next": "/groups/cohort-9"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/groups/cohort-9")
    assert marker not in client.get("/").get_data(as_text=True)
    assert marker not in client.get("/groups/cohort-9").get_data(as_text=True)
    assert "Read chapter 4" in client.get(f"/announcements/{topic.id}").get_data(as_text=True)  # still its page


def test_dismiss_from_the_page_script_gets_no_content(client, login, fran, pat, cohort):
    topic = make_announcement(fran, cohort)
    login(pat)
    response = client.post(f"/announcements/{topic.id}/dismiss", headers={"X-Requested-With": "fetch"})
    assert response.status_code == 204


def test_dismiss_never_redirects_off_the_site(client, login, fran, pat, cohort):
    topic = make_announcement(fran, cohort)
    login(pat)
    response = client.post(f"/announcements/{topic.id}/dismiss", data={"next": "//evil.example/"})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_the_author_sees_how_many_have_seen_it(client, login, logout, fran, pat, sam, cohort):
    topic = make_announcement(fran, cohort)
    login(fran)
    assert "0 of 2 have seen this" in client.get(f"/announcements/{topic.id}").get_data(as_text=True)
    login(pat)
    client.get("/")
    login(fran)
    assert "1 of 2 have seen this" in client.get(f"/announcements/{topic.id}").get_data(as_text=True)
    assert "1 of 2 have seen this" in client.get("/groups/cohort-9/announcements").get_data(as_text=True)


def test_the_settings_page_offers_email_or_the_page_only(client, login, pat):
    login(pat)
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert (
        "They never wait for a digest and can&#39;t be switched off." in html
        or "They never wait for a digest and can't be switched off." in html
    )
    assert 'name="announcement" type="radio" value="email"' in html or 'value="email"' in html
    assert 'id="announcement-2"' not in html  # web and e-mail only: two options (0 and 1)
    response = client.post("/notifications/settings", data={"announcement": "off"})
    assert response.status_code == 400


def test_the_community_wide_list_and_new_form(client, login, admin, pat):
    make_announcement(admin, None, title="Welcome everyone")
    login(pat)
    assert "Welcome everyone" in client.get("/announcements").get_data(as_text=True)
    assert client.get("/announcements/new").status_code == 403
    login(admin)
    html = client.get("/announcements/new").get_data(as_text=True)
    assert "The whole community" in html


# --------------------------------------------------------------------------------------------------
# Query counts

BASE = 4  # session + member, group roles, settings, the bell (tests/test_groups_pages.py)
STAFF_BASE = BASE + 1  # ... and what waits for review (a facilitator)


@pytest.mark.parametrize("size", [2, 12])
def test_the_announcement_page_query_count(client, login, fran, pat, cohort, assert_queries, size):
    from community.services import groups, reactions
    from tests.factories import acting

    people = [make_user(f"q{size}x{i}") for i in range(size)]
    for person in people:
        groups.add_member(cohort, person)
    topic = make_announcement(fran, cohort)
    from community.services.announcements import opening_of

    opening = opening_of(topic)
    for person in people:
        reactions.toggle(acting(person), opening, topic, "like")
    url = f"/announcements/{topic.id}"
    login(pat)
    # the announcement with my view row, its text, its reactions, whom I muted (the post card); + recording
    # that I saw it, the first time
    with assert_queries(BASE + 4 + 1):
        assert client.get(url).status_code == 200
    with assert_queries(BASE + 4):
        assert client.get(url).status_code == 200
    login(fran)
    with assert_queries(STAFF_BASE + 4 + 1 + 1):  # ... and how many have seen it (one statement)
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_the_groups_list_query_count(client, login, fran, pat, cohort, assert_queries, size):
    for i in range(size):
        make_announcement(fran, cohort, title=f"Notice {i}")
    login(pat)
    with assert_queries(BASE + 2):  # the group, then its announcements (with their reach) in one statement
        assert client.get("/groups/cohort-9/announcements").status_code == 200
    login(fran)
    with assert_queries(STAFF_BASE + 2):
        html = client.get("/groups/cohort-9/announcements").get_data(as_text=True)
    assert "0 of 2 have seen this" in html


@pytest.mark.parametrize("size", [2, 8])
def test_home_and_group_page_with_announcements(client, login, fran, pat, cohort, admin, assert_queries,
                                                size):  # fmt: skip
    for i in range(size):
        make_announcement(fran, cohort, title=f"Group notice {i}")
        make_announcement(admin, None, title=f"Community notice {i}")
    login(pat)
    # home: session, group roles, settings, bell, the feed (2), coming events, announcements; + seen, once
    with assert_queries(8 + 1):
        assert client.get("/").status_code == 200
    with assert_queries(8):
        assert client.get("/").status_code == 200
    assert client.get("/groups/cohort-9").status_code == 200  # (records the ones home did not show as seen)
    with assert_queries(BASE + 8):  # the group page (tests/test_groups_pages.py): one statement for them
        assert client.get("/groups/cohort-9").status_code == 200
