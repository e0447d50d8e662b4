"""Browser tests: Playwright for Python driving Debian's Chromium against a live server on 127.0.0.1.

The server is the real app, migrated by Alembic into a fresh SQLite file (or PostgreSQL when
COMMUNITY_TEST_DATABASE_URL is set), served by Werkzeug in a thread. Screenshots go to
``docs/screenshots/`` (kept in the repo for the pages we show) or ``screenshots/tmp/`` (ignored).
Never downloads a browser: the executable is /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

CHROMIUM = os.environ.get("COMMUNITY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
TMP_SHOTS = ROOT / "screenshots" / "tmp"

playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[e2e]')"
)
if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
    pytest.skip("no chromium at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test (selected with ``-m e2e``)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


class LiveServer:
    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from community import create_app
    from community.cli import migrate_database
    from config import TestConfig

    root = tmp_path_factory.mktemp("live")
    url = os.environ.get("COMMUNITY_TEST_DATABASE_URL") or f"sqlite:///{root / 'live.db'}"
    app = create_app(
        TestConfig, instance_path=str(root / "instance"), DATABASE_URL=url, UPLOAD_FOLDER=str(root / "uploads"),
        WTF_CSRF_ENABLED=True,
    )  # fmt: skip
    with app.app_context():
        if url.startswith("postgresql"):
            from community.extensions import db

            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        migrate_database()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, base)
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """A factory of pages, each in its own browser context (its own cookies): one per persona."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 860) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page: Any) -> Any:
    return new_page()


def screenshot(page: Any, name: str, *, keep: bool = False) -> Path:
    """Save a full-page screenshot; ``keep=True`` puts it in docs/screenshots (committed)."""
    folder = SHOTS if keep else TMP_SHOTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def live_data(live_server: LiveServer) -> Iterator[Any]:
    """An app context on the live server's database, for setting data up through the services."""
    from community.extensions import db
    from tests.conftest import _wipe

    with live_server.app.app_context():
        yield db
        db.session.remove()
        # Each browser test starts from an empty community, as the unit tests do.
        _wipe()


def sign_in(page: Any, live_server: LiveServer, login: str, password: str) -> None:
    """Sign in through the real form."""
    page.goto(live_server("/signin"))
    page.get_by_label("E-mail or @handle").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
