"""Atom feeds: valid XML, only what the token's member may see, revocable tokens (bad token: 404)."""

import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from community.extensions import db
from community.models import UrlToken
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
    sam_token = blogs.create_feed_token(acting(sam))
    mallory_token = blogs.create_feed_token(acting(mallory))

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
    token = blogs.create_feed_token(acting(pat), "All blogs")
    assert client.get("/blogs/feed.atom").status_code == 404
    assert client.get("/blogs/feed.atom?token=nope").status_code == 404
    assert client.get("/blogs/feed.atom?token=" + "x" * 65).status_code == 404
    assert client.get("/members/nobody/blog/feed.atom?token=" + token).status_code == 404
    login(pat)
    page = client.get("/blogs/feeds").get_data(as_text=True)
    assert token not in page and "All blogs" in page  # listed by name; the link was shown once
    assert client.post("/blogs/feeds/stop-all").status_code == 302
    assert client.get(f"/blogs/feed.atom?token={token}").status_code == 404
    susie_token = blogs.create_feed_token(suspended)
    assert client.get(f"/blogs/feed.atom?token={susie_token}").status_code == 404


def test_looking_at_the_feeds_page_makes_no_token(client, login, pat):
    login(pat)
    client.get("/blogs/feeds")
    client.get("/blogs/feeds")
    assert db.session.scalar(select(func.count()).select_from(UrlToken)) == 0


def test_editing_a_post_moves_its_entry_and_the_feed_updated(client, login, pat, sam):
    """Feed readers refetch an entry whose ``updated`` moved: an edit must move it (and the feed's)."""
    from datetime import timedelta

    import feedparser
    from sqlalchemy import update

    from community.models import Topic, utcnow

    older = make_blog_post(pat, title="Older post", body="First version.")
    newer = make_blog_post(pat, title="Newer post", body="Unchanged.")
    # Published some days ago (feedparser reads times to the second).
    for topic, days in ((older, 3), (newer, 2)):
        earlier = utcnow() - timedelta(days=days)
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(published_at=earlier))
    db.session.commit()
    token = blogs.create_feed_token(acting(sam))

    def read():
        parsed = feedparser.parse(client.get(f"/members/pat/blog/feed.atom?token={token}").get_data())
        assert not parsed.bozo, parsed.get("bozo_exception")
        return parsed.feed, {e.title: e for e in parsed.entries}

    feed, entries = read()
    assert entries["Older post"].updated_parsed == entries["Older post"].published_parsed
    assert feed.updated_parsed == entries["Newer post"].updated_parsed

    login(pat)
    form = {"title": "Older post, revised", "body": "Second version.", "group_id": "0", "revision": "0", "save": "1"}
    assert client.post(f"/blog/{older.id}/edit", data=form).status_code == 302

    feed, entries = read()
    edited = entries["Older post, revised"]
    assert edited.updated_parsed > edited.published_parsed  # the edit, not the publication
    assert edited.published_parsed < entries["Newer post"].published_parsed  # still the older post
    assert "Second version." in edited.content[0].value
    assert feed.updated_parsed == edited.updated_parsed  # the feed changed with it
    assert entries["Newer post"].updated_parsed == entries["Newer post"].published_parsed
