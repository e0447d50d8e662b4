"""The admin area exists for admins only: everyone else gets the same 404 as for a missing page."""

import pytest

from tests.factories_groups import make_group

GET_PAGES = ["/admin", "/admin/members", "/admin/members?state=pending", "/admin/audit", "/admin/settings"]


@pytest.fixture
def target(pat):
    return pat


def _main(html: bytes) -> bytes:
    return html.split(b"<main", 1)[1].split(b"</main>", 1)[0]


def _posts(member_id):
    return [f"/admin/members/{member_id}/{action}" for action in ("approve", "suspend", "reactivate", "role")]


def test_admins_reach_every_page(client, login, admin, target):
    login(admin)
    for path in [*GET_PAGES, f"/admin/members/{target.id}"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("persona", ["fran", "pat", "mallory"])
def test_everyone_else_gets_404_as_for_nothing_at_all(client, login, request, persona, target):
    user = request.getfixturevalue(persona)
    login(user)
    missing = client.get("/admin/no-such-page")
    assert missing.status_code == 404
    for path in [*GET_PAGES, f"/admin/members/{target.id}"]:
        response = client.get(path)
        assert response.status_code == 404, path
        # Nothing tells a real admin page from a missing one (the signed CSRF token in the header aside).
        assert _main(response.data) == _main(missing.data)
    for path in _posts(target.id):
        assert client.post(path, data={"suspend-reason": "x", "role-role": "admin"}).status_code == 404, path


def test_a_group_facilitator_is_no_admin(client, login, fran, sam, target):
    make_group(fran, "open", facilitators=[sam])
    login(sam)
    assert client.get("/admin/members").status_code == 404
    assert client.post(f"/admin/members/{target.id}/role", data={"role-role": "admin"}).status_code == 404


@pytest.mark.parametrize("persona", ["suspended", "pending"])
def test_suspended_and_pending_members_see_only_the_holding_page(client, login, request, persona, target):
    login(request.getfixturevalue(persona))
    response = client.get("/admin")
    assert response.status_code == 403
    assert b"/admin/members" not in response.data


def test_anonymous_visitors_are_sent_to_sign_in(client, target):
    response = client.get("/admin/members")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert client.post(f"/admin/members/{target.id}/suspend").status_code == 302


def test_the_admin_link_is_in_the_menu_for_admins_only(client, login, logout, admin, pat):
    login(pat)
    assert b'href="/admin"' not in client.get("/members").data
    logout()
    login(admin)
    assert b'href="/admin"' in client.get("/members").data


def test_missing_member_is_404_for_admins(client, login, admin):
    login(admin)
    assert client.get("/admin/members/999999").status_code == 404
    assert client.post("/admin/members/999999/approve").status_code == 404
