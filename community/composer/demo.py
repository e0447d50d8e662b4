"""Demo drafts for ``community seed-demo`` (its ``plan_drafts`` step): p0, the first demo participant, left a
reply half-written in the first discussion and a new bio, so the composer offers them back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REPLY = ("Thanks for starting this. What helped me most was writing the three questions down before the "
         "interview, then")  # fmt: skip
BIO = "HR advisor in a hospital trust, in my first year of the CIPD Level 5 programme. I'm interested in"


def plan_drafts(demo: Any) -> list[Callable[[], None]]:
    """One task: p0's unfinished reply on the first demo discussion and their unfinished bio."""

    def make() -> None:
        from community.services.drafts import draft_key, save_draft

        member = demo.person("p0")
        if demo.topics:
            save_draft(member, draft_key("reply", "topic", demo.topics[0].id), REPLY)
        save_draft(member, draft_key("bio"), BIO)

    return [make]
