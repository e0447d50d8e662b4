"""Third-party checkers on the served pages of a seeded community: the Nu Html Checker (HTML conformance) and
axe-core (accessibility), plus the phone layout checks they cannot make on their own.

One seeded database and one walk: a participant, the community manager and a signed-out visitor each open the
main pages; every served document is saved and checked by vnu in one Java run, and axe runs in the page.
The tools come from npm, pinned in .ci/package.json and installed by .ci/run (`npm ci --prefix .ci`);
nothing is fetched here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, screenshot, sign_in

TOOLS = ROOT / ".ci" / "node_modules"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
INSTALL_HINT = "the checkers are not installed: run `npm ci --prefix .ci` (pinned in .ci/package.json)"
PASSWORD = "demo password for the checkers"
PHONE = (390, 844)
MIN_TARGET = 24  # px: WCAG 2.2 target size (minimum)


def _missing_tools() -> str | None:
    if not VNU_JAR.exists() or not AXE_JS.exists():
        return INSTALL_HINT
    if shutil.which("java") is None:
        return "no java on PATH for the Nu Html Checker (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture
def checkers() -> None:
    """The checkers are installed; a fixture, not a module-level check, so a run without the browser tests
    (the README's command) never looks for them."""
    if (missing := _missing_tools()) is not None:
        if os.environ.get("CI") == "true":  # CI installs them: a skip there would hide the checks
            pytest.fail(missing, pytrace=False)
        pytest.skip(f"the HTML and accessibility checkers are not installed here (CI installs them): {missing}")


@dataclass
class Walk:
    """What the walk saw: the served HTML of each page, axe's findings, and the phone measurements."""

    html: dict[str, Path] = field(default_factory=dict)
    axe: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    header_heights: dict[str, float] = field(default_factory=dict)
    small_targets: list[str] = field(default_factory=list)


def _pages(ids: dict[str, Any]) -> list[tuple[str, str]]:
    """The main pages every member opens (name, path)."""
    return [
        ("home", "/"),
        ("groups", "/groups"),
        ("group", f"/groups/{ids['group']}"),
        ("boards", "/boards"),
        ("board", f"/boards/{ids['board']}"),
        ("discussion", f"/discussions/{ids['discussion']}"),
        ("blogs", "/blogs"),
        ("blog-post", f"/blog/{ids['blog']}"),
        ("qa", "/questions/"),
        ("question", f"/questions/{ids['question']}"),
        ("ask", "/questions/ask"),
        ("events", "/events/"),
        ("event", f"/events/{ids['event']}"),
        ("announcement", f"/announcements/{ids['announcement']}"),
        ("group-announcements", f"/groups/{ids['group']}/announcements"),
        ("members", "/members"),
        ("profile", f"/members/{ids['profile']}"),
        ("notifications", "/notifications"),
        ("search", "/search?q=coaching"),
        ("account", "/account"),
        ("programmes", "/programmes/"),
        ("unit", "/programmes/cipd-level-5/units/5CO02"),
    ]


def _message_pages(ids: dict[str, Any]) -> list[tuple[str, str]]:
    """The participant's private messages (the manager takes part in none of the demo's conversations)."""
    return [
        ("messages", "/messages"),
        ("conversation", f"/messages/{ids['conversation']}"),
        ("new-message", f"/messages/new?to={ids['profile']}"),
        ("images", "/account/images"),  # Hannah's image library (a chart in her profile, an animated GIF)
    ]


MANAGER_PAGES = [
    ("dashboard", "/dashboard/"),
    ("dashboard-units", "/dashboard/units?period=all"),
    ("moderation", "/moderation/"),
    ("admin-members", "/admin/members"),
    ("admin-settings", "/admin/settings"),
    ("admin-webhooks", "/admin/webhooks"),
    ("webhook-new", "/admin/webhooks/new"),
    ("notification-settings", "/notifications/settings"),
    ("invitations", "/invitations"),
    ("event-new", "/events/new"),
    ("calendar-link", "/events/subscribe"),
    ("announcement-new", "/announcements/new"),
]

AXE_RUN = """async (options) => {
  const result = await window.axe.run(document, options);
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(' '))}));
}"""

# The header's controls and the reaction buttons, measured as laid out (hidden ones have no box).
TARGETS_JS = """(min) => {
  const out = [];
  for (const el of document.querySelectorAll(
      '.site-header a, .site-header button, .site-header summary, .site-header input, button.reaction')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.width < min || r.height < min)
      out.push(`${el.outerHTML.slice(0, 80)}: ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return out;
}"""


def _seed() -> dict[str, Any]:
    """The demo cohort, a reaction to show pressed buttons, and the addresses of one of each thing."""
    from sqlalchemy import select

    from community.extensions import db
    from community.models import Post, Topic, WebhookDelivery
    from community.seed import MARKER_GROUP, seed_demo
    from community.services.reactions import set_reaction

    demo = seed_demo(password=PASSWORD, progress=False)
    participant = demo.person("p0")
    discussion = demo.topics[0]
    opening = db.session.scalar(select(Post).where(Post.topic_id == discussion.id).order_by(Post.id))
    set_reaction(participant, opening, discussion, "insightful", True)

    def first(kind: str) -> int:
        return db.session.scalar(select(Topic.id).where(Topic.kind == kind).order_by(Topic.id))

    assert demo.admin is not None and demo.admin_password is not None
    return {
        "participant": participant.handle, "manager": demo.admin.handle, "manager_password": demo.admin_password,
        "group": MARKER_GROUP, "board": demo.boards["group:cohort"].id, "discussion": discussion.id,
        "blog": first("blog"), "question": first("question"), "event": first("event"),
        "announcement": first("announcement"),
        "profile": demo.participants[1].handle,
        "conversation": first("conversation"),  # Hannah's (p0) with James (p1)
        "webhook": db.session.scalar(select(WebhookDelivery.webhook_id)),  # the CRM hook, a test waiting
    }  # fmt: skip


def _walk(new_page: Any, live_server: Any, out: Path) -> Walk:
    """Seed, then open every page as each persona at desktop and phone widths, collecting what the checks need."""
    seen = Walk()
    axe_source = AXE_JS.read_text(encoding="utf-8")

    def check(page: Any, name: str, path: str, axe_options: dict[str, Any]) -> None:
        response = page.goto(live_server(path))
        assert response is not None and response.status == 200, f"{name} ({path}): {response and response.status}"
        file = out / f"{name}.html"
        file.write_bytes(response.body())
        seen.html[name] = file
        # The CSP allows scripts from 'self' only, so add_script_tag's inline script would be refused; an
        # evaluated script (the DevTools protocol) is not subject to it.
        page.evaluate(axe_source)
        assert page.evaluate("() => typeof window.axe === 'object'"), "axe-core did not load in the page"
        for violation in page.evaluate(AXE_RUN, axe_options):
            seen.axe.append((name, violation))

    ids = _seed()
    desktop = {"resultTypes": ["violations"]}
    # At phone width, the target-size rule (WCAG 2.2 AA) as well as the rest.
    phone_rules = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
    for who, password, pages in (
        ("participant", PASSWORD, [*_pages(ids), *_message_pages(ids)]),
        ("manager", ids["manager_password"], [*_pages(ids), *MANAGER_PAGES,
                                              ("webhook", f"/admin/webhooks/{ids['webhook']}")]),
    ):
        page = new_page()
        sign_in(page, live_server, ids[who], password)
        for name, path in pages:
            check(page, f"{who}-{name}", path, desktop)
        phone = new_page(*PHONE)
        sign_in(phone, live_server, ids[who], password)
        for name, path in [*pages[:6], *_message_pages(ids)] if who == "participant" else MANAGER_PAGES[:1]:
            check(phone, f"{who}-{name}-phone", path, phone_rules)
            seen.header_heights[f"{who}-{name}"] = phone.locator(".site-header").bounding_box()["height"]
            seen.small_targets += [f"{who}-{name}: {t}" for t in phone.evaluate(TARGETS_JS, MIN_TARGET)]
        if who == "participant":
            for name in ("home", "discussion", "messages", "conversation"):
                for shot_page, suffix in ((page, ""), (phone, "-phone")):
                    shot_page.goto(live_server(dict(pages)[name]))
                    screenshot(shot_page, f"checkers-{name}{suffix}")
        else:
            for shot_page, suffix in ((page, ""), (phone, "-phone")):
                shot_page.goto(live_server("/dashboard/"))
                screenshot(shot_page, f"checkers-dashboard{suffix}")
            # The menu opened on a phone, to see what it covers.
            phone.goto(live_server("/"))
            phone.get_by_role("button", name="Menu").click()
            screenshot(phone, "checkers-menu-open-phone")

    check(new_page(), "signin", "/signin", desktop)
    check(new_page(*PHONE), "signin-phone", "/signin", phone_rules)
    return seen


def test_the_checkers_pass_on_the_main_pages(
    checkers: None, new_page: Any, live_server: Any, live_data: Any, tmp_path: Path
) -> None:
    """One walk (one seeded database, one browser), four checks; every failure of each is listed."""
    seen = _walk(new_page, live_server, tmp_path)
    assert len(seen.html) >= 40 and seen.header_heights
    failures = [msg for check in (_html_errors, _serious_axe, _tall_headers, _small_targets) if (msg := check(seen))]
    lesser = [f"{page}: {v['id']}" for page, v in seen.axe if v["impact"] not in ("critical", "serious")]
    print(f"checkers: {len(seen.html)} pages through the Nu Html Checker and axe-core; {len(failures)} checks "
          f"failed; {len(lesser)} moderate or minor axe findings {lesser}")  # for the run's log (-s)
    assert not failures, "\n\n".join(failures)


def _html_errors(walk: Walk) -> str:
    """vnu over every served page in one Java run: no errors (warnings are advice, not failures)."""
    by_file = {str(path): name for name, path in walk.html.items()}
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--exit-zero-always", *by_file],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    report = json.loads(run.stderr or run.stdout)
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    lines = []
    for m in errors:
        name = by_file.get(m.get("url", "").removeprefix("file:"), m.get("url"))
        lines.append(f"{name}:{m.get('lastLine', '?')}: {m.get('message')}\n    {m.get('extract', '').strip()!r}")
    return f"{len(errors)} HTML errors (Nu Html Checker):\n" + "\n".join(lines) if errors else ""


def _serious_axe(walk: Walk) -> str:
    """axe-core on every page: no violation of impact critical or serious."""
    serious = [(page, v) for page, v in walk.axe if v["impact"] in ("critical", "serious")
               or v["id"] == "landmark-unique"]  # two search boxes alike leave a screen reader guessing
    lines = [f"{page}: {v['id']} ({v['impact']}: {v['help']}) at {'; '.join(v['targets'][:5])}" for page, v in serious]
    return f"{len(serious)} serious accessibility failures (axe-core):\n" + "\n".join(lines) if serious else ""


def _tall_headers(walk: Walk) -> str:
    """At 390 x 844 the header (navigation behind a menu button) is under a fifth of the screen."""
    tall = {page: height for page, height in walk.header_heights.items() if height >= PHONE[1] * 0.2}
    return f"phone header taller than a fifth of the screen: {tall}" if tall else ""


def _small_targets(walk: Walk) -> str:
    """Header controls and reaction buttons are at least 24 x 24 px on a phone."""
    if not walk.small_targets:
        return ""
    return f"tap targets under {MIN_TARGET}x{MIN_TARGET} px on a phone:\n" + "\n".join(walk.small_targets)
