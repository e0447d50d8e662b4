"""Uploads that fail say why, keep what was typed, store nothing, and never cost a decode they needn't.

Every picture form is tried: the profile photo, a blog post's cover, a group's cover and the editor's inline
image (JSON). Faults are injected: pixel bombs, files of formats we don't take, a full or read-only upload
folder, a member sending too many pictures, a broken rate-limit store.
"""

from __future__ import annotations

import errno
import html
import io
import logging
import os
from typing import Any

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from community.extensions import db
from community.models import Group, Topic, Upload
from tests.factories_members import png_bytes

TYPED = "Words I typed with care"
LARGEST = "the largest we take is 40 million pixels, and at most 8,000 pixels wide or high"

# name: (url, fields, file field)
FORMS: dict[str, tuple[str, dict[str, str], str]] = {
    "profile photo": ("/members/me/edit", {"display_name": "Fran Facilitator", "headline": TYPED}, "avatar"),
    "blog cover": ("/blogs/new", {"title": "A fine title", "body": TYPED, "group_id": "0", "publish": "1"}, "cover"),
    "group cover": ("/groups/new", {"name": "Cohort 9", "slug": "", "description": TYPED, "visibility": "private"},
                    "cover"),
    "inline image": ("/blogs/images", {"alt": "a chart"}, "image"),
}  # fmt: skip


def _png(width: int, height: int, mode: str = "1") -> bytes:
    """A tiny file declaring ``width`` x ``height`` pixels (a bilevel PNG compresses to almost nothing)."""
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def _send(client: Any, form: str, data: bytes, name: str = "picture.png") -> Any:
    """Post a picture with the form's other fields (closing the request body: werkzeug spools big ones to a file)."""
    url, fields, field = FORMS[form]
    builder = EnvironBuilder(path=url, method="POST", data={**fields, field: (io.BytesIO(data), name)},
                             content_type="multipart/form-data")  # fmt: skip
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def _message(response: Any) -> str:
    return response.get_json()["error"] if response.is_json else html.unescape(response.get_data(as_text=True))


def _assert_kept_and_nothing_stored(app: Any, form: str, response: Any, before: set[str]) -> None:
    if form != "inline image":  # the editor's upload is JSON: the text never left the page
        assert TYPED in response.get_data(as_text=True)
    db.session.rollback()
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Upload, Topic, Group)]
    assert counts == [0, 0, 0]
    assert set(os.listdir(app.config["UPLOAD_FOLDER"])) == before


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats whose pixels were decoded (ImageFile.load is where every plugin decodes)."""
    seen: list[str] = []
    original = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> Any:
        if self.tile:  # pixels still to decode (a loaded image keeps calling load, with nothing to do)
            seen.append(self.format or "?")
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


@pytest.fixture
def uploads_before(app: Any) -> set[str]:
    return set(os.listdir(app.config["UPLOAD_FOLDER"]))


# --------------------------------------------------------------------------------------------------
# Pixels: refused from the header, before anything is decoded


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_pixel_bomb_is_refused_from_its_header(client, login, fran, app, decoded, uploads_before, form):
    login(fran)
    bomb = _png(9999, 2400)  # 24 million pixels in 3 kB: under the old budget, a second of CPU to decode
    assert len(bomb) < 5000
    response = _send(client, form, bomb)
    assert response.status_code == 400
    assert f"This picture is 9,999 × 2,400 pixels; {LARGEST}." in _message(response)
    assert decoded == []  # the header check refused it: not one pixel was decoded
    _assert_kept_and_nothing_stored(app, form, response, uploads_before)


def test_a_bomb_over_twice_the_budget_is_refused_by_pillows_guard_with_the_same_limits(
        client, login, fran, decoded, monkeypatch):  # fmt: skip
    from community.services import images

    checked: list[tuple[int, int]] = []
    monkeypatch.setattr(images, "check_declared_size", lambda w, h: checked.append((w, h)))
    login(fran)
    response = _send(client, "inline image", _png(9000, 9000))  # 81 million: Pillow refuses it in Image.open
    assert response.status_code == 400
    assert response.get_json()["error"] == (f"This picture has 81,000,000 pixels; {LARGEST}. Please make it smaller "
                                            "and try again.")  # fmt: skip
    assert checked == [] and decoded == []
    assert Image.MAX_IMAGE_PIXELS == 40_000_000  # Pillow's guard uses our budget


def test_the_budget_and_the_longest_side_are_settings(client, login, fran, app, decoded):
    login(fran)
    old = {key: app.config.get(key) for key in ("IMAGE_MAX_PIXELS", "IMAGE_MAX_SIDE")}
    app.config.update(IMAGE_MAX_PIXELS=1_000_000, IMAGE_MAX_SIDE=1200)
    try:
        too_many = _send(client, "inline image", _png(1100, 1000, "RGB"))
        too_long = _send(client, "inline image", _png(1300, 100, "RGB"))
        fine = _send(client, "inline image", _png(1000, 1000, "RGB"))
        assert Image.MAX_IMAGE_PIXELS == 1_000_000
    finally:
        app.config.update(old)
    largest = "the largest we take is 1 million pixels, and at most 1,200 pixels wide or high"
    assert too_many.status_code == 400 and f"1,100 × 1,000 pixels; {largest}" in too_many.get_json()["error"]
    assert too_long.status_code == 400 and f"1,300 × 100 pixels; {largest}" in too_long.get_json()["error"]
    assert fine.status_code == 200 and decoded == ["PNG"]


def test_a_picture_within_the_limits_is_taken(client, login, fran, decoded):
    login(fran)
    response = _send(client, "inline image", _png(8000, 5000))  # exactly 40 megapixels, 8,000 wide
    assert response.status_code == 200 and response.get_json()["markdown"].startswith("![a chart](/uploads/")
    upload = db.session.scalars(select(Upload)).one()
    assert (upload.width, upload.height) == (1600, 1000) and decoded == ["PNG"]


def test_formats_we_dont_take_are_never_parsed_by_pillow(client, login, fran, monkeypatch, decoded):
    from PIL import BmpImagePlugin, TiffImagePlugin

    opened: list[str] = []
    for plugin in (BmpImagePlugin.BmpImageFile, TiffImagePlugin.TiffImageFile):
        original = plugin._open
        monkeypatch.setattr(plugin, "_open", lambda self, o=original: (opened.append(self.format), o(self))[1])
    login(fran)
    for fmt in ("BMP", "TIFF"):
        out = io.BytesIO()
        Image.new("RGB", (40, 30)).save(out, fmt)
        response = _send(client, "inline image", out.getvalue(), f"picture.{fmt.lower()}")
        assert response.status_code == 400
        assert response.get_json()["error"] == ("That file is not an image we can read. Please choose a PNG, JPEG, "
                                                "GIF or WebP image.")  # fmt: skip
    assert opened == [] and decoded == []


def test_an_animated_gif_keeps_its_first_frame_and_its_frames_are_not_decoded(client, login, fran, decoded):
    frames = [Image.new("P", (300, 200), colour) for colour in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100)
    login(fran)
    response = _send(client, "inline image", out.getvalue(), "moving.gif")
    assert response.status_code == 200
    assert decoded == ["GIF"]  # one load: the first frame
    assert db.session.scalars(select(Upload)).one().content_type == "image/png"


# --------------------------------------------------------------------------------------------------
# Bytes


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_file_over_the_size_limit_says_how_large_we_take(client, login, fran, app, decoded, uploads_before, form):
    login(fran)
    response = _send(client, form, png_bytes() + b"\0" * (5 * 1024 * 1024))
    assert response.status_code == 400
    assert "This file is larger than 5 MB, the largest picture we take." in _message(response)
    assert decoded == []
    _assert_kept_and_nothing_stored(app, form, response, uploads_before)


def test_a_request_over_the_server_limit_says_the_limit_and_the_way_back(client, login, fran, app):
    login(fran)
    body = b"--x\r\n" + b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    with io.BytesIO(body) as stream:
        response = client.post("/members/me/edit", input_stream=stream, content_length=len(body),
                               content_type="multipart/form-data; boundary=x")  # fmt: skip
    assert response.status_code == 413
    assert ("That upload is too large: we take pictures of up to 5 MB. Use your browser's Back button to return to "
            "the form, and choose a smaller file.") in _message(response)


@pytest.mark.parametrize("url", ["/members/me/edit", "/blogs/new", "/groups/new"])
def test_picture_fields_tell_the_browser_the_size_limit(client, login, fran, url):
    """The page checks the file's size before sending it (static/js/app.js), so a big file never costs the form."""
    login(fran)
    page = client.get(url).get_data(as_text=True)
    assert f'data-max-bytes="{5 * 1024 * 1024}"' in page
    assert 'data-too-large="This file is larger than 5 MB, the largest picture we take.' in page


# --------------------------------------------------------------------------------------------------
# The disk: full, read-only, missing


def _failing_open(code: int, *, after_create: bool) -> Any:
    """``open`` for the images service: fails at once (read-only), or creates the file and fails writing (full)."""
    real_open = open

    def fake(path: str, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if not after_create:
            raise OSError(code, os.strerror(code), path)
        fh = real_open(path, mode, *args, **kwargs)

        class Full:
            def __enter__(self) -> Any:
                return self

            def __exit__(self, *exc: Any) -> None:
                fh.close()

            def write(self, data: bytes) -> int:
                fh.write(data[:100])  # some of it got there before the disk filled up
                fh.flush()
                raise OSError(code, os.strerror(code), path)

        return Full()

    return fake


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_a_failing_disk_is_a_503_with_a_message_and_the_log_names_the_path(
        client, login, fran, app, monkeypatch, caplog, uploads_before, form, fault):  # fmt: skip
    from community.services import images

    code = errno.EROFS if fault == "read-only" else errno.ENOSPC
    monkeypatch.setattr(images, "open", _failing_open(code, after_create=fault == "full"), raising=False)
    login(fran)
    with caplog.at_level(logging.ERROR, logger="community.services.images"):
        response = _send(client, form, png_bytes())
    assert response.status_code == 503
    assert "We couldn't store your picture. Please try again later." in _message(response)
    _assert_kept_and_nothing_stored(app, form, response, uploads_before)  # no partial file left behind
    [record] = [r for r in caplog.records if r.name == "community.services.images"]
    folder = app.config["UPLOAD_FOLDER"]
    assert record.levelno == logging.ERROR and folder in record.getMessage()
    assert os.strerror(code) in record.getMessage() and errno.errorcode[code] in record.getMessage()


def test_an_upload_folder_that_cannot_be_created_is_a_503(client, login, fran, app, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")  # as unwritable as it gets, even for root
    folder, app.config["UPLOAD_FOLDER"] = app.config["UPLOAD_FOLDER"], str(blocker / "uploads")
    login(fran)
    try:
        with caplog.at_level(logging.ERROR, logger="community.services.images"):
            response = _send(client, "profile photo", png_bytes())
    finally:
        app.config["UPLOAD_FOLDER"] = folder
    assert response.status_code == 503 and TYPED in response.get_data(as_text=True)
    assert "We couldn't store your picture" in _message(response)
    assert str(blocker / "uploads") in caplog.text


def test_removing_a_photo_from_a_read_only_folder_saves_the_profile(client, login, pat, app, monkeypatch, caplog):
    from community.services import members

    login(pat)
    data = {"display_name": "Pat Participant", "avatar": (io.BytesIO(png_bytes()), "me.png")}
    assert client.post("/members/me/edit", data=data, content_type="multipart/form-data").status_code == 302

    def read_only(path: str) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    monkeypatch.setattr(members.os, "remove", read_only)
    with caplog.at_level(logging.ERROR, logger="community.services.members"):
        response = client.post("/members/me/edit", data={"display_name": "Pat Participant", "headline": TYPED,
                                                         "remove_avatar": "y"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert (pat.avatar_path, pat.headline) == (None, TYPED)
    assert "could not delete a replaced photo" in caplog.text and app.config["UPLOAD_FOLDER"] in caplog.text


# --------------------------------------------------------------------------------------------------
# Too many pictures


@pytest.fixture
def two_an_hour(rate_limits: Any) -> Any:
    rate_limits.config["RATELIMIT_UPLOADS"], old = "2 per hour", rate_limits.config["RATELIMIT_UPLOADS"]
    yield rate_limits
    rate_limits.config["RATELIMIT_UPLOADS"] = old


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_member_sending_too_many_pictures_gets_a_429_and_keeps_the_form(
        client, login, fran, app, two_an_hour, decoded, form):  # fmt: skip
    login(fran)
    assert _send(client, "inline image", png_bytes()).status_code == 200
    assert _send(client, "inline image", b"not a picture").status_code == 400  # refused ones count too
    before = set(os.listdir(app.config["UPLOAD_FOLDER"]))
    decoded.clear()
    response = _send(client, form, png_bytes())
    assert response.status_code == 429
    assert "You have sent a lot of pictures in a short time. Please try again in 60 minutes." in _message(response)
    assert decoded == []
    db.session.execute(db.delete(Upload))
    db.session.commit()
    _assert_kept_and_nothing_stored(app, form, response, before)


def test_the_upload_limit_is_per_member(client, login, fran, sam, two_an_hour):
    login(fran)
    for _ in range(2):
        assert _send(client, "inline image", png_bytes()).status_code == 200
    assert _send(client, "inline image", png_bytes()).status_code == 429
    login(sam)
    assert _send(client, "inline image", png_bytes()).status_code == 200


def test_a_failing_limits_store_lets_the_upload_through_and_says_so(client, login, fran, two_an_hour, monkeypatch,
                                                                      caplog):  # fmt: skip
    from community.extensions import limiter

    class Broken:
        def hit(self, *args: Any) -> bool:
            raise ConnectionError("the limits store is down")

    monkeypatch.setattr(type(limiter), "limiter", property(lambda self: Broken()))
    login(fran)
    with caplog.at_level(logging.WARNING, logger="community.services.images"):
        assert _send(client, "inline image", png_bytes()).status_code == 200
    assert f"upload rate limit not checked for member {fran.id}" in caplog.text
