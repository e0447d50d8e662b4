"""Atom feeds: valid XML, only what the token's member may see, revocable tokens (bad token: 404)."""

import xml.etree.ElementTree as ET

from community.extensions import db
from community.models import User
from community.services import blogs
from tests.factories import acting
from tests.factories_blogs import make_blog_post
from tests.factories_groups import make_group

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}id") is not None and root.find(f"{ATOM}updated") is not None
    return {e.find(f"{ATOM}title").text: e for e in root.findall(f"{ATOM}entry")}


def test_feeds_hold_only_what_the_reader_may_see(client, pat, sam, mallory, fran):
    cohort = make_group(fran, "private", members=[pat, sam], name="Cohort 5", slug="cohort-5")
    make_blog_post(pat, title="Cohort <b>only</b>", body="Secret & <script>alert(1)</script> **bold**", group=cohort)
    make_blog_post(pat, title="Open to all")
    make_blog_post(pat, title="A draft", action="draft")
    sam_token = blogs.ensure_feed_token(acting(sam))
    mallory_token = blogs.ensure_feed_token(acting(mallory))

    entries = _entries(client.get(f"/blogs/feed.atom?token={sam_token}"))
    assert set(entries) == {"Cohort <b>only</b>", "Open to all"}
    content = entries["Cohort <b>only</b>"].find(f"{ATOM}content")
    assert content.get("type") == "html" and "<strong>bold</strong>" in content.text and "<script>" not in content.text
    assert set(_entries(client.get(f"/members/pat/blog/feed.atom?token={sam_token}"))) == {"Cohort <b>only</b>",
                                                                                          "Open to all"}
    assert set(_entries(client.get(f"/groups/cohort-5/blog.atom?token={sam_token}"))) == {"Cohort <b>only</b>"}

    assert set(_entries(client.get(f"/blogs/feed.atom?token={mallory_token}"))) == {"Open to all"}
    assert set(_entries(client.get(f"/members/pat/blog/feed.atom?token={mallory_token}"))) == {"Open to all"}
    assert client.get(f"/groups/cohort-5/blog.atom?token={mallory_token}").status_code == 404


def test_bad_missing_and_revoked_tokens(client, login, pat, suspended):
    make_blog_post(pat, title="Hello")
    token = blogs.ensure_feed_token(acting(pat))
    assert client.get("/blogs/feed.atom").status_code == 404
    assert client.get("/blogs/feed.atom?token=nope").status_code == 404
    assert client.get("/members/nobody/blog/feed.atom?token=" + token).status_code == 404
    login(pat)
    page = client.get("/blogs/feeds").get_data(as_text=True)
    assert token in page
    assert client.post("/blogs/feeds/token").status_code == 302
    assert client.get(f"/blogs/feed.atom?token={token}").status_code == 404
    new = db.session.get(User, pat.id).feed_token
    assert new != token and client.get(f"/blogs/feed.atom?token={new}").status_code == 200
    susie_token = blogs.regenerate_feed_token(suspended)
    assert client.get(f"/blogs/feed.atom?token={susie_token}").status_code == 404


def test_feed_page_creates_one_token(client, login, pat):
    login(pat)
    client.get("/blogs/feeds")
    first = db.session.get(User, pat.id).feed_token
    client.get("/blogs/feeds")
    db.session.expire_all()
    assert first and db.session.get(User, pat.id).feed_token == first
