"""Markup the HTML and accessibility checkers hold us to, pinned where it is made (the browser walk in
tests/e2e/test_checkers.py runs the checkers themselves): valid <time datetime> values, no repeated ids,
names that contain the visible words, the phone header's menu button, and the phone chart's geometry."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from community.dashboard.charts import PHONE_LABELS, PHONE_WIDTH, WIDTH, phone_chart, weekly_chart
from community.extensions import db
from community.models import Notification
from community.services.dashboard import Week
from community.templating import machine_time, time_tag
from tests.factories_blogs import make_blog_post
from tests.factories_qa import accept, make_answer, make_question
from tests.factories_social import discussion, reply

VALID_DATETIME = re.compile(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"')


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 12, 2, 7, 12, 58, 812144, tzinfo=UTC), "2026-12-02T07:12:58Z"),
        (datetime(2026, 12, 2, 8, 12, 58, tzinfo=timezone(timedelta(hours=1))), "2026-12-02T07:12:58Z"),
        (datetime(2026, 12, 2, 7, 12, 58, 5), "2026-12-02T07:12:58Z"),  # naive: stored times are UTC
        (None, ""),
    ],
)
def test_machine_times_are_whole_seconds_in_utc(value, expected):
    assert machine_time(value) == expected


def test_time_tags_carry_a_valid_datetime(app):
    tag = str(time_tag(datetime(2026, 12, 2, 7, 12, 58, 812144, tzinfo=UTC)))
    assert tag.startswith('<time datetime="2026-12-02T07:12:58Z" title="2 Dec 2026, 07:12">')


def test_pages_show_valid_times(client, login, fran, pat):
    topic = discussion(fran, title="Times on the page")
    reply(pat, topic, "A reply with a time")
    login(pat)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    times = re.findall(r"<time [^>]*>", html)
    assert len(times) >= 2 and all(VALID_DATETIME.match(t) for t in times), times
    profile = client.get(f"/members/{fran.handle}").get_data(as_text=True)
    assert VALID_DATETIME.search(profile)


def test_repeated_one_button_forms_repeat_no_id(csrf_app, client, login, fran, pat):
    topic = discussion(fran, title="Peer learning")
    for i in range(2):
        reply(fran, topic, f"@{pat.handle} have a look at {i}")
    login(pat)
    html = client.get("/notifications").get_data(as_text=True)
    assert html.count('class="notification unread"') == 2
    assert html.count('name="csrf_token"') >= 3  # mark all, and each one
    assert 'id="csrf_token"' not in html
    # The forms still work: the token goes by its name.
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    first = db.session.scalar(select(Notification).order_by(Notification.id))
    assert client.post(f"/notifications/{first.id}/read", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/notifications/{first.id}/read").status_code == 400  # and without it, refused


def test_the_account_menu_and_the_like_button_are_named_by_their_words(client, login, fran, pat):
    post = make_blog_post(fran, title="What I learned")
    login(pat)
    html = client.get(f"/blog/{post.id}").get_data(as_text=True)
    summary = re.search(r'<details class="menu">\s*<summary>(.*?)</summary>', html, re.S)
    assert summary and 'aria-label' not in summary.group(0) and "Your account menu" in summary.group(1)
    button = re.search(r'<button type="submit" class="like-button".*?</button>', html, re.S).group(0)
    assert "aria-label" not in button
    words = re.sub(r"<[^>]+>", "", button).split()
    assert words == ["Like", "this", "post,", "likes:", "0"]


def test_question_pages_name_nothing_that_cannot_be_named(client, login, fran, pat):
    question = make_question(pat, title="Which model of reflection?")
    answer = make_answer(fran, question)
    accept(pat, answer)
    login(pat)
    for html in (client.get(f"/questions/{question.id}").get_data(as_text=True),
                 client.get("/questions/").get_data(as_text=True)):  # fmt: skip
        assert not re.search(r"<(div|span|p)\b(?![^>]*\brole=)[^>]*\baria-label=", html)
    html = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert '<span class="visually-hidden">Score </span><span data-vote-score>' in html
    assert "<p><form" not in html  # a form can't sit in a paragraph


def test_the_header_has_a_menu_button_for_phones(client, login, pat):
    login(pat)
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<button type="button" class="nav-toggle" aria-expanded="false" aria-controls="site-nav"', html)
    panel = html[html.index('<div class="nav-panel" id="site-nav">'):]
    assert panel.index('<nav class="main-nav"') < panel.index('role="search"') < panel.index('class="header-tools"')
    # Loaded before the first paint (not deferred) from our own origin: the CSP allows no inline script.
    assert re.search(r'<head>.*<script src="/static/js/nav\.js\?v=\w+"></script>.*</head>', html, re.S)
    with client.get("/static/js/nav.js") as script:
        assert script.status_code == 200 and b"aria-expanded" in script.data


def test_signed_out_pages_have_no_menu_button(client):
    assert "nav-toggle" not in client.get("/signin").get_data(as_text=True)


def _weeks(n: int) -> list[Week]:
    start = datetime(2026, 9, 7, tzinfo=UTC)
    return [Week(start + timedelta(weeks=i), discussions=i % 3, replies=2 * i + 1, active_members=i) for i in range(n)]


@pytest.mark.parametrize("n", [1, 5, 6, 13, 26])
def test_the_phone_chart_is_drawn_for_its_width_with_few_labels(n):
    wide, narrow = weekly_chart(_weeks(n)), phone_chart(_weeks(n))
    assert (wide.width, narrow.width) == (WIDTH, PHONE_WIDTH)
    assert 1 <= len(narrow.x_labels) <= PHONE_LABELS and 1 <= len(wide.x_labels) <= 8
    assert len(narrow.points) == n and all(0 < x < PHONE_WIDTH for x, _y, _v in narrow.points)
    assert narrow.segments and max(s.x + s.width for s in narrow.segments) <= PHONE_WIDTH - narrow.pad_right
    if n <= PHONE_LABELS:
        assert len(narrow.x_labels) == n  # every week named when they fit


def test_the_dashboard_draws_both_charts_with_their_own_ids(client, login, admin, pat):
    discussion(pat, title="Something to count")
    login(admin)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert 'class="chart-svg chart-wide"' in html and 'class="chart-svg chart-narrow"' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert {"chart-title-wide", "chart-title-narrow"} <= set(ids)
