"""Exact query counts: the month view, an event page, the .ics and the feed don't grow with the data, and the
pages that show the next events (home, group page, dashboard) read them in a fixed number of statements."""

import pytest

from community.services import calendar as cal
from tests.factories import acting, make_user
from tests.factories_events import answer, in_days, make_event
from tests.factories_groups import make_group
from tests.factories_qa import make_question

# Every signed-in page: the session row with its member, their group roles, community settings, the bell.
BASE = 4
# ... the events of the month with their topics and groups, then their moved and cancelled dates.
MONTH = BASE + 2
# ... the event with its topic, author and group; its posts with their authors; its dates; its answers with
# the members; the members the viewer muted (the post cards ask).
EVENT_PAGE = BASE + 5


def _fill(fran, group, members, size):
    """``size`` events in the group this month (a third of them weekly series), answered by every member, each
    with a comment."""
    from community.services.calendar import comment_on_event

    for i in range(size):
        rule = "FREQ=WEEKLY;COUNT=4" if i % 3 == 0 else ""
        topic = make_event(fran, group, starts_at=in_days(1 + i % 20), rrule=rule)
        for member in members:
            answer(member, topic.id, ("going", "maybe", "no")[i % 3])
        comment_on_event(acting(members[0]), topic, f"Looking forward to it ({i})")
    return topic


@pytest.fixture
def cohort(fran):
    members = [make_user(f"member{i}") for i in range(4)]
    return make_group(fran, "private", members=members, name="Cohort"), members


def _count(client, count_queries, url):
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


def test_month_view_and_event_page_counts_are_the_same_for_2_and_20_events(client, login, fran, cohort,
                                                                           count_queries, assert_queries):
    group, members = cohort
    last = _fill(fran, group, members, 2)
    month = in_days(1).strftime("%Y-%m")
    login(members[0])
    small = [_count(client, count_queries, url) for url in (f"/events/?month={month}", f"/events/{last.id}")]
    last = _fill(fran, group, members, 18)
    large = [_count(client, count_queries, url) for url in (f"/events/?month={month}", f"/events/{last.id}")]
    assert small == large == [MONTH, EVENT_PAGE]
    url = f"/events/?group={group.slug}&month={month}"  # (read before: the test's objects expire after a request)
    with assert_queries(MONTH + 1):  # ?group=: the group itself
        assert client.get(url).status_code == 200


def test_the_ics_and_the_feed_are_a_fixed_number_of_statements(client, login, fran, cohort, count_queries):
    group, members = cohort
    last = _fill(fran, group, members, 2)
    token = cal.reset_feed_link(acting(members[0]))
    login(members[0])
    # The .ics: the page's BASE less the bell and settings, + the event, posts, dates, answers (the page's loader)
    urls = (f"/events/{last.id}.ics", f"/events/feed/{token}.ics")
    small = [_count(client, count_queries, url) for url in urls]
    _fill(fran, group, members, 18)
    large = [_count(client, count_queries, url) for url in urls]
    assert small == large
    # The feed: the token's member, their group roles, settings, the events, their dates, their descriptions.
    assert large[1] == 6


def test_home_group_page_and_dashboard_read_the_next_events_in_two_statements(client, login, fran, cohort,
                                                                               count_queries):
    group, members = cohort
    make_question(members[0], title="Anyone?")  # something in the feed as well
    _fill(fran, group, members, 2)
    login(fran)
    urls = ("/", f"/groups/{group.slug}", "/dashboard/")
    small = [_count(client, count_queries, url) for url in urls]
    _fill(fran, group, members, 12)
    large = [_count(client, count_queries, url) for url in urls]
    assert small == large
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Next sessions" in page and "Going:" in page
    home = client.get("/").get_data(as_text=True)
    assert home.count('<li class="cal-item">') == cal.HOME_EVENTS


def test_the_dashboard_names_the_members_who_have_not_answered(client, login, fran):
    members = [make_user(f"member{i}") for i in range(4)]
    tess = make_user("tess", role="facilitator", display_name="Tess Cofacilitator")
    group = make_group(fran, "private", members=members, facilitators=[tess], name="Cohort")
    topic = make_event(fran, group, starts_at=in_days(2), title="Tutorial three")
    answer(members[0], topic.id, "going")
    answer(members[1], topic.id, "no")
    login(fran)
    page = client.get("/dashboard/").get_data(as_text=True)
    section = page.split('id="sessions-h"', 1)[1].split("</section>", 1)[0]
    assert "Tutorial three" in section and "Going: 1 · Maybe: 0 · Not going: 1" in section
    # The group's members who have not answered: neither the organiser nor the group's other facilitators.
    assert "2 members have not answered" in section
    assert "Member2" in section and "Member3" in section and "Member0" not in section
    assert "Tess Cofacilitator" not in section and "Fran Facilitator" not in section


def test_an_event_in_the_groups_activity_and_in_search_is_called_an_event(client, login, fran, cohort):
    group, members = cohort
    make_event(fran, group, starts_at=in_days(3), title="Quillwort tutorial")
    login(members[0])
    page = client.get(f"/groups/{group.slug}").get_data(as_text=True)
    assert '<span class="badge">Event</span>' in page
    results = client.get("/search?q=quillwort").get_data(as_text=True)
    assert '<span class="tag">Event</span>' in results and ">event<" not in results
