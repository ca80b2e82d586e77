"""``{% article_date article %}``: an article's effective date, with where it comes from.

Every page that shows an article's date renders it through this tag, so that no page falls
back to another date (an undated reprint must not take the date of the issue it was
reprinted in) and every date says whether it is the article's dateline, its first
publication or the date of the issue it was written for (``Article.effective_date_rule``).
"""

from __future__ import annotations

from typing import Any

from django import template

from archive.dates import edtf_display
from archive.models import Article

register = template.Library()

#: A short note shown beside the date, by ``Article.date_source``.
SOURCE_NOTES = {
    Article.DateSource.DATELINE: "dateline",
    Article.DateSource.FIRST_PUBLISHED: "first published",
    Article.DateSource.ISSUE: "issue date",
    Article.DateSource.UNDATED: "",
}


def article_date_parts(article: Article) -> dict[str, Any]:
    """The text, note and tooltip for ``article``'s date (empty text when undated)."""
    undated = article.date_source == Article.DateSource.UNDATED or not article.effective_date
    if undated:
        return {"text": "Undated", "note": "", "title": "No date is known for this article"}
    # As get_date_source_display() words it, without its hashing of every translated choice
    # on each call (a list of twenty hits paid milliseconds for it).
    source = dict(Article.DateSource.choices).get(article.date_source, article.date_source)
    return {
        "text": edtf_display(article.effective_date),
        "note": SOURCE_NOTES.get(article.date_source, ""),
        "title": f"Date from {source}",
    }


@register.inclusion_tag("archive/includes/article_date.html")
def article_date(article: Article) -> dict[str, Any]:
    return article_date_parts(article)
