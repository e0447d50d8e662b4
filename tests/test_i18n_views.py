"""What the views and forms say goes through the catalogue, in the reader's language.

Form labels and validator messages are lazy (made at import time, read when a page is rendered); flash
messages, error pages and feed titles are translated as the request runs. The French catalogue is filled in
elsewhere, so these tests bring a small catalogue of their own: they check the wiring, not the wording.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from flask import Flask
from flask_babel import Domain, force_locale, get_locale
from flask_babel.speaklater import LazyString

from community.auth.forms import ChangePasswordForm, SignInForm
from community.i18n import _js_catalogue, js_msgids
from community.services import auth as auth_service
from community.services import blogs
from community.templating import _badges, role_badge
from tests.factories import acting
from tests.factories_blogs import make_blog_post

NOT_FOUND = "We couldn't find that page. It may have moved, or you may not have access to it."
FRENCH = {
    NOT_FOUND: "Nous n'avons pas trouvé cette page. Elle a peut-être été déplacée, ou vous n'y avez pas accès.",
    "Password": "Mot de passe",
    "Current password": "Mot de passe actuel",
    "All caught up.": "Vous êtes à jour.",
    "Please give your question a title.": "Veuillez donner un titre à votre question.",
    "%(name)s's blog": "Le blog de %(name)s",
    "Community manager": "Gestionnaire de la communauté",
    "Verified community manager": "Gestionnaire de la communauté vérifié",
}


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A French catalogue holding FRENCH, used wherever the request's language is French."""
    catalog = Catalog(locale="fr")
    for msgid, text in FRENCH.items():
        catalog.add(msgid, text)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = Translations(buffer)
    real = Domain.get_translations

    def get_translations(self: Domain) -> Translations:
        locale = get_locale()
        return translations if locale is not None and locale.language == "fr" else real(self)

    monkeypatch.setattr(Domain, "get_translations", get_translations)
    _badges.cache_clear()
    _js_catalogue.cache_clear()
    yield
    # What was remembered in French from this catalogue must not outlive the test.
    _badges.cache_clear()
    _js_catalogue.cache_clear()


def test_a_form_label_is_lazy_and_read_in_the_language_of_the_page(app: Flask, french: None) -> None:
    label = SignInForm.password.args[0]  # the class attribute, made once when the module was imported
    assert isinstance(label, LazyString)
    with app.test_request_context("/"):
        assert str(label) == "Password"
        with force_locale("fr"):
            assert str(label) == "Mot de passe"
            form = ChangePasswordForm(meta={"csrf": False})
            assert form.current_password.label.text == "Mot de passe actuel"
            assert "Mot de passe actuel</label>" in str(form.current_password.label)


def test_a_french_member_reads_labels_flashes_and_validator_messages_in_french(client, login, pat,
                                                                              french) -> None:  # fmt: skip
    auth_service.set_language(pat, "fr", "")
    login(pat)
    page = client.get("/account").get_data(as_text=True)
    assert "Mot de passe actuel" in page and "Current password" not in page

    assert client.post("/notifications/read-all").status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert "Vous êtes à jour." in page and "All caught up." not in page

    response = client.post("/questions/ask", data={"title": "", "body": "", "submit": "Post"})
    assert response.status_code == 400
    assert "Veuillez donner un titre à votre question." in response.get_data(as_text=True)


def test_an_english_member_still_reads_english(client, login, sam, french) -> None:
    login(sam)
    assert "Current password" in client.get("/account").get_data(as_text=True)
    assert client.post("/notifications/read-all").status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert "All caught up." in page and "Vous êtes à jour." not in page


def test_error_messages_in_json_are_plain_text_in_the_member_language(client, login, pat, french) -> None:
    auth_service.set_language(pat, "fr", "")
    login(pat)
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"].startswith("Nous n'avons pas trouvé cette page.")


def test_a_feed_title_is_in_the_language_of_the_member_whose_token_it_is(client, pat, sam, french) -> None:
    make_blog_post(pat, title="Hello")
    auth_service.set_language(sam, "fr", "")
    token = blogs.create_feed_token(acting(sam))
    response = client.get(f"/members/pat/blog/feed.atom?token={token}")
    assert response.status_code == 200
    title = ET.fromstring(response.get_data()).find("{http://www.w3.org/2005/Atom}title")
    assert title is not None and title.text == "Le blog de Pat Participant"


def test_role_badges_follow_the_language(app: Flask, admin, french) -> None:
    with app.test_request_context("/"):
        assert "✓ Community manager" in role_badge(admin)
        with force_locale("fr"):
            badge = role_badge(admin)
            assert 'title="Gestionnaire de la communauté vérifié"' in badge
            assert "✓ Gestionnaire de la communauté</span>" in badge


def test_scripts_strings_reach_the_page_catalogue(app: Flask) -> None:
    singles, _plurals = js_msgids()
    for text in ("Preview", "Hide preview", "Members to mention",
                 "%(name)s wrote:", "Choose an image file first.", "Vote up: this is useful"):  # fmt: skip
        assert text in singles
