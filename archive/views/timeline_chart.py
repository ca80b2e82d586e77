"""Geometry of the timeline drawn as server-side SVG: an overview of every year and a focus
view in which crowded years get the room they need.

Events are not spread evenly over time: the seed has one event in 1789 and seventeen in
1989. A linear axis from 1789 to 1992 leaves 1989–91 a few pixels wide, so the focus view
gives each year a width proportional to a small base plus the number of events in it (a
"focus + context" axis; the year bands are drawn and labelled, so the distortion is seen,
not hidden). The overview underneath keeps a linear axis of the whole span, with one link
per decade to focus on it.

Everything here is plain arithmetic on dates, kept apart from the view so it can be tested
alone; the templates ``includes/timeline_focus.html`` and ``includes/timeline_overview.html``
draw what it returns. Two widths are laid out, one for wide screens and one for phones
(the stylesheet shows one), so that text and marks stay readable at 390 px without
horizontal scrolling.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: A year without events still gets this share of a year with one, so gaps stay visible.
EMPTY_YEAR_WEIGHT = 0.25
#: Shortest drawn interval, in SVG units: anything shorter is drawn as a point.
POINT_WIDTH = 8.0


@dataclass(frozen=True)
class Layout:
    """Sizes of one rendering (wide screens or phones), in SVG user units (≈ CSS px)."""

    width: int
    label_width: int  # room for the kind labels left of the bands (0: labels above)
    lane_height: int = 22
    band_gap: int = 8
    axis_height: int = 34
    min_label_gap: int = 34  # do not label two year bands closer than this


WIDE = Layout(width=960, label_width=150)
NARROW = Layout(width=380, label_width=0, lane_height=24, band_gap=6, min_label_gap=40)


@dataclass
class EventPoint:
    """What the chart needs of an event: its id, bounds and kind, and how to name it."""

    pk: int
    title: str
    url: str
    kind: str
    kind_label: str
    date_text: str
    start: dt.date | None
    end: dt.date | None


@dataclass
class Mark:
    event: EventPoint
    x: float
    width: float  # 0 for a point
    y: float
    lane: int

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def is_point(self) -> bool:
        return self.width == 0

    @property
    def bar_y(self) -> float:
        return round(self.y - 5, 1)

    @property
    def hit_y(self) -> float:
        return round(self.y - 9, 1)


@dataclass
class Band:
    kind: str
    label: str
    y: float
    height: float
    label_y: float
    marks: list[Mark] = field(default_factory=list)


@dataclass
class YearBand:
    year: int
    x: float
    width: float
    count: int
    label: bool
    shade: bool

    @property
    def label_x(self) -> float:
        return round(self.x + 2, 1)


class WeightedScale:
    """Years ``first``..``last`` laid out left to right, each as wide as its weight."""

    def __init__(self, first: int, last: int, counts: dict[int, int], x0: float, x1: float):
        self.first, self.last = first, last
        weights = [EMPTY_YEAR_WEIGHT + counts.get(y, 0) for y in range(first, last + 1)]
        total = sum(weights)
        self.starts: list[float] = []
        position = x0
        for weight in weights:
            self.starts.append(position)
            position += (x1 - x0) * weight / total
        self.starts.append(x1)

    def year_span(self, year: int) -> tuple[float, float]:
        i = min(max(year - self.first, 0), len(self.starts) - 2)
        return self.starts[i], self.starts[i + 1]

    def x(self, day: dt.date, *, end: bool = False) -> float:
        """Position of ``day`` (its end, if ``end``); clamped to the scale."""
        if day.year < self.first:
            return self.starts[0]
        if day.year > self.last:
            return self.starts[-1]
        left, right = self.year_span(day.year)
        days = 366 if day.year % 4 == 0 and (day.year % 100 or day.year % 400 == 0) else 365
        fraction = (day.timetuple().tm_yday - (0 if end else 1)) / days
        return left + (right - left) * fraction


def focus_chart(
    events: Sequence[EventPoint],
    kinds: Sequence[tuple[str, str]],
    first: int,
    last: int,
    layout: Layout,
) -> dict[str, Any]:
    """Bands by kind (only kinds present), each event a mark in the first free lane of its
    band; year bands weighted by how many events each year holds."""
    counts = year_counts(events, first, last)
    x0, x1 = layout.label_width + 4, layout.width - 6
    scale = WeightedScale(first, last, counts, x0, x1)
    present = {e.kind for e in events}
    bands: list[Band] = []
    y = 6.0
    for kind, label in kinds:
        if kind not in present:
            continue
        label_y = y + 14
        if not layout.label_width:  # phones: the kind's name above its band
            y += 16
        lanes: list[float] = []  # right edge of the last mark in each lane
        marks = []
        for event in sorted(
            (e for e in events if e.kind == kind), key=lambda e: (e.start or dt.date.min, e.pk)
        ):
            start = event.start or dt.date(first, 1, 1)
            end = event.end or dt.date(last, 12, 31)
            left, right = scale.x(start), scale.x(end, end=True)
            width = right - left
            if width < POINT_WIDTH:
                left, width = (left + right) / 2 - POINT_WIDTH / 2, 0.0
            extent_right = left + max(width, POINT_WIDTH) + 3
            lane = next((i for i, edge in enumerate(lanes) if edge <= left), len(lanes))
            if lane == len(lanes):
                lanes.append(extent_right)
            else:
                lanes[lane] = extent_right
            marks.append(Mark(event, round(left, 1), round(width, 1), 0.0, lane))
        height = max(len(lanes), 1) * layout.lane_height
        for mark in marks:
            mark.y = round(y + mark.lane * layout.lane_height + layout.lane_height / 2, 1)
        bands.append(Band(kind, label, round(y, 1), height, round(label_y, 1), marks))
        y += height + layout.band_gap
    chart_bottom = y
    spans = {year: scale.year_span(year) for year in range(first, last + 1)}
    labelled = _year_labels(spans, layout.min_label_gap)
    years = [
        YearBand(year, round(left, 1), round(right - left, 2), counts.get(year, 0),
                 label=year in labelled, shade=(year - first) % 2 == 1)
        for year, (left, right) in spans.items()
    ]  # fmt: skip
    return {
        "width": layout.width,
        "height": round(chart_bottom + layout.axis_height, 1),
        "bands": bands,
        "years": years,
        "axis_y": round(chart_bottom, 1),
        "tick_y": round(chart_bottom + 5, 1),
        "label_y": round(chart_bottom + 20, 1),
        "chart_top": 0,
        "x0": x0,
        "labels_left": bool(layout.label_width),
        "first": first,
        "last": last,
        "count": len(events),
    }


@dataclass
class DecadeLink:
    decade: int
    x: float
    width: float
    count: int
    label: bool
    current: bool

    @property
    def label_x(self) -> float:
        return round(self.x + 2, 1)


@dataclass
class OverviewBar:
    year: int
    x: float
    y: float
    width: float
    height: float
    count: int


def overview_chart(
    counts: dict[int, int], focus: tuple[int, int] | None, layout: Layout, height: int = 64
) -> dict[str, Any]:
    """The whole span on a linear axis: events per year as bars, one link per decade."""
    if not counts:
        return {"bars": [], "decades": []}
    first, last = min(counts), max(counts)
    first_decade, last_decade = first - first % 10, last - last % 10
    years = last_decade + 10 - first_decade
    x0, x1 = 4, layout.width - 4
    per_year = (x1 - x0) / years
    top = max(counts.values())
    bottom = height - 20
    bars = []
    for year, n in sorted(counts.items()):
        h = max((bottom - 6) * (n / top) ** 0.5, 2)
        x = x0 + (year - first_decade) * per_year
        bars.append(
            OverviewBar(
                year,
                round(x, 1),
                round(bottom - h, 1),
                round(max(per_year, 1.2), 2),
                round(h, 1),
                n,
            )
        )
    decades = []
    decade_width = per_year * 10
    step = 1
    while decade_width * step < 44:  # label every decade, or every 2nd, 5th… as room allows
        step = {1: 2, 2: 5, 5: 10}.get(step, step * 2)
    by_decade = Counter()
    for year, n in counts.items():
        by_decade[year - year % 10] += n
    for decade in range(first_decade, last_decade + 1, 10):
        current = focus is not None and focus == (decade, decade + 9)
        decades.append(
            DecadeLink(
                decade,
                round(x0 + (decade - first_decade) * per_year, 1),
                round(decade_width, 2),
                by_decade.get(decade, 0),
                label=((decade - first_decade) // 10) % step == 0,
                current=current,
            )
        )
    focus_box = None
    if focus is not None:
        left = x0 + (max(focus[0], first_decade) - first_decade) * per_year
        right = x0 + (min(focus[1], last_decade + 9) + 1 - first_decade) * per_year
        focus_box = {"x": round(left, 1), "width": round(max(right - left, 2), 1)}
    return {
        "width": layout.width,
        "height": height,
        "bars": bars,
        "decades": decades,
        "axis_y": bottom,
        "tick_y": bottom + 5,
        "label_y": height - 5,
        "focus": focus_box,
        "first": first,
        "last": last,
    }


def _year_labels(spans: dict[int, tuple[float, float]], gap: float) -> set[int]:
    """Which years to label on the axis: the years wide enough to hold a label first (the
    crowded ones, which matter most), then the first year of each decade and the first
    year shown, each only where it keeps ``gap`` from every label already placed."""
    first = min(spans)
    wide = sorted((y for y, (a, b) in spans.items() if b - a >= 26), key=lambda y: spans[y][0])
    decades = [y for y in spans if y % 10 == 0 and y not in wide]
    placed: list[float] = []
    chosen: set[int] = set()
    for year in [*wide, first, *decades]:
        x = spans[year][0]
        if year in chosen or any(abs(x - other) < gap for other in placed):
            continue
        placed.append(x)
        chosen.add(year)
    return chosen


def year_counts(events: Iterable[EventPoint], first: int, last: int) -> dict[int, int]:
    """Events per year within first..last, an event counted in each year it spans."""
    counts: Counter[int] = Counter()
    for event in events:
        start = (event.start or dt.date(first, 1, 1)).year
        end = (event.end or event.start or dt.date(last, 12, 31)).year
        for year in range(max(start, first), min(end, last) + 1):
            counts[year] += 1
    return dict(counts)
