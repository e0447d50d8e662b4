"""Group pages: creating and editing through the forms, bad input, the directory, archive banners, and
query counts that don't grow with the data."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from community.extensions import db
from community.models import Board, Group, Membership, Upload
from community.services import groups as service
from community.services.posts import create_topic
from community.services.settings import update_settings
from tests.factories import acting, make_user
from tests.factories_groups import make_group


@pytest.fixture
def signin(login):
    """Sign in, then end the test's read transaction (so a request's write never meets a stale snapshot)."""

    def do(user):
        login(user)
        db.session.rollback()
        return user

    return do


def _png(width: int = 320, height: int = 180) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (31, 95, 191)).save(out, "PNG")
    out.seek(0)
    return out


def _post_files(client, path: str, data: dict):
    """A multipart POST whose request body is closed afterwards (werkzeug spools big bodies to a temp file)."""
    builder = EnvironBuilder(path=path, method="POST", data=data, content_type="multipart/form-data")
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _form(**fields):
    data = {"name": "Cohort 9", "slug": "", "description": "We meet on **Tuesdays**.", "visibility": "private"}
    data.update(fields)
    return data


# --------------------------------------------------------------------------------------------------
# Creating and editing


def test_a_facilitator_creates_a_group_with_a_cover(client, signin, fran):
    signin(fran)
    form = client.get("/groups/new")
    assert form.status_code == 200 and "Facilitators invite people in." in form.text
    response = client.post("/groups/new", data=_form(cover=(_png(), "cover.png")),
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith("/groups/cohort-9")
    group = db.session.scalar(select(Group))
    assert group.visibility == "private" and "<strong>Tuesdays</strong>" in group.description_html
    assert group.cover_path and db.session.scalar(select(Upload.group_id)) == group.id
    home = client.get("/groups/cohort-9")
    assert "is ready" in home.text and "Fran Facilitator" in home.text and "General" in home.text
    image = client.get(f"/uploads/{group.cover_path}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    image.close()


def test_participants_create_groups_only_when_the_community_allows(client, signin, admin, pat):
    signin(pat)
    assert client.get("/groups/new").status_code == 403
    assert client.post("/groups/new", data=_form()).status_code == 403
    assert "Create a group" not in client.get("/groups").text
    update_settings(admin, participants_create_groups=True)
    db.session.rollback()
    assert "Create a group" in client.get("/groups").text
    assert client.post("/groups/new", data=_form()).status_code == 302
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == pat.id)) == "facilitator"


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"name": "  "}, 400, "Please give the group a name."),
        ({"visibility": "everyone"}, 400, "Choose who can see and join the group"),
        ({"slug": "Bad Slug!"}, 400, "lower-case letters, digits and hyphens"),
        ({"slug": "taken-slug"}, 409, "Another group already uses that address"),
        ({"cover": (io.BytesIO(b"<?php echo 'not an image'; ?>"), "cover.png")}, 400, "not an image we can read"),
        ({"cover": (io.BytesIO(b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10)), "big.png")}, 400, "larger than 5 MB"),
    ],
)
def test_bad_input_keeps_the_form_and_stores_nothing(client, signin, fran, fields, status, message):
    make_group(fran, slug="taken-slug", name="Taken")
    groups_before, uploads_before = _count(Group), _count(Upload)
    db.session.rollback()
    signin(fran)
    response = _post_files(client, "/groups/new", _form(description="My careful *description*", **fields))
    assert response.status_code == status
    assert message in response.text
    assert "My careful *description*" in response.text  # what the member typed is kept
    assert (_count(Group), _count(Upload)) == (groups_before, uploads_before)


def test_a_facilitator_edits_the_group_and_bad_input_changes_nothing(client, signin, fran, pat):
    group = make_group(fran, "open", members=[pat], name="Cohort 7", slug="cohort-7", description="Old")
    signin(fran)
    page = client.get("/groups/cohort-7/edit")
    assert page.status_code == 200 and 'value="Cohort 7"' in page.text
    bad = client.post("/groups/cohort-7/edit", data={"name": "", "description": "New text", "visibility": "open"})
    assert bad.status_code == 400 and "New text" in bad.text
    fake = client.post("/groups/cohort-7/edit", data={"name": "Cohort 7b", "description": "x", "visibility": "open",
                                                       "cover": (io.BytesIO(b"GIF89a nope"), "c.gif")},
                       content_type="multipart/form-data")  # fmt: skip
    assert fake.status_code == 400 and "Cohort 7b" in fake.text
    assert db.session.get(Group, group.id).name == "Cohort 7" and _count(Upload) == 0
    db.session.rollback()
    ok = client.post("/groups/cohort-7/edit", data={"name": "Cohort 7 (2026)", "description": "New *text*",
                                                     "visibility": "request"})  # fmt: skip
    assert ok.status_code == 302
    group = db.session.get(Group, group.id)
    assert (group.name, group.visibility, group.slug) == ("Cohort 7 (2026)", "request", "cohort-7")
    assert "<em>text</em>" in group.description_html


# --------------------------------------------------------------------------------------------------
# Membership through the pages


def test_invite_by_search_then_accept_from_the_directory(client, signin, fran, pat, sam, suspended):
    make_group(fran, "private", name="Cohort 7", slug="cohort-7")
    signin(fran)
    found = client.get("/groups/cohort-7/members?find=pat")
    assert "Pat Participant" in found.text and "Susie" not in found.text
    assert "Nobody matches" in client.get("/groups/cohort-7/members?find=susie").text  # not active: not offered
    assert client.post("/groups/cohort-7/invite", data={"user_id": str(pat.id)}).status_code == 302
    again = client.post("/groups/cohort-7/invite", data={"user_id": str(pat.id)})
    assert again.status_code == 409 and "already invited" in again.text
    assert client.post("/groups/cohort-7/invite", data={"user_id": "x"}).status_code == 400
    members = client.get("/groups/cohort-7/members")
    assert "Invited (1)" in members.text and "Withdraw" in members.text

    signin(pat)
    directory = client.get("/groups")
    assert "You're invited to join" in directory.text and "Cohort 7" in directory.text
    assert client.get("/groups/cohort-7").status_code == 200  # the invitee sees the about card
    assert client.get("/groups/cohort-7/members").status_code == 404  # but nothing inside yet
    assert client.post("/groups/cohort-7/accept").status_code == 302
    assert client.get("/groups/cohort-7/members").status_code == 200
    assert "Cohort 7" in client.get("/groups?tab=mine").text

    signin(sam)  # never invited: the private group doesn't exist for them
    assert client.get("/groups/cohort-7").status_code == 404
    assert client.post("/groups/cohort-7/accept").status_code == 404


def test_request_and_approval_through_the_pages(client, signin, fran, pat):
    make_group(fran, "request", name="Cohort 7", slug="cohort-7")
    signin(pat)
    assert client.post("/groups/cohort-7/request").status_code == 302
    card = client.get("/groups/cohort-7")
    assert "Cancel request" in card.text and "Request to join" not in card.text
    twice = client.post("/groups/cohort-7/request")
    assert twice.status_code == 409 and "already asked" in twice.text
    signin(fran)
    members = client.get("/groups/cohort-7/members")
    assert "Asking to join (1)" in members.text and "Pat Participant" in members.text
    request_id = db.session.scalar(select(Membership.id).where(Membership.user_id == pat.id))
    db.session.rollback()
    assert client.post(f"/groups/cohort-7/requests/{request_id}/approve").status_code == 302
    signin(pat)
    assert "Leave this group" in client.get("/groups/cohort-7").text


def test_acting_on_another_groups_member_by_id_is_not_found(client, signin, fran, pat, mallory, sam):
    make_group(fran, "open", members=[pat], name="Mine", slug="mine")
    theirs = make_group(mallory, "request", members=[sam], name="Theirs", slug="theirs")
    request = service.request_to_join(acting(pat), theirs, None)
    sam_row = db.session.scalar(select(Membership.id).where(Membership.user_id == sam.id))
    before = db.session.execute(select(Membership.id, Membership.role, Membership.state)).all()
    db.session.rollback()
    signin(fran)
    for path in (f"/groups/mine/requests/{request.id}/approve", f"/groups/mine/requests/{request.id}/decline",
                 f"/groups/mine/members/{sam_row}/remove", f"/groups/mine/members/{sam_row}/promote"):  # fmt: skip
        assert client.post(path).status_code == 404, path
    assert db.session.execute(select(Membership.id, Membership.role, Membership.state)).all() == before


def test_the_last_facilitator_is_told_to_promote_someone(client, signin, fran, pat):
    make_group(fran, "open", members=[pat], name="Cohort 7", slug="cohort-7")
    signin(fran)
    response = client.post("/groups/cohort-7/leave")
    assert response.status_code == 409 and "make another member a facilitator" in response.text
    assert db.session.scalar(select(Membership.state).where(Membership.user_id == fran.id)) == "active"


def test_an_archived_group_says_so_and_refuses_joins_and_edits(client, signin, fran, pat, sam):
    group = make_group(fran, "open", members=[pat], name="Cohort 7", slug="cohort-7")
    service.archive_group(acting(fran), group)
    db.session.rollback()
    signin(pat)
    for path in ("/groups/cohort-7", "/groups/cohort-7/members"):
        page = client.get(path)
        assert page.status_code == 200 and "This group is archived." in page.text
    assert "Archived" in client.get("/groups?tab=mine").text
    signin(sam)
    before = db.session.get(Group, group.id).member_count
    db.session.rollback()
    joining = client.post("/groups/cohort-7/join")
    assert joining.status_code == 403 and "archived" in joining.text
    assert "Join this group" not in client.get("/groups/cohort-7").text
    assert db.session.get(Group, group.id).member_count == before
    db.session.rollback()
    signin(fran)
    assert client.get("/groups/cohort-7/edit").status_code == 403
    assert "Edit group" not in client.get("/groups/cohort-7").text
    assert client.post("/groups/cohort-7/unarchive").status_code == 302
    assert "This group is archived." not in client.get("/groups/cohort-7").text


# --------------------------------------------------------------------------------------------------
# The directory


def test_directory_tabs_search_and_pages(client, signin, app, fran, pat):
    make_group(fran, "open", members=[pat], name="Alpha circle")
    make_group(fran, "request", name="Beta cohort")
    make_group(fran, "private", name="Gamma private")
    make_group(fran, "private", members=[pat], name="Delta private")
    signin(pat)
    mine = client.get("/groups")
    assert "Alpha circle" in mine.text and "Delta private" in mine.text and "Beta cohort" not in mine.text
    everything = client.get("/groups?tab=all")
    assert "Beta cohort" in everything.text and "Gamma private" not in everything.text
    assert "By request" in everything.text and "2 members" in everything.text
    found = client.get("/groups?tab=all&q=coh")
    assert "Beta cohort" in found.text and "Alpha circle" not in found.text
    assert "No group's name matches" in client.get("/groups?tab=all&q=Gamma").text
    assert "No group's name matches" in client.get("/groups?tab=all&q=%25").text  # wildcards are literal

    size = app.config["PAGE_SIZE"]
    for i in range(size):
        make_group(fran, "open", name=f"Zeta {i:02d}")
    db.session.rollback()
    first = client.get("/groups?tab=all")
    assert 'rel="next"' in first.text and "Zeta 19" not in first.text
    second = client.get("/groups?tab=all&page=2")
    assert "Zeta 19" in second.text and 'rel="prev"' in second.text


# --------------------------------------------------------------------------------------------------
# Query counts: the same at two data sizes


def _populate(owner, group, size: int) -> None:
    people = [make_user(f"m{size}x{i}", display_name=f"Member {i}") for i in range(size)]
    for person in people:
        service.add_member(group, person)
    board = db.session.scalar(select(Board).where(Board.group_id == group.id))
    for i in range(size):
        create_topic(people[i % len(people)], kind="discussion", title=f"Topic {i}", body="Hello", board=board)
    for i in range(size):
        extra = make_user(f"r{size}x{i}")
        if group.visibility == "request":
            service.request_to_join(acting(extra), group, None)


# Every signed-in page: the session row with its member, their group roles, community settings, the bell.
BASE = 4
# A facilitator's pages also count what waits for them to review (the header): one query.
STAFF_BASE = BASE + 1


@pytest.mark.parametrize("size", [3, 30])
def test_query_counts_do_not_grow(client, signin, fran, size, assert_queries):
    group = make_group(fran, "request", name="Cohort 7", slug="cohort-7")
    for i in range(size):
        make_group(fran, "open", members=[], name=f"Group {i}")
    _populate(fran, group, size)
    signin(fran)
    with assert_queries(STAFF_BASE + 2):  # a page of groups, my pending invitations and requests
        assert client.get("/groups?tab=all").status_code == 200
    # group + my membership, facilitators, members, boards, topics, watching, coming events, announcements
    with assert_queries(STAFF_BASE + 8):
        assert client.get("/groups/cohort-7").status_code == 200
    with assert_queries(STAFF_BASE + 3):  # group + my membership, a page of members, requests and invitations
        assert client.get("/groups/cohort-7/members").status_code == 200
    with assert_queries(STAFF_BASE + 4):  # ... and the people to invite
        assert client.get("/groups/cohort-7/members?find=member").status_code == 200


def test_the_home_lists_the_groups_boards_and_latest_topics_only(client, signin, fran, pat, mallory):
    group = make_group(fran, "open", members=[pat], name="Cohort 7", slug="cohort-7")
    other = make_group(mallory, "private", name="Elsewhere", slug="elsewhere")
    board = db.session.scalar(select(Board).where(Board.group_id == group.id))
    elsewhere = db.session.scalar(select(Board).where(Board.group_id == other.id))
    create_topic(pat, kind="discussion", title="Our first discussion", body="Hi", board=board)
    create_topic(mallory, kind="discussion", title="Somebody else's secret", body="Hi", board=elsewhere)
    db.session.rollback()
    signin(pat)
    home = client.get("/groups/cohort-7")
    assert "Our first discussion" in home.text and "Somebody else" not in home.text
    assert "1 discussion" in home.text and "General" in home.text
