"""The sitemap index and its pages: every public page exactly once, nothing under a draft,
no page over the limit, pages by primary-key range."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils.http import http_date

from archive import models
from archive.views.sitemaps import STATIC_PATHS
from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
)

from .sitemaps import all_sitemap_urls, local, read_xml, sitemap_page_urls, sitemap_pages

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PUBLIC_MODELS = (
    models.Publication,
    models.Issue,
    models.Article,
    models.Person,
    models.Organisation,
    models.Place,
    models.Event,
)


@pytest.fixture
def drafts(world):
    """A draft article in a public issue, a published article in a draft issue, a published
    issue of a draft publication, a draft person and a draft organisation."""
    draft_issue = IssueFactory(
        publication=world.publication, number="99", slug="draft-issue", status=models.Status.DRAFT
    )
    draft_publication = PublicationFactory(slug="draft-publication", status=models.Status.DRAFT)
    return [
        ArticleFactory(issue=world.issue, slug="draft-article", status=models.Status.DRAFT),
        ArticleFactory(issue=draft_issue, slug="under-a-draft-issue"),
        draft_issue,
        draft_publication,
        IssueFactory(publication=draft_publication, slug="under-a-draft-publication"),
        PersonFactory(slug="draft-person", status=models.Status.DRAFT),
        OrganisationFactory(slug="draft-organisation", status=models.Status.REVIEW),
    ]


def public_urls() -> set[str]:
    """What the sitemap must list, from the model layer's ``public()``."""
    base = django_settings.SITE_URL
    urls = {base + path for path in STATIC_PATHS}
    for model in PUBLIC_MODELS:
        urls |= {base + obj.get_absolute_url() for obj in model.objects.public()}
    return urls


def test_the_union_of_the_pages_is_every_public_page_once(client, drafts):
    urls = all_sitemap_urls(client)
    assert len(urls) == len(set(urls))
    assert set(urls) == public_urls()
    listed = "\n".join(urls)
    for record in drafts:
        assert record.get_absolute_url() not in listed, record.slug


def test_a_small_limit_splits_every_section_into_pages_within_it(client, drafts, settings):
    settings.SITEMAP_LIMIT = 2
    pages = sitemap_pages(client)
    # Static pages (8 paths), 3 articles, 3 people-authors + Wałęsa, 3 events: several each.
    for section in ("pages", "articles", "people", "events"):
        assert sum(f"/sitemap-{section}.xml" in page for page in pages) >= 2, section
    assert len(pages) == len(set(pages))
    union = []
    for page in pages:
        urls = sitemap_page_urls(client, page)
        assert 1 <= len(urls) <= 2, page
        union += urls
    assert len(union) == len(set(union))
    assert set(union) == public_urls()


def test_an_article_is_on_the_page_of_its_primary_key_range(client, world, settings):
    settings.SITEMAP_LIMIT = 2
    # Gaps in the ids (drafts) leave pages short or empty; the index skips the empty ones.
    ArticleFactory.create_batch(4, issue=world.issue, status=models.Status.DRAFT)
    last = ArticleFactory(issue=world.issue, slug="last-one")
    number = (last.pk - 1) // 2 + 1
    page = f"/sitemap-articles.xml?p={number}"
    assert django_settings.SITE_URL + last.get_absolute_url() in sitemap_page_urls(client, page)
    listed = [local(p) for p in sitemap_pages(client) if "/sitemap-articles.xml" in p]
    assert page in listed
    public_pages = {
        (pk - 1) // 2 + 1 for pk in models.Article.objects.public().values_list("pk", flat=True)
    }
    assert len(listed) == len(public_pages)


def test_index_dates_each_record_page_and_pages_date_each_url(client, world):
    draft = ArticleFactory(issue=world.issue, slug="draft-edited-last", status=models.Status.DRAFT)
    future = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
    models.Article.objects.filter(pk=draft.pk).update(updated=future)  # a draft's date: unseen
    root = read_xml(client, "/sitemap.xml")
    entries = {
        local(s.find(f"{NS}loc").text): s.find(f"{NS}lastmod") for s in root.iter(f"{NS}sitemap")
    }
    assert entries["/sitemap-pages.xml"] is None  # a list has no single record behind it
    latest = max(a.updated for a in models.Article.objects.public())
    assert entries["/sitemap-articles.xml"].text.startswith(latest.date().isoformat())
    page = read_xml(client, "/sitemap-people.xml")
    dates = {u.find(f"{NS}loc").text: u.find(f"{NS}lastmod").text for u in page.iter(f"{NS}url")}
    person_url = django_settings.SITE_URL + world.person.get_absolute_url()
    assert dates[person_url] == world.person.updated.date().isoformat()


def test_sitemaps_are_public_cacheable_and_bad_pages_are_404(client, world):
    for path in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-pages.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "max-age=3600" in response["Cache-Control"], path
        assert "public" in response["Cache-Control"], path
    latest = max(a.updated for a in models.Article.objects.public())
    assert client.get("/sitemap-articles.xml")["Last-Modified"] == http_date(latest.timestamp())
    for path in (
        "/sitemap-nothing.xml",
        "/sitemap-articles.xml?p=0",
        "/sitemap-articles.xml?p=abc",
        "/sitemap-articles.xml?p=999999",
        "/sitemap-pages.xml?p=2",
    ):
        assert client.get(path).status_code == 404, path


def test_reading_the_sitemap_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    ArticleFactory.create_batch(5, issue=world.issue)
    # The content version (page cache), then per record section its last public pk and its
    # latest change (each earlier page would add one look into its pk range).
    with django_assert_max_num_queries(2 * len(PUBLIC_MODELS) + 1):
        assert client.get("/sitemap.xml").status_code == 200
    # The content version, the last public pk, the page's rows.
    with django_assert_max_num_queries(4):
        assert client.get("/sitemap-articles.xml").status_code == 200


def test_without_a_site_url_the_locations_use_the_request_host(client, world, settings):
    settings.SITE_URL = ""
    pages = sitemap_pages(client)
    assert pages and all(page.startswith("http://testserver/sitemap-") for page in pages)
    urls = all_sitemap_urls(client)
    assert "http://testserver/people/" in urls
    assert "http://testserver" + world.article.get_absolute_url() in urls
