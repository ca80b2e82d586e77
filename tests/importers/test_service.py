"""The importer writes one transaction of drafts, refuses bad input and is idempotent."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.importers import service
from archive.importers.repairs import replay
from archive.importers.service import ImportRefused, TextImporter, decode_source
from archive.models import (
    Article,
    Authorship,
    Illustration,
    Issue,
    Mention,
    Person,
    SourceDocument,
    Status,
    TextRepair,
)
from tests.factories import AliasFactory, OrganisationFactory, PersonFactory, PublicationFactory

from .conftest import SEED_FILE

SMALL = (
    b"1. A small paper\n\nT\n\nJanuary 1990\n\nhe workers of Gdansk are organ-\nising. "
    b"Lech Walesa spoke.\n\n2. Another piece\n\nMarch 1990\n\nSolidarnosc grew and grew.\n"
)

COUNTED = (SourceDocument, Issue, Article, Illustration, TextRepair, Mention)


def _counts():
    return [m.objects.count() for m in COUNTED]


@pytest.fixture
def publication(db):
    return PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")


@pytest.fixture
def catalogue(db):
    """A small catalogue with the seed's own spellings as aliases."""
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="lech-walesa")
    gorbachev = PersonFactory(name="Mikhail Gorbachev", slug="mikhail-gorbachev")
    AliasFactory(person=gorbachev, name="Gorbachev")
    ceausescu = PersonFactory(name="Nicolae Ceaușescu", slug="nicolae-ceausescu")
    AliasFactory(person=ceausescu, name="Ceaucescu", kind="source_spelling")
    solidarnosc = OrganisationFactory(name="Solidarność", slug="solidarnosc", kind="union")
    so = OrganisationFactory(name="Socialist Organiser", slug="socialist-organiser")
    militant = OrganisationFactory(name="Militant", slug="militant")
    return {
        "walesa": walesa, "gorbachev": gorbachev, "ceausescu": ceausescu,
        "solidarnosc": solidarnosc, "so": so, "militant": militant,
    }  # fmt: skip


@pytest.mark.django_db
def test_small_import_creates_drafts_repairs_and_mentions(publication, catalogue):
    report = TextImporter(publication=publication).run(SMALL, name="small.txt")
    assert report.status == "created"
    source = SourceDocument.objects.get()
    assert source.sha256 == hashlib.sha256(SMALL).hexdigest() and source.size == len(SMALL)
    assert source.importer_version == service.IMPORTER_VERSION
    assert source.report["units"][0]["title"] == "A small paper"
    issue = Issue.objects.get()
    assert issue.status == Status.DRAFT and issue.source_document == source
    assert issue.slug == "small"
    first, second = Article.objects.order_by("position")
    assert (first.title, first.label, first.date, first.status) == (
        "A small paper",
        "1",
        "1990-01",
        Status.DRAFT,
    )
    assert first.body == "The workers of Gdansk are organising. Lech Walesa spoke."
    assert first.raw_text.startswith("1. A small paper\n\nT\n")
    assert replay(first.body, first.repairs.all()) == first.raw_text
    assert second.date_display == "March 1990"
    linked = {(m.article.position, m.target.name, m.status) for m in Mention.objects.all()}
    # "Lech Walesa" as printed is "Lech Wałęsa" folded; "Solidarnosc" is "Solidarność"
    assert linked == {(1, "Lech Wałęsa", "auto"), (2, "Solidarność", "auto")}
    assert ("Gdansk", 1) in report.candidates


@pytest.mark.django_db
def test_reimport_of_the_same_file_changes_nothing(publication):
    TextImporter(publication=publication).run(SMALL, name="small.txt")
    before = _counts()
    stamps = list(Article.objects.values_list("updated", flat=True))
    report = TextImporter(publication=publication).run(SMALL, name="renamed.txt")
    assert report.status == "unchanged" and "nothing changed" in report.as_text()
    assert _counts() == before
    assert list(Article.objects.values_list("updated", flat=True)) == stamps


@pytest.mark.django_db
def test_dry_run_writes_nothing(publication, catalogue):
    before = _counts()
    report = TextImporter(publication=publication).run(SMALL, dry_run=True, name="small.txt")
    assert report.status == "dry run" and report.source_document_id is None
    assert [u["title"] for u in report.units] == ["A small paper", "Another piece"]
    assert report.repair_counts["drop_cap"]["applied"] == 1
    assert _counts() == before


@pytest.mark.django_db
def test_error_mid_import_leaves_the_database_as_it_was(publication, catalogue, monkeypatch):
    before = _counts()

    def explode(article, index):
        raise RuntimeError("linker broke")

    monkeypatch.setattr(service, "link_article", explode)
    with pytest.raises(RuntimeError):
        TextImporter(publication=publication).run(SMALL, name="small.txt")
    assert _counts() == before


@pytest.mark.django_db
def test_changed_file_updates_drafts_but_not_curator_edits(publication):
    TextImporter(publication=publication, issue_slug="no-1").run(SMALL, name="a.txt")
    first = Article.objects.get(position=1)
    first.title = "A small paper (curated title)"
    first.curator_edited_fields = ["title"]
    first.save()
    changed = SMALL.replace(b"Lech Walesa spoke.", b"Lech Walesa spoke twice.")
    report = TextImporter(publication=publication, issue_slug="no-1").run(changed, name="b.txt")
    assert report.status == "updated"
    first.refresh_from_db()
    assert first.title == "A small paper (curated title)"
    assert first.body.endswith("Lech Walesa spoke twice.")
    assert report.kept_curator_fields == [
        {"position": 1, "title": "A small paper (curated title)", "fields": ["title"]}
    ]
    assert SourceDocument.objects.count() == 2 and Issue.objects.count() == 1
    assert Issue.objects.get().source_document.name == "b.txt"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"PK\x03\x04\x00\x00binary", r"binary file, not plain text \(NUL byte at offset 4\)"),
        ("Gdańsk".encode("latin-1", errors="replace") + b"\xe9t\xe9", "not valid UTF-8"),
        (b"a" * 30_000, "Line 1 is 30,000 characters long"),
    ],
)
def test_bad_input_is_refused_clearly(data, message):
    with pytest.raises(ImportRefused, match=message):
        decode_source(data)


def test_broken_encoding_names_the_byte_offset():
    with pytest.raises(ImportRefused) as info:
        decode_source("Wałęsa said".encode() + b" caf\xe9")
    assert "0xE9 at offset 17" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_byte_order_mark_is_dropped():
    assert decode_source("\ufeffText".encode()) == "Text"


@pytest.mark.django_db
def test_refused_input_writes_nothing(publication):
    with pytest.raises(ImportRefused):
        TextImporter(publication=publication).run(b"\x00\x01", name="x.bin")
    assert _counts() == [0] * len(COUNTED)


@pytest.mark.django_db
def test_unknown_publication_is_refused():
    with pytest.raises(ImportRefused, match="No publication has the slug 'nope'"):
        TextImporter(publication="nope")


@pytest.mark.django_db
def test_seed_import_links_entities_with_folding_and_flags(publication, catalogue):
    report = TextImporter(publication=publication).run(SEED_FILE)
    assert [u["title"] for u in report.units][4] == (
        "The risen people: Eastern Europe after the revolutions"
    )
    articles = {a.label or a.title: a for a in Article.objects.all()}
    assert len(articles) == 16
    assert all(a.status == Status.DRAFT and a.body for a in articles.values())

    # "Solidarnosc" as printed links to Solidarność; "Ceaucescus" in article 1 is not
    # "Ceaucescu" (word boundary) but the timeline's "Ceaucescu" is.
    solidarnosc = Mention.objects.get(article=articles["1"], organisation=catalogue["solidarnosc"])
    assert solidarnosc.count == 3 and solidarnosc.status == Mention.Status.AUTO
    assert "banned Solidarnosc and shot down" in solidarnosc.context
    assert Mention.objects.filter(
        article=articles["Timeline"], person=catalogue["ceausescu"]
    ).exists()
    assert not Mention.objects.filter(article=articles["1"], person=catalogue["ceausescu"]).exists()
    # possessives with a curly apostrophe count ("Gorbachev’s reform propaganda"),
    # "Gorbachevite" does not: 4 of the 5 strings starting "Gorbachev" in article 1
    gorbachev = Mention.objects.get(article=articles["1"], person=catalogue["gorbachev"])
    assert gorbachev.count == 4
    # "Militant" capitalised inside a sentence, in an article that never uses "militant" as
    # a word, is the name: linked (the general word list holds no collection's own words)
    militant = Mention.objects.get(article=articles["3"], organisation=catalogue["militant"])
    assert militant.status == Mention.Status.AUTO
    # longest match: "Socialist Organiser" found, and capitalised unknown names listed
    assert Mention.objects.filter(organisation=catalogue["so"]).count() >= 3
    candidates = dict(report.candidates)
    assert candidates["Ernest Mandel"] >= 1 and "Socialist Organiser" not in candidates
    assert "Mandel" in report.candidate_contexts["Ernest Mandel"]
    assert "Stalinist" not in candidates and "Russian" not in candidates
    # repairs are rows, and the log replays to the raw text for every article
    assert TextRepair.objects.filter(kind="drop_cap", line=1304).get().after == "The"
    for article in articles.values():
        assert replay(article.body, article.repairs.all()) == article.raw_text
    assert Illustration.objects.count() == 9


@pytest.mark.django_db
def test_command_prints_the_report(publication, catalogue, tmp_path):
    path = tmp_path / "small.txt"
    path.write_bytes(SMALL)
    out = StringIO()
    call_command("import_text", str(path), "--publication", "workers-liberty", stdout=out)
    text = out.getvalue()
    assert "Status: created" in text
    assert "1. A small paper  [1990-01 = January 1990]" in text
    assert "drop_cap" in text and "“T⏎⏎⏎⏎he” → “The”" in text
    assert "Links: 2 mentions linked" in text
    assert "Gdansk (1)" in text
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_command_dry_run_writes_nothing(publication, tmp_path):
    path = tmp_path / "small.txt"
    path.write_bytes(SMALL)
    out = StringIO()
    call_command(
        "import_text", str(path), "--publication", "workers-liberty", "--dry-run", stdout=out
    )
    assert "Status: dry run (nothing was written)" in out.getvalue()
    assert _counts() == [0] * len(COUNTED)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\x00\x00", "binary file"),
        (b"caf\xe9", "not valid UTF-8: byte 0xE9 at offset 3"),
    ],
)
def test_command_errors_are_one_line(publication, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as info:
        call_command("import_text", str(path), "--publication", "workers-liberty")
    assert "\n" not in str(info.value)
    assert _counts() == [0] * len(COUNTED)


@pytest.mark.django_db
def test_command_missing_file_and_publication(publication, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_text", str(tmp_path / "nope.txt"), "--publication", "workers-liberty")
    with pytest.raises(CommandError, match="No publication has the slug 'other'"):
        call_command("import_text", str(SEED_FILE), "--publication", "other")


@pytest.mark.django_db
def test_command_reports_failure_mid_import_in_one_line(publication, tmp_path, monkeypatch):
    path = tmp_path / "small.txt"
    path.write_bytes(SMALL)
    monkeypatch.setattr(
        service, "link_article", lambda a, i: (_ for _ in ()).throw(RuntimeError("boom\nline"))
    )
    with pytest.raises(CommandError, match="nothing was written: RuntimeError: boom line"):
        call_command("import_text", str(path), "--publication", "workers-liberty")
    assert _counts() == [0] * len(COUNTED)


@pytest.mark.django_db
def test_review_reverts_applied_word_repairs_and_rejects_flagged(publication):
    from archive.importers.review import repairs_accept, repairs_revert

    TextImporter(publication=publication).run(SMALL, name="small.txt")
    hyphen = TextRepair.objects.get(kind="hyphenation")
    assert (hyphen.before, hyphen.after) == ("organ-\nising", "organising")
    result = repairs_revert(repairs=[hyphen])
    assert result.done == [hyphen] and hyphen.status == "reverted"
    article = Article.objects.get(position=1)
    assert "are organ- ising." in article.body and article.curator_edited_fields == ["body"]
    # an applied repair cannot be "accepted", a layout repair cannot be reverted here
    reflow = TextRepair.objects.filter(kind="reflow").first()
    assert repairs_accept(repairs=[reflow]).skipped[0][1] == "only a flagged repair can be accepted"
    assert "only a word repair" in repairs_revert(repairs=[reflow]).skipped[0][1]
    # the curator's body survives a re-import of a changed file
    TextImporter(publication=publication).run(SMALL + b"\n", name="small.txt")
    article.refresh_from_db()
    assert "are organ- ising." in article.body


@pytest.mark.django_db
def test_bylines_become_proposed_authorships(publication):
    known = PersonFactory(name="Dolores Ibárruri", slug="dolores-ibarruri")
    AliasFactory(person=known, name="La Pasionaria")
    text = (
        b"Strike at the Mine\n\nBy Dolores Ibarruri and Kwame Mensah\n19 January 1996\n\n"
        b"The miners stopped work on Monday.\n\n"
        b"The Union Answers\n\nBy La Pasionaria\nJanuary 20, 1996\n\n"
        b"The union answered on Tuesday.\n"
    )
    dry = TextImporter(publication=publication, link=False).run(text, dry_run=True, name="b.txt")
    assert [a["name"] for a in dry.units[0]["authors"]] == ["Dolores Ibarruri", "Kwame Mensah"]
    assert Authorship.objects.count() == 0 and Person.objects.count() == 1  # rolled back
    report = TextImporter(publication=publication, link=False).run(text, name="b.txt")
    first, second = (Article.objects.get(pk=u["article_id"]) for u in report.units)
    assert first.date == "1996-01-19" and second.date == "1996-01-20"
    authors = list(first.authorships.order_by("order").values_list("person__name", "order"))
    assert authors == [("Dolores Ibárruri", 1), ("Kwame Mensah", 2)]
    mensah = Person.objects.get(name="Kwame Mensah")
    assert mensah.status == Status.DRAFT and "byline" in mensah.description
    assert list(second.authorships.values_list("person", flat=True)) == [known.pk]
    assert "By " not in first.body and "by Kwame Mensah (new draft person)" in report.as_text()
