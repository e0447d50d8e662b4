"""The permission table of boards and discussions: every persona against every page and action, for boards
of open, request and private groups and a community board (status codes and the buttons on the page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from community.models import Post, Topic
from community.services import posts as post_service
from tests.factories import acting, load_post, make_user
from tests.factories_boards import general_board, make_board, make_discussion, make_reply
from tests.factories_groups import make_group

PERSONAS = ("admin", "facilitator", "member", "outsider", "other_facilitator", "suspended", "anonymous")
PLACES = ("open", "request", "private", "community")


@dataclass
class World:
    users: dict[str, Any]
    boards: dict[str, Any]
    topics: dict[str, Topic]
    replies: dict[str, Post]


@pytest.fixture
def world(admin: Any) -> World:
    gina = make_user("gina", display_name="Gina Groupfac")  # facilitates the groups under test
    pat = make_user("pat", display_name="Pat Participant")
    olly = make_user("olly", display_name="Olly Otherfac")
    mallory = make_user("mallory", display_name="Mallory Mischief")
    susie = make_user("susie", display_name="Susie Suspended")
    make_group(olly, "private", name="Olly's own group")
    boards: dict[str, Any] = {"community": make_board(admin, "Community lounge")}
    for visibility in ("open", "request", "private"):
        group = make_group(gina, visibility, members=[pat, susie], name=f"Cohort {visibility}")
        boards[visibility] = general_board(group)
    topics, replies = {}, {}
    for place, board in boards.items():
        topics[place] = make_discussion(pat, board, title=f"Topic in {place}")
        reply = make_reply(pat, topics[place], "First draft of my reply")
        post = load_post(pat, reply.id)
        post_service.edit_post(acting(pat), post, post.topic, "Second draft of my reply")
        replies[place] = reply
    susie.state = "suspended"
    from community.extensions import db

    db.session.commit()
    users = {"admin": admin, "facilitator": gina, "member": pat, "outsider": mallory,
             "other_facilitator": olly, "suspended": susie, "anonymous": None}  # fmt: skip
    return World(users, boards, topics, replies)


def sees(persona: str, place: str) -> bool:
    """Whether the persona may see the content of the place."""
    if persona in ("admin", "facilitator", "member"):
        return True
    return persona in ("outsider", "other_facilitator") and place in ("open", "community")


def expected(persona: str, place: str, action: str) -> int:
    """The status code the table promises."""
    if persona == "anonymous":
        return 302  # to the sign-in page
    if persona == "suspended":
        return 403  # the holding page, whatever the address
    if action == "index":
        return 200  # every member has the board index (listing only what they may see)
    if not sees(persona, place):
        return 404
    ok = 302 if action in ("reply", "pin", "lock", "hide", "delete", "follow") else 200
    posts_here = persona in ("admin", "facilitator", "member") or place == "community"
    moderates = persona == "admin" or (persona == "facilitator" and place != "community")
    if action in ("board", "topic", "follow"):
        return ok
    if action in ("new", "reply"):
        return ok if posts_here else 403
    if action == "revisions":  # of the member's edited reply: whoever sees the reply
        return 200
    if action == "edit":  # the member's reply
        return 200 if (persona == "member" or moderates) else 403
    if action in ("pin", "lock", "hide"):
        return ok if moderates else 403
    if action == "delete":  # the member's reply (soft)
        return ok if (persona == "member" or moderates) else 403
    raise AssertionError(action)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_table(client: Any, login: Any, world: World, persona: str, place: str) -> None:
    user = world.users[persona]
    if user is not None:
        login(user)
    board, topic, reply = world.boards[place], world.topics[place], world.replies[place]
    pages = {
        "index": "/boards",
        "board": f"/boards/{board.id}",
        "topic": f"/discussions/{topic.id}",
        "new": f"/boards/{board.id}/new",
        "revisions": f"/posts/{reply.id}/revisions",
        "edit": f"/posts/{reply.id}/edit",
    }
    got = {action: client.get(url).status_code for action, url in pages.items()}
    posts = {
        "follow": (f"/watch/topic/{topic.id}", {}),
        "reply": (f"/discussions/{topic.id}/reply", {"body": "Me too"}),
        "pin": (f"/discussions/{topic.id}/pin", {}),
        "lock": (f"/discussions/{topic.id}/lock", {}),
        "hide": (f"/posts/{reply.id}/hide", {"reason": "Off topic"}),
        "delete": (f"/posts/{reply.id}/delete", {}),
    }
    for action, (url, data) in posts.items():
        got[action] = client.post(url, data=data).status_code
    want = {action: expected(persona, place, action) for action in got}
    assert got == want


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("persona", ("admin", "facilitator", "member", "outsider", "other_facilitator"))
def test_forbidden_buttons_are_absent(client: Any, login: Any, world: World, persona: str, place: str) -> None:
    login(world.users[persona])
    board, topic, reply = world.boards[place], world.topics[place], world.replies[place]
    if not sees(persona, place):
        assert client.get(f"/discussions/{topic.id}").status_code == 404
        return
    posts_here = persona in ("admin", "facilitator", "member") or place == "community"
    moderates = persona == "admin" or (persona == "facilitator" and place != "community")
    board_html = client.get(f"/boards/{board.id}").get_data(as_text=True)
    assert (f"/boards/{board.id}/new" in board_html) == posts_here
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert (f"/discussions/{topic.id}/reply" in html) == posts_here
    assert ("Post reply" in html) == posts_here
    assert (f"/discussions/{topic.id}/pin" in html) == moderates
    assert (f"/discussions/{topic.id}/lock" in html) == moderates
    assert (f"/posts/{reply.id}/hide" in html) == moderates
    own = persona == "member"
    assert (f"/posts/{reply.id}/edit" in html) == (own or moderates)
    assert (f"/posts/{reply.id}/delete" in html) == (own or moderates)
    assert f"/posts/{reply.id}/revisions" in html  # everyone who sees the reply sees how it was edited


def test_community_role_facilitator_moderates_community_boards_only(client: Any, login: Any, world: World,
                                                                   fran: Any) -> None:  # fmt: skip
    login(fran)
    community, private = world.topics["community"], world.topics["private"]
    assert f"/discussions/{community.id}/pin" in client.get(f"/discussions/{community.id}").get_data(as_text=True)
    assert client.post(f"/discussions/{community.id}/pin").status_code == 302
    assert client.get(f"/discussions/{private.id}").status_code == 404
    open_topic = world.topics["open"]
    assert client.post(f"/discussions/{open_topic.id}/pin").status_code == 403


def test_pending_member_sees_nothing(client: Any, login: Any, world: World, pending: Any) -> None:
    login(pending)
    for place in PLACES:
        assert client.get(f"/discussions/{world.topics[place].id}").status_code == 403
        assert client.get(f"/boards/{world.boards[place].id}").status_code == 403


@pytest.mark.parametrize("persona", ("outsider", "other_facilitator"))
def test_private_content_leaks_into_no_listing(client: Any, login: Any, world: World, persona: str) -> None:
    login(world.users[persona])
    for url in ("/boards", "/boards/new"):
        html = client.get(url).get_data(as_text=True)
        assert "Topic in open" in html or url == "/boards"
        for place in ("request", "private"):
            assert f"Topic in {place}" not in html
            assert f"Cohort {place}" not in html
            assert f'/boards/{world.boards[place].id}"' not in html
    assert client.get("/boards/manage?group=cohort-private").status_code == 404
    assert client.get(f"/boards/{world.boards['private'].id}/edit").status_code == 404
