"""The geometry of a resource's load chart, drawn by the template as inline SVG (no chart library):
one bar per working day, this project's demand stacked under the other projects', a dashed line at
the capacity, over-allocated days in red, a few date ticks and two value labels.

Numbers only; the template adds the colours and the words. Kept apart from the views so the
arithmetic is read and tested in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from clientpm.resources.services import units_text

WIDTH = 720
HEIGHT = 150
LEFT = 34  # room for the value labels
RIGHT = 6
TOP = 8
BOTTOM = 20  # room for the date ticks
MAX_TICKS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float  # top of this project's part
    height: float
    other_y: float  # top of the other projects' part (stacked above)
    other_height: float
    over: bool
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class LoadChart:
    width: int
    height: int
    left: int
    right: float  # x of the plot's right edge
    top: int
    bottom: float  # y of the baseline (zero)
    bars: list[Bar]
    plot_height: float
    capacity_y: float
    capacity_label: str
    ticks: list[Tick]


def _round(value: float) -> float:
    return round(value, 2)


def load_chart(days: list[date], demand: list[float], other: list[float], capacity: Decimal) -> LoadChart:
    """The chart of one resource's daily ``demand`` (this project) and ``other`` (other projects)
    over ``days``, against ``capacity``; a day is over-allocated when the two together exceed it."""
    cap = float(capacity)
    totals = [a + b for a, b in zip(demand, other, strict=True)]
    top_value = max([cap, *totals]) * 1.15 or 1.0
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    base = HEIGHT - BOTTOM
    n = len(days)
    step = plot_width / n if n else plot_width
    gap = step * 0.15 if step >= 4 else 0.0

    def y_of(value: float) -> float:
        return base - value / top_value * plot_height

    bars = []
    for i, day in enumerate(days):
        mine, theirs, total = demand[i], other[i], totals[i]
        over = round(total, 2) > cap
        y_mine = y_of(mine)
        y_total = y_of(total)
        title = _("%(date)s: %(total)s of %(capacity)s (this project %(mine)s, other projects %(other)s)") % {
            "date": day.isoformat(),
            "total": units_text(round(total, 2)),
            "capacity": units_text(capacity),
            "mine": units_text(round(mine, 2)),
            "other": units_text(round(theirs, 2)),
        }
        bars.append(
            Bar(
                x=_round(LEFT + i * step + gap / 2),
                width=_round(max(step - gap, 0.5)),
                y=_round(y_mine),
                height=_round(base - y_mine),
                other_y=_round(y_total),
                other_height=_round(y_mine - y_total),
                over=over,
                title=title,
            )
        )
    count = min(n, MAX_TICKS)
    positions = sorted({round(k * (n - 1) / (count - 1)) for k in range(count)}) if count > 1 else [0] * count
    ticks = [Tick(x=_round(LEFT + (i + 0.5) * step), label=days[i].strftime("%m-%d")) for i in positions]
    return LoadChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=base,
        bars=bars,
        plot_height=plot_height,
        capacity_y=_round(y_of(cap)),
        capacity_label=units_text(capacity),
        ticks=ticks,
    )
