"""Image links that work without a session: in feed entries (bound to the feed link) and in e-mails (bound
to their recipient).

A feed reader and a mail client fetch images with no cookie, so ``/uploads/<name>`` alone would be a 404 for
them. Their links carry ``expires`` and ``image_token``, an HMAC (the app's secret key) of the image's
name, whom the link is for and the expiry:

- in a feed, the feed link's id and stored hash: stopping or resetting the feed link (its row goes) stops
  its images at once, and a link copied out of a feed opens that one image, for a while, and nothing else;
- in an e-mail, the recipient's id: mail cannot be fetched again to refresh a link, and the recipient has no
  feed token to lean on, so the e-mail is the credential, as its own links already are. It expires
  (``IMAGE_MAIL_LINK_SECONDS``) and names one image.

Either way the image is then served by the same rule as in a page, checked at that moment for the member
the link is bound to (``permissions.access_upload``): a member who has since left the group, or was
suspended, gets a 404. ``image_token`` is redacted from access logs like every ``*_token`` parameter.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from markupsafe import escape

from community.errors import NotFound
from community.extensions import db
from community.models import UrlToken, User, utcnow
from community.services import site

FEED_PURPOSE = "blog_feed"
_SRC_RE = re.compile(r'(<img\b[^>]*?\bsrc=")/uploads/([0-9a-f]{32}\.(?:png|jpg|gif))"')
_MARKDOWN_IMAGE_RE = re.compile(r"!\[([^\]\n]*)\]\(/uploads/([0-9a-f]{32}\.(?:png|jpg|gif))(?:\s+\"[^\"]*\")?\)")
MAIL_IMAGES = 4  # at most this many of a post's images in its notification e-mail
_DAY = 86400


def _signature(message: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def _expiry(seconds: int, now: datetime | None) -> int:
    """``now`` + ``seconds``, rounded up to a whole day: a feed refetched today keeps its image URLs (and
    the reader its cached copies)."""
    moment = (now or utcnow()).timestamp() + seconds
    return math.ceil(moment / _DAY) * _DAY


def feed_image_url(name: str, token: UrlToken, now: datetime | None = None) -> str:
    """The absolute URL of an image for the feed reader holding ``token`` (in a request)."""
    expires = _expiry(current_app.config["IMAGE_FEED_LINK_SECONDS"], now)
    signature = _signature(f"feed:{name}:{token.id}:{token.token_hash}:{expires}")
    return url_for("uploads.serve", name=name, feed=token.id, expires=expires, image_token=signature,
                   _external=True)  # fmt: skip


def mail_image_url(name: str, recipient: User, now: datetime | None = None) -> str:
    """The absolute URL (on the community's address) of an image in an e-mail to ``recipient``."""
    expires = _expiry(current_app.config["IMAGE_MAIL_LINK_SECONDS"], now)
    signature = _signature(f"mail:{name}:{recipient.id}:{expires}")
    path = current_app.url_map.bind("localhost").build(
        "uploads.serve", {"name": name, "to": recipient.id, "expires": expires, "image_token": signature}
    )
    return site.external(path)


def sign_feed_images(html: str, token: UrlToken, now: datetime | None = None) -> str:
    """A post's sanitised HTML with each of our images on a signed absolute URL for the feed reader."""
    return _SRC_RE.sub(lambda m: f'{m.group(1)}{escape(feed_image_url(m.group(2), token, now))}"', html or "")


def image_names(text: str | None) -> list[str]:
    """The images a Markdown text shows, in order, each once."""
    return list(dict.fromkeys(name for _alt, name in _MARKDOWN_IMAGE_RE.findall(text or "")))


@dataclass(frozen=True)
class MailImage:
    """One image of a post, as an e-mail shows it."""

    url: str
    alt: str


def mail_images(recipient: User, body: str | None, now: datetime | None = None) -> list[MailImage]:
    """The first images of a post's Markdown, on links that open for the recipient without a session."""
    seen: dict[str, str] = {}
    for alt, name in _MARKDOWN_IMAGE_RE.findall(body or ""):
        seen.setdefault(name, alt.strip() or "image")
    return [MailImage(mail_image_url(name, recipient, now), alt) for name, alt in list(seen.items())[:MAIL_IMAGES]]


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def viewer_for_signed_link(name: str, args: Any, now: datetime | None = None) -> User | None:
    """The member a signed image link is bound to (group roles loaded), None if the request carries no
    signature (the session decides); NotFound for a bad, expired or revoked link or a member who may not
    sign in."""
    from community.auth_session import load_group_roles
    from community.permissions import is_member

    signature = args.get("image_token")
    if signature is None:
        return None
    expires = _number(args.get("expires"))
    if expires < (now or utcnow()).timestamp():
        raise NotFound()
    if args.get("feed") is not None:
        token = db.session.get(UrlToken, _number(args.get("feed")))
        if token is None or token.purpose != FEED_PURPOSE:
            raise NotFound()
        expected = _signature(f"feed:{name}:{token.id}:{token.token_hash}:{expires}")
        user_id = token.user_id
    else:
        user_id = _number(args.get("to"))
        expected = _signature(f"mail:{name}:{user_id}:{expires}")
    if not hmac.compare_digest(expected, str(signature)):
        raise NotFound()
    user = db.session.get(User, user_id)
    if user is None or not is_member(user):
        raise NotFound()
    load_group_roles(user)
    return user
