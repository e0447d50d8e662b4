"""Demo images for ``community seed-demo`` (its ``plan_images`` step): Hannah (``p0``) draws a chart of her
cohort's progress into her profile, and keeps a small animated GIF in her image library, not yet in a post.
Made with Pillow at seed time (nothing binary in the repo), uploaded through the services."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any


def _chart() -> bytes:
    """A bar chart: modules done per week."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 360), (248, 250, 252))
    draw = ImageDraw.Draw(image)
    for i, value in enumerate((2, 3, 5, 4, 6, 8)):
        x = 60 + i * 95
        draw.rectangle((x, 320 - value * 35, x + 60, 320), fill=(31, 95, 191))
    draw.line((40, 320, 620, 320), fill=(29, 36, 48), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _spinner() -> bytes:
    """A dot going round: eight frames, looping."""
    from PIL import Image, ImageDraw

    frames = []
    for i in range(8):
        frame = Image.new("RGB", (120, 120), (255, 255, 255))
        draw = ImageDraw.Draw(frame)
        dx, dy = [(0, -40), (28, -28), (40, 0), (28, 28), (0, 40), (-28, 28), (-40, 0), (-28, -28)][i]
        draw.ellipse((60 + dx - 10, 60 + dy - 10, 60 + dx + 10, 60 + dy + 10), fill=(15, 123, 95))
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=90, loop=0)
    return out.getvalue()


def plan_images(demo: Any) -> list[Callable[[], None]]:
    """One task: Hannah's chart in her bio, and an animated GIF in her library."""

    def make() -> None:
        from community.services import media, members

        hannah = demo.person("p0")
        _upload, markdown = media.upload_inline_image(hannah, io.BytesIO(_chart()), "My modules, week by week")
        members.update_profile(
            hannah, hannah, display_name=hannah.display_name, headline=hannah.headline or "",
            bio=f"{hannah.bio or ''}\n\n{markdown}".strip(), organisation=hannah.organisation or "",
            programme=hannah.programme or "",
        )  # fmt: skip
        media.upload_inline_image(hannah, io.BytesIO(_spinner()), "Thinking")

    return [make]
