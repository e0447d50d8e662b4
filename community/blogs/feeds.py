"""Atom feeds of blogs (a member's, a group's and the community's) and the page where members make their links.

The community is private, so a feed reader authenticates with the member's personal feed token in the
URL (``?token=...``); a feed holds exactly what that member may see, and a bad or revoked token is a 404.
A feed reader has no session: the feed's own titles are written in the token's member's language.

Only a hash of each token is stored (``services.url_tokens``): a link is shown once, when it is made, and
no page shows it again (so no page carries it for a BREACH-style attack, and blog pages offer no
``<link rel="alternate">`` with a token in it). A member makes one link per feed reader or feed, and stops
any of them on its own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import escape

from community.blogs import bp
from community.blogs.forms import FeedLinkForm
from community.errors import InvalidInput, NotFound
from community.i18n import as_member
from community.models import UrlToken, User, utcnow
from community.permissions import access_group
from community.services import blog_reads, media, url_tokens
from community.services.auth import base_url
from community.services.blogs import FEED_PURPOSE, create_feed_token, reader_for_feed_token

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 20
COVER_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    el.text = text
    return el


def _cover_html(url: str, title: str) -> str:
    """The cover at the top of an entry's content (escaped: the title is the member's text)."""
    return f'<p><img src="{escape(url)}" alt="{escape(title)}"></p>'


def _atom(title: str, page_url: str, cards: list[blog_reads.Card], token: UrlToken) -> Response:
    """Serialise listing cards as an Atom feed (ElementTree escapes every text and attribute). The entries'
    images, and each cover (an enclosure, and an image at the top of the content), are on links signed for
    this feed link (``services.media.links``): a feed reader has no session, and stopping the link stops them."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", page_url)
    # The feed changed when its newest entry did: a post published or edited (readers refetch on a new value).
    newest: datetime = max((c.updated_at for c in cards), default=utcnow())
    _text(feed, "updated", newest.isoformat())
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": page_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": request.url})
    now = utcnow()
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
        content = media.sign_feed_images(card.body_html, token, now)
        if topic.cover_path:
            cover = media.feed_image_url(topic.cover_path, token, now)
            ctype = COVER_TYPES.get(topic.cover_path.rsplit(".", 1)[-1], "image/jpeg")
            ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "enclosure", "type": ctype, "href": cover})
            content = _cover_html(cover, topic.title) + content
        # The sanitised HTML, escaped as text: readers render it, nothing runs.
        _text(entry, "content", content, type="html")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body, mimetype="application/atom+xml")


def _reader() -> tuple[User, UrlToken]:
    return reader_for_feed_token(request.args.get("token"))


@bp.get("/blogs/feed.atom")
def feed_community() -> ResponseReturnValue:
    """The community's latest blog posts that the token's member may see."""
    reader, token = _reader()
    cards, _more = blog_reads.list_posts(reader, per_page=FEED_SIZE)
    with as_member(reader):
        return _atom(_("Blogs"), url_for("blogs.index", _external=True), cards, token)


@bp.get("/members/<handle>/blog/feed.atom")
def feed_member(handle: str) -> ResponseReturnValue:
    """A member's blog, as the token's member may see it."""
    reader, token = _reader()
    member = blog_reads.member_by_handle(handle)
    if member is None:
        raise NotFound()
    cards, _more = blog_reads.list_posts(reader, author=member, per_page=FEED_SIZE)
    with as_member(reader):
        return _atom(
            _("%(name)s's blog", name=member.display_name),
            url_for("blogs.member_blog", handle=member.handle, _external=True),
            cards,
            token,
        )


@bp.get("/groups/<slug>/blog.atom")
def feed_group(slug: str) -> ResponseReturnValue:
    """Blog posts shared with a group, if the token's member may see the group's content."""
    reader, token = _reader()
    group = access_group(reader, slug, content=True)
    cards, _more = blog_reads.list_posts(reader, group=group, per_page=FEED_SIZE)
    with as_member(reader):
        return _atom(
            _("Blog posts in %(group)s", group=group.name),
            url_for("blogs.index", group=group.slug, _external=True),
            cards,
            token,
        )


# --------------------------------------------------------------------------------------------------
# The member's feed links


def _feed_options(viewer: User) -> dict[str, tuple[str, str, dict[str, str]]]:
    """The feeds a member may make a link for: value -> (label, endpoint, URL values). ``?blog=<handle>``
    adds that member's blog (the blog page's "follow" link passes it)."""
    options = {"all": (_("All blogs"), "blogs.feed_community", {}),
               "mine": (_("Your blog"), "blogs.feed_member", {"handle": viewer.handle})}  # fmt: skip
    handle = (request.args.get("blog") or "").strip()[:40]
    author = blog_reads.member_by_handle(handle) if handle and handle.lower() != viewer.handle else None
    if author is not None:
        options[f"member:{author.handle}"] = (_("%(name)s's blog", name=author.display_name), "blogs.feed_member",
                                              {"handle": author.handle})  # fmt: skip
    for group in blog_reads.audience_groups(viewer):
        options[f"group:{group.slug}"] = (_("Blog posts in %(group)s", group=group.name), "blogs.feed_group",
                                          {"slug": group.slug})  # fmt: skip
    return options


def _links_page(form: FeedLinkForm, options: dict[str, tuple[str, str, dict[str, str]]], status: int = 200,
                new_link: tuple[str, str] | None = None) -> ResponseReturnValue:  # fmt: skip
    links = url_tokens.list_url_tokens(current_user, FEED_PURPOSE)
    return render_template("blogs/feeds.html", form=form, links=links, new_link=new_link, button=FlaskForm(),
                           blog=request.args.get("blog") or None), status  # fmt: skip


def _link_form(options: dict[str, tuple[str, str, dict[str, str]]]) -> FeedLinkForm:
    form = FeedLinkForm()
    form.feed.choices = [(value, label) for value, (label, _endpoint, _values) in options.items()]
    if not form.is_submitted():
        # The page the member came from picks the feed: a member's blog, a group's posts, or all blogs.
        group = request.args.get("group")
        wanted = [value for value in (f"member:{(request.args.get('blog') or '').lower()}", f"group:{group}")
                  if value in options]  # fmt: skip
        form.feed.data = wanted[0] if wanted else "all"
    return form


@bp.get("/blogs/feeds")
def feeds() -> ResponseReturnValue:
    """Make a personal feed link (shown once), and see and stop the ones made before."""
    options = _feed_options(current_user)
    return _links_page(_link_form(options), options)


@bp.post("/blogs/feeds")
def create_feed_link() -> ResponseReturnValue:
    """Make a feed link for one feed: the page shows it this once (only its hash is kept), on ``BASE_URL``
    like every link meant to be copied elsewhere (never the request's Host header)."""
    options = _feed_options(current_user)
    form = _link_form(options)
    if not form.validate_on_submit():
        return _links_page(form, options, 400)
    label, endpoint, values = options[form.feed.data]
    try:
        token = create_feed_token(current_user, label)
    except InvalidInput as error:
        form.feed.errors = [*form.feed.errors, error.message]
        return _links_page(form, options, 400)
    return _links_page(form, options, new_link=(label, base_url() + url_for(endpoint, **values, token=token)))


@bp.post("/blogs/feeds/<int:link_id>/stop")
def stop_feed_link(link_id: int) -> ResponseReturnValue:
    """Stop one feed link: a feed reader using it gets nothing more."""
    if FlaskForm().validate_on_submit():
        url_tokens.revoke_url_token(current_user, FEED_PURPOSE, link_id)
        flash(_("That feed link no longer works."), "success")
    return redirect(url_for("blogs.feeds"))


@bp.post("/blogs/feeds/stop-all")
def stop_feed_links() -> ResponseReturnValue:
    """Stop every feed link of the member (shared one by mistake, lost a device)."""
    if FlaskForm().validate_on_submit():
        count = url_tokens.revoke_url_tokens(current_user, FEED_PURPOSE)
        flash(ngettext("%(num)d feed link no longer works.", "%(num)d feed links no longer work.", count), "success")
    return redirect(url_for("blogs.feeds"))
