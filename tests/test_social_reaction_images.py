"""Reactions are vendored Twemoji images named by the reaction: nothing depends on the device's emoji font."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
from markupsafe import Markup

from community.models import REACTION_LABELS, REACTIONS
from community.services import reactions
from community.templating import reaction_icon, reaction_image
from tests.factories import acting, load_post
from tests.factories_social import discussion, reply

STATIC = Path(__file__).resolve().parents[1] / "static"
VENDOR = STATIC / "vendor" / "twemoji"
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


def _tree(html: str) -> ET.Element:
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def _accessible_name(el: ET.Element) -> str:
    """The name a button or label gets from its content (text, and images' alt text), as browsers compute it."""
    parts = [el.text or ""]
    for child in el:
        parts.append(child.get("alt", "") if child.tag == "img" else _accessible_name(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _visible_text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def test_the_vendored_folder_holds_exactly_the_reactions_images_and_the_licences():
    used = {reaction_image(kind).removeprefix("vendor/twemoji/") for kind in REACTIONS}
    assert used == {"1f44d.svg", "2764.svg", "1f389.svg", "1f4a1.svg", "1f64f.svg"}
    assert {p.name for p in VENDOR.iterdir()} == used | {"LICENSE", "LICENSE-GRAPHICS", "README.md"}
    for name in used:
        root = ET.parse(VENDOR / name).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 36 36"
        assert not any(el.tag.endswith(("script", "foreignObject")) for el in root.iter()), name
    readme = (VENDOR / "README.md").read_text()
    assert "@discordapp/twemoji` 16.0.1" in readme and "CC-BY 4.0" in readme
    assert (VENDOR / "LICENSE-GRAPHICS").read_text().startswith("Creative Commons Attribution 4.0 International")
    assert "MIT License" in (VENDOR / "LICENSE").read_text()


def test_every_reaction_image_is_served_by_its_digest(client):
    for kind in REACTIONS:
        with client.application.test_request_context("/"):
            icon = str(reaction_icon(kind))
        src = re.search(r'src="([^"]+)"', icon).group(1)
        digest = hashlib.sha256((STATIC / reaction_image(kind)).read_bytes()).hexdigest()[:12]
        assert src == f"/static/{reaction_image(kind)}?v={digest}"
        response = client.get(src)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_icon_is_named_by_the_reaction_and_escapes_its_name(app, monkeypatch):
    with app.test_request_context("/"):
        icon = reaction_icon("insightful")
        assert isinstance(icon, Markup) and 'alt="Insightful"' in icon and 'class="emoji"' in icon
        assert reaction_icon("insightful") is icon  # remembered: five per post on a thread page
        monkeypatch.setitem(REACTION_LABELS, "insightful", 'Sehr "gut" <b>')  # a translated name, say
        assert 'alt="Sehr &#34;gut&#34; &lt;b&gt;"' in reaction_icon("insightful")


def _thread(fran, pat, sam):
    topic = discussion(fran, title="Reactions")
    post = reply(fran, topic, "React to me")
    for who, kind in ((pat, "like"), (sam, "like"), (sam, "heart")):
        loaded = load_post(who, post.id)
        reactions.toggle(acting(who), loaded, loaded.topic, kind)
    return topic, post


def test_buttons_show_images_and_are_named_by_what_they_show(client, login, fran, pat, sam):
    topic, post = _thread(fran, pat, sam)
    login(pat)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    form = next(f for f in _tree(html).iter("form") if f.get("action") == f"/posts/{post.id}/react")
    assert not EMOJI.search(ET.tostring(form, encoding="unicode"))  # no character left for a font to draw
    buttons = {b.get("value"): b for b in form.iter("button")}
    assert list(buttons) == list(REACTIONS)
    for kind, button in buttons.items():
        images = button.findall(".//img")
        assert len(images) == 1 and images[0].get("alt") == str(REACTION_LABELS[kind])
        assert images[0].get("src").startswith(f"/static/{reaction_image(kind)}?v=")
        name, visible = _accessible_name(button), _visible_text(button)
        assert str(REACTION_LABELS[kind]) in name and visible in name  # label in name (WCAG 2.5.3)
        assert button.get("aria-label") is None
    assert _accessible_name(buttons["like"]) == "Like 2" and buttons["like"].get("aria-pressed") == "true"
    assert buttons["like"].get("title") == "Pat Participant, Sam Peer"
    assert _accessible_name(buttons["heart"]) == "Heart 1" and buttons["heart"].get("aria-pressed") == "false"
    assert _accessible_name(buttons["thanks"]) == "Thanks" and buttons["thanks"].get("title") == "Thanks"
    who = next(d for d in form.iter("details"))
    assert [_accessible_name(li) for li in who.iter("li")] == ["Like Pat Participant, Sam Peer", "Heart Sam Peer"]


def test_counts_without_buttons_show_images_too(client, login, fran, pat, sam):
    topic, post = _thread(fran, pat, sam)
    login(fran)  # the author may not react to her own post: the counts only
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert f'action="/posts/{post.id}/react"' not in html
    groups = [d for d in _tree(html).iter("div") if d.get("class") == "reactions"]
    assert len(groups) == 1 and groups[0].get("role") == "group"
    shown = [s for s in groups[0].iter("span") if s.get("class") == "reaction"]
    assert [_accessible_name(s) for s in shown] == ["Like 2", "Heart 1"]
    assert not EMOJI.search(ET.tostring(groups[0], encoding="unicode"))


def test_no_reaction_emoji_character_is_left_in_any_template():
    for template in (STATIC.parent / "templates").rglob("*.html"):
        assert not any(emoji in template.read_text() for emoji in REACTIONS.values()), template
