"""An Atom feed of newly published articles, for readers (``/feeds/articles.atom``).

"Newly published" is read from the public changes log (:mod:`archive.changes`): an article
enters the feed when it became public (created public, published itself, or published with
its issue), at the time that was recorded, and leaves it when it is withdrawn. So the feed
agrees with ``/api/changes/`` and with OAI-PMH, and never shows a draft.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from archive import changes
from archive.models import Article, Change, ChangeKind

#: Articles in the feed (newest publications first).
ITEMS = 50


class NewArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = "Archive of political publications: newly published articles"
    subtitle = "Articles as they are published in the archive, newest first."
    link = "/"
    feed_url = "/feeds/articles.atom"

    def items(self) -> list[Article]:
        changes.ensure_current(wait=False)
        appeared = (
            Change.objects.filter(
                resource="articles", change__in=[ChangeKind.CREATED, ChangeKind.PUBLISHED]
            )
            .order_by("-id")
            .values_list("record_id", "time")[: ITEMS * 4]
        )
        when: dict[int, object] = {}
        for record_id, time in appeared:
            when.setdefault(record_id, time)
        articles = Article.objects.public().with_related().in_bulk(list(when))
        ordered = sorted(articles.values(), key=lambda a: when[a.pk], reverse=True)[:ITEMS]
        for article in ordered:
            article.appeared = when[article.pk]
        return ordered

    def item_title(self, item: Article) -> str:
        return f"{item.title}: {item.subtitle}" if item.subtitle else item.title

    def item_description(self, item: Article) -> str:
        issue = item.issue
        date = (
            f"{item.effective_date} (date from {item.get_date_source_display()})"
            if item.effective_date
            else "undated"
        )
        return f"{issue}. {date}."

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return f"{settings.SITE_URL}/api/articles/{item.pk}/"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article):
        return item.appeared

    def item_updateddate(self, item: Article):
        return max(item.updated, item.appeared)

    def item_author_name(self, item: Article) -> str | None:
        names = [a.person.name for a in item.public_authorships]
        return ", ".join(names) or None
