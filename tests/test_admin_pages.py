"""The admin pages: overview, member list with filters, audit log with filters, settings; constant queries."""

import re
from datetime import timedelta

import pytest

from community.extensions import db
from community.models import AuditEvent, Setting, utcnow
from community.services import admin as service
from community.services.settings import all_settings
from tests.factories import acting, make_user
from tests.factories_members import LAYOUT_QUERIES, REVIEW_COUNT_QUERY, make_members


def _rows(html: str) -> list[str]:
    return re.findall(r'<a class="user-link" href="/admin/members/\d+">([^<]+)</a>', html)


def test_overview_counts_pending_and_recent_actions(client, login, admin, pat, pending, suspended):
    service.suspend_member(acting(admin), pat, None, "Testing the log")
    login(admin)
    html = client.get("/admin").get_data(as_text=True)
    assert re.search(r"<strong>1</strong><span>Waiting for approval</span>", html)
    assert re.search(r"<strong>2</strong><span>Suspended</span>", html)
    assert "Penny Pending" in html and f"/admin/members/{pending.id}/approve" in html
    assert "suspended" in html and "Pat Participant" in html and "Testing the log" in html


def test_member_list_filters(client, login, admin, fran, pat, sam, pending, suspended):
    make_user("gone", state="deleted", display_name="Gone Member")
    login(admin)
    everyone = _rows(client.get("/admin/members").get_data(as_text=True))
    assert "Gone Member" not in everyone and len(everyone) == 6
    assert _rows(client.get("/admin/members?state=pending").get_data(as_text=True)) == ["Penny Pending"]
    assert _rows(client.get("/admin/members?state=deleted").get_data(as_text=True)) == ["Gone Member"]
    assert _rows(client.get("/admin/members?role=facilitator").get_data(as_text=True)) == ["Fran Facilitator"]
    assert _rows(client.get("/admin/members?q=sam@example").get_data(as_text=True)) == ["Sam Peer"]
    assert _rows(client.get("/admin/members?q=@pat").get_data(as_text=True)) == ["Pat Participant"]


def test_member_list_pages(client, login, admin):
    make_members(45)
    login(admin)
    first = client.get("/admin/members?role=participant").get_data(as_text=True)
    assert len(_rows(first)) == 20 and "Page 1 of 3" in first
    assert 'href="/admin/members?role=participant&amp;page=2"' in first
    assert len(_rows(client.get("/admin/members?role=participant&page=3").get_data(as_text=True))) == 5


@pytest.mark.parametrize("n", [5, 60])
def test_member_list_query_count_does_not_grow(client, login, admin, assert_queries, n):
    make_members(n)
    make_members(n // 5 + 1, prefix="waiting", state="pending")
    login(admin)
    with assert_queries(LAYOUT_QUERIES + REVIEW_COUNT_QUERY + 2):  # the count and the page
        assert client.get("/admin/members").status_code == 200
    with assert_queries(LAYOUT_QUERIES + REVIEW_COUNT_QUERY + 2):
        assert client.get("/admin/members?state=pending&q=waiting&page=1").status_code == 200


@pytest.mark.parametrize("n", [3, 40])
def test_overview_and_audit_query_counts_do_not_grow(client, login, admin, assert_queries, n):
    members = make_members(n) + make_members(n, prefix="waiting", state="pending")
    for member in members[:n]:
        service.change_role(acting(admin), member, "facilitator", "growing the team")
    login(admin)
    with assert_queries(LAYOUT_QUERIES + REVIEW_COUNT_QUERY + 4):  # states, pending, recent events, their targets
        assert client.get("/admin").status_code == 200
    with assert_queries(LAYOUT_QUERIES + REVIEW_COUNT_QUERY + 4):  # actions for the filter, count, page, targets
        assert client.get("/admin/audit").status_code == 200
    with assert_queries(LAYOUT_QUERIES + REVIEW_COUNT_QUERY + 3):  # the member, their history
        assert client.get(f"/admin/members/{members[0].id}").status_code == 200


def test_audit_log_filters(client, login, admin, pat, sam, pending):
    second = make_user("bea", role="admin", display_name="Bea Boss")
    service.approve_member(acting(admin), pending, "known to us")
    service.suspend_member(acting(second), pat, None, "spam")
    service.change_role(acting(admin), sam, "facilitator")
    old = db.session.query(AuditEvent).filter_by(action="member.approve").one()
    old.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    login(admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "3 entries" in html and "spam" in html and "known to us" in html
    html = client.get("/admin/audit?actor=@bea").get_data(as_text=True)
    assert "1 entry" in html and "Pat Participant" in html
    html = client.get("/admin/audit?action=member.role").get_data(as_text=True)
    assert "1 entry" in html and "participant → facilitator" in html
    since = (utcnow() - timedelta(days=2)).date().isoformat()
    assert "2 entries" in client.get(f"/admin/audit?since={since}").get_data(as_text=True)
    until = (utcnow() - timedelta(days=20)).date().isoformat()
    assert "1 entry" in client.get(f"/admin/audit?until={until}").get_data(as_text=True)
    assert "0 entries" in client.get("/admin/audit?actor=nobody").get_data(as_text=True)


def test_audit_log_bad_dates_are_a_clear_400(client, login, admin):
    login(admin)
    response = client.get("/admin/audit?since=yesterday")
    assert response.status_code == 400
    assert "Not a valid date" in response.get_data(as_text=True)


def test_audit_log_pages(client, login, admin):
    members = make_members(25)
    for member in members:
        service.change_role(acting(admin), member, "facilitator")
    login(admin)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'href="/admin/audit?page=2"' in first


# Settings ---------------------------------------------------------------------------------------

GOOD_SETTINGS = {
    "community_name": "HR Cohort Hub",
    "welcome_text": "Hello all",
    "allow_join_requests": "y",
    "premoderate_first_posts": "3",
    "new_member_link_limit": "1",
    "blocked_words": "buy now\n  Casino \n\nbuy now",
    "blocked_domains": "spam.example\nhttps://www.Bad.example/path\n*.evil.example",
}


def test_settings_are_saved_and_audited(client, login, admin):
    login(admin)
    form = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="blocked_words"' in form and 'name="premoderate_first_posts"' in form
    response = client.post("/admin/settings", data=GOOD_SETTINGS)
    assert response.status_code == 302
    values = all_settings()
    assert values["community_name"] == "HR Cohort Hub"
    assert values["allow_join_requests"] is True and values["participants_create_groups"] is False
    assert (values["premoderate_first_posts"], values["new_member_link_limit"]) == (3, 1)
    assert values["blocked_words"] == ["buy now", "casino"]
    assert values["blocked_domains"] == ["spam.example", "bad.example", "evil.example"]
    assert db.session.query(AuditEvent).filter_by(action="settings.update", actor_id=admin.id).count() == 1
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "HR Cohort Hub" in page and "buy now\ncasino" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("premoderate_first_posts", "-1", "from 0 to 100"),
        ("new_member_link_limit", "lots", "Not a valid integer"),
        ("blocked_domains", "not a domain!", "isn&#39;t a domain"),
        ("community_name", "n" * 81, "80"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(client, login, admin, field, value, message):
    login(admin)
    response = client.post("/admin/settings", data={**GOOD_SETTINGS, field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "Hello all" in html  # what was typed is kept
    assert db.session.query(Setting).count() == 0


def test_nul_bytes_in_admin_filters_are_harmless(client, login, admin):
    login(admin)
    for path in ("/admin/members?q=a%00b", "/admin/audit?actor=a%00&action=x%00y"):
        assert client.get(path).status_code == 200, path
