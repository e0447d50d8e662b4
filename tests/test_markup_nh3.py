"""bleach's successor, ready: the XSS corpus through nh3 with markup.py's own allow-list is just as safe.

bleach is unmaintained upstream and stays behind markup.py. If it has to go, nh3 (ammonia) takes its place
in that one file; this test keeps that swap honest. The allow-list is read from markup.py (tags, attributes
and their value checks, protocols, rel), never re-typed here, and outputs are compared on safety (walked by
the XSS test's checker: no script, no javascript:/data: URL, no event handler, ...) and on what members keep
(the same elements and attributes for ordinary Markdown), not byte for byte.
"""

from __future__ import annotations

import html5lib
import nh3
import pytest

from community import markup
from tests.test_markup_xss import PAYLOADS, assert_safe, problems


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    # nh3 runs the filter over the rel it adds itself (link_rel) too: that one stays.
    if tag == "a" and name == "rel" and value == markup.LINK_REL:
        return value
    return value if markup.allowed_attribute(tag, name, value) else None


def nh3_sanitize(html: str) -> str:
    """markup.sanitize as it would be with nh3: the same allow-list, taken from markup.py."""
    return nh3.clean(
        html,
        tags=set(markup.ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in markup.ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(markup.ALLOWED_PROTOCOLS),
        link_rel=markup.LINK_REL,
        strip_comments=True,
    )


IDS = [f"{kind}-{i}" for i, (kind, _) in enumerate(PAYLOADS)]


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=IDS)
def test_payload_is_harmless_through_nh3_alone(kind: str, payload: str):
    assert_safe(nh3_sanitize(payload))


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=IDS)
def test_payload_is_harmless_after_markdown_and_nh3(kind: str, payload: str):
    assert_safe(nh3_sanitize(markup.markdown_html(payload)))


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=IDS)
def test_nh3_and_bleach_agree_on_safety(kind: str, payload: str):
    # Both walls find nothing unsafe, whatever their bytes (bleach escapes what nh3 drops, for one).
    assert problems(nh3_sanitize(payload)) == problems(markup.sanitize(payload)) == []


# Ordinary member writing: nh3 must keep what bleach keeps, or the swap would cost members their formatting.
ORDINARY = [
    "**bold**, *italic*, ~~gone~~ and `code`",
    "# Heading\n\n## Smaller\n\nA paragraph.\n\n---\n\nAnother.",
    "- one\n- two\n\n1. first\n2. second",
    "> a quote\n> over two lines",
    "```\nfenced <code> block\n```",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "[a link](https://example.org/page?x=1 \"Its title\") and [mail](mailto:ada@example.org)",
    "![A chart](/uploads/0123456789abcdef0123456789abcdef.png \"Chart\")",
    "Thanks @pat_lee for #reflection",
    "[relative](/groups/cohort-5) link",
]


def _shape(html: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    tree = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    return [(el.tag, tuple(sorted(el.attrib.items()))) for el in tree.iter() if isinstance(el.tag, str)]


@pytest.mark.parametrize("text", ORDINARY)
def test_nh3_keeps_what_members_write(text: str):
    html = markup.markdown_html(text)
    assert _shape(nh3_sanitize(html)) == _shape(markup.sanitize(html))
    assert len(_shape(markup.sanitize(html))) > 1  # not an empty comparison


def test_the_allow_list_is_markup_s_own():
    # What nh3 is given is what bleach uses (the attribute check is the very function bleach calls).
    assert markup.ALLOWED_TAGS and markup.ALLOWED_ATTRIBUTES["a"] == {"href", "title", "class"}
    assert markup.allowed_attribute("a", "href", "//evil.example") is False
    assert markup.allowed_attribute("img", "src", "https://evil.example/x.png") is False
    assert markup.allowed_attribute("a", "class", "mention") is True
    assert markup.allowed_attribute("p", "class", "mention") is False
    assert 'rel="nofollow ugc noopener"' in nh3_sanitize('<a href="https://example.org">x</a>')
