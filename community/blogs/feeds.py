"""Atom feeds of blogs: a member's, a group's and the community's.

The community is private, so a feed reader authenticates with the member's personal feed token in the
URL (``?token=...``); a feed holds exactly what that member may see, and a bad or revoked token is a 404.
A feed reader has no session: the feed's own titles are written in the token's member's language.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from flask import Response, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from community.blogs import bp
from community.errors import NotFound
from community.i18n import as_member
from community.models import Group, User, utcnow
from community.permissions import access_group
from community.services import blog_reads
from community.services.blogs import user_for_feed_token

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 20


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    el.text = text
    return el


def _atom(title: str, page_url: str, cards: list[blog_reads.Card]) -> Response:
    """Serialise listing cards as an Atom feed (ElementTree escapes every text and attribute)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", page_url)
    # The feed changed when its newest entry did: a post published or edited (readers refetch on a new value).
    newest: datetime = max((c.updated_at for c in cards), default=utcnow())
    _text(feed, "updated", newest.isoformat())
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": page_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": request.url})
    for card in cards:
        topic = card.topic
        url = url_for("blogs.post", topic_id=topic.id, _external=True)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", topic.title)
        _text(entry, "id", url)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": url})
        _text(entry, "published", (topic.published_at or topic.created_at).isoformat())
        _text(entry, "updated", card.updated_at.isoformat())
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", topic.author.display_name)
        for tag in topic.tags:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": tag.name})
        _text(entry, "summary", card.excerpt)
        # The sanitised HTML, escaped as text: readers render it, nothing runs.
        _text(entry, "content", card.body_html, type="html")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body, mimetype="application/atom+xml")


def feed_links(viewer: Any, *, author: User | None = None, group: Group | None = None) -> list[tuple[str, str]]:
    """The feeds a blog page offers feed readers (``<link rel="alternate">``), the most specific first, each
    with the viewer's own token: none until the viewer has feed links (a page view never creates a token)."""
    token = getattr(viewer, "feed_token", None)
    if not token:
        return []
    links = []
    if author is not None:
        url = url_for("blogs.feed_member", handle=author.handle, token=token)
        links.append((_("%(name)s's blog", name=author.display_name), url))
    if group is not None:
        links.append((_("Blog posts in %(group)s", group=group.name),
                      url_for("blogs.feed_group", slug=group.slug, token=token)))
    links.append((_("All blogs"), url_for("blogs.feed_community", token=token)))
    return links


def _reader() -> User:
    return user_for_feed_token(request.args.get("token"))


@bp.get("/blogs/feed.atom")
def feed_community() -> ResponseReturnValue:
    """The community's latest blog posts that the token's member may see."""
    reader = _reader()
    cards, _more = blog_reads.list_posts(reader, per_page=FEED_SIZE)
    with as_member(reader):
        return _atom(_("Blogs"), url_for("blogs.index", _external=True), cards)


@bp.get("/members/<handle>/blog/feed.atom")
def feed_member(handle: str) -> ResponseReturnValue:
    """A member's blog, as the token's member may see it."""
    reader = _reader()
    member = blog_reads.member_by_handle(handle)
    if member is None:
        raise NotFound()
    cards, _more = blog_reads.list_posts(reader, author=member, per_page=FEED_SIZE)
    with as_member(reader):
        return _atom(
            _("%(name)s's blog", name=member.display_name),
            url_for("blogs.member_blog", handle=member.handle, _external=True),
            cards,
        )


@bp.get("/groups/<slug>/blog.atom")
def feed_group(slug: str) -> ResponseReturnValue:
    """Blog posts shared with a group, if the token's member may see the group's content."""
    reader = _reader()
    group = access_group(reader, slug, content=True)
    cards, _more = blog_reads.list_posts(reader, group=group, per_page=FEED_SIZE)
    with as_member(reader):
        return _atom(
            _("Blog posts in %(group)s", group=group.name),
            url_for("blogs.index", group=group.slug, _external=True),
            cards,
        )
