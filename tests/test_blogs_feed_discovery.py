"""Feed discovery: blog pages name the viewer's own feeds in <link rel="alternate">, never anyone else's token."""

from __future__ import annotations

import html5lib

from community.extensions import db
from community.models import User
from community.services import blogs
from tests.factories_blogs import make_blog_post
from tests.factories_groups import make_group


def _feed_links(html: str) -> list[tuple[str, str]]:
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    head = tree.find("head")
    return [(link.get("title"), link.get("href")) for link in head.iter("link")
            if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"]  # fmt: skip


def test_the_viewer_gets_their_own_feeds_on_every_blog_page(client, login, pat, sam, fran):
    cohort = make_group(fran, "private", members=[pat, sam], name="Cohort 5", slug="cohort-5")
    post = make_blog_post(sam, title="Sam's notes", group=cohort)
    token = blogs.regenerate_feed_token(pat)
    sam_token = blogs.regenerate_feed_token(sam)
    login(pat)
    pages = {
        "/blogs": [("All blogs", f"/blogs/feed.atom?token={token}")],
        "/blogs?group=cohort-5": [("Blog posts in Cohort 5", f"/groups/cohort-5/blog.atom?token={token}"),
                                  ("All blogs", f"/blogs/feed.atom?token={token}")],
        "/members/sam/blog": [("Sam Peer's blog", f"/members/sam/blog/feed.atom?token={token}"),
                              ("All blogs", f"/blogs/feed.atom?token={token}")],
        f"/blog/{post.id}": [("Sam Peer's blog", f"/members/sam/blog/feed.atom?token={token}"),
                             ("All blogs", f"/blogs/feed.atom?token={token}")],
    }  # fmt: skip
    for page, expected in pages.items():
        html = client.get(page).get_data(as_text=True)
        assert _feed_links(html) == expected, page
        assert sam_token not in html, page  # the author's own token never shows to a reader
    client.get("/signout")
    for _, href in pages["/blogs?group=cohort-5"] + pages["/members/sam/blog"]:
        response = client.get(href)  # as a feed reader fetches it: no cookie, the token in the address
        assert response.status_code == 200 and response.mimetype == "application/atom+xml", href
        assert b"<title>Sam's notes</title>" in response.get_data(), href


def test_no_feed_links_until_the_viewer_has_some_and_no_token_made_by_looking(client, login, pat, sam):
    post = make_blog_post(pat, title="Pat's post")
    pat_token = blogs.regenerate_feed_token(pat)
    login(sam)
    for page in ("/blogs", "/members/pat/blog", f"/blog/{post.id}"):
        html = client.get(page).get_data(as_text=True)
        assert _feed_links(html) == [], page
        assert pat_token not in html, page
    db.session.expire_all()
    assert db.session.get(User, sam.id).feed_token is None  # reading pages wrote nothing
    client.get("/blogs/feeds")  # asking for feed links makes the token; the pages then offer them
    token = db.session.get(User, sam.id).feed_token
    assert token and _feed_links(client.get(f"/blog/{post.id}").get_data(as_text=True))[0] == (
        "Pat Participant's blog", f"/members/pat/blog/feed.atom?token={token}")


def test_a_new_token_replaces_the_links(client, login, pat):
    old = blogs.regenerate_feed_token(pat)
    login(pat)
    assert old in client.get("/members/pat/blog").get_data(as_text=True)
    assert client.post("/blogs/feeds/token").status_code == 302
    html = client.get("/members/pat/blog").get_data(as_text=True)
    new = db.session.get(User, pat.id).feed_token
    assert old not in html and _feed_links(html)[0] == ("Pat Participant's blog",
                                                         f"/members/pat/blog/feed.atom?token={new}")


def test_titles_are_escaped(client, login, pat, sam):
    sam_user = db.session.get(User, sam.id)
    sam_user.display_name = 'Sam "<b>" Peer'
    db.session.commit()
    blogs.regenerate_feed_token(pat)
    login(pat)
    html = client.get("/members/sam/blog").get_data(as_text=True)
    assert 'title="Sam &#34;&lt;b&gt;&#34; Peer&#39;s blog"' in html
    assert _feed_links(html)[0][0] == "Sam \"<b>\" Peer's blog"
