"""Images where there is no session: a feed reader's (links signed for the feed link; stopping it stops them)
and an e-mail's (absolute links on the community's address, signed for the recipient); both expire."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import OutboxMessage, UrlToken, utcnow
from community.services import blogs, notifications, url_tokens
from tests.factories import acting, make_user
from tests.factories_blogs import make_blog_post, png_bytes
from tests.factories_groups import make_group
from tests.factories_social import discussion, reply


def _image(user) -> tuple[str, str]:
    upload, markdown = blogs.upload_inline_image(acting(user), io.BytesIO(png_bytes()), "a chart")
    return upload.name, markdown


def _fetch(app, url: str) -> int:
    """GET ``url`` as a feed reader or a mail client does: a fresh client, no cookie."""
    parts = urlsplit(url)
    response = app.test_client().get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    response.close()
    return response.status_code


@pytest.fixture
def feed(client, pat, sam):
    """pat's blog post in a private cohort, with an image and a cover, and sam's feed link."""
    gina = make_user("gina")
    cohort = make_group(gina, "private", members=[pat, sam], slug="cohort-8")
    name, markdown = _image(pat)
    topic = make_blog_post(pat, title="With pictures", body=f"Look:\n\n{markdown}", group=cohort,
                           cover=io.BytesIO(png_bytes(800, 400)))  # fmt: skip
    token = blogs.create_feed_token(acting(sam))
    parsed = feedparser.parse(client.get(f"/groups/cohort-8/blog.atom?token={token}").get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    (entry,) = parsed.entries
    return {"name": name, "cover": topic.cover_path, "token": token, "entry": entry}


def _image_urls(entry) -> list[str]:
    return [html.unescape(url) for url in re.findall(r'<img[^>]* src="([^"]+)"', entry.content[0].value)]


def test_a_feed_readers_images_open_with_the_feed_link(app, feed, sam):
    cover_url, image_url = _image_urls(feed["entry"])  # the cover first, at the top of the content
    assert image_url.startswith(f"http://localhost/uploads/{feed['name']}?")
    assert cover_url.startswith(f"http://localhost/uploads/{feed['cover']}?")
    assert [link.href for link in feed["entry"].links if link.rel == "enclosure"] == [cover_url]
    assert _fetch(app, image_url) == 200 and _fetch(app, cover_url) == 200
    assert _fetch(app, f"/uploads/{feed['name']}") == 302  # without the signature: the sign-in page
    # the signature names one image: another's name with it is a 404
    assert _fetch(app, image_url.replace(feed["name"], feed["cover"])) == 404
    tampered = image_url.replace("image_token=", "image_token=0")
    assert _fetch(app, tampered) == 404


def test_stopping_the_feed_link_stops_its_images(app, feed, sam):
    (image_url,) = _image_urls(feed["entry"])[1:]
    token_id = int(parse_qs(urlsplit(image_url).query)["feed"][0])
    url_tokens.revoke_url_token(acting(sam), "blog_feed", token_id)
    assert _fetch(app, image_url) == 404


def test_resetting_every_feed_link_stops_its_images(app, feed, sam):
    (image_url,) = _image_urls(feed["entry"])[1:]
    url_tokens.revoke_url_tokens(acting(sam), "blog_feed")
    blogs.create_feed_token(acting(sam))  # a new link: the old images stay closed
    assert _fetch(app, image_url) == 404


def test_feed_image_links_expire(app, feed, monkeypatch):
    (image_url,) = _image_urls(feed["entry"])[1:]
    expires = int(parse_qs(urlsplit(image_url).query)["expires"][0])
    assert expires - utcnow().timestamp() >= app.config["IMAGE_FEED_LINK_SECONDS"] - 1
    later = utcnow() + timedelta(seconds=app.config["IMAGE_FEED_LINK_SECONDS"] + 86400 + 1)
    monkeypatch.setattr("community.services.media.links.utcnow", lambda: later)
    assert _fetch(app, image_url) == 404


def test_a_reader_who_left_the_group_no_longer_sees_its_images(app, feed, sam):
    from community.models import Membership

    (image_url,) = _image_urls(feed["entry"])[1:]
    db.session.query(Membership).filter_by(user_id=sam.id).delete()
    db.session.commit()
    assert _fetch(app, image_url) == 404


def test_a_feed_entry_without_images_is_unchanged(client, pat, sam):
    make_blog_post(pat, title="Words only", body="Nothing to see.")
    token = blogs.create_feed_token(acting(sam))
    (entry,) = feedparser.parse(client.get(f"/blogs/feed.atom?token={token}").get_data()).entries
    assert "<img" not in entry.content[0].value and not [link for link in entry.links if link.rel == "enclosure"]
    assert db.session.scalar(select(UrlToken.id)) is not None


def _mail_to(address: str) -> OutboxMessage:
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == address))
    assert mail is not None
    return mail


def test_an_email_shows_the_posts_images_on_absolute_links(app, fran, pat):
    notifications.set_preferences(pat, {"reply": "email"})
    topic = discussion(pat, title="Models of coaching")
    name, markdown = _image(fran)
    reply(fran, topic, f"Try this one:\n\n{markdown}")
    mail = _mail_to("pat@example.org")
    (url,) = re.findall(r'<img src="([^"]+)"', mail.body_html)
    url = html.unescape(url)
    assert url.startswith(f"http://community.test/uploads/{name}?")  # BASE_URL, not a relative path
    assert _fetch(app, url) == 200  # no session
    query = parse_qs(urlsplit(url).query)
    other = url.replace(f"to={query['to'][0]}", f"to={fran.id}")
    assert _fetch(app, other) == 404  # bound to its recipient


def test_an_email_image_link_expires_and_follows_access(app, fran, pat, monkeypatch):
    notifications.set_preferences(pat, {"reply": "email"})
    topic = discussion(pat, title="Models of coaching")
    _name, markdown = _image(fran)
    reply(fran, topic, markdown)
    (url,) = re.findall(r'<img src="([^"]+)"', _mail_to("pat@example.org").body_html)
    url = html.unescape(url)
    later = utcnow() + timedelta(seconds=app.config["IMAGE_MAIL_LINK_SECONDS"] + 86400 + 1)
    monkeypatch.setattr("community.services.media.links.utcnow", lambda: later)
    assert _fetch(app, url) == 404
    monkeypatch.undo()
    assert _fetch(app, url) == 200
    db.session.get(type(pat), pat.id).state = "suspended"
    db.session.commit()
    assert _fetch(app, url) == 404
