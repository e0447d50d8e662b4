"""What members write renders as they meant it: Markdown features, @mentions, #hashtags, excerpts.

Checked on the parsed output tree (html5lib), like the XSS corpus.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import html5lib

from community import markup
from tests import factories
from tests.test_markup_xss import assert_safe


def tree(text: str) -> ET.Element:
    html = markup.render_markdown(text)
    assert_safe(html)
    return html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)


def tags(root: ET.Element) -> list[str]:
    return [el.tag for el in root.iter() if isinstance(el.tag, str) and el.tag != "DOCUMENT_FRAGMENT"]


def links(root: ET.Element) -> list[tuple[str | None, str | None, str]]:
    return [(a.get("href"), a.get("class"), "".join(a.itertext())) for a in root.iter("a")]


def test_emphasis_and_strong():
    root = tree("Some *reflective* and **important** ~~old~~ text")
    assert root.find(".//em").text == "reflective"
    assert root.find(".//strong").text == "important"


def test_lists_ordered_and_unordered():
    root = tree("- one\n- two\n\n1. first\n2. second")
    assert [li.text for li in root.find(".//ul").iter("li")] == ["one", "two"]
    assert [li.text for li in root.find(".//ol").iter("li")] == ["first", "second"]


def test_inline_and_fenced_code_keep_their_text():
    root = tree("Use `<b>` here.\n\n```python\nprint('<hi>')\n```")
    codes = [el for el in root.iter("code")]
    assert codes[0].text == "<b>"
    assert root.find(".//pre/code").text == "print('<hi>')\n"


def test_tables():
    root = tree("| Model | Stage |\n|:--|--:|\n| Kolb | 4 |\n| Gibbs | 6 |")
    assert [th.text for th in root.iter("th")] == ["Model", "Stage"]
    assert [td.text for td in root.iter("td")] == ["Kolb", "4", "Gibbs", "6"]
    assert all("style" not in el.attrib for el in root.iter())  # alignment styles are dropped


def test_block_quotes_and_headings():
    root = tree("## My reflection\n\n> What went well?")
    assert root.find(".//h2").text == "My reflection"
    assert root.find(".//blockquote/p").text == "What went well?"


def test_links_keep_their_target_and_get_rel():
    root = tree("[CIPD](https://www.cipd.org/uk/) and <https://example.org/a?b=1&c=2> and mailto:x")
    assert links(root)[:2] == [
        ("https://www.cipd.org/uk/", None, "CIPD"),
        ("https://example.org/a?b=1&c=2", None, "https://example.org/a?b=1&c=2"),
    ]
    assert all(a.get("rel") == markup.LINK_REL for a in root.iter("a"))


def test_bare_web_addresses_are_linked():
    root = tree("See www.example.org for the reading list.")
    assert links(root) == [("http://www.example.org", None, "www.example.org")]


def test_site_relative_links_and_upload_images_survive():
    root = tree("[my group](/groups/cohort-7) ![diagram of the cycle](/uploads/0123abcd.png \"Kolb\")")
    assert links(root) == [("/groups/cohort-7", None, "my group")]
    img = root.find(".//img")
    assert img.get("src") == "/uploads/0123abcd.png"
    assert (img.get("alt"), img.get("title")) == ("diagram of the cycle", "Kolb")


def test_mentions_and_hashtags_link_to_members_and_tags():
    factories.make_user("pat_smith")
    root = tree("Thanks @Pat_Smith for the #ReflectivePractice tip!")
    assert links(root) == [
        ("/members/pat_smith", "mention", "@Pat_Smith"),
        ("/tags/reflectivepractice", "hashtag", "#ReflectivePractice"),
    ]


def test_mentions_of_nobody_stay_plain_text():
    factories.make_user("pat")
    root = tree("Thanks @pat and @nobody_here, and @Pat again.")
    assert links(root) == [("/members/pat", "mention", "@pat"), ("/members/pat", "mention", "@Pat")]
    assert "@nobody_here" in ET.tostring(root, encoding="unicode")


def test_mentions_and_hashtags_are_not_linked_inside_code_or_addresses():
    root = tree("`@pat #tag` and\n\n```\n@sam #other\n```\n\nmail pat@example.org, page /x#frag, &#35;")
    assert [cls for _, cls, _ in links(root)] == []


def test_render_reports_mentions_and_hashtags_outside_code():
    result = markup.render("Hi @Pat and @sam, see #Kolb. `@nobody #nothing`\n```\n@ghost\n```")
    assert result.mentions == {"pat", "sam"}
    assert result.hashtags == {"kolb"}


def test_raw_html_is_shown_as_text():
    root = tree("I typed <em>this</em> & that")
    assert "em" not in tags(root)
    assert "".join(root.itertext()) == "I typed <em>this</em> & that"


def test_empty_and_none_render_to_nothing():
    assert markup.render_markdown("") == ""
    assert markup.render_markdown(None) == ""  # type: ignore[arg-type]


def test_plain_excerpt_strips_markdown_and_code():
    text = "## Week 3\n\nI used **Gibbs' cycle** with [my team](https://example.org) `code here` ![x](/uploads/a.png)"
    assert markup.plain_excerpt(text) == "Week 3 I used Gibbs' cycle with my team"


def test_plain_excerpt_cuts_at_a_word_with_an_ellipsis():
    text = "reflection " * 50
    excerpt = markup.plain_excerpt(text, length=40)
    assert len(excerpt) <= 40
    assert excerpt.endswith("…")
    assert excerpt[:-1].split() == ["reflection"] * 3
