"""The dashboard's per-unit view: for each unit of the programmes the scope's groups follow, the questions
asked in the period, how many wait for an answer, the median time to a first answer and the peer-answer rate.

Three queries whatever the data: the units, one aggregation grouped by unit, and the (asked, first answer)
pairs of the answered questions for the medians. Only live questions count, as everywhere on the dashboard.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.models import Topic, Unit
from community.services.dashboard import Scope, _in_scope, _live_topic


@dataclass
class UnitRow:
    """One unit's figures for the period."""

    unit: Unit
    asked: int = 0
    unanswered: int = 0
    answered: int = 0
    first_by_peer: int = 0
    median_hours: float | None = None

    @property
    def peer_rate(self) -> float | None:
        return self.first_by_peer / self.answered if self.answered else None

    @property
    def unanswered_rate(self) -> float:
        return self.unanswered / self.asked if self.asked else 0.0


def unit_rows(scope: Scope) -> list[UnitRow]:
    """Per unit of the programmes followed in scope (the whole community: every unit), in programme order."""
    query = select(Unit).options(joinedload(Unit.programme)).order_by(Unit.programme_id, Unit.position, Unit.code)
    if not scope.whole_community:
        programme_ids = sorted({g.programme_id for g in scope.groups if g.programme_id is not None})
        if not programme_ids:
            return []
        query = query.where(Unit.programme_id.in_(programme_ids))
    units = list(db.session.scalars(query))
    if not units:
        return []
    rows = {u.id: UnitRow(u) for u in units}
    where = and_(_live_topic(), Topic.kind == "question", Topic.unit_id.in_(list(rows)),
                 _in_scope(scope, Topic.group_id), Topic.created_at >= scope.start,
                 Topic.created_at < scope.end)  # fmt: skip
    counts = db.session.execute(
        select(
            Topic.unit_id,
            func.count(),
            func.count().filter(Topic.first_answer_at.is_(None), Topic.closed_at.is_(None)),
            func.count(Topic.first_answer_at),
            func.count().filter(Topic.first_answer_by_role == "participant"),
        ).where(where).group_by(Topic.unit_id)
    )
    for unit_id, asked, unanswered, answered, by_peer in counts:
        row = rows[unit_id]
        row.asked, row.unanswered, row.answered, row.first_by_peer = asked, unanswered, answered, by_peer
    hours: dict[int, list[float]] = {}
    pairs = db.session.execute(
        select(Topic.unit_id, Topic.created_at, Topic.first_answer_at).where(where, Topic.first_answer_at.is_not(None))
    )
    for unit_id, asked_at, answered_at in pairs:
        hours.setdefault(unit_id, []).append((answered_at - asked_at).total_seconds() / 3600)
    for unit_id, values in hours.items():
        rows[unit_id].median_hours = statistics.median(values)
    return list(rows.values())


@dataclass
class Bar:
    """One unit's bar in the chart: answered and waiting parts, in SVG units."""

    row: UnitRow
    y: float
    answered_width: float
    waiting_width: float


CHART_WIDTH, ROW_HEIGHT, LABEL_WIDTH, VALUE_WIDTH = 640, 28, 90, 70


def unit_bars(rows: list[UnitRow]) -> list[Bar]:
    """Horizontal bars per unit (questions asked; the waiting part darker), scaled to the busiest unit."""
    top = max((r.asked for r in rows), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    return [Bar(r, i * ROW_HEIGHT, room * (r.asked - r.unanswered) / top, room * r.unanswered / top)
            for i, r in enumerate(rows)]  # fmt: skip
