"""Announcements through their services: who is told (once, in one batch), scheduling, expiry, editing
without a second notice, withdrawing, dismissing and how many have seen one."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.errors import Forbidden, InvalidInput
from community.extensions import db
from community.models import AnnouncementView, Notification, OutboxMessage, utcnow
from community.services import announcements as service
from community.services import notifications
from tests.factories import acting, make_user
from tests.factories_announcements import load_announcement, make_announcement
from tests.factories_groups import make_group


def _notified(kind="announcement"):
    return sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def _mails():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


@pytest.fixture
def cohort(fran, pat, sam, mallory):
    return make_group(fran, "private", members=[pat, sam], name="Cohort 9", slug="cohort-9")


def test_a_group_announcement_tells_every_active_member_at_once_by_email(cohort, fran, pat, sam, mallory, admin):
    before = _mails()
    make_announcement(fran, cohort, title="Week 3 starts")
    assert _notified() == sorted([pat.id, sam.id])  # not its author, not outsiders, not the admin outside it
    assert _mails() - before == 2


def test_a_member_who_chose_the_page_only_gets_no_email(cohort, fran, pat, sam):
    notifications.set_preferences(acting(pat), {"announcement": "web"})
    before = _mails()
    make_announcement(fran, cohort)
    assert _notified() == sorted([pat.id, sam.id])
    assert _mails() - before == 1


@pytest.mark.parametrize("delivery", ["daily", "weekly", "off"])
def test_announcements_are_never_digest_only_nor_off(pat, delivery):
    with pytest.raises(InvalidInput):
        notifications.set_preferences(acting(pat), {"announcement": delivery})
    # A value saved before (or by hand) reads as the default.
    pat.preferences = {"notifications": {"announcement": delivery}}
    db.session.commit()
    assert notifications.preferences(pat)["announcement"] == "email"


def test_a_community_wide_announcement_reaches_every_active_member(admin, fran, pat, sam, suspended):
    make_announcement(admin, None, title="Welcome, cohort 10")
    assert _notified() == sorted([fran.id, pat.id, sam.id])


@pytest.mark.parametrize("size", [3, 12])
def test_the_audience_is_told_in_one_insert(cohort, fran, count_queries, size):
    people = [make_user(f"m{size}x{i}") for i in range(size)]
    from community.services import groups

    for person in people:
        groups.add_member(cohort, person)
    with count_queries() as seen:
        make_announcement(fran, cohort)
    inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS")]
    assert len(inserts) == 1
    assert len(_notified()) == size + 2


def test_only_facilitators_of_the_group_and_admins_announce(cohort, fran, pat, admin):
    other = make_user("otto", role="facilitator")
    make_group(other, "open", name="Other group", slug="other")
    for who, group in ((pat, cohort), (other, cohort), (fran, None)):
        with pytest.raises(Forbidden):
            make_announcement(who, group)
    assert make_announcement(admin, cohort).group_id == cohort.id
    assert make_announcement(admin, None).group_id is None


def test_bad_input_names_its_field(cohort, fran):
    now = utcnow()
    cases = [
        (dict(title="  "), "title"),
        (dict(body=""), "body"),
        (dict(publish_at=now - timedelta(hours=1)), "publish_at"),
        (dict(publish_at=now + timedelta(days=2), expires_at=now + timedelta(days=1)), "expires_at"),
        (dict(expires_at=now - timedelta(minutes=5)), "expires_at"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as error:
            make_announcement(fran, cohort, **kwargs)
        assert error.value.field == field
    assert _notified() == []


def test_a_scheduled_announcement_appears_and_notifies_at_its_time(cohort, fran, pat):
    at = utcnow() + timedelta(hours=2)
    topic = make_announcement(fran, cohort, title="Tomorrow's session", publish_at=at)
    assert topic.status == "scheduled" and _notified() == []
    assert service.top_announcements(acting(pat)) == []
    assert service.publish_due_announcements(now=at - timedelta(minutes=1)) == 0
    assert service.publish_due_announcements(now=at + timedelta(seconds=1)) == 1
    assert pat.id in _notified()
    assert [i.topic.title for i in service.top_announcements(acting(pat))] == ["Tomorrow's session"]
    assert service.publish_due_announcements(now=at + timedelta(minutes=5)) == 0  # once


def test_after_its_expiry_it_leaves_the_top_but_keeps_its_page_and_place_in_the_list(cohort, fran, pat):
    topic = make_announcement(fran, cohort, expires_at=utcnow() + timedelta(hours=1))
    assert len(service.top_announcements(acting(pat))) == 1
    later = utcnow() + timedelta(hours=2)
    assert service.top_announcements(acting(pat), now=later) == []
    assert service.top_announcements(acting(pat), group=cohort, now=later) == []
    assert load_announcement(pat, topic.id)[0].id == topic.id
    assert [i.topic.id for i in service.group_announcements(acting(pat), cohort).items] == [topic.id]


def test_editing_does_not_notify_again(cohort, fran, pat, sam):
    topic = make_announcement(fran, cohort, title="Room change")
    mails = _mails()
    topic, announcement, _view = load_announcement(fran, topic.id)
    opening = service.opening_of(topic)
    fields = service.AnnouncementFields(title="Room change: now Room 4", body="We meet in Room 4 instead.",
                                        expires_at=utcnow() + timedelta(days=3))  # fmt: skip
    service.update_announcement(acting(fran), topic, announcement, opening, fields)
    assert len(_notified()) == 2 and _mails() == mails
    topic, announcement, _view = load_announcement(pat, topic.id)
    assert topic.title == "Room change: now Room 4" and announcement.expires_at is not None
    assert service.opening_of(topic).revision_count == 1  # the earlier text is kept as a revision


def test_a_member_cannot_edit_or_withdraw(cohort, fran, pat):
    topic = make_announcement(fran, cohort)
    topic, announcement, _view = load_announcement(pat, topic.id)
    fields = service.AnnouncementFields(title="Hacked", body="Hacked")
    with pytest.raises(Forbidden):
        service.update_announcement(acting(pat), topic, announcement, service.opening_of(topic), fields)
    with pytest.raises(Forbidden):
        service.withdraw_announcement(acting(pat), topic)


def test_withdrawn_it_is_gone_for_members(cohort, fran, pat):
    from community.errors import NotFound

    topic = make_announcement(fran, cohort)
    topic, _a, _v = load_announcement(fran, topic.id)
    service.withdraw_announcement(acting(fran), topic)
    with pytest.raises(NotFound):
        load_announcement(pat, topic.id)
    assert service.top_announcements(acting(pat)) == []
    assert service.group_announcements(acting(pat), cohort).items == []


def test_shown_at_the_top_counts_as_seen_and_dismissing_takes_it_off(cohort, fran, pat, sam):
    topic = make_announcement(fran, cohort)
    assert service.reach(topic) == service.Reach(0, 2)
    assert len(service.top_announcements(acting(pat))) == 1  # shown: seen
    db.session.rollback()  # the page's read ends (the seen row was written beside it)
    assert service.reach(topic) == service.Reach(1, 2)
    topic, _a, _v = load_announcement(sam, topic.id)
    service.dismiss(acting(sam), topic)
    db.session.rollback()
    assert service.top_announcements(acting(sam)) == []
    assert service.top_announcements(acting(sam), group=cohort) == []
    assert len(service.top_announcements(acting(pat), group=cohort)) == 1
    assert service.reach(topic) == service.Reach(2, 2)
    views = db.session.scalar(select(func.count()).select_from(AnnouncementView))
    assert views == 2  # one row per member, however often it is shown


def test_members_who_left_are_not_counted(cohort, fran, pat, sam):
    from community.services import groups

    topic = make_announcement(fran, cohort)
    service.top_announcements(acting(pat))
    service.top_announcements(acting(sam))
    db.session.rollback()
    groups.leave_group(acting(sam), cohort)
    assert service.reach(topic) == service.Reach(1, 1)


def test_a_scheduled_one_can_be_moved_while_it_waits_but_not_into_the_past(cohort, fran, pat):
    at = utcnow() + timedelta(hours=2)
    topic = make_announcement(fran, cohort, title="Later", publish_at=at)
    topic, announcement, _view = load_announcement(fran, topic.id)
    opening = service.opening_of(topic)
    later = at + timedelta(days=1)
    fields = service.AnnouncementFields(title="Later", body=opening.body, publish_at=later)
    service.update_announcement(acting(fran), topic, announcement, opening, fields)
    assert service.publish_due_announcements(now=at + timedelta(minutes=1)) == 0  # moved: not yet
    topic, announcement, _view = load_announcement(fran, topic.id)
    past = service.AnnouncementFields(title="Later", body=opening.body, publish_at=utcnow() - timedelta(hours=1))
    with pytest.raises(InvalidInput) as error:
        service.update_announcement(acting(fran), topic, announcement, service.opening_of(topic), past)
    assert error.value.field == "publish_at"
    assert service.publish_due_announcements(now=later + timedelta(minutes=1)) == 1
    assert pat.id in _notified()


def test_a_scheduled_one_is_seen_by_its_author_alone_until_then(cohort, fran, pat, admin):
    from community.errors import NotFound

    topic = make_announcement(fran, cohort, publish_at=utcnow() + timedelta(hours=2))
    assert load_announcement(fran, topic.id)[0].status == "scheduled"
    for who in (pat, admin):
        with pytest.raises(NotFound):
            load_announcement(who, topic.id)
    mine = service.group_announcements(acting(fran), cohort).items
    assert [i.topic.id for i in mine] == [topic.id]
    assert service.group_announcements(acting(pat), cohort).items == []
