"""Server-side chart geometry: the template draws accessible SVG from it (no JavaScript, no library)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from community.i18n import format_day
from community.services.dashboard import Week

WIDTH, HEIGHT = 720, 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 16, 16, 36
# A phone draws its own, narrower chart: the wide one shrunk to 350 px would set its labels at 5 px.
PHONE_WIDTH, PHONE_HEIGHT, PHONE_LABELS = 360, 240, 5


@dataclass
class Segment:
    series: str
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass
class Chart:
    width: int
    height: int
    pad_left: int = PAD_LEFT
    pad_right: int = PAD_RIGHT
    segments: list[Segment] = field(default_factory=list)
    line: str = ""  # SVG points of the active-members line
    points: list[tuple[float, float, int]] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    baseline: float = 0.0
    empty: bool = True


SERIES = (("topics", _l("New topics")), ("replies", _l("Replies, answers and comments")))


def _nice_max(value: int) -> int:
    for step in (4, 8, 20, 40, 80, 200, 400, 800, 2000, 4000, 8000, 20000, 40000, 80000):
        if value <= step:
            return step
    return value


def weekly_chart(weeks: list[Week], width: int = WIDTH, height: int = HEIGHT, max_labels: int = 8) -> Chart:
    """Stacked bars (new topics; replies) per week, and a line of active members; at most ``max_labels`` dates
    under the bars (they must not overlap)."""
    chart = Chart(width, height)
    if not weeks:
        return chart
    stacks = [(w.discussions + w.questions + w.blog_posts, w.replies + w.answers + w.comments) for w in weeks]
    top = _nice_max(max([a + b for a, b in stacks] + [w.active_members for w in weeks] + [1]))
    chart.empty = all(a + b == 0 for a, b in stacks)
    inner_w = width - PAD_LEFT - PAD_RIGHT
    inner_h = height - PAD_TOP - PAD_BOTTOM
    chart.baseline = PAD_TOP + inner_h
    slot = inner_w / len(weeks)
    bar = max(4.0, slot * 0.6)

    def y_of(value: float) -> float:
        return PAD_TOP + inner_h - inner_h * value / top

    for i, ((topics, replies), week) in enumerate(zip(stacks, weeks, strict=True)):
        x = PAD_LEFT + slot * i + (slot - bar) / 2
        bottom = 0
        for (series, _label), value in zip(SERIES, (topics, replies), strict=True):
            if value:
                chart.segments.append(Segment(series, round(x, 1), round(y_of(bottom + value), 1), round(bar, 1),
                                              round(y_of(bottom) - y_of(bottom + value), 1), value))  # fmt: skip
            bottom += value
        cx = PAD_LEFT + slot * i + slot / 2
        chart.points.append((round(cx, 1), round(y_of(week.active_members), 1), week.active_members))
        every = -(-len(weeks) // max_labels)  # rounded up
        if i % every == 0:
            chart.x_labels.append((round(cx, 1), format_day(week.start, "dd MMM")))
    chart.line = " ".join(f"{x},{y}" for x, y, _v in chart.points)
    chart.y_ticks = [(round(y_of(top * k / 4), 1), top * k // 4) for k in range(5)]
    return chart


def phone_chart(weeks: list[Week]) -> Chart:
    """The same chart drawn for a phone's width."""
    return weekly_chart(weeks, PHONE_WIDTH, PHONE_HEIGHT, PHONE_LABELS)
