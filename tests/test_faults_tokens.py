"""Long-lived URL tokens (feed links): random, stored only as SHA-256, shown once, revocable one by one,
migrated from the plain tokens of before without breaking a feed reader, and kept out of access logs."""

from __future__ import annotations

import contextlib

import html5lib
import pytest
from flask import Flask
from sqlalchemy import func, select, text

from community.extensions import db
from community.models import UrlToken
from community.services import blogs, url_tokens
from community.tokens import hash_token
from tests.factories import acting
from tests.factories_blogs import make_blog_post
from tests.factories_groups import make_group


def _new_link(html: str) -> str:
    """The feed link a page shows once (the read-only field of the "new link" panel)."""
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    fields = [el.get("value") for el in tree.iter("input") if "feed-link" in (el.get("class") or "")]
    assert len(fields) == 1, html
    return fields[0]


def test_a_token_is_stored_only_as_its_hash(pat):
    token = blogs.create_feed_token(acting(pat), "All blogs")
    row = db.session.scalar(select(UrlToken))
    assert row.token_hash == hash_token(token) and token not in (row.token_hash, row.label)
    assert len(token) >= 32
    stored = " ".join(str(v) for v in db.session.execute(text("SELECT * FROM url_tokens")).one())
    assert token not in stored
    assert url_tokens.user_for_url_token("blog_feed", token).id == pat.id


def test_unknown_purposes_are_a_programming_error(pat):
    with pytest.raises(ValueError):
        url_tokens.create_url_token(acting(pat), "calendar-typo")


def test_make_a_link_it_is_shown_once_and_a_feed_reader_uses_it(client, login, pat, sam, fran):
    cohort = make_group(fran, "private", members=[pat, sam], name="Cohort 5", slug="cohort-5")
    make_blog_post(sam, title="Sam's notes", group=cohort)
    login(pat)
    page = client.get("/members/sam/blog").get_data(as_text=True)
    assert 'href="/blogs/feeds?blog=sam"' in page
    form = client.get("/blogs/feeds?blog=sam").get_data(as_text=True)
    assert '<option selected value="member:sam">Sam Peer&#39;s blog</option>' in form
    assert '<option value="group:cohort-5">Blog posts in Cohort 5</option>' in form
    response = client.post("/blogs/feeds?blog=sam", data={"feed": "member:sam"})
    assert response.status_code == 200
    link = _new_link(response.get_data(as_text=True))
    assert link.startswith("http://community.test/members/sam/blog/feed.atom?token=")
    token = link.rsplit("=", 1)[1]
    # Shown once: the list names it, no page carries it again.
    listing = client.get("/blogs/feeds").get_data(as_text=True)
    assert "Sam Peer&#39;s blog" in listing and token not in listing
    for path in ("/blogs", "/members/sam/blog", "/blogs?group=cohort-5"):
        assert token not in client.get(path).get_data(as_text=True), path
    reader = client.application.test_client()  # a feed reader: no cookie, the token in the address
    feed = reader.get(link.removeprefix("http://community.test"))
    assert feed.status_code == 200 and b"<title>Sam's notes</title>" in feed.data


def test_several_links_each_stopped_on_its_own(client, login, pat, mallory):
    login(pat)
    first = _new_link(client.post("/blogs/feeds", data={"feed": "all"}).get_data(as_text=True))
    second = _new_link(client.post("/blogs/feeds", data={"feed": "mine"}).get_data(as_text=True))
    links = url_tokens.list_url_tokens(pat, "blog_feed")
    assert [link.label for link in links] == ["Your blog", "All blogs"]
    assert client.post(f"/blogs/feeds/{links[1].id}/stop").status_code == 302
    reader = client.application.test_client()
    assert reader.get(first.removeprefix("http://community.test")).status_code == 404
    assert reader.get(second.removeprefix("http://community.test")).status_code == 200
    # Someone else's link can't be stopped (nor probed): 404.
    login(mallory)
    assert client.post(f"/blogs/feeds/{links[0].id}/stop").status_code == 404
    assert reader.get(second.removeprefix("http://community.test")).status_code == 200


def test_bad_choice_is_a_400_and_makes_nothing(client, login, pat):
    login(pat)
    response = client.post("/blogs/feeds", data={"feed": "group:someone-elses"})
    assert response.status_code == 400 and b"Not a valid choice" in response.data
    assert db.session.scalar(select(func.count()).select_from(UrlToken)) == 0


def test_a_member_holds_a_bounded_number_of_links(client, login, pat, monkeypatch):
    monkeypatch.setattr(url_tokens, "MAX_PER_PURPOSE", 2)
    login(pat)
    for _ in range(2):
        assert client.post("/blogs/feeds", data={"feed": "all"}).status_code == 200
    response = client.post("/blogs/feeds", data={"feed": "all"})
    assert response.status_code == 400 and b"stop some you no longer use first" in response.data


def test_feed_link_actions_need_csrf(csrf_app, client, login, pat):
    login(pat)
    assert client.post("/blogs/feeds", data={"feed": "all"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(UrlToken)) == 0


def test_the_migration_hashes_plain_tokens_and_old_feed_links_keep_working(tmp_path):
    """Feed readers hold links with the plain tokens of before: after the upgrade those links still work,
    and the plain tokens are gone from the database."""
    from flask_migrate import upgrade

    from community.search import ensure_search_schema
    from tests.factories_security import fresh_app

    with fresh_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'old.db'}") as app, app.app_context():
        db.drop_all()
        upgrade(revision="c3d8f1a2b4e6")  # the schema before hashed URL tokens
        with db.engine.begin() as conn:
            ensure_search_schema(conn)
            conn.execute(text(
                "INSERT INTO users (email, handle, display_name, role, state, headline, bio, bio_html, organisation,"
                " programme, created_at, suspension_reason, post_count, feed_token, preferences) VALUES"
                " ('old@example.org', 'old', 'Old Reader', 'participant', 'active', '', '', '', '', '',"
                " '2026-01-01 00:00:00', '', 0, 'plain-old-token-of-before', '{}')"
            ))  # fmt: skip
        upgrade()
        assert db.session.scalar(text("SELECT count(*) FROM users WHERE feed_token IS NOT NULL")) == 0
        assert db.session.scalar(text("SELECT token_hash FROM url_tokens")) == hash_token("plain-old-token-of-before")
        db.session.rollback()
        response = app.test_client().get("/blogs/feed.atom?token=plain-old-token-of-before")
        assert response.status_code == 200 and response.mimetype == "application/atom+xml"
        assert app.test_client().get("/blogs/feed.atom?token=plain-old-token-of-beforeX").status_code == 404


# --------------------------------------------------------------------------------------------------
# Access logs

SECRETS = {
    "/join/SECRETjoin123": "/join/[redacted]",
    "/reset/SECRETreset.abc-_": "/reset/[redacted]",
    "/setup/SECRETsetup": "/setup/[redacted]",
    "/notifications/unsubscribe/SECRETunsub.x.y": "/notifications/unsubscribe/[redacted]",
    "/blogs/feed.atom?token=SECRETfeed": "/blogs/feed.atom?token=[redacted]",
    "/members/sam/blog/feed.atom?page=2&token=SECRETfeed2": "/members/sam/blog/feed.atom?page=2&token=[redacted]",
}


def test_redact_covers_every_url_token(app):
    from community.logs import redact

    for path, expected in SECRETS.items():
        assert redact(f'1.2.3.4 "GET {path} HTTP/1.1" 404 12') == f'1.2.3.4 "GET {expected} HTTP/1.1" 404 12'
    for plain in ("GET /members/sam/blog HTTP/1.1", "POST /confirm/resend HTTP/1.1", "POST /confirm/address"):
        assert redact(plain) == plain  # routes of their own, not tokens
    assert redact("https://community.example/join/SECRETx") == "https://community.example/join/[redacted]"


def test_every_route_with_a_token_variable_is_redacted(app):
    """A future link (a calendar feed at /calendar/<token>.ics) is covered by naming its variable ``token``."""
    from community.logs import learn_secret_paths, redact

    routes = [rule.rule for rule in app.url_map.iter_rules() if "token" in "".join(rule.arguments)]
    assert len(routes) >= 4
    other = Flask("calendar")
    other.add_url_rule("/calendar/<calendar_token>.ics", "calendar", lambda calendar_token: "")
    learn_secret_paths(other)
    assert redact("GET /calendar/SECRETcal.ics HTTP/1.1") == "GET /calendar/[redacted].ics HTTP/1.1"


def test_werkzeug_server_log_has_no_tokens(app, caplog):
    """``community run`` serves with Werkzeug: its request log line goes through the redacting filter."""
    import logging
    import threading
    import urllib.error
    import urllib.request

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in SECRETS:
                with contextlib.suppress(urllib.error.HTTPError):  # a 404 or 410 is logged all the same
                    urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=10).close()
    finally:
        server.shutdown()
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert len(lines) == len(SECRETS), lines
    assert not any("SECRET" in line for line in lines), lines
    assert all("[redacted]" in line for line in lines), lines


def test_gunicorn_access_log_has_no_tokens(tmp_path):
    """The production server's access log (and its error log) never holds a URL token."""
    import os
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from tests.factories_security import fresh_app
    from tests.test_security_server import ROOT, _free_port

    database = f"sqlite:///{tmp_path / 'g.db'}"
    with fresh_app(tmp_path, DATABASE_URL=database):
        pass  # the tables
    port, access = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "COMMUNITY_BIND": f"127.0.0.1:{port}", "COMMUNITY_WORKERS": "1",
           "COMMUNITY_ACCESS_LOG": str(access), "COMMUNITY_INSTANCE_PATH": str(tmp_path / "instance"),
           "COMMUNITY_DATABASE_URL": database}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "community/gunicorn_conf.py", "community:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=15).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        for path in SECRETS:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                             headers={"Referer": f"http://127.0.0.1:{port}{path}"})  # fmt: skip
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(request, timeout=15).close()
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
    log = access.read_text()
    assert log.count("[redacted]") == len(SECRETS), log
    assert "SECRET" not in log and "SECRET" not in output, log + output
