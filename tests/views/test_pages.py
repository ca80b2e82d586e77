"""Every page type: renders, says what it is (title, description, canonical), links to its
data, and costs a bounded number of queries whatever the size of the archive."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import models
from tests.views.conftest import World, build_world
from tests.views.sitemaps import sitemap_text

pytestmark = pytest.mark.django_db


def page_urls(w: World) -> dict[str, str]:
    return {
        "home": "/",
        "publications": "/publications/",
        "publication": w.publication.get_absolute_url(),
        "issue": w.issue.get_absolute_url(),
        "article": w.article.get_absolute_url(),
        "people": "/people/",
        "person": w.person.get_absolute_url(),
        "organisations": "/organisations/",
        "organisation": w.organisation.get_absolute_url(),
        "places": "/places/",
        "place": w.place.get_absolute_url(),
        "timeline": "/timeline/",
        "timeline-filtered": f"/timeline/?person={w.person.slug}",
        "event": w.event.get_absolute_url(),
        "search": "/search/?q=walesa",
        "search-faceted": f"/search/?q=walesa&publication={w.publication.slug}&decade=1990",
        "data": "/data/",
    }


def test_every_page_renders_with_title_description_and_canonical(client, world):
    for name, url in page_urls(world).items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert re.search(r"<title>[^<]+ · Archive of political publications</title>", html), name
        assert re.search(r'<meta name="description" content="[^"]{20,}">', html), name
        assert '<a class="skip-link" href="#main">' in html, name
        assert '<main id="main"' in html and 'role="contentinfo"' in html, name
        if name not in ("search", "search-faceted", "timeline-filtered"):
            assert f'<link rel="canonical" href="http://127.0.0.1:8000{url}">' in html, name


@pytest.mark.parametrize(
    "name",
    [
        "publications",
        "publication",
        "issue",
        "people",
        "organisations",
        "places",
        "timeline",
        "search",
    ],
)
def test_list_pages_link_to_their_json_and_csv(client, world, name):
    html = client.get(page_urls(world)[name]).content.decode()
    assert re.search(r'href="/api/[^"]*format=json"', html), name
    assert re.search(r'href="/api/[^"]*format=csv"', html), name


def test_each_page_type_costs_the_same_queries_at_two_sizes(client):
    small = build_world(2, prefix="a")
    small_counts = {}
    for name, url in page_urls(small).items():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        small_counts[name] = len(ctx)
    large = build_world(14, prefix="b")
    for name, url in page_urls(large).items():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx) == small_counts[name], (name, small_counts[name], len(ctx))
        assert len(ctx) <= 20, (name, len(ctx))


def test_article_reader(client, world):
    html = client.get(world.article.get_absolute_url()).content.decode()
    # sections with anchors, listed as contents
    assert '<h2 id="the-strike">The strike</h2>' in html
    assert '<a href="#aftermath">Aftermath</a>' in html
    # the first appearance of each entity links to its page, variant spellings included
    assert f'<a class="mention" href="{world.person.get_absolute_url()}"' in html
    assert ">Walesa</a> led" in html
    assert (
        f'href="{world.organisation.get_absolute_url()}" title="Solidarność (NSZZ)">Solidarność</a>'
        in html
    )
    # side list with counts; authors; next in issue; cite links; JSON-LD; citation meta tags
    assert "×2" in html
    assert "Author 0" in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert f"/api/articles/{world.article.pk}/cite/?style=bibtex" in html
    assert "style=ris" in html and "style=csl-json" in html
    assert '<script type="application/ld+json" nonce="' in html and '"headline": ' in html
    assert '<meta name="citation_title" content="The risen people 0">' in html
    assert '<meta name="citation_author" content="Author 0">' in html
    assert '<meta name="citation_publication_date" content="1990/01">' in html


def test_article_text_is_escaped_everywhere(client, world):
    article = world.article
    article.title = '<script>alert("t")</script>'
    article.body = "Walesa said <img src=x onerror=alert(1)>.\n\n## </script><b>x</b>"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert '<script>alert("t")' not in html
    ld = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    # The title reaches the JSON-LD only with "<" escaped, so it cannot close the script.
    assert "<" not in ld
    assert "\\u003cscript\\u003ealert" in ld.lower()
    assert html.count("<script") == 1  # the JSON-LD block is the only script


def test_unsigned_article_says_so(client, world):
    world.article.authorships.all().delete()
    html = client.get(world.article.get_absolute_url()).content.decode()
    assert "<dt>Author</dt><dd>Unsigned</dd>" in html
    assert "By unsigned" not in re.sub(r"<[^>]+>", " ", html).replace("  ", " ")


def test_issue_table_of_contents(client, world):
    html = client.get(world.issue.get_absolute_url()).content.decode()
    titles = re.findall(r'<a href="[^"]+">(The risen people \d)</a>', html)
    assert titles == ["The risen people 0", "The risen people 1", "The risen people 2"]


def test_entity_page(client, world):
    person = world.person
    person.wikidata, person.viaf = "Q444", "84048239"
    person.birth = "1943-09-29"
    person.save()
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Walesa" in html  # variant name
    assert "29 September 1943" in html
    assert 'href="https://www.wikidata.org/wiki/Q444"' in html
    assert 'href="https://viaf.org/viaf/84048239/"' in html
    assert "Mentioned in 3 articles" in html
    # the context snippet, the name highlighted as printed ("Walesa" for Wałęsa)
    assert "<mark>Walesa</mark> led Solidarność…" in html
    assert "Strike 2" in html  # events
    assert "Often mentioned alongside" in html and "Solidarność" in html


def test_place_links_to_geonames(client, world):
    world.place.geonames = "3099434"
    world.place.save()
    html = client.get(world.place.get_absolute_url()).content.decode()
    assert 'href="https://www.geonames.org/3099434/"' in html


def test_index_filters_and_letters(client, world):
    html = client.get("/people/?letter=w").content.decode()
    assert "Wałęsa, Lech" in html and "Author 0" not in html
    html = client.get("/people/?q=walesa").content.decode()
    assert "Wałęsa, Lech" in html and "Author 0" not in html
    html = client.get("/organisations/?kind=union").content.decode()
    assert "Solidarność" not in html
    assert client.get("/people/?letter=ab").status_code == 400
    assert client.get("/organisations/?kind=nonsense").status_code == 400
    assert b"kind" in client.get("/organisations/?kind=nonsense").content


def test_keyset_pagination_walks_forward_and_back(client, db):
    for i in range(130):
        models.Person.objects.create(name=f"Person {i:03}", slug=f"p-{i}", status="published")
    first = client.get("/people/").content.decode()
    assert "Person 000" in first and "Person 060" not in first
    next_url = re.search(r'href="(\?after=[^"]+)" rel="next"', first).group(1)
    second = client.get("/people/" + next_url.replace("&amp;", "&")).content.decode()
    assert "Person 060" in second and "Person 059" not in second
    prev_url = re.search(r'href="(\?before=[^"]+)" rel="prev"', second).group(1)
    back = client.get("/people/" + prev_url.replace("&amp;", "&")).content.decode()
    assert "Person 000" in back and "Person 059" in back and "Person 060" not in back
    assert client.get("/people/?after=garbage!").status_code == 400


def test_timeline_shows_partial_dates_honestly_and_filters(client, world):
    models.Event.objects.create(
        title="Round table", slug="round-table", date="1989-02", status="published"
    )
    models.Event.objects.create(
        title="Shock therapy", slug="shock", date="1990/1991", status="published"
    )
    models.Event.objects.create(
        title="Collapse",
        slug="collapse",
        date="199X",
        date_display="Early 1990s",
        status="published",
    )
    html = client.get("/timeline/").content.decode()
    assert "February 1989" in html
    assert "1990–91" in html
    assert "1990s" in html
    assert "Early 1990s" not in html  # the printed form is on the event's page only
    assert "<svg" in html and "Events per year" in html
    assert html.index("February 1989") < html.index("1990–91")
    filtered = client.get("/timeline/?person=lech-walesa").content.decode()
    assert "Strike 0" in filtered and "Round table" not in filtered
    assert client.get("/timeline/?person=nobody").status_code == 400


def test_unpublished_is_404_for_public_and_previewed_uncached_for_staff(
    client, world, django_user_model
):
    article = world.article
    article.status = models.Status.DRAFT
    article.save()
    url = article.get_absolute_url()
    assert client.get(url).status_code == 404
    public = client.get(world.issue.get_absolute_url())
    assert "The risen people 0" not in public.content.decode()
    assert "public" in public["Cache-Control"]
    staff = django_user_model.objects.create_user("curator", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert "Staff preview" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_articles_in_unpublished_issue_stay_hidden(client, world):
    world.issue.status = models.Status.REVIEW
    world.issue.save()
    assert client.get(world.article.get_absolute_url()).status_code == 404
    assert client.get(world.issue.get_absolute_url()).status_code == 404


def test_past_slugs_redirect_permanently(client, world):
    from django.contrib.contenttypes.models import ContentType

    models.PastSlug.objects.create(
        content_type=ContentType.objects.get_for_model(models.Person),
        object_id=world.person.pk,
        slug="walesa-lech",
    )
    response = client.get("/people/walesa-lech/")
    assert response.status_code == 301
    assert response["Location"] == world.person.get_absolute_url()
    assert client.get("/people/never-was/").status_code == 404


def test_sitemap_lists_published_only_and_robots_points_to_it(client, world):
    hidden = world.article
    hidden.status = models.Status.DRAFT
    hidden.save()
    xml = sitemap_text(client)
    assert world.person.get_absolute_url() in xml
    assert "the-risen-people-1/" in xml
    assert hidden.get_absolute_url() not in xml
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots


def test_styled_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="site-header"' in html


def test_500_template_stands_alone():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html and "/static/archive/site.css" in html


def test_home_counts_and_links(client, world):
    html = client.get("/").content.decode()
    assert "<strong>3</strong> articles" in html
    assert 'href="/downloads/"' in html and 'href="/api/docs/"' in html
    assert world.publication.title in html


def test_search_page_bad_parameters_are_400(client, db):
    for query in ("sort=sideways", "page=0", "decade=1985", "year=abc", "kind=novel"):
        response = client.get(f"/search/?q=x&{query}")
        assert response.status_code == 400, query
        assert query.split("=")[0].encode() in response.content


def test_lists_of_articles_leave_their_long_texts_unread(client, world):
    """A person's mentions and writings, an organisation's and a place's mentions list their
    articles without reading the bodies (Article.LIST_DEFERRED), and ask nothing more for
    them afterwards: the query counts above hold."""
    author = world.article.authorships.select_related("person").first().person
    pages = [
        world.person.get_absolute_url(),
        author.get_absolute_url(),
        world.organisation.get_absolute_url(),
        world.place.get_absolute_url(),
    ]
    long_texts = [f'"archive_article"."{field}"' for field in models.Article.LIST_DEFERRED]
    for url in pages:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        assert world.article.title in html, url  # the article is listed
        read = [q["sql"] for q in ctx if any(column in q["sql"] for column in long_texts)]
        assert read == [], (url, read)


def test_an_entity_pages_count_follows_its_mentions(client, world):
    """The count on the page is the stored one; it follows a curator's rejection and an
    article taken offline, and always equals the public mentions the page lists."""
    person = world.person

    def shown() -> int:
        html = client.get(person.get_absolute_url()).content.decode()
        return int(re.search(r"<h2>Mentioned in (\d+) article", html)[1])

    def public() -> int:
        return models.Mention.objects.public(target="person").filter(person=person).count()

    before = shown()
    assert before == public() > 1
    first, second = models.Mention.objects.filter(person=person).order_by("pk")[:2]
    first.status = models.Mention.Status.REJECTED
    first.save()
    assert shown() == public() == before - 1
    article = second.article
    article.status = models.Status.DRAFT
    article.save()
    assert shown() == public() == before - 2


def test_a_readers_article_page_asks_only_small_joins(client, world):
    """At a million articles PostgreSQL took longer to plan the page's joins of eight tables
    (the mentions with their article's chain, the lookup with where a reprint first
    appeared) than to run them: 7 ms of planning against 0.5 ms of work per view. A
    reader's article is known public once looked up, so no statement joins more than five
    tables, and the page still links every mention."""
    url = world.article.get_absolute_url()
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    widest = max(ctx, key=lambda q: q["sql"].count(" JOIN "))
    assert widest["sql"].count(" JOIN ") <= 4, widest["sql"]
    mentions = [q["sql"] for q in ctx if 'FROM "archive_mention"' in q["sql"]]
    assert mentions and all('"archive_issue"' not in sql for sql in mentions)
    for target in (world.person, world.organisation, world.place):
        assert f'href="{target.get_absolute_url()}"' in html


def test_staff_previewing_a_draft_article_see_no_mentions_yet(client, admin_user, world):
    """Mentions are public only with their article: a curator's preview of a draft shows
    the text without them, as readers will see it only once it is published."""
    world.article.status = models.Status.DRAFT
    world.article.save()
    client.force_login(admin_user)
    html = client.get(world.article.get_absolute_url()).content.decode()
    assert world.article.title in html
    assert 'class="mention"' not in html
