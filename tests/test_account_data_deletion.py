""""Delete my account": the password confirms, 14 days of grace that signing in cancels, then the erase job;
what others still see; the admins' path, audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from community.extensions import db
from community.models import AuditEvent, Post, Revision, Subscription, Topic, User, UserSession, utcnow
from community.services import posts, social
from community.services.account_data import deletion
from tests.factories import PASSWORD, acting, load_post, make_user
from tests.factories_auth import mails_to
from tests.factories_groups import make_group
from tests.factories_social import discussion, reply


def _ask(client, password=PASSWORD, posts="keep"):
    return client.post("/account/delete", data={"delete-password": password, "delete-posts": posts})


def app_client_signin(login: str) -> int:
    from flask import current_app

    return current_app.test_client().post("/signin", data={"login": login, "password": PASSWORD}).status_code


def _erase_later(days=15):
    db.session.commit()
    return deletion.erase_due(utcnow() + timedelta(days=days))


def test_asking_schedules_it_signs_out_and_mails(client, login, pat):
    login(pat)
    response = _ask(client)
    assert response.status_code == 200 and "Your account will be deleted" in response.get_data(as_text=True)
    db.session.refresh(pat)
    assert pat.deletion_due_at is not None and pat.deletion_keeps_posts is True
    assert timedelta(days=13, hours=23) < pat.deletion_due_at - utcnow() <= timedelta(days=14)
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == pat.id)) == 0
    assert client.get("/account").status_code == 302  # signed out
    assert "will be deleted" in mails_to("pat@example.org")[-1].subject


def test_a_wrong_password_changes_nothing(client, login, pat):
    login(pat)
    response = _ask(client, password="not my password")
    assert response.status_code == 400 and "That isn&#39;t your password." in response.get_data(as_text=True)
    db.session.refresh(pat)
    assert pat.deletion_due_at is None
    assert _ask(client, password="").status_code == 400


def test_signing_in_within_the_grace_period_cancels(app, client, login, pat):
    login(pat)
    _ask(client)
    fresh = app.test_client()
    assert fresh.post("/signin", data={"login": "pat", "password": PASSWORD}).status_code == 302
    assert "no longer going to be deleted" in fresh.get("/account").get_data(as_text=True)
    db.session.refresh(pat)
    assert pat.deletion_due_at is None
    assert _erase_later() == 0
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "member.deletion_cancelled"))


def test_nothing_is_erased_before_the_grace_period_ends(client, login, pat):
    login(pat)
    _ask(client)
    assert _erase_later(days=13) == 0
    db.session.refresh(pat)
    assert pat.state == "active"


def test_erased_with_posts_kept_under_former_member(client, login, pat, sam, fran):
    group = make_group(fran, members=[pat, sam])
    topic = discussion(pat, group, title="Pat's topic", body="Pat's opening words")
    theirs = reply(sam, topic, "Sam's reply stays")
    social.follow(acting(pat), sam)
    social.follow(acting(sam), pat)
    login(pat)
    _ask(client)
    assert _erase_later() == 1
    db.session.expire_all()
    erased = db.session.get(User, pat.id)
    assert erased.state == "deleted" and erased.display_name == "Former member"
    assert erased.email != "pat@example.org" and erased.password_hash is None and erased.handle != "pat"
    assert db.session.scalar(select(func.count()).select_from(Subscription).where(
        (Subscription.user_id == pat.id) | ((Subscription.target_type == "member") & (Subscription.target_id == pat.id)))) == 0  # noqa: E501
    assert db.session.get(Post, theirs.id).deleted_at is None
    login(sam)
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "opening words" in page and "reply stays" in page
    assert '<span class="user-link former-member">Former member</span>' in page
    assert f'href="/members/{erased.handle}"' not in page
    assert client.get(f"/members/{erased.handle}").status_code == 404  # no profile is left to see
    # The account can never sign in again, by its old address or handle.
    assert app_client_signin("pat@example.org") == 400 and app_client_signin("pat") == 400


def test_erased_with_posts_removed_keeps_others_replies(client, login, pat, sam, fran):
    group = make_group(fran, members=[pat, sam])
    busy = discussion(pat, group, title="Busy", body="Pat opens")
    sams = reply(sam, busy, "Sam's reply stays")
    mine = reply(pat, busy, "Pat's reply goes")
    edited = load_post(pat, mine.id)
    posts.edit_post(acting(pat), edited, edited.topic, "Pat's reply, edited, goes too")
    assert db.session.scalar(select(func.count()).select_from(Revision).where(Revision.post_id == mine.id)) >= 1
    alone = discussion(pat, group, title="Alone", body="Nobody answered")
    login(pat)
    _ask(client, posts="remove")
    _erase_later()
    db.session.expire_all()
    assert db.session.get(Post, mine.id).deleted_at is not None and db.session.get(Post, mine.id).body == ""
    assert db.session.scalar(select(func.count()).select_from(Revision).where(Revision.post_id == mine.id)) == 0
    kept = db.session.get(Post, sams.id)
    assert kept.deleted_at is None and kept.body == "Sam's reply stays"
    assert db.session.get(Topic, busy.id).deleted_at is None
    assert db.session.get(Topic, alone.id).deleted_at is not None


def test_erase_is_audited_and_the_job_is_registered(client, login, pat):
    from community.services import jobs

    assert "erase_due" in {entry.job.__name__ for entry in jobs.PERIODIC_JOBS}
    login(pat)
    _ask(client)
    _erase_later()
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "member.erased")) == \
        {"kept_posts": True}


def test_the_last_active_admin_cannot_delete_themselves(client, login, admin):
    login(admin)
    response = _ask(client)
    assert response.status_code == 409 and "last community manager" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.deletion_due_at is None


def test_an_admin_can_when_another_admin_remains(client, login, admin):
    make_user("boss2", role="admin")
    login(admin)
    assert _ask(client).status_code == 200


# ----------------------------------------------------------------------------------------------------------
# The admins' path


def test_admin_deletes_a_member_audited(client, login, admin, pat):
    login(pat)
    login(admin)
    page = client.get(f"/admin/members/{pat.id}").get_data(as_text=True)
    assert "Delete the account of" in page
    response = client.post(f"/admin/members/{pat.id}/delete-account",
                           data={"delete-posts": "remove", "delete-reason": "Asked by e-mail"})  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(pat)
    assert pat.deletion_due_at is not None and pat.deletion_keeps_posts is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.deletion_scheduled"))
    assert event.actor_id == admin.id and event.target_id == pat.id and event.reason == "Asked by e-mail"
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == pat.id)) == 0
    assert "asked for the account of" in client.get("/admin/audit").get_data(as_text=True)
    again = client.post(f"/admin/members/{pat.id}/delete-account", data={"delete-posts": "keep"})
    assert again.status_code == 409


def test_the_last_admin_cannot_delete_themselves_from_the_admin_page(client, login, admin):
    login(admin)
    response = client.post(f"/admin/members/{admin.id}/delete-account", data={"delete-posts": "keep"})
    assert response.status_code == 409 and "last community manager" in response.get_data(as_text=True)


def test_others_may_not_use_the_admin_path(client, login, fran, mallory, pat):
    for who in (fran, mallory):
        login(who)
        assert client.post(f"/admin/members/{pat.id}/delete-account", data={"delete-posts": "keep"}).status_code == 404
    db.session.refresh(pat)
    assert pat.deletion_due_at is None


def test_anonymous_and_csrf(csrf_app, client, login, pat):
    assert client.post("/account/delete", data={"delete-password": PASSWORD}).status_code in (302, 400)
    login(pat)
    assert _ask(client).status_code == 400  # no CSRF token
    db.session.refresh(pat)
    assert pat.deletion_due_at is None
