"""The notification pages: list, open, mark read, the bell, settings, handle autocomplete; query counts."""

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Notification, User
from community.services import notifications
from tests.factories import make_user
from tests.factories_groups import make_group
from tests.factories_social import discussion, reply


def _mentions(author, target, n):
    topic = discussion(author, title="Peer learning")
    for i in range(n):
        reply(author, topic, f"@{target.handle} have a look at {i}")
    return topic


def test_list_shows_notifications_and_the_bell_counts_them(client, login, fran, pat):
    _mentions(fran, pat, 2)
    login(pat)
    page = client.get("/notifications")
    assert page.status_code == 200
    html = page.data.decode()
    assert html.count('class="notification unread"') == 2
    assert "Fran Facilitator" in html and "mentioned you in" in html
    assert 'data-bell-count>2<' in html
    assert "Mark all as read" in html


def test_opening_a_notification_marks_it_read_and_leads_to_the_post(client, login, fran, pat):
    _mentions(fran, pat, 1)
    note = db.session.scalar(select(Notification))
    login(pat)
    response = client.get(f"/notifications/{note.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/p/{note.post_id}")
    db.session.rollback()
    assert db.session.get(Notification, note.id).read_at is not None
    assert "data-bell-count" not in client.get("/notifications").data.decode()


def test_mark_one_and_all_read(client, login, fran, pat):
    _mentions(fran, pat, 3)
    first = db.session.scalar(select(Notification).order_by(Notification.id))
    login(pat)
    assert client.post(f"/notifications/{first.id}/read").status_code == 302
    assert notifications.unread_count(_fresh(pat)) == 2
    assert client.post("/notifications/read-all").status_code == 302
    assert notifications.unread_count(_fresh(pat)) == 0


def _fresh(user):
    db.session.rollback()
    from tests.factories import acting

    return acting(db.session.get(User, user.id))


def test_someone_elses_notification_is_not_found(client, login, fran, pat, mallory):
    _mentions(fran, pat, 1)
    note = db.session.scalar(select(Notification))
    login(mallory)
    assert client.get(f"/notifications/{note.id}").status_code == 404
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert client.get("/notifications/999999").status_code == 404


def test_anonymous_and_suspended_get_no_notifications(client, login, suspended):
    assert client.get("/notifications").status_code == 302
    login(suspended)
    assert client.get("/notifications").status_code == 403


def test_a_notification_about_a_post_hidden_since_drops_out(client, login, fran, pat):
    topic = _mentions(fran, pat, 1)
    from community.services import posts
    from tests.factories import acting, load_post

    note = db.session.scalar(select(Notification))
    post = load_post(fran, note.post_id)
    posts.hide_post(acting(fran), post, post.topic, "off topic")
    login(pat)
    assert "mentioned you" not in client.get("/notifications").data.decode()
    assert notifications.unread_count(_fresh(pat)) == 0
    assert topic.id


def test_settings_save_and_bad_input_is_refused(client, login, pat):
    login(pat)
    page = client.get("/notifications/settings")
    assert page.status_code == 200 and "E-mail me at once" in page.data.decode()
    data = {kind: "web" for kind in notifications.DEFAULT_DELIVERY}
    data["mention"] = "weekly"
    assert client.post("/notifications/settings", data=data).status_code == 302
    assert notifications.preferences(_fresh(pat))["mention"] == "weekly"
    data["mention"] = "carrier-pigeon"
    bad = client.post("/notifications/settings", data=data)
    assert bad.status_code == 400
    assert notifications.preferences(_fresh(pat))["mention"] == "weekly"


def test_settings_need_the_csrf_token(client, login, pat, csrf_app):
    login(pat)
    data = {kind: "off" for kind in notifications.DEFAULT_DELIVERY}
    assert client.post("/notifications/settings", data=data).status_code == 400
    assert notifications.preferences(_fresh(pat))["mention"] == "email"


def test_handle_autocomplete(client, login, pat, sam, suspended):
    make_user("sam_two", display_name="Samira")
    login(pat)
    found = client.get("/notifications/handles?q=@sa").get_json()
    assert [f["handle"] for f in found] == ["sam", "sam_two"]
    assert client.get("/notifications/handles?q=%25").get_json() == []
    assert client.get("/notifications/handles?q=susie").get_json() == []


@pytest.mark.parametrize("size", [2, 12])
def test_notification_list_query_count(client, login, fran, pat, assert_queries, size):
    group = make_group(fran, "private", members=[pat])
    topic = discussion(fran, group, title="Cohort chat")
    for i in range(size):
        reply(fran, topic, f"@pat number {i}")
    login(pat)
    # session + group roles + settings + bell count + the list
    with assert_queries(5):
        assert client.get("/notifications").status_code == 200
