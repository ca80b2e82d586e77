"""import_text with several files or a folder: a transaction per file, progress on stderr,
one summary table, a failed file writes nothing while the others are imported."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.models import Article, Issue, SourceDocument, TextRepair
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

PAPER = (
    "1. A small paper\n\nT\n\nJanuary 1990\n\nhe workers of {town} are organ-\nising. "
    "Lech Walesa spoke.\n\n2. Another piece\n\nMarch 1990\n\nSolidarnosc grew and grew.\n"
)


@pytest.fixture
def folder(tmp_path):
    PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a-gdansk.txt").write_text(PAPER.format(town="Gdansk"), encoding="utf-8")
    (papers / "b-binary.txt").write_bytes(b"1. Title\n\x00\x00")
    (papers / "c-szczecin.txt").write_text(PAPER.format(town="Szczecin"), encoding="utf-8")
    (papers / "notes.md").write_text("not a text to import", encoding="utf-8")
    return papers


def run(*args, **options) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_text", *args, stdout=out, stderr=err, **options)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_a_folder_imports_each_file_in_its_own_transaction(folder):
    out, err, failure = run(str(folder), "--publication", "workers-liberty")
    # the bad file failed alone, in one line, and the command says so with a non-zero exit
    assert failure is not None and "\n" not in str(failure)
    assert str(failure).startswith("1 of 3 files failed and wrote nothing")
    assert "b-binary.txt: This is a binary file, not plain text (NUL byte at offset 9)" in str(
        failure
    )
    # the good ones are in, the bad one left nothing
    assert sorted(SourceDocument.objects.values_list("name", flat=True)) == [
        "a-gdansk.txt",
        "c-szczecin.txt",
    ]
    assert sorted(Issue.objects.values_list("slug", flat=True)) == ["a-gdansk", "c-szczecin"]
    assert Article.objects.count() == 4
    # one summary table: a row per file with its numbers, and a total line
    lines = out.strip().split("\n")
    assert lines[0].split() == ["file", "units", "repairs", "flags", "unknown", "names", "status"]
    rows = {line.split()[0]: line.split() for line in lines[1:4]}
    gdansk = Issue.objects.get(slug="a-gdansk")
    applied = TextRepair.objects.filter(
        source_document=gdansk.source_document, status="applied"
    ).count()
    assert rows["a-gdansk.txt"][1:3] == ["2", str(applied)]
    assert rows["a-gdansk.txt"][-1] == "created"
    assert "failed: This is a binary file" in lines[2]
    assert lines[-1] == "3 files: 2 imported, 1 failed (nothing written for them)"
    # progress: each file as it starts and ends, with the share of all bytes done
    assert "[1/3] a-gdansk.txt: importing" in err
    assert "[3/3] c-szczecin.txt: created in" in err and "overall 100% of bytes" in err
    assert "notes.md" not in out + err


def test_quiet_dry_run_of_several_files_writes_nothing_and_prints_no_progress(folder):
    files = [str(folder / "a-gdansk.txt"), str(folder / "c-szczecin.txt")]
    out, err, failure = run(*files, "--publication", "workers-liberty", "--dry-run", "--quiet")
    assert failure is None and err == ""
    assert "2 files: 2 imported (dry run: nothing was written)" in out
    assert SourceDocument.objects.count() == Issue.objects.count() == 0


def test_importing_the_same_files_again_changes_nothing(folder):
    files = [str(folder / "a-gdansk.txt"), str(folder / "c-szczecin.txt")]
    run(*files, "--publication", "workers-liberty", "--quiet")
    out, _err, failure = run(*files, "--publication", "workers-liberty", "--quiet")
    assert failure is None
    assert [line.split()[-1] for line in out.strip().split("\n")[1:3]] == ["unchanged"] * 2
    assert SourceDocument.objects.count() == 2


def test_one_issue_options_are_refused_for_several_files(folder):
    files = [str(folder / "a-gdansk.txt"), str(folder / "c-szczecin.txt")]
    _out, _err, failure = run(*files, "--publication", "workers-liberty", "--issue-slug", "x")
    assert failure is not None and str(failure).startswith("--issue-slug names one issue")
    assert SourceDocument.objects.count() == 0


def test_a_missing_file_and_an_empty_folder(folder, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _out, _err, failure = run(str(empty), "--publication", "workers-liberty")
    assert str(failure) == f"The folder {empty} holds no .txt files."
    files = [str(folder / "a-gdansk.txt"), str(tmp_path / "nope.txt")]
    _out, _err, failure = run(*files, "--publication", "workers-liberty", "--quiet")
    assert "first: nope.txt: No such file" in str(failure)
    assert SourceDocument.objects.count() == 1
