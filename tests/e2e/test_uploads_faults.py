"""Failed uploads in a real browser: the profile photo and a blog cover say why, next to the picture field,
and what the member typed stays; a file over the size limit is refused by the page before it is sent."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user

PIXELS = ("This picture is 9,999 × 2,400 pixels; the largest we take is 40 million pixels, and at most 8,000 "
          "pixels wide or high.")  # fmt: skip
TOO_LARGE = "This file is larger than 5 MB, the largest picture we take. Please choose a smaller one."


def _bomb(path: Any) -> str:
    """3 kB of PNG declaring 9,999 x 2,400 pixels."""
    out = io.BytesIO()
    Image.new("1", (9999, 2400)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def _big(path: Any) -> str:
    """A 6 MB file: over the 5 MB a picture may be."""
    path.write_bytes(b"\x89PNG" + b"\0" * (6 * 1024 * 1024))
    return str(path)


def test_the_profile_photo_form_says_why(page, live_server, live_data, tmp_path):
    make_user("upat", display_name="Pat Lindqvist")
    live_data.session.commit()
    sign_in(page, live_server, "upat", PASSWORD)
    page.goto(live_server("/members/me/edit"))
    page.get_by_label("Headline").fill("Typed before the photo")
    page.get_by_label("Upload a new photo").set_input_files(_bomb(tmp_path / "bomb.png"))
    page.get_by_role("button", name="Save profile").click()
    error = page.locator("#avatar-error")
    expect(error).to_have_text(PIXELS + " Please make it smaller and try again.")
    assert page.get_by_label("Upload a new photo").get_attribute("aria-describedby").endswith("avatar-error")
    assert page.get_by_label("Headline").input_value() == "Typed before the photo"
    page.evaluate("window.scrollTo(0, 0)")  # full-page shots: the sticky header stays on top
    screenshot(page, "uploads-profile-pixels")

    # Too large for the server to read: the page refuses it before sending, and the form stays as it is.
    photo = page.get_by_label("Upload a new photo")
    photo.set_input_files(_big(tmp_path / "big.png"))
    size_error = page.locator("#avatar-size-error")
    expect(size_error).to_have_text(TOO_LARGE)
    assert "avatar-size-error" in photo.get_attribute("aria-describedby")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method))
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_timeout(300)
    assert "POST" not in requests
    expect(photo).to_be_focused()
    assert page.get_by_label("Headline").input_value() == "Typed before the photo"
    page.evaluate("window.scrollTo(0, 0)")  # full-page shots: the sticky header stays on top
    screenshot(page, "uploads-profile-too-large")

    # A picture of the right size clears the note and goes.
    Image.new("RGB", (300, 300), (200, 80, 40)).save(tmp_path / "fine.png")
    photo.set_input_files(str(tmp_path / "fine.png"))
    expect(size_error).to_have_count(0)
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()


def test_the_blog_cover_form_says_why(page, live_server, live_data, tmp_path):
    make_user("ubea", display_name="Bea Novak")
    live_data.session.commit()
    sign_in(page, live_server, "ubea", PASSWORD)
    page.goto(live_server("/blogs/new"))
    page.get_by_label("Title").fill("What the cohort taught me")
    page.get_by_label("Your post").fill("A long reflection I would hate to type twice.")
    page.get_by_label("Cover image (optional)").set_input_files(_bomb(tmp_path / "cover.png"))
    page.get_by_role("button", name="Publish").click()
    error = page.locator("#cover-error")
    expect(error).to_have_text(PIXELS + " Please make it smaller and try again.")
    assert page.get_by_label("Your post").input_value() == "A long reflection I would hate to type twice."
    page.evaluate("window.scrollTo(0, 0)")  # full-page shots: the sticky header stays on top
    screenshot(page, "uploads-blog-cover-pixels")

    # The upload folder can't be written (a file stands where the folder should be): a 503 that keeps the post.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app = live_server.app
    folder, app.config["UPLOAD_FOLDER"] = app.config["UPLOAD_FOLDER"], str(blocker / "uploads")
    try:
        Image.new("RGB", (800, 450), (30, 120, 200)).save(tmp_path / "ok.png")
        page.get_by_label("Cover image (optional)").set_input_files(str(tmp_path / "ok.png"))
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Publish").click()
    finally:
        app.config["UPLOAD_FOLDER"] = folder
    assert answer.value.status == 503
    expect(error).to_have_text("We couldn't store your picture. Please try again later.")
    assert page.get_by_label("Title").input_value() == "What the cohort taught me"
    page.evaluate("window.scrollTo(0, 0)")  # full-page shots: the sticky header stays on top
    screenshot(page, "uploads-blog-cover-disk")

