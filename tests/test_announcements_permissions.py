"""Who may do what with announcements, persona by action, through the real pages: what one may not see is a
404, exactly like something that does not exist; what one sees but may not do is a 403."""

import pytest

from tests.factories import make_user
from tests.factories_announcements import make_announcement
from tests.factories_groups import make_group

PERSONAS = ("facilitator", "other_facilitator", "member", "non_member", "admin", "suspended", "anonymous")


@pytest.fixture
def world(fran, pat, mallory, admin, suspended):
    """A private group (fran facilitates, pat is a member; mallory is outside; otto facilitates another group)
    with one announcement by fran."""
    group = make_group(fran, "private", members=[pat], name="Cohort 9", slug="cohort-9")
    otto = make_user("otto", display_name="Otto Other")
    make_group(otto, "open", name="Other group", slug="other-group")
    topic = make_announcement(fran, group, title="Private notice", body="Bring the case study.")
    people = {"facilitator": fran, "other_facilitator": otto, "member": pat, "non_member": mallory, "admin": admin,
              "suspended": suspended}  # fmt: skip
    return group, topic, people


def _as(login, logout, people, persona):
    logout()
    if persona != "anonymous":
        login(people[persona])


READ = {"facilitator": 200, "other_facilitator": 404, "member": 200, "non_member": 404, "admin": 200,
        "suspended": 403, "anonymous": 302}  # fmt: skip
EDIT = {"facilitator": 200, "other_facilitator": 404, "member": 403, "non_member": 404, "admin": 200,
        "suspended": 403, "anonymous": 302}  # fmt: skip
# Announcing in the private group: its facilitator and the admin; someone who facilitates another group is
# told the group is not one they may announce in (the field's message); anyone else may not announce at all.
ANNOUNCE = {"facilitator": 302, "other_facilitator": 400, "member": 403, "non_member": 403, "admin": 302,
            "suspended": 403, "anonymous": 302}  # fmt: skip
DISMISS = {"facilitator": 302, "other_facilitator": 404, "member": 302, "non_member": 404, "admin": 302,
           "suspended": 403, "anonymous": 302}  # fmt: skip
LIST = {"facilitator": 200, "other_facilitator": 404, "member": 200, "non_member": 404, "admin": 200,
        "suspended": 403, "anonymous": 302}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_reading_a_private_groups_announcement(client, login, logout, world, persona):
    _group, topic, people = world
    _as(login, logout, people, persona)
    page = client.get(f"/announcements/{topic.id}")
    assert page.status_code == READ[persona]
    html = page.get_data(as_text=True)
    if READ[persona] == 200:
        assert "Bring the case study." in html
        # The reach is for its author, the group's facilitators and admins.
        assert ("have seen this" in html or "has seen this" in html) == (persona in ("facilitator", "admin"))
    else:
        assert "Private notice" not in html and "Bring the case study" not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_editing_and_withdrawing(client, login, logout, world, persona):
    _group, topic, people = world
    _as(login, logout, people, persona)
    assert client.get(f"/announcements/{topic.id}/edit").status_code == EDIT[persona]
    response = client.post(f"/announcements/{topic.id}/edit", data={"title": "Changed", "body": "Changed text"})
    assert response.status_code == (302 if EDIT[persona] == 200 else EDIT[persona])
    withdraw = client.post(f"/announcements/{topic.id}/withdraw")
    assert withdraw.status_code == (302 if EDIT[persona] == 200 else EDIT[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_announcing_in_the_private_group(client, login, logout, world, persona):
    group, _topic, people = world
    _as(login, logout, people, persona)
    response = client.post("/announcements/new", data={"title": "New one", "body": "Hello all", "where": str(group.id)})
    assert response.status_code == ANNOUNCE[persona]
    if ANNOUNCE[persona] == 400:
        assert "Please choose one of the groups you can announce in." in response.get_data(as_text=True)


@pytest.mark.parametrize("persona", PERSONAS)
def test_dismissing_and_the_groups_list(client, login, logout, world, persona):
    group, topic, people = world
    _as(login, logout, people, persona)
    assert client.post(f"/announcements/{topic.id}/dismiss").status_code == DISMISS[persona]
    listing = client.get(f"/groups/{group.slug}/announcements")
    assert listing.status_code == LIST[persona]
    assert ("Private notice" in listing.get_data(as_text=True)) == (LIST[persona] == 200)


def test_only_the_admin_announces_to_the_whole_community(client, login, fran, admin):
    login(fran)  # a facilitator of the community, but no group of theirs: no announcing at all
    assert client.post("/announcements/new", data={"title": "All", "body": "Everyone", "where": ""}).status_code == 403
    login(admin)
    assert client.post("/announcements/new", data={"title": "All", "body": "Everyone", "where": ""}).status_code == 302


def test_a_private_groups_announcement_stays_out_of_outsiders_search_feed_and_home(client, login, world):
    _group, _topic, people = world
    login(people["non_member"])
    for url in ("/", "/search?q=case+study", "/announcements"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Private notice" not in response.get_data(as_text=True), url
    login(people["member"])
    assert "Private notice" in client.get("/search?q=case+study").get_data(as_text=True)


def test_announcements_take_no_replies(client, login, world):
    from community.permissions import can_reply
    from tests.factories import acting
    from tests.factories_announcements import load_announcement

    _group, topic, people = world
    loaded, _a, _v = load_announcement(people["member"], topic.id)
    assert not can_reply(acting(people["member"]), loaded)
