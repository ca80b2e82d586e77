"""A release holds every public record and nothing the model layer hides, and restores whole."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command

from archive import models
from archive.datasets.loader import clear_content
from archive.datasets.releases import build_release
from archive.exports.release import release_exporters, restored_fields

from .mixed import mixed_collection

pytestmark = pytest.mark.django_db

#: Strings only hidden records carry; none may appear in any released file.
HIDDEN_STRINGS = (
    "Draft Author", "Hidden alias", "Draft event", "Draft article", "In a draft issue",
    "In a draft publication", "Draft paper", "draft-issue", "orphan-issue",
)  # fmt: skip


def rows(release, resource: str) -> list[dict]:
    text = (release.path / f"{resource}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def article_column(field: str) -> str:
    """The articles column that holds a model field (the public ``date`` holds the
    effective date)."""
    return restored_fields(release_exporters()["articles"])[field]


def test_release_holds_exactly_the_public_records(dataset_root):
    mixed = mixed_collection()
    release = build_release().release
    for resource in release_exporters():
        released = {row["id"] for row in rows(release, resource)}
        assert released == mixed.public.get(resource, set()), resource
        assert not released & mixed.hidden.get(resource, set()), resource
    assert set(mixed.hidden) >= {
        "publications", "issues", "articles", "people", "events", "mentions", "authorships",
        "aliases", "illustrations", "event_participants", "event_places", "event_articles",
    }  # fmt: skip
    for path in release.path.iterdir():
        if path.suffix in (".csv", ".jsonl"):
            text = path.read_text(encoding="utf-8")
            assert not [s for s in HIDDEN_STRINGS if s in text], path.name


def test_release_dates_articles_by_the_effective_date(dataset_root):
    mixed = mixed_collection()
    release = build_release().release
    by_id = {row["id"]: row for row in rows(release, "articles")}
    dated = by_id[mixed.records["article"].pk]
    undated = by_id[mixed.records["undated"].pk]
    date, start, end, source, dateline = (
        article_column(f)
        for f in ("effective_date", "effective_date_start", "effective_date_end", "date_source",
                  "date")
    )  # fmt: skip
    assert (dated[date], dated[start], dated[end]) == ("1990-01", "1990-01-01", "1990-01-31")
    assert (dated[source], dated[dateline]) == ("dateline", "1990-01")
    # No dateline and no first publication: undated, never the reprint's "2009~".
    assert (undated[date], undated[start], undated[end]) == (None, None, None)  # null: missing
    assert (undated[source], undated[dateline]) == ("undated", None)
    # A reference to a hidden record is emptied, never a dangling id.
    assert dated["first_published_in_issue_id"] == mixed.records["issue"].pk
    assert undated["first_published_in_issue_id"] is None
    assert undated["first_published_in_publication_id"] is None
    package = json.loads((release.path / "datapackage.json").read_text(encoding="utf-8"))
    schema = next(r for r in package["resources"] if r["name"] == "articles")["schema"]
    assert {f["name"]: f["type"] for f in schema["fields"]}[start] == "date"


def test_restore_recomputes_and_checks_the_effective_date(dataset_root):
    mixed_collection()
    first = build_release().release
    clear_content()
    call_command("load_dataset", first.name, stdout=io.StringIO())
    assert models.Article.objects.refresh_dates() == 0  # stored as the rule gives
    undated = models.Article.objects.get(title="Lies answered")
    assert (undated.effective_date, undated.date_source) == ("", models.Article.DateSource.UNDATED)
    assert undated.effective_date_start is None
    dated = models.Article.objects.get(title="The risen people")
    assert (dated.date, dated.effective_date, dated.date_source) == (
        "1990-01",
        "1990-01",
        "dateline",
    )
    second = build_release(force=True).release
    for resource in release_exporters():
        for suffix in (".csv", ".jsonl"):
            name = f"{resource}{suffix}"
            assert (first.path / name).read_bytes() == (second.path / name).read_bytes(), name


def test_release_whose_dates_disagree_with_the_rule_is_reported_and_the_rule_wins(dataset_root):
    mixed = mixed_collection()
    release = build_release().release
    clear_content()
    path = release.path / "articles.jsonl"
    source = article_column("date_source")
    undated = mixed.records["undated"].pk
    lines = []
    for row in rows(release, "articles"):
        if row["id"] == undated:
            row[source] = "dateline"
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    sums = release.path / "SHA256SUMS"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    sums.write_text(
        "".join(
            f"{digest}  articles.jsonl\n" if line.endswith("  articles.jsonl") else line + "\n"
            for line in sums.read_text().splitlines()
        )
    )
    out = io.StringIO()
    call_command("load_dataset", release.name, stdout=out)
    assert (
        f"articles: derived values differed from the archive's own rules (date_source in 1 "
        f"rows); the rules' values were stored. First: id {undated}: the release says "
        "date_source is 'dateline', the archive's rule gives 'undated'."
    ) in out.getvalue()
    assert models.Article.objects.get(pk=undated).date_source == "undated"
    assert models.Article.objects.refresh_dates() == 0
