"""The French catalogue is complete and in step with the code, and pages render fully in French."""

from __future__ import annotations

import html
import io
import re

import pytest
from babel.messages.mofile import write_mo

from community import catalogue
from community.services import auth as auth_service

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


@pytest.fixture(scope="module")
def template(app):
    with app.app_context():
        return catalogue.extract()


@pytest.fixture(scope="module")
def french():
    return catalogue.read_catalogue("fr")


def test_extraction_finds_no_string_missing_from_the_catalogue(template, french):
    missing = catalogue.not_in_catalogue(template, french)
    assert not missing, "Run `community translations update` and translate:\n" + "\n".join(missing)


def test_every_string_has_a_french_translation(french):
    missing = catalogue.untranslated(french)
    assert not missing, "No French for:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders(french):
    wrong = []
    for message in french:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for text in strings:
            got = set(PLACEHOLDER.findall(text or ""))
            # A French singular may say "un" for %(num)d; every other placeholder must be kept.
            if not (got <= wanted and wanted - got <= {"num"}):
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


def test_the_compiled_catalogue_is_up_to_date(french):
    buffer = io.BytesIO()
    write_mo(buffer, french, use_fuzzy=False)
    compiled = catalogue.po_path("fr").with_suffix(".mo")
    assert compiled.exists() and compiled.read_bytes() == buffer.getvalue(), "Run `community translations compile`"


def english_phrases(french) -> list[str]:
    """Whole English sentences of the interface (no placeholders) whose French is different."""
    phrases = []
    for message in french:
        if not message.id or not isinstance(message.id, str) or "%(" in message.id:
            continue
        text = message.id.strip()
        if len(text) >= 12 and " " in text and message.string and message.string != message.id and "<" not in text:
            phrases.append(text)
    return phrases


def visible_text(page: bytes) -> str:
    return " ".join(html.unescape(TAG.sub(" ", page.decode())).split())


def english_left(page: bytes, phrases: list[str]) -> list[str]:
    text = visible_text(page)
    return [p for p in phrases if " ".join(p.split()) in text]


@pytest.fixture
def french_cohort(admin, fran, pat, sam):
    from tests.factories_boards import make_board, make_discussion, make_reply
    from tests.factories_groups import make_group

    for member in (admin, fran, pat, sam):
        auth_service.set_language(member, "fr", "Europe/Paris")
    group = make_group(fran, name="Cohorte 7", members=[pat, sam])
    board = make_board(fran, name="Salon", group=group)
    topic = make_discussion(pat, board, title="Premiers pas", body="Bonjour à tous")
    make_reply(sam, topic, body="Bienvenue !")
    return {"group": group, "board": board, "topic": topic}


PARTICIPANT_PAGES = ["/", "/groups", "/boards", "/blogs", "/questions/", "/questions/ask", "/members", "/members/pat",
                     "/members/pat/blog", "/notifications", "/notifications/settings", "/search?q=pas", "/account",
                     "/boards/new", "/blogs/new", "/members/me/edit"]  # fmt: skip
MANAGER_PAGES = ["/dashboard/", "/dashboard/participation/pat", "/moderation/", "/admin", "/admin/members",
                 "/admin/settings", "/admin/audit", "/invitations", "/boards/manage", "/groups/new"]  # fmt: skip


def test_pages_render_fully_in_french(client, login, french, french_cohort, pat, admin):
    phrases = english_phrases(french)
    assert len(phrases) > 100  # the check has something to look for
    topic, group, board = french_cohort["topic"], french_cohort["group"], french_cohort["board"]
    pages = {}
    login(pat)
    own = [f"/groups/{group.slug}", f"/boards/{board.id}", f"/discussions/{topic.id}", f"/groups/{group.slug}/members"]
    for url in [*PARTICIPANT_PAGES, *own]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'<html lang="fr-FR">' in response.data, url
        pages[url] = response.data
    login(admin)
    for url in MANAGER_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.data
    left = {url: found for url, page in pages.items() if (found := english_left(page, phrases))}
    assert not left, "English on French pages:\n" + "\n".join(f"{u}: {f}" for u, f in left.items())


def test_the_sign_in_page_speaks_the_visitors_language(client, french):
    page = client.get("/signin", headers={"Accept-Language": "fr"}).data
    assert b'<html lang="fr-FR">' in page
    assert not english_left(page, english_phrases(french))
