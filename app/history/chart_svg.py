"""A series drawn as SVG coordinates: a step line, the zero line, the area below zero, stale gaps, and bands where
the sections or their hospital were limited or closed to ambulances (issue 21).

The page's CSP forbids inline styles, so the template uses SVG presentation attributes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.beds.interface import AdmissionStretch
from app.history.evolution import Series

WIDTH, HEIGHT = 900, 320
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 40


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Band:
    """A stretch of limited or closed admission over the plot; the template hatches it (never colour alone) and
    names its status and reason in its ``<title>``."""

    box: Box
    stretch: AdmissionStretch


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    line: str  # the polyline's points attribute
    zero_y: float
    below_zero: Box
    gaps: list[Box]
    negatives: list[tuple[float, float, int]]  # dots where the value is below zero
    low: int
    high: int
    left: int
    right: float
    top: int
    bottom: float
    since: datetime
    until: datetime
    bands: list[Band]


def draw(series: Series, since: datetime, until: datetime, stretches: list[AdmissionStretch] | None = None,
         now: datetime | None = None) -> Chart:
    """``stretches``: the admission periods over the range (one still in force is drawn up to ``now``)."""
    values = [point.value for point in series.points]
    low, high = min([0, *values]), max([1, *values])
    span = (until - since).total_seconds() or 1.0
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment: datetime) -> float:
        return round(LEFT + plot_width * (moment - since).total_seconds() / span, 1)

    def y(value: int) -> float:
        return round(TOP + plot_height * (high - value) / (high - low), 1)

    coordinates: list[str] = []
    for index, point in enumerate(series.points):
        if index:  # a step: the previous value holds until this moment
            coordinates.append(f"{x(point.at)},{y(series.points[index - 1].value)}")
        coordinates.append(f"{x(point.at)},{y(point.value)}")
    zero = y(0)
    bands = [Band(Box(x(start), TOP, max(1.0, x(end) - x(start)), plot_height), stretch)
             for stretch in stretches or []
             for start, end in [(max(since, stretch.started_at), min(until, stretch.end(now or until)))]
             if start < end]
    return Chart(
        width=WIDTH, height=HEIGHT, line=" ".join(coordinates), zero_y=zero,
        below_zero=Box(LEFT, zero, plot_width, TOP + plot_height - zero),
        gaps=[Box(x(gap.start), TOP, max(1.0, x(gap.end) - x(gap.start)), plot_height) for gap in series.gaps],
        negatives=[(x(point.at), y(point.value), point.value) for point in series.points if point.value < 0],
        low=low, high=high, left=LEFT, right=WIDTH - RIGHT, top=TOP, bottom=TOP + plot_height,
        since=since, until=until, bands=bands)
