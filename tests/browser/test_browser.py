"""The archive in a real browser: every page type renders, clicks lead where they should,
search finds and highlights, facets narrow, and no page has serious accessibility faults."""

from __future__ import annotations

import re

import pytest

from tests.browser.checks import WIDER_THAN_VIEWPORT, axe_faults
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.engine_independent]

PAGE_TYPES = [
    "home", "publications", "publication", "issue", "article", "people", "person",
    "organisations", "organisation", "places", "place", "timeline", "timeline-decade", "map",
    "event", "search", "search-nothing", "data", "not-found",
]  # fmt: skip


def test_every_page_type_renders_at_desktop_and_phone_width(page, site):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in PAGE_TYPES:
        url = site["targets"][name]
        for label, width, height in (("desktop", 1280, 900), ("phone", 360, 740)):
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(url)
            expected = 404 if name == "not-found" else 200
            assert response.status == expected, (name, response.status)
            assert page.locator("h1").count() == 1, name
            assert page.locator("main#main").count() == 1, name
            # Nothing wider than a phone screen: no sideways scrolling at 360 px.
            too_wide = page.evaluate(WIDER_THAN_VIEWPORT)
            assert too_wide == [], (name, label, too_wide)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        assert (SCREENSHOTS / f"{name}-phone.png").stat().st_size > 1000


def test_click_through_home_publication_issue_article_person_timeline(page, site):
    t = site["targets"]

    def follow(link, path: str) -> None:
        # A click returns once the next page starts loading; read it only once loaded.
        link.click()
        page.wait_for_url(re.compile(re.escape(path) + "$"))

    page.goto("/")
    follow(page.locator(f'main a[href="{t["publication"]}"]').first, t["publication"])
    follow(page.locator(f'main a[href="{t["issue"]}"]').first, t["issue"])
    follow(page.locator(f'main a[href="{t["article"]}"]').first, t["article"])
    assert page.locator("article h1").count() == 1
    follow(page.locator(f'.mentions-list a[href="{t["person"]}"]').first, t["person"])
    assert page.locator("h1").inner_text() == t["_person_name"]
    follow(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Timeline"),
        "/timeline/",
    )
    assert page.locator("svg.timeline-svg").count() == 1


def test_search_finds_highlights_and_facets_narrow(page, site):
    t = site["targets"]
    page.goto("/")
    page.locator("#home-q").fill(t["_busiest"].split()[-1].lower())
    page.locator("#home-q").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    hits = page.locator("li.hit")
    assert hits.count() >= 1
    assert page.locator("li.hit mark").count() >= 1
    heading = page.locator("#results-h").inner_text()
    total = int(re.search(r"(\d+) article", heading).group(1))
    # a facet value covering fewer than all results narrows to exactly its count
    for link in page.locator(".facets a").all():
        count = int(re.search(r"\((\d+)\)", link.inner_text()).group(1))
        if count < total:
            link.click()
            page.wait_for_load_state()
            narrowed = page.locator("#results-h").inner_text()
            assert int(re.search(r"(\d+) article", narrowed).group(1)) == count
            assert page.locator('.facets a[aria-current="true"]').count() == 1
            break
    else:
        pytest.fail("no facet value narrows the results")


def test_keyboard_user_can_skip_to_content(page, site):
    page.goto(site["targets"]["article"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_serious_accessibility_violations(page, site, axe_source, name):
    page.goto(site["targets"][name])
    serious = axe_faults(page, axe_source, serious=True)
    assert serious == [], "\n".join(serious)
