"""The article reader's "Editorial changes (n)" in a real browser, at 1280 and 390 px: it
opens, lists exactly the importer's word repairs and the curator's emendations the database
holds (printed → corrected, kind, reason, who), overflows nothing and passes axe-core.
Screenshots go under artifacts/ (not committed)."""

from __future__ import annotations

import pytest

from tests.browser.checks import WIDER_THAN_VIEWPORT, axe_faults
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_readers import WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.engine_independent]

SHOTS = SCREENSHOTS / "readers"


def emended_article():
    """A seed article with emendations of the curator's and word repairs of the importer's."""
    from archive.models import Article

    return (
        Article.objects.public()
        .filter(emendations__kind="layout", repairs__kind="hyphenation")
        .select_related("issue__publication")
        .distinct()
        .order_by("position")
        .first()
    )


def test_editorial_changes_open_and_match_the_database(page, site, axe_source):
    from archive.models.emendations import editorial_changes

    article = emended_article()
    assert article is not None
    expected = editorial_changes(article)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        assert page.goto(article.get_absolute_url()).status == 200
        disclosure = page.locator("details.editorial-changes")
        summary = disclosure.locator("summary")
        assert summary.inner_text().strip() == f"Editorial changes ({len(expected)})"
        assert not disclosure.locator("ol").is_visible()  # closed until the reader opens it
        summary.click()
        assert disclosure.locator("ol").is_visible()
        items = disclosure.locator("li.change")
        assert items.count() == len(expected)
        shown = items.evaluate_all(
            """els => els.map(li => ({
                by: li.className.replace('change by-', ''),
                kind: li.querySelector('.kind').textContent,
                printed: li.querySelector('del').textContent,
                corrected: li.querySelector('ins').textContent,
                reason: li.querySelector('.reason').textContent,
            }))"""
        )
        assert shown == [
            {
                "by": change.by,
                "kind": change.kind,
                "printed": change.printed_shown or "(nothing)",
                "corrected": change.corrected_shown or "(nothing)",
                "reason": change.reason,
            }
            for change in expected.changes
        ]
        assert {item["by"] for item in shown} == {"importer", "curator"}
        assert page.evaluate(WIDER_THAN_VIEWPORT) == [], label
        found = axe_faults(page, axe_source, width=width)
        assert found == [], "\n".join(found)
        path = SHOTS / f"article-editorial-changes-{width}.png"
        disclosure.scroll_into_view_if_needed()
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 2000
