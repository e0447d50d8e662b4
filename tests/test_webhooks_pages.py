"""The webhook pages: admins only (404 for everyone else, posts included), bad input kept and explained,
the secret shown once, SSRF addresses refused, fixed query counts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.errors import InvalidInput
from community.extensions import db
from community.models import AuditEvent, Webhook, WebhookDelivery
from community.services import webhooks
from tests.factories import acting
from tests.factories_boards import make_board
from tests.factories_webhooks import make_hook

HOOK_URL = "https://crm.example.org/hooks/community"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def hook(admin):
    return make_hook(admin, HOOK_URL, ["member.joined"])


def _pages(hook_id):
    gets = ["/admin/webhooks", "/admin/webhooks/new", f"/admin/webhooks/{hook_id}", f"/admin/webhooks/{hook_id}/edit"]
    posts = [f"/admin/webhooks/{hook_id}/{action}" for action in ("enabled", "rotate", "test", "delete", "edit")]
    return gets, [*posts, "/admin/webhooks/new"]


def test_the_admin_reaches_every_page(client, login, admin, hook):
    login(admin)
    gets, _posts = _pages(hook.id)
    for path in gets:
        assert client.get(path).status_code == 200, path
    assert 'href="/admin/webhooks"' in client.get("/admin").get_data(as_text=True)  # a tab of the admin area


@pytest.mark.parametrize("persona", ["fran", "pat", "mallory", "suspended"])
def test_everyone_else_gets_404_and_changes_nothing(client, login, request, persona, hook):
    login(request.getfixturevalue(persona))
    expected = 403 if persona == "suspended" else 404  # a suspended member sees only the holding page
    gets, posts = _pages(hook.id)
    for path in gets:
        assert client.get(path).status_code == expected, path
    for path in posts:
        data = {"url": "https://evil.example.net/steal", "events": ["post.created"], "enabled": "y"}
        assert client.post(path, data=data).status_code == expected, path
    db.session.expire_all()
    same = db.session.get(Webhook, hook.id)
    assert same.url == HOOK_URL and same.enabled and same.events == ["member.joined"]
    assert _count(Webhook) == 1 and _count(WebhookDelivery) == 0
    assert client.get("/admin/webhooks/999").status_code == expected


def test_a_visitor_is_sent_to_sign_in_or_404(client, hook):
    for path in ("/admin/webhooks", f"/admin/webhooks/{hook.id}"):
        assert client.get(path).status_code in (302, 404)
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code in (302, 400, 404)
    assert db.session.get(Webhook, hook.id) is not None


def test_an_ill_intentioned_member_cannot_call_the_services(mallory, hook):
    for call in (lambda: webhooks.create_webhook(acting(mallory), url=HOOK_URL, events=["post.created"]),
                 lambda: webhooks.rotate_secret(acting(mallory), hook),
                 lambda: webhooks.send_test(acting(mallory), hook)):  # fmt: skip
        with pytest.raises(Exception) as caught:
            call()
        assert getattr(caught.value, "status", None) == 403


def test_making_a_hook_shows_its_secret_once(client, login, admin):
    login(admin)
    board = make_board(admin, "Lounge")
    response = client.post("/admin/webhooks/new", data={"url": HOOK_URL, "events": ["post.created", "member.joined"],
                                                        "board_id": str(board.id), "enabled": "y"})  # fmt: skip
    assert response.status_code == 302
    hook = db.session.scalar(select(Webhook))
    assert hook.board_id == board.id and hook.events == ["member.joined", "post.created"]
    assert hook.secret.startswith("whsec_") and len(hook.secret) > 40
    first = client.get(response.headers["Location"]).get_data(as_text=True)
    assert hook.secret in first
    assert hook.secret not in client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)  # only once
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "webhook.create"
    assert f"made a webhook to <em>{HOOK_URL}</em>" in client.get("/admin/audit").get_data(as_text=True)


def test_rotating_shows_the_new_secret_once(client, login, admin, hook):
    login(admin)
    old = hook.secret
    response = client.post(f"/admin/webhooks/{hook.id}/rotate")
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.get(Webhook, hook.id).secret
    assert new != old
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert new in page and old not in page


def test_edit_disable_test_and_delete(client, login, admin, hook):
    login(admin)
    response = client.post(f"/admin/webhooks/{hook.id}/edit", data={"url": "https://other.example.org/in",
                                                                     "events": ["question.answered"], "board_id": ""})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Webhook, hook.id)
    assert saved.url == "https://other.example.org/in" and saved.events == ["question.answered"]
    assert not saved.enabled  # the box was left unticked
    assert client.post(f"/admin/webhooks/{hook.id}/enabled").status_code == 302
    db.session.expire_all()
    assert db.session.get(Webhook, hook.id).enabled
    assert client.post(f"/admin/webhooks/{hook.id}/test").status_code == 302
    page = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert "ping" in page and "Waiting" in page
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code == 302
    assert _count(Webhook) == 0 and _count(WebhookDelivery) == 0


@pytest.mark.parametrize(("url", "message"), [
    ("", "Please give the address"),
    ("ftp://files.example.org/x", "https://"),
    ("http://crm.example.org/hooks", "https:// only"),
    ("not a url", "https://"),
    ("https://10.0.0.5/hook", "private network"),
    ("https://192.168.1.20/hook", "private network"),
    ("https://169.254.169.254/latest/meta-data", "private network"),
    ("https://[fe80::1]/hook", "private network"),
    ("https://[::ffff:10.0.0.1]/hook", "private network"),
    ("https://[fd00::1]/hook", "private network"),
    ("https://100.64.0.1/hook", "private network"),
    ("https://user:pw@crm.example.org/hook", "user name and password"),
    ("https://crm.example.org:99999/hook", "not a web address"),
])  # fmt: skip
def test_bad_addresses_are_refused_and_what_was_typed_stays(client, login, admin, url, message):
    login(admin)
    response = client.post("/admin/webhooks/new", data={"url": url, "events": ["member.joined"], "board_id": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert _count(Webhook) == 0
    if url:
        from markupsafe import escape

        assert f'value="{escape(url)}"' in html


def test_no_events_is_refused(client, login, admin):
    login(admin)
    response = client.post("/admin/webhooks/new", data={"url": HOOK_URL, "board_id": ""})
    assert response.status_code == 400
    assert "Please choose at least one event." in response.get_data(as_text=True)
    assert f'value="{HOOK_URL}"' in response.get_data(as_text=True)


def test_an_unknown_board_or_event_is_refused_not_a_500(client, login, admin):
    login(admin)
    response = client.post("/admin/webhooks/new", data={"url": HOOK_URL, "events": ["message.sent"],
                                                        "board_id": "999"})  # fmt: skip
    assert response.status_code == 400 and _count(Webhook) == 0
    response = client.post("/admin/webhooks/new", data={"url": HOOK_URL, "events": ["message.sent"], "board_id": ""})
    assert response.status_code == 400 and "Please choose at least one event." in response.get_data(as_text=True)


def test_local_addresses_only_while_testing_or_debugging(app, admin):
    assert webhooks.check_url("http://127.0.0.1:8123/hook") == "http://127.0.0.1:8123/hook"
    app.testing = False
    try:
        for url in ("http://127.0.0.1:8123/hook", "https://localhost/hook", "https://127.0.0.1/hook", "https://[::1]/h",
                    "https://app.localhost/hook"):
            with pytest.raises(InvalidInput):
                webhooks.check_url(url)
        assert webhooks.check_url("https://93.184.215.14/hook")  # a public address is fine
    finally:
        app.testing = True


def test_the_posts_are_csrf_protected(csrf_app, client, login, admin, hook):
    login(admin)
    assert client.post(f"/admin/webhooks/{hook.id}/rotate").status_code == 400
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code == 400
    assert db.session.get(Webhook, hook.id) is not None


def test_changes_are_rate_limited(rate_limits, client, login, admin, hook):
    rate_limits.config["RATELIMIT_WEBHOOKS"] = "3 per hour"
    try:
        login(admin)
        statuses = [client.post(f"/admin/webhooks/{hook.id}/test").status_code for _ in range(4)]
    finally:
        rate_limits.config["RATELIMIT_WEBHOOKS"] = "30 per hour"
    assert statuses == [302, 302, 302, 429]


@pytest.mark.parametrize("n", [1, 12])
def test_the_list_and_a_hooks_page_take_fixed_queries(client, login, admin, assert_queries, n):
    board = make_board(admin, "Lounge")
    hooks = [make_hook(admin, f"https://h{i}.example.org/in", board_id=board.id if i % 2 else None) for i in range(n)]
    for _ in range(n):
        webhooks.send_test(acting(admin), hooks[0])
    login(admin)
    client.get("/admin/webhooks")
    with assert_queries(6):
        assert client.get("/admin/webhooks").status_code == 200
    with assert_queries(8):
        assert client.get(f"/admin/webhooks/{hooks[0].id}").status_code == 200
