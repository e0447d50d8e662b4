"""Group services: creating, joining, requests, invitations, leaving, roles, archiving, counters."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community import events
from community.errors import Conflict, Forbidden, InvalidInput, NotFound
from community.extensions import db
from community.models import AuditEvent, Board, Group, Membership
from community.permissions import can_post_in_group
from community.services import groups as service
from tests.factories import acting, make_user
from tests.factories_groups import make_group


def _group(group_id: int) -> Group:
    db.session.expire_all()
    return db.session.get(Group, group_id)


def _rows(group_id: int) -> list[tuple[int, str, str]]:
    return [
        tuple(r)
        for r in db.session.execute(
            select(Membership.user_id, Membership.role, Membership.state)
            .where(Membership.group_id == group_id)
            .order_by(Membership.user_id)
        )
    ]


def _membership(group: Group, user) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )


def test_create_group_makes_the_creator_facilitator_with_a_general_board(fran):
    group = service.create_group(acting(fran), name="  Cohort   7 ", description="Hi <script>x</script> **all**",
                                 visibility="request")  # fmt: skip
    assert (group.name, group.slug, group.member_count) == ("Cohort 7", "cohort-7", 1)
    assert "<script>" not in group.description_html and "<strong>all</strong>" in group.description_html
    assert _rows(group.id) == [(fran.id, "facilitator", "active")]
    assert [b.name for b in db.session.scalars(select(Board).where(Board.group_id == group.id))] == ["General"]
    assert fran.group_roles[group.id] == "facilitator"


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"name": "   "}, InvalidInput, "name"),
        ({"name": "x" * 101}, InvalidInput, "name"),
        ({"name": "Fine", "visibility": "secret"}, InvalidInput, "visibility"),
        ({"name": "Fine", "slug": "Not a slug!"}, InvalidInput, "slug"),
        ({"name": "Fine", "slug": "new"}, Conflict, "slug"),
        ({"name": "Fine", "description": "d" * 5001}, InvalidInput, "description"),
    ],
)
def test_create_group_refuses_bad_input(fran, fields, error, field):
    with pytest.raises(error) as caught:
        service.create_group(fran, **fields)
    assert caught.value.field == field and caught.value.message
    db.session.rollback()
    assert db.session.scalar(select(Group.id)) is None


def test_duplicate_slug_is_a_conflict(fran):
    make_group(fran, slug="cohort-7", name="Cohort 7")
    with pytest.raises(Conflict) as caught:
        service.create_group(fran, name="Cohort 7")
    assert caught.value.field == "slug"
    assert db.session.query(Group).count() == 1


def test_join_and_leave_an_open_group_keep_the_count(fran, pat):
    group = make_group(fran, "open")
    service.join_group(acting(pat), group, None)
    assert _group(group.id).member_count == 2 and pat.group_roles[group.id] == "member"
    with pytest.raises(Forbidden):
        service.join_group(pat, _group(group.id), _membership(group, pat))
    service.leave_group(acting(pat), _group(group.id))
    assert _group(group.id).member_count == 1 and group.id not in pat.group_roles
    assert _rows(group.id) == [(fran.id, "facilitator", "active")]


def test_request_cancel_approve_and_decline(fran, pat, sam, mallory):
    group = make_group(fran, "request")
    request = service.request_to_join(acting(pat), group, None)
    with pytest.raises(Conflict):
        service.request_to_join(acting(pat), _group(group.id), _membership(group, pat))
    assert _group(group.id).member_count == 1  # a request is not a membership yet
    service.cancel_request(acting(pat), _group(group.id), _membership(group, pat))
    assert _membership(group, pat) is None

    request = service.request_to_join(acting(pat), _group(group.id), None)
    other = service.request_to_join(acting(sam), _group(group.id), None)
    approved = []

    def answered(m, **kw):
        approved.append(kw["approved"])

    # connected_to takes only this receiver off again (clearing them all would silence the notifications').
    with events.group_request_answered.connected_to(answered):
        service.answer_request(acting(fran), _group(group.id), request.id, approve=True)
        service.answer_request(acting(fran), _group(group.id), other.id, approve=False)
    assert approved == [True, False]
    assert _group(group.id).member_count == 2
    assert _rows(group.id) == [(fran.id, "facilitator", "active"), (pat.id, "member", "active")]
    with pytest.raises(NotFound):  # already answered: the declined row is gone
        service.answer_request(acting(fran), _group(group.id), other.id, approve=True)
    with pytest.raises(Conflict):
        service.answer_request(acting(fran), _group(group.id), request.id, approve=True)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"group.request_approve", "group.request_decline"} <= actions


def test_open_and_private_groups_take_no_requests(fran, pat):
    for visibility in ("open", "private"):
        group = make_group(fran, visibility)
        with pytest.raises(Forbidden):
            service.request_to_join(acting(pat), group, None)
        assert _membership(group, pat) is None


def test_invite_accept_and_decline(fran, pat, sam, mallory, suspended):
    group = make_group(fran, "private")
    sent = []

    def invited(m, **kw):
        sent.append(m.user_id)

    with events.group_invitation_sent.connected_to(invited):
        service.invite_to_group(acting(fran), group, pat.id)
        service.invite_to_group(acting(fran), _group(group.id), sam.id)
    assert sent == [pat.id, sam.id]
    assert _group(group.id).member_count == 1
    with pytest.raises(Conflict):
        service.invite_to_group(acting(fran), _group(group.id), pat.id)
    with pytest.raises(InvalidInput):
        service.invite_to_group(acting(fran), _group(group.id), suspended.id)
    with pytest.raises(InvalidInput):
        service.invite_to_group(acting(fran), _group(group.id), 99999)
    with pytest.raises(Conflict):  # mallory was not invited
        service.answer_invitation(acting(mallory), _group(group.id), _membership(group, mallory), accept=True)

    service.answer_invitation(acting(pat), _group(group.id), _membership(group, pat), accept=True)
    service.answer_invitation(acting(sam), _group(group.id), _membership(group, sam), accept=False)
    assert _group(group.id).member_count == 2
    assert _rows(group.id) == [(fran.id, "facilitator", "active"), (pat.id, "member", "active")]


def test_members_cannot_invite(fran, pat, sam):
    group = make_group(fran, "open", members=[pat])
    with pytest.raises(Forbidden):
        service.invite_to_group(acting(pat), group, sam.id)
    assert _membership(group, sam) is None


def test_the_last_facilitator_stays_until_someone_is_promoted(fran, pat):
    group = make_group(fran, "open", members=[pat])
    with pytest.raises(Conflict) as caught:
        service.leave_group(acting(fran), group)
    assert "only facilitator" in caught.value.message
    fran_row = _membership(group, fran)
    with pytest.raises(Conflict):
        service.set_member_role(acting(fran), _group(group.id), fran_row.id, "member")
    service.set_member_role(acting(fran), _group(group.id), _membership(group, pat).id, "facilitator")
    service.leave_group(acting(fran), _group(group.id))
    assert _rows(group.id) == [(pat.id, "facilitator", "active")]
    assert _group(group.id).member_count == 1


def test_remove_and_demote(fran, pat, sam):
    group = make_group(fran, "open", members=[pat], facilitators=[sam])
    service.set_member_role(acting(fran), group, _membership(group, sam).id, "member")
    service.remove_member(acting(fran), _group(group.id), _membership(group, pat).id)
    assert _rows(group.id) == [(fran.id, "facilitator", "active"), (sam.id, "member", "active")]
    assert _group(group.id).member_count == 2
    with pytest.raises(Forbidden):  # facilitators leave; they don't remove themselves
        service.remove_member(acting(fran), _group(group.id), _membership(group, fran).id)
    with pytest.raises(InvalidInput):
        service.set_member_role(acting(fran), _group(group.id), _membership(group, sam).id, "owner")


def test_ids_from_another_group_are_not_found(fran, pat, sam, mallory):
    mine = make_group(fran, "request", members=[pat])
    theirs = make_group(mallory, "request", members=[sam])
    request = service.request_to_join(acting(pat), theirs, None)
    before = (_rows(mine.id), _rows(theirs.id))
    sam_row = _membership(theirs, sam)
    for call in (
        lambda: service.answer_request(acting(fran), _group(mine.id), request.id, approve=True),
        lambda: service.remove_member(acting(fran), _group(mine.id), sam_row.id),
        lambda: service.set_member_role(acting(fran), _group(mine.id), sam_row.id, "facilitator"),
    ):
        with pytest.raises(NotFound):
            call()
        db.session.rollback()
    assert (_rows(mine.id), _rows(theirs.id)) == before


def test_an_archived_group_is_read_only(fran, pat, sam, mallory):
    group = make_group(fran, "open", members=[pat])
    service.invite_to_group(acting(fran), group, mallory.id)
    service.archive_group(acting(fran), _group(group.id))
    group = _group(group.id)
    assert group.is_archived
    assert not can_post_in_group(acting(pat), group)
    with pytest.raises(Forbidden):
        service.join_group(acting(sam), group, None)
    with pytest.raises(Forbidden):
        service.invite_to_group(acting(fran), group, sam.id)
    with pytest.raises(Forbidden):
        service.update_group(acting(fran), group, name="New name", description="", visibility="open")
    with pytest.raises(Forbidden):
        service.answer_invitation(acting(mallory), group, _membership(group, mallory), accept=True)
    with pytest.raises(Forbidden):
        service.archive_group(acting(pat), group)
    assert _group(group.id).name != "New name" and _group(group.id).member_count == 2
    service.leave_group(acting(pat), _group(group.id))  # leaving stays possible
    service.unarchive_group(acting(fran), _group(group.id))
    service.join_group(acting(sam), _group(group.id), None)
    assert _group(group.id).member_count == 2


def test_add_member_on_registration_is_idempotent_and_counts(fran, pat, sam):
    group = make_group(fran, "private")
    service.invite_to_group(acting(fran), group, sam.id)
    service.add_member(_group(group.id), pat)
    service.add_member(_group(group.id), pat)
    service.add_member(_group(group.id), sam)  # an open invitation becomes a membership
    assert _group(group.id).member_count == 3
    assert _rows(group.id) == [(fran.id, "facilitator", "active"), (pat.id, "member", "active"),
                               (sam.id, "member", "active")]  # fmt: skip


def test_update_group_renders_the_description_once(fran):
    group = make_group(fran, "open")
    service.update_group(acting(fran), group, name="Renamed", description="[x](javascript:alert(1)) *hi*",
                         visibility="private")  # fmt: skip
    group = _group(group.id)
    assert (group.name, group.visibility) == ("Renamed", "private")
    assert "javascript:" not in group.description_html and "<em>hi</em>" in group.description_html


def test_many_members_join_without_losing_count(fran):
    group = make_group(fran, "open")
    people = [make_user(f"joiner{i}") for i in range(5)]
    for person in people:
        service.join_group(acting(person), _group(group.id), None)
    assert _group(group.id).member_count == 6


def test_a_participant_facilitating_a_group_cant_take_a_higher_roles_place(client, login, admin, fran, pat, sam):
    """A participant who facilitates a group may not demote or remove the community manager, nor a community
    facilitator (a role above theirs); they still manage their peers."""
    group = make_group(fran, members=[pat, sam], facilitators=[admin], name="Study set")
    rows = db.session.scalars(select(Membership).where(Membership.group_id == group.id))
    memberships = {m.user_id: m.id for m in rows}
    service.set_member_role(acting(fran), group, memberships[pat.id], "facilitator")
    login(pat)
    page = client.get(f"/groups/{group.slug}/members").get_data(as_text=True)
    for above in (admin, fran):
        mid = memberships[above.id]
        assert f"/members/{mid}/demote" not in page and f"/members/{mid}/remove" not in page
        for action in ("demote", "remove"):
            response = client.post(f"/groups/{group.slug}/members/{mid}/{action}")
            assert response.status_code == 403, (above.handle, action)
    roles = {m.user_id: m.role for m in db.session.scalars(select(Membership).where(Membership.group_id == group.id))}
    assert roles[admin.id] == roles[fran.id] == "facilitator"
    assert f"/members/{memberships[sam.id]}/remove" in page
    assert client.post(f"/groups/{group.slug}/members/{memberships[sam.id]}/promote").status_code == 302
    assert client.post(f"/groups/{group.slug}/members/{memberships[sam.id]}/demote").status_code == 302
    assert client.post(f"/groups/{group.slug}/members/{memberships[sam.id]}/remove").status_code == 302


def test_the_manager_and_community_facilitators_still_manage_everyone(admin, fran, pat):
    group = make_group(fran, members=[pat], facilitators=[admin], name="Cohort B")
    ids = {m.user_id: m.id for m in db.session.scalars(select(Membership).where(Membership.group_id == group.id))}
    service.set_member_role(acting(admin), group, ids[fran.id], "member")  # the manager outranks everyone
    service.set_member_role(acting(admin), group, ids[fran.id], "facilitator")
    with pytest.raises(Forbidden):
        service.remove_member(acting(fran), group, ids[admin.id])  # a community facilitator is below the manager
    service.remove_member(acting(fran), group, ids[pat.id])
