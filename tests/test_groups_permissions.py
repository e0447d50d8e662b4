"""The groups permission table: every role against every group page and action, for each visibility.

Roles: admin, the group's facilitator (a participant by community role: the power comes from the group),
a member, a non-member participant, the facilitator of ANOTHER group, a suspended member, an anonymous
visitor. Each cell is the expected status code; a refused action changes nothing stored, and pages don't
show buttons for what the viewer may not do.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Group, Membership, User
from community.services.groups import request_to_join, update_group
from tests.factories import acting, make_user
from tests.factories_groups import make_group
from tests.factories_security import without_csrf

ROLES = ("admin", "facilitator", "member", "outsider", "other_facilitator", "suspended", "anonymous")
VISIBILITIES = ("open", "request", "private")
OK, GONE = 302, 302  # a successful action redirects; an anonymous visitor is sent to sign in


@dataclass
class World:
    slug: str
    group_id: int
    users: dict[str, User]
    target_id: int  # an ordinary member's membership (remove, promote)
    request_id: int  # a pending request to join
    newbie_id: int  # a community member not in the group (invite)


def build(visibility: str) -> World:
    """A group of the given visibility with one of each role, a pending request and a second member."""
    users = {
        "admin": make_user("ada", role="admin"),
        "facilitator": make_user("gina", display_name="Gina Guide"),
        "member": make_user("mem", display_name="Mem Member"),
        "outsider": make_user("olly", display_name="Olly Outside"),
        "other_facilitator": make_user("otto", display_name="Otto Other"),
        "suspended": make_user("susie", display_name="Susie Suspended"),
    }
    target = make_user("mo", display_name="Mo Second")
    requester = make_user("rita", display_name="Rita Request")
    newbie = make_user("newt", display_name="Newt Newcomer")
    # The request is made while the group takes requests; then the group gets the visibility under test
    # (a request left over from before a change of visibility must still be handled safely).
    group = make_group(users["facilitator"], "request", members=[users["member"], target, users["suspended"]],
                       name="Cohort Seven", slug="cohort-7")  # fmt: skip
    request = request_to_join(acting(requester), group, None)
    if visibility != "request":
        update_group(acting(users["facilitator"]), group, name=group.name, description="", visibility=visibility)
    make_group(users["other_facilitator"], visibility, name="Other cohort", slug="other-cohort")
    users["suspended"].state = "suspended"
    db.session.commit()
    target_id = db.session.scalar(select(Membership.id).where(Membership.user_id == target.id))
    world = World("cohort-7", group.id, users, target_id, request.id, newbie.id)
    db.session.rollback()  # end the test's read transaction before requests write (SQLite snapshots)
    return world


def snapshot(world: World) -> tuple:
    """Everything an action could change."""
    db.session.expire_all()
    group = db.session.get(Group, world.group_id)
    rows = db.session.execute(
        select(Membership.user_id, Membership.role, Membership.state)
        .where(Membership.group_id == world.group_id)
        .order_by(Membership.user_id)
    ).all()
    state = (group.name, group.visibility, group.member_count, group.archived_at, tuple(map(tuple, rows)))
    db.session.rollback()
    return state


@pytest.fixture
def enter(client, login):
    """Sign in as one role of the world (or stay anonymous)."""

    def do(world: World, role: str) -> None:
        if role != "anonymous":
            login(world.users[role])
            db.session.rollback()

    return do


# --------------------------------------------------------------------------------------------------
# Pages: (open, request, private) per role

PAGES = {
    "show": {
        "admin": (200, 200, 200), "facilitator": (200, 200, 200), "member": (200, 200, 200),
        "outsider": (200, 200, 404), "other_facilitator": (200, 200, 404), "suspended": (403, 403, 403),
        "anonymous": (GONE, GONE, GONE),
    },
    "members": {
        "admin": (200, 200, 200), "facilitator": (200, 200, 200), "member": (200, 200, 200),
        "outsider": (200, 404, 404), "other_facilitator": (200, 404, 404), "suspended": (403, 403, 403),
        "anonymous": (GONE, GONE, GONE),
    },
    "edit": {
        "admin": (200, 200, 200), "facilitator": (200, 200, 200), "member": (403, 403, 403),
        "outsider": (403, 403, 404), "other_facilitator": (403, 403, 404), "suspended": (403, 403, 403),
        "anonymous": (GONE, GONE, GONE),
    },
}  # fmt: skip
PAGE_PATHS = {"show": "/groups/{slug}", "members": "/groups/{slug}/members", "edit": "/groups/{slug}/edit"}

# Buttons on the group home: which roles see them, per visibility.
HOME_BUTTONS = {
    "Edit group": {"admin": (1, 1, 1), "facilitator": (1, 1, 1)},
    "Archive the group": {"admin": (1, 1, 1), "facilitator": (1, 1, 1)},
    "Leave this group": {"facilitator": (1, 1, 1), "member": (1, 1, 1)},
    "Join this group": {"admin": (1, 0, 0), "outsider": (1, 0, 0), "other_facilitator": (1, 0, 0)},
    "Request to join": {"admin": (0, 1, 0), "outsider": (0, 1, 0), "other_facilitator": (0, 1, 0)},
}
MEMBER_BUTTONS = {
    "Make facilitator": {"admin": (1, 1, 1), "facilitator": (1, 1, 1)},
    ">Remove<": {"admin": (1, 1, 1), "facilitator": (1, 1, 1)},
    "Invite people": {"admin": (1, 1, 1), "facilitator": (1, 1, 1)},
    ">Approve<": {"admin": (1, 1, 1), "facilitator": (1, 1, 1)},
}


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_pages(client, enter, role, visibility):
    world = build(visibility)
    enter(world, role)
    v = VISIBILITIES.index(visibility)
    for page, table in PAGES.items():
        response = client.get(PAGE_PATHS[page].format(slug=world.slug))
        assert response.status_code == table[role][v], (page, role, visibility)
        if response.status_code == 404:
            assert "Cohort Seven" not in response.text and "Gina" not in response.text
        buttons = {"show": HOME_BUTTONS, "members": MEMBER_BUTTONS}.get(page)
        if buttons and response.status_code == 200:
            for label, who in buttons.items():
                expected = bool(who.get(role, (0, 0, 0))[v])
                assert (label in response.text) == expected, (page, label, role, visibility)


@pytest.mark.parametrize("visibility", ("request", "private"))
@pytest.mark.parametrize("role", ("outsider", "other_facilitator"))
def test_hidden_content_never_shows_to_non_members(client, enter, role, visibility):
    """A request group's about card shows nothing of its content; a private group answers like a missing one."""
    world = build(visibility)
    from community.models import Board
    from community.services.posts import create_topic

    board = db.session.scalar(select(Board).where(Board.group_id == world.group_id))
    create_topic(world.users["member"], kind="discussion", title="Secret agenda item", body="x", board=board)
    db.session.rollback()
    enter(world, role)
    home = client.get(f"/groups/{world.slug}")
    missing = client.get("/groups/no-such-group")
    assert "Secret agenda item" not in home.text and "General" not in home.text and "Mem Member" not in home.text
    if visibility == "private":
        assert home.status_code == missing.status_code == 404
        assert without_csrf(home.text) == without_csrf(missing.text)
    else:
        assert "About this group" in home.text and "Gina Guide" in home.text
    listing = client.get("/groups?tab=all&q=Cohort")
    assert ("Cohort Seven" in listing.text) == (visibility == "request")


# --------------------------------------------------------------------------------------------------
# Actions: (open, request, private) per role. 409: visible and allowed in principle, but not in this state.

ACTIONS = {
    "join": {
        "admin": (OK, 403, 403), "facilitator": (403, 403, 403), "member": (403, 403, 403),
        "outsider": (OK, 403, 404), "other_facilitator": (OK, 403, 404),
    },
    "request": {
        "admin": (403, OK, 403), "facilitator": (403, 403, 403), "member": (403, 403, 403),
        "outsider": (403, OK, 404), "other_facilitator": (403, OK, 404),
    },
    "leave": {
        "admin": (409, 409, 409), "facilitator": (409, 409, 409), "member": (OK, OK, OK),
        "outsider": (409, 409, 404), "other_facilitator": (409, 409, 404),
    },
    "approve": {
        "admin": (OK, OK, OK), "facilitator": (OK, OK, OK), "member": (403, 403, 403),
        "outsider": (403, 404, 404), "other_facilitator": (403, 404, 404),
    },
    "invite": {
        "admin": (OK, OK, OK), "facilitator": (OK, OK, OK), "member": (403, 403, 403),
        "outsider": (403, 404, 404), "other_facilitator": (403, 404, 404),
    },
    "remove": {
        "admin": (OK, OK, OK), "facilitator": (OK, OK, OK), "member": (403, 403, 403),
        "outsider": (403, 404, 404), "other_facilitator": (403, 404, 404),
    },
    "promote": {
        "admin": (OK, OK, OK), "facilitator": (OK, OK, OK), "member": (403, 403, 403),
        "outsider": (403, 404, 404), "other_facilitator": (403, 404, 404),
    },
    "archive": {
        "admin": (OK, OK, OK), "facilitator": (OK, OK, OK), "member": (403, 403, 403),
        "outsider": (403, 403, 404), "other_facilitator": (403, 403, 404),
    },
}  # fmt: skip
for _table in ACTIONS.values():
    _table.update(suspended=(403, 403, 403), anonymous=(GONE, GONE, GONE))


def _post(client, world: World, action: str):
    base = f"/groups/{world.slug}"
    return {
        "join": lambda: client.post(f"{base}/join"),
        "request": lambda: client.post(f"{base}/request"),
        "leave": lambda: client.post(f"{base}/leave"),
        "approve": lambda: client.post(f"{base}/requests/{world.request_id}/approve"),
        "invite": lambda: client.post(f"{base}/invite", data={"user_id": str(world.newbie_id)}),
        "remove": lambda: client.post(f"{base}/members/{world.target_id}/remove"),
        "promote": lambda: client.post(f"{base}/members/{world.target_id}/promote"),
        "archive": lambda: client.post(f"{base}/archive"),
    }[action]()


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", tuple(ACTIONS))
def test_actions(client, enter, action, role, visibility):
    world = build(visibility)
    before = snapshot(world)
    enter(world, role)
    response = _post(client, world, action)
    expected = ACTIONS[action][role][VISIBILITIES.index(visibility)]
    assert response.status_code == expected, (action, role, visibility, response.text[:400])
    if role == "anonymous":
        assert "/signin" in response.headers["Location"]
    if expected != OK or role == "anonymous":
        assert snapshot(world) == before, "a refused action changed something"
    else:
        assert snapshot(world) != before, "an allowed action changed nothing"
