"""Animated GIFs stay animated (resized frame by frame, no metadata), within the frame, pixel and byte limits;
a still GIF becomes a PNG; a GIF declaring a huge canvas is refused before a pixel is decoded."""

from __future__ import annotations

import io
import os
import struct

import pytest
from PIL import Image

from community.errors import InvalidInput
from community.services import blogs
from tests.factories import acting


def _gif(frames: int = 3, size: tuple[int, int] = (40, 30), comment: bytes = b"") -> bytes:
    """An animated GIF: ``frames`` frames of different colours, 80 ms each, looping."""
    images = [Image.new("RGB", size, (40 * i % 256, 90, 200 - 10 * i % 200)) for i in range(frames)]
    out = io.BytesIO()
    extra = {"comment": comment} if comment else {}
    images[0].save(out, "GIF", save_all=frames > 1, append_images=images[1:], duration=80, loop=0, **extra)
    return out.getvalue()


def _stored(app, name: str) -> Image.Image:
    """The stored file, read into memory (no file left open)."""
    with open(os.path.join(app.config["UPLOAD_FOLDER"], name), "rb") as fh:
        data = fh.read()
    image = Image.open(io.BytesIO(data))
    image.stored_bytes = len(data)  # type: ignore[attr-defined]
    return image


def test_an_animated_gif_stays_animated_and_loses_its_metadata(app, pat):
    upload, markdown = blogs.upload_inline_image(acting(pat), io.BytesIO(_gif(5, comment=b"taken at home")), "dance")
    assert upload.name.endswith(".gif") and upload.content_type == "image/gif"
    assert markdown == f"![dance](/uploads/{upload.name})"
    stored = _stored(app, upload.name)
    assert stored.format == "GIF" and stored.n_frames == 5 and stored.is_animated
    assert stored.info.get("duration") == 80 and stored.info.get("loop") == 0
    assert "comment" not in stored.info and "exif" not in stored.info
    assert (upload.width, upload.height, upload.size) == (40, 30, stored.stored_bytes)


def test_an_animated_gif_is_resized_frame_by_frame_into_the_inline_box(app, pat):
    upload, _ = blogs.upload_inline_image(acting(pat), io.BytesIO(_gif(3, size=(3200, 800))), "")
    stored = _stored(app, upload.name)
    assert stored.n_frames == 3 and stored.size == (1600, 400) == (upload.width, upload.height)
    stored.seek(2)
    assert stored.size == (1600, 400)


def test_a_still_gif_becomes_a_png(app, pat):
    upload, _ = blogs.upload_inline_image(acting(pat), io.BytesIO(_gif(1)), "")
    assert upload.name.endswith(".png")
    assert _stored(app, upload.name).format == "PNG"


def test_too_many_frames_is_refused_with_the_count(app, pat, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_MAX_FRAMES", 4)
    with pytest.raises(InvalidInput) as refused:
        blogs.upload_inline_image(acting(pat), io.BytesIO(_gif(6)), "")
    assert refused.value.message == (
        "This animation has 6 frames; the most we take is 4. Please shorten it and try again.")  # fmt: skip
    assert refused.value.field == "image"


def test_too_many_pixels_in_all_the_frames_is_refused(app, pat, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_MAX_ANIMATION_PIXELS", 5_000_000)
    with pytest.raises(InvalidInput) as refused:
        blogs.upload_inline_image(acting(pat), io.BytesIO(_gif(3, size=(1000, 2000))), "")
    assert refused.value.message == (
        "This animation has 3 frames of 1,000 × 2,000 pixels; the most we take is 5 million pixels in all its "
        "frames. Please make it shorter or smaller and try again.")  # fmt: skip


def test_an_animation_too_large_once_resized_is_refused(app, pat, monkeypatch):
    # Frames after the first change one pixel: the file is small, but each frame is whole once re-encoded.
    first = Image.effect_noise((200, 150), 90).convert("RGB")
    frames = [first] + [first.copy() for _ in range(5)]
    for i, frame in enumerate(frames[1:]):
        frame.putpixel((i, 0), (255, 0, 0))
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50)
    monkeypatch.setitem(app.config, "IMAGE_MAX_BYTES", len(out.getvalue()))
    before = set(os.listdir(app.config["UPLOAD_FOLDER"]))
    with pytest.raises(InvalidInput) as refused:
        blogs.upload_inline_image(acting(pat), io.BytesIO(out.getvalue()), "")
    assert refused.value.message == (
        "This animation is larger than 0.1 MB once resized, the largest picture we take. Please shorten it and "
        "try again.")  # fmt: skip
    assert set(os.listdir(app.config["UPLOAD_FOLDER"])) == before  # nothing stored


def test_an_oversized_gif_file_is_refused_by_its_bytes(app, pat, monkeypatch):
    data = _gif(3)
    monkeypatch.setitem(app.config, "IMAGE_MAX_BYTES", len(data) - 1)
    with pytest.raises(InvalidInput) as refused:
        blogs.upload_inline_image(acting(pat), io.BytesIO(data), "")
    assert "the largest picture we take" in refused.value.message


def test_a_gif_bomb_declaring_a_huge_canvas_is_refused_before_decoding(app, pat, monkeypatch):
    data = bytearray(_gif(3))
    data[6:10] = struct.pack("<HH", 30000, 30000)  # the logical screen: 900 million pixels declared
    decoded: list[str] = []
    from PIL import ImageFile

    original = ImageFile.ImageFile.load

    def load(self):
        if self.tile:
            decoded.append(self.format or "?")
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    with pytest.raises(InvalidInput) as refused:
        blogs.upload_inline_image(acting(pat), io.BytesIO(bytes(data)), "")
    # Pillow's own guard (which our budget sets) fires as the header is read: more than twice the budget.
    assert refused.value.message == (
        "This picture has 900,000,000 pixels; the largest we take is 40 million pixels, and at most 8,000 pixels "
        "wide or high. Please make it smaller and try again.")  # fmt: skip
    assert decoded == []


def test_a_gif_declaring_a_long_thin_canvas_is_refused_by_its_side(app, pat):
    data = bytearray(_gif(3))
    data[6:10] = struct.pack("<HH", 9999, 2400)  # within twice the pixel budget, but too wide
    with pytest.raises(InvalidInput) as refused:
        blogs.upload_inline_image(acting(pat), io.BytesIO(bytes(data)), "")
    assert refused.value.message.startswith("This picture is 9,999 × 2,400 pixels; the largest we take is")


def test_an_animated_gif_through_the_editors_upload_is_served_as_a_gif(client, login, pat):
    login(pat)
    response = client.post("/blogs/images", data={"image": (io.BytesIO(_gif(4)), "dance.gif"), "alt": "dance"},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    markdown = response.get_json()["markdown"]
    name = markdown.split("/uploads/")[1].rstrip(")")
    served = client.get(f"/uploads/{name}")
    assert served.status_code == 200 and served.mimetype == "image/gif"
    assert Image.open(io.BytesIO(served.get_data())).n_frames == 4
    served.close()


def test_too_many_frames_through_the_editors_upload_is_a_400_with_the_reason(app, client, login, pat, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_MAX_FRAMES", 2)
    login(pat)
    response = client.post("/blogs/images", data={"image": (io.BytesIO(_gif(3)), "long.gif")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "This animation has 3 frames; the most we take is 2. Please shorten it and try again.")  # fmt: skip
