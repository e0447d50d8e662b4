"""The image library in a real browser, on a desktop and a 390 px phone: each image with its size, date and
where it is shown; deleting one still in use says why, next to it; deleting an unused one works."""

from __future__ import annotations

import io

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, acting, make_user
from tests.factories_blogs import make_blog_post, png_bytes


def _library(live_data) -> None:
    from community.services import blogs

    pat = make_user("ipat", display_name="Pat Lindqvist")
    _chart, markdown = blogs.upload_inline_image(acting(pat), io.BytesIO(png_bytes(640, 360, (31, 95, 191))), "chart")
    make_blog_post(pat, title="My modules, week by week", body=f"Progress so far:\n\n{markdown}")
    blogs.upload_inline_image(acting(pat), io.BytesIO(png_bytes(300, 300, (15, 123, 95))), "")
    live_data.session.commit()


def test_the_image_library_on_desktop_and_phone(new_page, live_server, live_data):
    _library(live_data)
    for width, height, name in ((1280, 860, "images-library-desktop"), (390, 844, "images-library-phone")):
        page = new_page(width, height)
        sign_in(page, live_server, "ipat", PASSWORD)
        page.goto(live_server("/account"))
        page.get_by_role("link", name="Open your images").click()
        expect(page.get_by_role("heading", name="Your images", level=1)).to_be_visible()
        items = page.locator(".image-item")
        expect(items).to_have_count(2)
        expect(items.nth(0)).to_contain_text("Not shown anywhere.")
        expect(items.nth(1)).to_contain_text("Shown in 1 place:")
        expect(items.nth(1).get_by_role("link", name="My modules, week by week")).to_be_visible()
        # no horizontal scroll on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, name)
        page.close()


def test_deleting_from_the_library(page, live_server, live_data):
    _library(live_data)
    sign_in(page, live_server, "ipat", PASSWORD)
    page.goto(live_server("/account/images"))
    page.on("dialog", lambda dialog: dialog.accept())  # the "Delete for good?" confirmation
    used = page.locator(".image-item").nth(1)
    used.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("alert").first).to_contain_text("This image is still shown in 1 place.")
    screenshot(page, "images-library-refused")
    page.locator(".image-item").nth(0).get_by_role("button", name="Delete").click()
    expect(page.get_by_text("The image is deleted.")).to_be_visible()
    expect(page.locator(".image-item")).to_have_count(1)
