"""Search that helps, in a real browser: a misspelt query typed into the search box offers
"did you mean", the suggestion leads to results; the page without hits is readable at
1280 and 390 px (screenshots, no sideways scrolling, no axe-core violations); and every page
type has exactly one search box, with a label."""

from __future__ import annotations

import re

import pytest

from tests.browser.checks import WIDER_THAN_VIEWPORT, axe_faults
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.engine_independent]

SHOTS = SCREENSHOTS / "search-help"
WIDTHS = (("desktop", 1280, 900), ("phone", 390, 844))
#: A misspelling of a word of the seed collection ("stalinism", a letter dropped).
MISSPELT, MEANT = "stalnism", "stalinism"


def test_a_misspelt_query_leads_through_did_you_mean_to_results(page, site):
    page.goto("/search/")
    box = page.get_by_role("search").get_by_role("searchbox", name="Search articles and names")
    box.fill(MISSPELT)
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/search/\?q={MISSPELT}"))
    assert page.locator("li.hit").count() == 0
    assert "No articles" in page.locator("#results-h").inner_text()
    # No data links for an empty list.
    assert page.locator("a[href*='format=csv'], a[href*='format=json']").count() == 0
    suggestion = page.locator(".did-you-mean").get_by_role("link", name=MEANT)
    assert suggestion.count() == 1
    promised = int(re.search(r"\((\d+) article", page.locator(".did-you-mean").inner_text())[1])
    suggestion.click()
    page.wait_for_url(re.compile(rf"/search/\?q={MEANT}(&|$)"))
    hits = page.locator("li.hit")
    assert hits.count() == min(promised, 20) > 0
    assert page.locator("li.hit mark").count() >= 1
    assert page.locator(".search-help").count() == 0
    assert page.locator("a[href*='format=csv']").count() == 1


def test_a_misspelt_name_offers_its_page(page, site):
    name = site["targets"]["_busiest"]
    surname = name.split()[-1]
    # Two neighbouring letters swapped, inside the surname.
    wrong = surname[:2] + surname[3] + surname[2] + surname[4:]
    page.goto(f"/search/?q={wrong}")
    names = page.locator(".search-help .names")
    link = names.get_by_role("link", name=name, exact=True)
    assert link.count() == 1
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    assert page.locator("h1").inner_text() == name


def test_the_page_without_hits_at_desktop_and_phone_width(page, site, axe_source):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # A misspelling, a word matching nothing and a filter: every kind of help at once.
    url = f"/search/?q={MISSPELT}+zzqxwv&decade=1800"
    for label, width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(url)
        assert response.status == 200
        assert page.locator(".search-help").count() == 1
        assert page.locator(".search-help a").count() >= 1
        too_wide = page.evaluate(WIDER_THAN_VIEWPORT)
        assert too_wide == [], (label, too_wide)
        path = SHOTS / f"search-nothing-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 2000
        found = axe_faults(page, axe_source, width=width)
        assert found == [], "\n".join(found)


def test_every_page_type_has_one_labelled_search_box(page, site):
    targets = {k: v for k, v in site["targets"].items() if not k.startswith("_")}
    targets.update({"search-empty": "/search/", "search-nothing": f"/search/?q={MISSPELT}"})
    targets.update({"map": "/map/", "downloads": "/downloads/"})
    for name, url in targets.items():
        page.goto(url)
        landmarks = page.get_by_role("search")
        assert landmarks.count() == 1, (name, landmarks.count())
        box = landmarks.get_by_role("searchbox")
        assert box.count() == 1, name
        label = box.evaluate("e => [...e.labels].map(l => l.innerText.trim()).join(' ')")
        assert label, name
        assert page.locator("form[action='/search/']").count() == 1, name
