"""Reading the sitemap as a crawler does: the index, then every page it lists."""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def local(url: str) -> str:
    """An absolute sitemap location as the test client requests it (path and query)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def read_xml(client, path: str) -> etree._Element:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Type"].startswith("application/xml"), path
    return etree.fromstring(response.content)


def sitemap_pages(client) -> list[str]:
    """The locations the index lists, in its order."""
    root = read_xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS}}}sitemapindex"
    return [loc.text for loc in root.iter(f"{{{NS}}}loc")]


def sitemap_page_urls(client, page: str) -> list[str]:
    """The URLs one page lists (``page`` absolute, as in the index)."""
    root = read_xml(client, local(page))
    assert root.tag == f"{{{NS}}}urlset"
    return [loc.text for loc in root.iter(f"{{{NS}}}loc")]


def all_sitemap_urls(client) -> list[str]:
    """Every URL of every page listed by ``/sitemap.xml``."""
    return [url for page in sitemap_pages(client) for url in sitemap_page_urls(client, page)]


def sitemap_text(client) -> str:
    """All listed URLs, one a line: for tests that look for (or rule out) a path."""
    return "\n".join(all_sitemap_urls(client))
