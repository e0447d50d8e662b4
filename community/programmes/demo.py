"""Demo programme for ``community seed-demo``: the CIPD Level 5 diploma's units, followed by the cohort and
the study set (``plan_programmes``, before the questions, which name units); and, once everything is in place,
peers first switched on in the cohort (``plan_peers_first``), so the dashboard shows its windows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

PROGRAMME = ("CIPD Level 5 Associate Diploma in People Management", "cipd-level-5",
             "The units our cohorts work through, in order.")  # fmt: skip
UNITS = [
    ("5CO01", "Organisational performance and culture in practice", date(2026, 3, 2), date(2026, 4, 26)),
    ("5CO02", "Evidence-based practice", date(2026, 4, 27), date(2026, 6, 7)),
    ("5CO03", "Professional behaviours and valuing people", date(2026, 6, 8), date(2026, 7, 19)),
    ("5HR01", "Employment relationship management", None, None),
]
FOLLOWERS = ("cohort", "study")
PEERS_FIRST_HOURS = 24


def plan_programmes(demo: Any) -> list[Callable[[], None]]:
    """The programme and its units, followed by the cohort groups."""
    return [lambda: _programme(demo)]


def _programme(demo: Any) -> None:
    from community.services import programmes

    admin = demo.admin
    name, slug, description = PROGRAMME
    programme = programmes.create_programme(admin, name=name, slug=slug, description=description)
    for code, title, starts, ends in UNITS:
        unit = programmes.add_unit(admin, programme, code=code, title=title, starts_on=starts, ends_on=ends)
        demo.units[code] = unit.id
    for key in FOLLOWERS:
        programmes.set_group_programme(admin, demo.groups[key], programme.id)


def plan_peers_first(demo: Any) -> list[Callable[[], None]]:
    """Peers first in the cohort (set last: the seeded answers were written before it was on)."""
    return [lambda: _peers_first(demo)]


def _peers_first(demo: Any) -> None:
    from community.extensions import db
    from community.models import Group

    group = db.session.get(Group, demo.groups["cohort"].id)
    group.peers_first_hours = PEERS_FIRST_HOURS
    db.session.commit()
