"""Every word a template shows goes through the catalogue: no literal text outside {{ _() }} / {% trans %}.

The check reads each template as a member's browser would get it, minus what Jinja writes: the text between
tags and the attributes people read (title, placeholder, aria-label, alt, button values, confirmations) must
hold no word of their own, and string literals inside Jinja expressions that read as prose must be inside
a gettext call.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
HUMAN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm", "aria-description", "label",
                    "aria-roledescription", "data-empty", "data-label"}  # fmt: skip
# Names that read the same in every language we ship.
NOT_WORDS = {"Atom", "CSV", "Markdown", "SVG", "PNG", "JPEG", "GIF", "WebP", "UTC", "OK"}
# Elements whose text is not prose: scripts, styles and code (a command, a path) reads the same everywhere.
SKIPPED = ("script", "style", "code")
WORD = re.compile(r"[^\W\d_]{2,}")
TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
COMMENT = re.compile(r"{#.*?#}", re.S)
JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.S)
LITERAL = re.compile(r"""(?<![\w.])(["'])((?:\\.|(?!\1).)*)\1""")
# The literal opens a gettext call, or follows the call's first literals (a plural, a msgid after its context).
GETTEXT_CALL = re.compile(
    r"""\b(?:_|gettext|ngettext|pgettext|npgettext)\(\s*(?:(["'])(?:\\.|(?!\1).)*\1\s*,\s*){0,2}$"""
)
CSS_CLASS = re.compile(r"\bclass_?\s*=\s*$")  # class='button secondary' names styles, not words
COMPARED = re.compile(r"(?:==|!=)\s*$")  # a value compared with (error.reason == 'already used'), not shown
PROSE = re.compile(r"^[A-Z][a-z’']+(?:[\s,.:;!?…’']|$)|[A-Za-z]{2,}[’']?\s+[A-Za-z]{2,}")


def words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in NOT_WORDS]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip += 1
        values = dict(attrs)
        for name, value in attrs:
            readable = name in HUMAN_ATTRIBUTES or (name == "value" and values.get("type") in ("submit", "button"))
            if readable and value and words(value):
                self.found.append(f'{tag}[{name}]="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and words(data):
            self.found.append(data.strip())


def literal_text(source: str) -> list[str]:
    """Words in a template that no gettext call covers."""
    source = TRANS_BLOCK.sub(" ", COMMENT.sub(" ", source))
    found: list[str] = []
    for block in JINJA.findall(source):
        for match in LITERAL.finditer(block):
            text = match.group(2)
            before = block[: match.start()]
            ignored = GETTEXT_CALL.search(before) or CSS_CLASS.search(before) or COMPARED.search(before)
            if PROSE.search(text) and not ignored and words(text):
                found.append(f"{{{{ {text!r} }}}}")
    reader = _Reader()
    reader.feed(JINJA.sub(" ", source))
    return found + reader.found


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt")),
                         ids=lambda p: str(p.relative_to(TEMPLATES)))  # fmt: skip
def test_templates_hold_no_untranslated_text(path: Path) -> None:
    found = literal_text(path.read_text(encoding="utf-8"))
    assert not found, "Wrap these in {{ _('…') }} or {% trans %}:\n" + "\n".join(found)


def test_the_check_finds_literal_text() -> None:
    """The checker itself: it sees text, attributes and prose literals, and lets translated text pass."""
    assert literal_text("<p>Hello there</p>") == ["Hello there"]
    assert literal_text('<input type="submit" value="Save it">') == ['input[value]="Save it"']
    assert literal_text("{{ render_field(f, hint='At least ten characters') }}") == ["{{ 'At least ten characters' }}"]
    assert literal_text('<a title="Edit">x</a>') == ['a[title]="Edit"']
    assert literal_text("<p>{{ _('Hello there') }}</p>{% trans %}Good {{ x }} day{% endtrans %}") == []
    assert literal_text("<a href=\"{{ url_for('auth.account') }}\" class=\"button\">{{ n }}</a>") == []
    assert literal_text("<p>{{ ngettext('%(num)d vote', '%(num)d votes', n) }} · CSV</p>") == []
    assert literal_text("{{ ngettext('Like this post (%(num)s like)', 'Like this post (%(num)s likes)', n) }}") == []
    assert literal_text("{{ button_form(url, _('Delete'), class='button secondary small') }}") == []
    found = literal_text("{{ ngettext('One vote', 'Many votes', n, label='Say something') }}")
    assert found == ["{{ 'Say something' }}"]
    assert literal_text("{{ ngettext('One new reply', '%(num)d new replies', n) }}{{ pgettext('verb', 'Post') }}") == []
    assert literal_text("{{ f('Hello there', _('ok')) }}") == ["{{ 'Hello there' }}"]  # a first argument of f()
    assert literal_text("{{ ngettext('One good answer',\n 'Many good answers', n) }}") == []
    assert literal_text("{% if reason == 'already used' %}{% endif %}") == []
    assert literal_text("<p>Run <code>community create-admin</code></p>") == ["Run"]
    found = literal_text("{{ 'Good answer' if reason == 'already used' else 'Bad answer' }}")
    assert found == ["{{ 'Good answer' }}", "{{ 'Bad answer' }}"]
