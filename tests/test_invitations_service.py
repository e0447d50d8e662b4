"""Invitations service: reading lists, inviting with a per-line report, links, resend, revoke, registering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.errors import Conflict, Forbidden, InvalidInput, NotFound
from community.extensions import db
from community.models import AuditEvent, Invitation, Membership, User, utcnow
from community.services import invitations as service
from community.services.groups import create_group
from community.services.settings import update_settings
from community.tokens import hash_token
from tests.factories import acting
from tests.factories_auth import confirm_address, invite, mails_to, make_link, token_in

PASSWORD = "my own long passphrase"


def join(token: str, handle: str = "newbie", email: str = "", name: str = "") -> User:
    name = name or handle.title()
    return service.register(token, display_name=name, handle=handle, password=PASSWORD, email=email)


def test_parse_pasted_understands_commas_lines_and_names():
    lines = service.parse_pasted("ann@example.org, bo@example.org\n\nCy Young <cy@example.org>; dee@x.org eve@x.org")
    assert [(x.line, x.email, x.name) for x in lines] == [
        (1, "ann@example.org", ""), (1, "bo@example.org", ""), (3, "cy@example.org", "Cy Young"),
        (3, "dee@x.org", ""), (3, "eve@x.org", ""),
    ]  # fmt: skip


def test_parse_csv_with_header_name_and_role():
    data = "email,name,role\nann@example.org,Ann Lee,facilitator\n\nbo@example.org\n".encode("utf-8-sig")
    lines = service.parse_csv(data)
    assert [(x.line, x.email, x.name, x.role) for x in lines] == [
        (2, "ann@example.org", "Ann Lee", "facilitator"), (4, "bo@example.org", "", ""),
    ]  # fmt: skip


def test_parse_csv_refuses_binary():
    with pytest.raises(InvalidInput):
        service.parse_csv(b"\xff\xfe\x00\x89PNG")


def test_invite_reports_each_line(admin, pat):
    invite(admin, "already@example.org")
    pasted = "new@example.org\nnot-an-address\nPAT@example.org\nalready@example.org\nnew@example.org"
    lines = service.parse_pasted(pasted)
    lines.append(service.InviteLine(6, "odd@example.org", role="wizard"))
    outcomes = service.invite_people(acting(admin), lines, role="participant")
    assert [(o.line, o.invited, o.reason) for o in outcomes] == [
        (1, True, ""), (2, False, "not a valid e-mail address"), (3, False, "already a member"),
        (4, False, "already invited"), (5, False, "listed twice"), (6, False, "unknown role"),
    ]  # fmt: skip
    assert len(mails_to("new@example.org")) == 1
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "new@example.org"))
    assert invitation.send_count == 1 and invitation.expires_at > utcnow() + timedelta(days=13)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.target_id == invitation.id))
    assert event.action == "invitation.create"


def test_only_the_token_hash_is_stored(admin):
    token = invite(admin, "ann@example.org")
    invitation = db.session.scalar(select(Invitation))
    assert invitation.token_hash == hash_token(token) and token not in invitation.token_hash


def test_invitation_mail_links_to_base_url_with_note_and_name(admin, app):
    invite(admin, "ann@example.org", note="See you at the kick-off!", name="Ann Lee")
    mail = mails_to("ann@example.org")[0]
    assert f"{app.config['BASE_URL']}/join/" in mail.body_text
    assert "Hello Ann Lee," in mail.body_text and "See you at the kick-off!" in mail.body_text
    assert "Ada Admin invites you" in mail.subject


def test_facilitators_invite_participants_only(fran):
    with pytest.raises(Forbidden):
        service.invite_people(acting(fran), [service.InviteLine(1, "x@example.org")], role="facilitator")
    lines = [service.InviteLine(1, "x@example.org", role="admin"), service.InviteLine(2, "y@example.org")]
    outcomes = service.invite_people(acting(fran), lines, role="participant")
    assert [(o.invited, o.reason) for o in outcomes] == [(False, "you can't invite that role"), (True, "")]


@pytest.mark.parametrize("persona", ["pat", "suspended", "pending"])
def test_participants_and_inactive_members_cannot_invite(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        service.invite_people(acting(user), [service.InviteLine(1, "x@example.org")], role="participant")
    with pytest.raises(Forbidden):
        service.create_link(acting(user), role="participant", days=3, max_uses=3)


def test_empty_and_oversized_batches_are_refused(admin):
    with pytest.raises(InvalidInput):
        service.invite_people(acting(admin), [], role="participant")
    lines = [service.InviteLine(i, f"p{i}@example.org") for i in range(service.MAX_BATCH + 1)]
    with pytest.raises(InvalidInput):
        service.invite_people(acting(admin), lines, role="participant")
    assert db.session.scalar(select(Invitation.id)) is None


def test_groups_must_be_ones_the_inviter_facilitates(fran, sam, admin):
    mine = create_group(acting(fran), name="Cohort A")
    theirs = create_group(acting(sam), name="Sam's circle")
    with pytest.raises(Forbidden):
        service.invite_people(acting(fran), [service.InviteLine(1, "x@example.org")], role="participant",
                              group_ids=[mine.id, theirs.id])  # fmt: skip
    assert [g.name for g in service.invitable_groups(acting(fran))] == ["Cohort A"]
    assert [g.name for g in service.invitable_groups(acting(admin))] == ["Cohort A", "Sam's circle"]


def test_registering_through_a_personal_invitation_joins_the_groups(fran):
    group = create_group(acting(fran), name="Cohort A")
    token = invite(fran, "Ann@Example.org", group_ids=[group.id])
    user = join(token, handle="ann")
    assert (user.email, user.role, user.state) == ("ann@example.org", "participant", "active")
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert (membership.group_id, membership.role, membership.state) == (group.id, "member", "active")
    db.session.expire_all()
    assert db.session.get(type(group), group.id).member_count == 2
    with pytest.raises(service.InvitationClosed) as closed:
        join(token, handle="ann2")
    assert closed.value.reason == "already used"


def test_personal_invitation_ignores_an_entered_address(admin):
    token = invite(admin, "ann@example.org")
    assert join(token, handle="ann", email="someone-else@example.org").email == "ann@example.org"


def test_bad_registration_input_keeps_the_invitation_open(admin, pat):
    token = invite(admin, "ann@example.org")
    for kwargs in ({"handle": "pat"}, {"handle": "x y"}):
        with pytest.raises(InvalidInput):
            join(token, **kwargs)
    with pytest.raises(InvalidInput):
        service.register(token, display_name="Ann", handle="ann", password="short")
    assert service.open_invitation(token).use_count == 0
    assert join(token, handle="ann").handle == "ann"


def test_unknown_token_is_not_found():
    with pytest.raises(NotFound):
        service.open_invitation("nope")


def test_expired_and_revoked_invitations_are_closed(admin):
    token = invite(admin, "ann@example.org")
    db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    with pytest.raises(service.InvitationClosed) as closed:
        service.open_invitation(token)
    assert closed.value.reason == "expired"
    other = invite(admin, "bo@example.org")
    service.revoke(acting(admin), service.open_invitation(other))
    with pytest.raises(service.InvitationClosed) as closed:
        join(other, handle="bo")
    assert closed.value.reason == "withdrawn"


def test_resend_issues_a_fresh_token_and_the_old_one_dies(admin):
    old = invite(admin, "ann@example.org")
    invitation = service.open_invitation(old)
    service.resend(acting(admin), invitation)
    new = token_in(mails_to("ann@example.org")[-1])
    assert new != old
    with pytest.raises(NotFound):
        service.open_invitation(old)
    again = service.open_invitation(new)
    assert again.send_count == 2 and again.last_sent_at is not None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["invitation.create", "invitation.resend"]


def test_resend_reopens_an_expired_invitation_but_not_a_used_or_revoked_one(admin):
    token = invite(admin, "ann@example.org")
    db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    invitation = db.session.scalar(select(Invitation))
    service.resend(acting(admin), invitation)
    user = join(token_in(mails_to("ann@example.org")[-1]), handle="ann")
    assert user.id
    db.session.expire_all()
    with pytest.raises(Conflict):
        service.resend(acting(admin), db.session.scalar(select(Invitation)))
    with pytest.raises(Conflict):
        service.revoke(acting(admin), db.session.scalar(select(Invitation)))
    assert token


def test_cohort_link_counts_uses_and_closes(admin):
    token = make_link(admin, max_uses=2, role="facilitator")
    first = join(token, handle="one", email="one@example.org")
    assert first.role == "facilitator"
    with pytest.raises(InvalidInput):  # a link needs an address
        join(token, handle="two")
    with pytest.raises(InvalidInput):
        join(token, handle="two", email="one@example.org")  # already a member
    join(token, handle="two", email="two@example.org")
    with pytest.raises(service.InvitationClosed):
        join(token, handle="three", email="three@example.org")


def test_link_limits_are_checked(admin):
    for kwargs in ({"days": 0}, {"days": 400}, {"max_uses": 0}, {"max_uses": 10**6}):
        with pytest.raises(InvalidInput):
            service.create_link(acting(admin), **{"role": "participant", "days": 7, "max_uses": 5, **kwargs})


def test_needs_approval_needs_the_community_setting(admin):
    with pytest.raises(InvalidInput):
        make_link(admin, needs_approval=True)
    update_settings(acting(admin), allow_join_requests=True)
    token = make_link(admin, needs_approval=True)
    user = join(token, handle="waiting", email="w@example.org")
    assert user.state == "unconfirmed"  # the address first, then the approval
    assert confirm_address("w@example.org").state == "pending"


def test_joining_through_an_invitation_shows_in_the_feed_as_a_new_member(admin):
    from sqlalchemy import select

    from community.extensions import db
    from community.models.social import Activity
    from community.services import invitations
    from tests.factories_auth import invite

    token = invite(admin, "newbie@example.org")
    user = invitations.register(token, display_name="Nia Newbie", handle="nia", password="a long new password")
    kinds = {(a.kind, a.actor_id) for a in db.session.scalars(select(Activity))}
    assert ("joined", user.id) in kinds
