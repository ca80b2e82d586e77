"""Headless Chromium against a live server, one browser and one server per module.

Debian's ``chromium`` is driven by Playwright (``executable_path``; no browser download).
Without it the tests skip with one line, unless REQUIRE_BROWSER=1, when that is a failure.

The server is pytest-django's live-server helper started once per module (not the
function-scoped ``live_server`` set-up, which would flush the whole database after every
test); the module's data is written once and removed again at the end.

Every module here is marked ``engine_independent``: what a browser checks (layout, scripts,
forms, accessibility) is the same on both databases, whose differences are tested without a
browser, so the test command runs these in its SQLite pass only (scripts/test.sh).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Each pass of the test command (SQLite, PostgreSQL) runs at the same time: its own folder.
SCREENSHOTS = ROOT / "artifacts" / "screenshots" / os.environ.get("TEST_PASS", "")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
COLLECTION = ROOT / "fixtures" / "collection.json"


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}", allow_module_level=True)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _missing("no Chromium found (install Debian's chromium package)")
    return path


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop in this thread; the ORM calls made here are
    ordinary blocking calls between browser steps. Allowed for this module only (the
    variable must not leak into other tests, e.g. ``check --deploy`` refuses it)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(chromium_path: str, _orm_beside_playwright: None) -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - in the dev lock
        _missing("Playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


def _wipe() -> None:
    """Remove every archive record (and its history) written for the module."""
    from django.apps import apps

    from archive.search import rebuild_index

    order = [
        "Correction",
        "Mention", "EventParticipant", "Event", "Authorship", "Illustration", "TextRepair",
        "Article", "Issue", "SourceDocument", "Publication", "Alias", "PastSlug",
    ]  # fmt: skip
    for name in order:
        apps.get_model("archive", name).objects.all().delete()
    for name in ("Organisation", "Person", "Place"):
        model = apps.get_model("archive", name)
        if name == "Organisation":
            model.objects.update(parent=None, predecessor=None)
        model.objects.all().delete()
    for model in apps.get_app_config("archive").get_models():
        if model.__name__.startswith("Historical"):
            model.objects.all().delete()
    rebuild_index()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, _orm_beside_playwright: None) -> Iterator[dict]:
    """A live server over the seed collection (or factory data until it exists)."""
    from pytest_django.live_server_helper import LiveServer

    from tests.seed import committed_seed_collection

    with django_db_blocker.unblock(), ExitStack() as stack:
        put_back = False
        if COLLECTION.exists():
            put_back = stack.enter_context(committed_seed_collection())
        else:
            from tests.views.conftest import build_world

            build_world(4)
        server = LiveServer("127.0.0.1")
        server._live_server_modified_settings.enable()
        try:
            yield {"url": server.url, "targets": _targets()}
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            if not put_back:  # else the database as it was before comes back (tests/seed.py)
                _wipe()


def _targets() -> dict[str, str]:
    """One URL of each page type, taken from what the data holds."""
    from django.db.models import Count

    from archive.models import Article, Event, Mention, Organisation, Person, Place

    article = (
        Article.objects.public()
        .filter(mentions__person__isnull=False)
        .select_related("issue__publication")
        .order_by("issue_id", "position")
        .first()
    )
    mention = Mention.objects.public().filter(article=article, person__isnull=False).first()
    # The person named in the most articles: a search with several results to narrow.
    busiest = (
        Mention.objects.public()
        .filter(person__isnull=False)
        .values("person__name")
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", "person__name")
        .first()["person__name"]
    )
    word = next(w for w in article.body.replace("\n", " ").split() if len(w) > 6 and w.isalpha())
    return {
        "home": "/",
        "publications": "/publications/",
        "publication": article.issue.publication.get_absolute_url(),
        "issue": article.issue.get_absolute_url(),
        "article": article.get_absolute_url(),
        "people": "/people/",
        "person": mention.person.get_absolute_url(),
        "organisations": "/organisations/",
        "organisation": Organisation.objects.public().first().get_absolute_url(),
        "places": "/places/",
        # A place on the map: its page draws where it is.
        "place": Place.objects.public()
        .filter(latitude__isnull=False)
        .order_by("name")
        .first()
        .get_absolute_url(),
        "timeline": "/timeline/",
        "timeline-decade": "/timeline/?decade=1980",
        "map": "/map/",
        "event": Event.objects.public().first().get_absolute_url(),
        "search": f"/search/?q={mention.person.name.split()[-1]}",
        "search-nothing": "/search/?q=zzqxwv",
        "data": "/data/",
        "not-found": "/no-such-page/",
        "_word": word,
        "_person_name": Person.objects.get(pk=mention.person_id).name,
        "_busiest": busiest,
    }


@pytest.fixture
def page(browser, site, db) -> Iterator:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=True, base_url=site["url"]
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing("axe-core is not installed (run `npm ci` at the project root)")
    return AXE.read_text(encoding="utf-8")
