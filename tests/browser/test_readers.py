"""Readers' pages in a real browser: no axe-core violations at 1280 px or at a phone's 390 px,
dates in words, and the timeline's marks, the map's places and the network's nodes working as
links under the site's real Content-Security-Policy. (Every page type's screenshots and its
no-sideways-scrolling check at a 360 px phone are in test_browser.py.)"""

from __future__ import annotations

import re

import pytest

from tests.browser.checks import axe_faults

pytestmark = [pytest.mark.browser, pytest.mark.engine_independent]

WIDTHS = (("desktop", 1280, 900), ("phone", 390, 844))


#: EDTF as stored, which no reader should see in the page's own words.
RAW_DATE = re.compile(r"\b\d{4}[~%?]?(?:-\d{2}){1,2}\b|\b\d{4}~|\b\d{3}X\b|\b\d{4}/\d{4}\b")


def reader_pages(site) -> dict[str, str]:
    names = ("home", "publication", "issue", "article", "person", "place", "timeline",
             "timeline-decade", "map", "search", "search-nothing")  # fmt: skip
    return {name: site["targets"][name] for name in names}


@pytest.mark.parametrize(
    "name",
    ["home", "publication", "issue", "article", "person", "place", "timeline", "map",
     "search", "search-nothing"],
)  # fmt: skip
def test_axe_finds_no_violations(page, site, axe_source, name):
    url = reader_pages(site)[name]
    for _label, width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        found = axe_faults(page, axe_source, width=width)
        assert found == [], "\n".join(found)


def test_shown_dates_are_words(page, site):
    for name in ("publication", "issue", "article", "person", "timeline"):
        page.goto(reader_pages(site)[name])
        text = page.evaluate(
            """() => { const main = document.querySelector('main').cloneNode(true);
                 main.querySelectorAll('.text, blockquote, .curated').forEach(e => e.remove());
                 return main.innerText; }"""
        )
        assert RAW_DATE.findall(text) == [], name


@pytest.fixture
def strict_page(browser, site, db):
    """A page under the site's real Content-Security-Policy (no bypass)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site["url"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    yield page
    context.close()


def test_timeline_marks_name_and_open_their_events_under_the_csp(strict_page, site):
    page = strict_page
    page.goto("/timeline/?decade=1980")
    caption = page.locator(".tl-caption")
    resting = caption.inner_text()
    mark = page.locator("svg.tl-wide a.tl-mark").first
    title = mark.get_attribute("data-title")
    mark.hover()
    assert title in caption.inner_text() and caption.inner_text() != resting  # the script ran
    mark.click()
    page.wait_for_url(re.compile(r"/events/"))
    assert page.locator("h1").inner_text() == title
    assert page.errors == []  # nothing refused by the policy
    # At a phone's width the phone drawing is the one shown, and it is still a link.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/timeline/")
    assert page.locator("svg.tl-focus.tl-narrow").is_visible()
    assert not page.locator("svg.tl-focus.tl-wide").is_visible()
    page.locator("nav.decade-jump a", has_text="1980s").click()
    page.wait_for_url(re.compile(r"decade=1980"))
    assert page.locator("h1").inner_text() == "Timeline: the 1980s"


def test_map_places_and_network_nodes_are_links(strict_page, site):
    page = strict_page
    page.goto("/map/")
    assert page.locator("svg.map-svg image").count() == 1
    dot = page.locator("a.map-place").last  # drawn last: the smallest, on top of the others
    dot.click()
    page.wait_for_url(re.compile(r"/places/"))
    assert page.locator("figure.place-location svg").is_visible()
    page.goto(site["targets"]["person"])
    nodes = page.locator("svg.network-svg a.net-node")
    if nodes.count():
        href = nodes.first.get_attribute("href")
        nodes.first.click()
        page.wait_for_url(re.compile(re.escape(href) + "$"))
    assert page.errors == []


def test_a_reader_sends_a_correction(strict_page, site):
    from archive.models import Correction

    page = strict_page
    before = Correction.objects.count()
    page.goto(site["targets"]["article"])
    page.get_by_role("link", name=re.compile("Suggest a correction")).click()
    page.wait_for_url(re.compile(r"/corrections/new/"))
    page.wait_for_timeout(3200)  # a person reads before writing (the form's minimum time)
    page.get_by_label("What is wrong").fill("The dateline reads August 1991 on page 4.")
    page.get_by_role("button", name="Send to the curators").click()
    page.wait_for_url(re.compile(r"/corrections/thanks/"))
    assert page.locator("h1").inner_text() == "Thank you"
    assert Correction.objects.count() == before + 1
    Correction.objects.all().delete()
