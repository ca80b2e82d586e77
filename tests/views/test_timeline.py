"""The timeline: a focus chart that gives crowded years room, clickable marks, a jump by
decade, bands by kind, and the text list beneath it."""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise

import pytest

from archive import models
from archive.views.timeline_chart import NARROW, WIDE, EventPoint, focus_chart, overview_chart
from tests.seed import seed_collection

pytestmark = pytest.mark.django_db


def point(pk: int, start: dt.date, end: dt.date | None = None, kind: str = "strike"):
    return EventPoint(
        pk=pk, title=f"Event {pk}", url=f"/events/e{pk}/", kind=kind, kind_label=kind.title(),
        date_text=str(start), start=start, end=end or start,
    )  # fmt: skip


def test_crowded_years_get_room_and_marks_never_overlap():
    events = [point(i, dt.date(1989, 1 + i % 12, 1 + i)) for i in range(12)]
    events += [point(100, dt.date(1789, 7, 14), kind="protest")]
    events += [point(101, dt.date(1980, 8, 14), dt.date(1981, 12, 13), kind="strike")]
    chart = focus_chart(events, models.Event.Kind.choices, 1789, 1992, WIDE)
    widths = {y.year: y.width for y in chart["years"]}
    assert widths[1989] > 20 * widths[1850]  # an empty year stays visible, narrow
    assert widths[1989] > widths[1789] > widths[1850]
    assert [b.kind for b in chart["bands"]] == ["protest", "strike"]  # the kinds present
    marks = [m for b in chart["bands"] for m in b.marks]
    assert sorted(m.event.pk for m in marks) == sorted(e.pk for e in events)
    strikes = next(b for b in chart["bands"] if b.kind == "strike").marks
    interval = next(m for m in strikes if m.event.pk == 101)
    assert not interval.is_point and interval.width > 8  # a span is drawn as a bar
    for lane in {m.lane for m in strikes}:  # marks in one lane do not touch
        row = sorted((m for m in strikes if m.lane == lane), key=lambda m: m.x)
        for a, b in pairwise(row):
            assert a.x + max(a.width, 8) <= b.x
    for m in marks:  # everything inside the drawing
        assert chart["x0"] <= m.x and m.x + m.width <= WIDE.width
    labels = sorted((y for y in chart["years"] if y.label), key=lambda y: y.x)
    assert {1789, 1989} <= {y.year for y in labels}
    for a, b in pairwise(labels):  # year labels never collide
        assert b.x - a.x >= WIDE.min_label_gap


def test_the_phone_layout_fits_390_px_and_keeps_the_kind_labels():
    events = [point(i, dt.date(1989, 1 + i % 12, 1)) for i in range(30)]
    chart = focus_chart(events, models.Event.Kind.choices, 1980, 1989, NARROW)
    assert chart["width"] <= 390 and not chart["labels_left"]
    assert all(m.x + m.width <= NARROW.width for b in chart["bands"] for m in b.marks)


def test_the_overview_links_every_decade_and_marks_the_focus():
    chart = overview_chart({1789: 1, 1917: 3, 1989: 17}, (1980, 1989), WIDE)
    decades = [d.decade for d in chart["decades"]]
    assert decades[0] == 1780 and decades[-1] == 1980 and len(decades) == 21
    assert [d.decade for d in chart["decades"] if d.current] == [1980]
    assert chart["focus"]["width"] > 0


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), seed_collection():
        yield


def test_seed_timeline_gives_1989_room_and_every_mark_opens_its_event(client, seed):
    html = client.get("/timeline/").content.decode()
    wide = re.search(r'<svg class="tl-focus tl-wide timeline-svg".*?</svg>', html, re.S)[0]
    links = re.findall(r'<a href="(/events/[^"]+/)" class="tl-mark"', wide)
    assert len(links) == models.Event.objects.public().count()
    assert client.get(links[0]).status_code == 200
    years = {
        int(year): float(width)
        for year, width in re.findall(r'data-year="(\d+)" x="[\d.]+" y="0" width="([\d.]+)"', wide)
    }
    assert min(years) == 1789 and max(years) >= 1992
    # 1989 holds the most events of the seed: it gets room, an empty year very little.
    assert years[1989] == max(years.values())
    assert years[1989] > 20 * years[1850]
    # No "(printed: …)" repeated on every entry of the list; dates in words.
    assert "printed" not in html
    assert "9 November 1989" in html


def test_a_decade_focuses_the_chart_and_the_list(client, seed):
    html = client.get("/timeline/?decade=1980").content.decode()
    assert "<h1>Timeline: the 1980s</h1>" in html
    assert "Events 1980–1989, by kind" in html
    listed = re.findall(r'<span class="event-date">([^<]+)</span>', html)
    assert listed and all("198" in d for d in listed), listed
    assert '<a href="?decade=1980#timeline-chart" aria-current="true">1980s</a>' in html
    assert "/api/events/?decade=1980" in html  # the data link lists the same events
    assert client.get("/timeline/?decade=1985").status_code == 400
    assert client.get("/timeline/?decade=soon").status_code == 400


def test_kind_filters_the_chart_and_the_list(client, seed):
    html = client.get("/timeline/?kind=strike").content.decode()
    bands = re.findall(r'<g class="tl-band k-([a-z]+)">', html)
    assert set(bands) == {"strike"}
    n = models.Event.objects.public().filter(kind="strike").count()
    assert len(re.findall(r'<span class="tag k-strike">', html)) == n
    assert client.get("/timeline/?kind=picnic").status_code == 400


def test_the_home_page_overview_links_decades_to_the_timeline(client, seed):
    html = client.get("/").content.decode()
    assert 'href="/timeline/?decade=1980#timeline-chart"' in html
    assert "Events per year" in html


def test_the_whole_list_folds_by_decade_a_chosen_decade_does_not(client, seed):
    html = client.get("/timeline/").content.decode()
    fold = (
        r'<details class="timeline-decade"><summary><span class="decade-name">The (\d{4})s'
        r'</span> <span class="count">(\d+) events?</span>'
    )
    folds = re.findall(fold, html)
    assert ("1980", "24") in folds
    assert sum(int(n) for _, n in folds) == models.Event.objects.public().count()
    assert "<details" not in client.get("/timeline/?decade=1980").content.decode()
