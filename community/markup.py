"""The only way user text becomes HTML: Markdown, then bleach with one strict allow-list, then linkify.

Raw HTML typed by a member is shown as text, never interpreted (the Markdown HTML parsers are switched
off); bleach is the second wall. bleach is no longer developed upstream, so it is pinned and stays behind
this module: swapping it for nh3 touches this file alone (tests/test_markup_nh3.py runs the XSS corpus
through nh3 with this allow-list, ready to move here; nh3 does not linkify). @mentions and #hashtags become
links here.

bleach (with its html5lib) and Markdown are imported when the first text is rendered, not when the app
starts: they were a fifth of the start-up of every command (tests/test_cli_start.py keeps them out).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from flask import has_app_context
from sqlalchemy import select

from community.extensions import db
from community.models import User

if TYPE_CHECKING:
    import bleach
    import markdown

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "del", "s", "sup", "sub",
        "code", "pre", "blockquote", "ul", "ol", "li",
        "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
# Attributes kept, per tag; allowed_attribute() also checks their values. Every <a> gets rel=LINK_REL besides.
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title", "class"}), "img": frozenset({"src", "alt", "title"})}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_CLASSES = frozenset({"mention", "hashtag"})
LINK_REL = "nofollow ugc noopener"

MENTION_RE = r"(?<![\w@/])@([a-zA-Z0-9_]{2,30})\b"
HASHTAG_RE = r"(?<![\w#&/])#([a-zA-Z][a-zA-Z0-9_-]{1,39})\b"
# Our own upload names only: no dot segments (plain or percent-encoded) can climb out of /uploads/.
UPLOAD_SRC_RE = re.compile(r"/uploads/[A-Za-z0-9_-]+\.[A-Za-z0-9]{2,5}")
_mention_finder = re.compile(MENTION_RE)
_hashtag_finder = re.compile(HASHTAG_RE)


def _browser_url(value: str) -> str:
    """The URL as a browser reads it: outer spaces and controls dropped, tabs and newlines removed."""
    return re.sub(r"[\t\n\r]", "", value.strip("".join(chr(c) for c in range(33))))


def _safe_href(value: str) -> bool:
    """No protocol-relative URLs (``//host``, ``/\\host``, ``\\host``): they leave the site unannounced.
    The scheme itself is bleach's protocol check (http, https, mailto)."""
    url = _browser_url(value)
    return not (url[:2].replace("\\", "/") == "//" or url.startswith("\\"))


def allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Whether an attribute survives: allowed on its tag (ALLOWED_ATTRIBUTES), with a value that is safe."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if tag == "a" and name == "href":
        return _safe_href(value)
    if tag == "a" and name == "class":
        return value in LINK_CLASSES
    if tag == "img" and name == "src":
        # Only our own uploads: an outside image would tell a third party who reads the community.
        return UPLOAD_SRC_RE.fullmatch(value) is not None
    return True


def _set_rel(attrs: dict[Any, str], new: bool = False) -> dict[Any, str]:
    attrs[(None, "rel")] = LINK_REL
    return attrs


@cache
def _cleaner() -> bleach.Cleaner:
    """The one bleach Cleaner (made on first use)."""
    import bleach
    from bleach.html5lib_shim import Filter
    from bleach.linkifier import LinkifyFilter

    class RelFilter(Filter):  # type: ignore[misc]
        """Every <a> gets the rel, even one linkify skips (say, a link nested in another)."""

        def __iter__(self) -> Any:
            for token in super().__iter__():
                if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                    token["data"][(None, "rel")] = LINK_REL
                yield token

    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            lambda source: LinkifyFilter(source, callbacks=[_set_rel], skip_tags={"pre", "code"}),
            lambda source: RelFilter(source),
        ],
    )


@cache
def _link_pattern() -> type:
    """The Markdown pattern that makes @handle and #tag links (its base class is imported on first use)."""
    from markdown.inlinepatterns import InlineProcessor

    class LinkPattern(InlineProcessor):  # type: ignore[misc]
        """@handle and #tag become links to the profile and the tag page."""

        def __init__(self, pattern: str, md: markdown.Markdown, sign: str, path: str, css_class: str,
                     known: frozenset[str] | None = None) -> None:  # fmt: skip
            super().__init__(pattern, md)
            self.sign, self.path, self.css_class, self.known = sign, path, css_class, known

        def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | None, int | None, int | None]:
            if self.known is not None and m.group(1).lower() not in self.known:
                return None, None, None  # nobody by that name: the text stays as typed
            el = etree.Element("a", {"href": f"{self.path}{m.group(1).lower()}", "class": self.css_class})
            el.text = f"{self.sign}{m.group(1)}"
            return el, m.start(0), m.end(0)

    return LinkPattern


def _markdown(members: frozenset[str] | None = None) -> markdown.Markdown:
    import markdown

    md = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists", "nl2br"], output_format="html")
    # Raw HTML is text: never let the Markdown parser pass tags through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    link = _link_pattern()
    md.inlinePatterns.register(link(MENTION_RE, md, "@", "/members/", "mention", members), "mention", 65)
    md.inlinePatterns.register(link(HASHTAG_RE, md, "#", "/tags/", "hashtag"), "hashtag", 64)
    return md


@dataclass
class Rendered:
    """Sanitised HTML, and the handles and hashtags the text names."""

    html: str
    mentions: set[str] = field(default_factory=set)
    hashtags: set[str] = field(default_factory=set)


def markdown_html(text: str, members: frozenset[str] | None = None) -> str:
    """Markdown's own HTML, not yet cleaned (raw HTML in the text stays text): what ``sanitize`` is given.
    ``members``: the handles that exist (an @name outside it stays text); None links every @name."""
    return _markdown(members).convert(text)


def existing_handles(handles: set[str]) -> frozenset[str] | None:
    """Which of these handles name a member (one query; none when there is nothing to ask). Outside an app
    (a script rendering text alone) None: every @name is linked."""
    if not handles:
        return frozenset()
    if not has_app_context():
        return None
    return frozenset(db.session.scalars(select(User.handle).where(User.handle.in_(sorted(handles)))))


def render(text: str) -> Rendered:
    """Markdown to safe HTML; also returns the @handles and #tags it mentions (lower-case). An @name
    that is nobody's handle stays plain text."""
    text = (text or "").replace("\x00", "")
    mentions = extract_mentions(text)
    html = markdown_html(text, existing_handles(mentions))
    safe = sanitize(html)
    return Rendered(html=safe, mentions=mentions, hashtags=extract_hashtags(text))


def sanitize(html: str) -> str:
    """HTML cleaned by the one allow-list (the second wall behind Markdown; also for imported HTML)."""
    return _cleaner().clean(html or "")


def render_markdown(text: str) -> str:
    """Markdown to safe HTML (the ``body_html`` every template shows)."""
    return render(text).html


def _without_code(text: str) -> str:
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return re.sub(r"`[^`]*`", " ", text)


def extract_mentions(text: str) -> set[str]:
    """The handles @mentioned in the text, lower-case, outside code."""
    return {m.lower() for m in _mention_finder.findall(_without_code(text or ""))}


def extract_hashtags(text: str) -> set[str]:
    """The #hashtags in the text, lower-case, outside code."""
    return {m.lower() for m in _hashtag_finder.findall(_without_code(text or ""))}


def plain_excerpt(text: str, length: int = 200) -> str:
    """A short plain-text excerpt of Markdown (for listings and e-mails); escape it like any text."""
    # Only the beginning can show: a long post's whole text was cleaned for a 220-character excerpt.
    text = _without_code((text or "")[: max(length * 20, 2000)])
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    # Markdown's marks go, the words stay: @handles and #tags (and snake_case) are kept whole. A heading's or a
    # quote's marks only at the start of a line; emphasis only where it doesn't sit inside a word.
    text = re.sub(r"(?m)^[ \t]*(?:>[ \t]?)*(?:#{1,6}(?=\s|$))?", "", text)
    text = re.sub(r"(?<![\w@#])[*_]+|[*_]+(?![\w])", "", text)
    text = re.sub(r"[`~|]+", "", text)
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"
