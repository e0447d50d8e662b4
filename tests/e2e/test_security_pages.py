"""The sign-in page and the "not found" page in a real browser: contrast, keyboard focus, phone width,
and no Content-Security-Policy violation (no inline script or style slipped into the layout)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user

# Contrast ratio of an element's text against the first opaque background behind it (WCAG formula).
CONTRAST_JS = """
(el) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const fg = rgb(getComputedStyle(el).color);
  let node = el, bg = [255, 255, 255];
  while (node && node.nodeType === 1) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) { bg = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  const [a, b] = [lum(fg.slice(0, 3)), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""

FOCUS_JS = """
() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 40),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none', visible: el.getBoundingClientRect().width > 0};
}
"""


def _watch_csp(page: Any) -> list[str]:
    """Collect Content-Security-Policy violations reported on the page's console."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    return seen


def _contrast(page: Any, selector: str) -> float:
    return page.locator(selector).first.evaluate(CONTRAST_JS)


def _fits_width(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _tab_through(page: Any, presses: int) -> list[dict[str, Any]]:
    stops = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_JS))
    return stops


def test_sign_in_page_is_readable_and_keyboard_friendly(new_page, live_server):
    page = new_page()
    violations = _watch_csp(page)
    page.goto(live_server("/signin"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for selector in ("h1", ".auth-card p.muted", "label[for=login]", "button[type=submit]", ".site-footer p",
                     ".auth-card a"):  # fmt: skip
        if page.locator(selector).count():
            assert _contrast(page, selector) >= 4.5, selector
    # The sign-in field has the focus on arrival; every stop after it shows a visible focus indicator.
    assert page.evaluate(FOCUS_JS)["tag"] == "INPUT"
    stops = _tab_through(page, 4)
    assert [s["tag"] for s in stops] == ["INPUT", "INPUT", "BUTTON", "A"]
    for stop in stops:
        assert stop["outline"] and stop["shadow"], stop
    page.keyboard.press("Shift+Tab")
    screenshot(page, "security-signin-focus")
    assert violations == []

    phone = new_page(390, 844)
    phone.goto(live_server("/signin"))
    assert _fits_width(phone)
    assert phone.get_by_label("E-mail or @handle").bounding_box()["width"] > 250
    screenshot(phone, "security-signin-phone")


def test_not_found_page_signed_in_on_desktop_and_phone(new_page, live_server, live_data):
    make_user("nadia", display_name="Nadia Notfound")
    for width, height, name in ((1280, 860, "security-404"), (390, 844, "security-404-phone")):
        page = new_page(width, height)
        violations = _watch_csp(page)
        sign_in(page, live_server, "nadia", PASSWORD)
        response = page.goto(live_server("/no/such/page"))
        assert response.status == 404
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        assert _contrast(page, "main p") >= 4.5
        assert _contrast(page, "main .button") >= 4.5
        assert _fits_width(page)
        # The first Tab shows the skip link, and following it lands in the main content.
        first = _tab_through(page, 1)[0]
        assert first["text"] == "Skip to content" and first["outline"]
        expect(page.locator(".skip-link")).to_be_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.get_by_role("link", name="Go to the home page").focus()
        assert page.evaluate(FOCUS_JS)["outline"]
        screenshot(page, name, keep=(name == "security-404"))
        assert violations == []
