"""The parser finds the seed's units as printed, and copes with plainer texts."""

from __future__ import annotations

from archive.importers.text import parse_dateline, parse_document, parse_units

# Read off the pamphlet itself: kind, printed number, title (lines joined), dateline as EDTF.
SEED_UNITS = [
    ("timeline", "", "Timeline", ""),
    ("introduction", "", "Introduction", ""),
    ("sidebar", "", "The program we advocated", "1981"),
    ("sidebar", "", "The system they overthrew, seen 20 years earlier", "1968"),
    ("article", "1", "The risen people: Eastern Europe after the revolutions", "1990-01"),
    ("article", "2", "What’s in the coffin at the funeral of socialism?", "1990-03"),
    ("article", "3", "Lies against socialism answered", ""),
    ("article", "4", "Stalin’s system collapses", "1991-08"),
    ("article", "5", "Why socialists should support the banning of the CPSU", "1991-10"),
    ("article", "6", "The triumph of unreason: market madness in the ex-USSR", "1992-01"),
    ("article", "7", "What was the Bolsheviks’ conception of the 1917 revolution?", "1990"),
    ("article", "8", "Why the workers want to restore capitalism", "1991-08"),
    ("article", "9", "In the beginning was the critique of capitalism", "1992-02"),
    ("article", "10", "An open letter to Ernest Mandel", "1992-10"),
    ("article", "11", "Trotsky and the collapse of Stalinism", "1990-09"),
    ("poem", "12", "And where were Jacob Sverdlov’s sons?", ""),
]


def test_seed_units_titles_labels_datelines_in_order(seed_document):
    found = [(u.kind, u.label, u.title, u.date) for u in seed_document.units]
    assert found == SEED_UNITS
    assert [u.position for u in seed_document.units] == list(range(1, 17))
    assert seed_document.unclaimed == []


def test_seed_datelines_keep_the_printed_text(seed_document):
    by_label = {u.label: u for u in seed_document.units}
    assert by_label["1"].date_display == "January 1990"
    assert by_label["7"].date_display == "1990"
    assert by_label["3"].date_display == ""


def test_seed_units_cover_every_line_once(seed_text, seed_document):
    """The units partition the file: each line belongs to exactly one unit."""
    numbers = sorted(line.number for u in seed_document.units for line in u.lines)
    assert numbers == list(range(1, len(seed_text.splitlines()) + 1))


def test_article_3_numbered_lies_are_subpoints_not_articles(seed_document):
    lies = seed_document.units[6]
    starts = [
        line.stripped.split(".")[0]
        for line in lies.lines
        if line.role == "subpoint" and line.stripped[:1].isdigit()
    ]
    # As printed: 5 and 13 are displaced by the page layout; 4 and 12 are still sub-points
    # although 4 is also the next article's number.
    assert starts == [
        "1",
        "2",
        "3",
        "5",
        "4",
        "6",
        "7",
        "8",
        "9",
        "10",
        "11",
        "13",
        "12",
        "14",
        "15",
    ]


def test_continuation_after_an_inserted_article_is_moved_back(seed_document):
    letter, trotsky = seed_document.units[13], seed_document.units[14]
    assert letter.moved_from_line == 3056
    assert any(line.text.startswith(" olution to the advanced") for line in letter.lines)
    assert not any(line.number >= 3056 and line.text.strip() for line in trotsky.lines)


def test_seed_section_headings_captions_and_markers(seed_document):
    roles = {line.number: line.role for unit in seed_document.units for line in unit.lines}
    assert roles[284] == "heading"  # THE RUSSIAN EMPIRE
    assert roles[1890] == roles[1892] == "heading"  # “SOCIALISM / IN ONE COUNTRY”
    assert roles[412] == "marker"  # Continued page 4
    captions = sorted(n for n, r in roles.items() if r == "caption")
    assert captions == [303, 492, 716, 1088, 1089, 1440, 1627, 1883, 2154, 2938]
    assert roles[1304] == "dropcap" and roles[1306] == "dateline"
    assert roles[2070] == "displaced"  # text between article 8's drop cap and its dateline


def test_parse_dateline_forms():
    assert parse_dateline(" January 1990") == ("1990-01", "January 1990")
    assert parse_dateline("19 August 1991") == ("1991-08-19", "19 August 1991")
    assert parse_dateline("1990") is None
    assert parse_dateline("1990", allow_year=True) == ("1990", "1990")
    assert parse_dateline("January was cold") is None


def test_numbered_articles_without_datelines():
    text = (
        "1. First things\n\nThe opening article says hello to everyone here.\n"
        "It goes on a little.\n\n"
        "2. Second thoughts\n\nAnother article follows with more words.\n"
    )
    units = parse_units(text)
    assert [(u.label, u.title, u.date, u.kind) for u in units] == [
        ("1", "First things", "", "article"),
        ("2", "Second thoughts", "", "article"),
    ]


def test_text_without_numbering_is_one_untitled_unit():
    text = "Just some prose without any structure at all.\nA second line of it.\n"
    (unit,) = parse_units(text)
    assert unit.kind == "article" and unit.label == "" and unit.first_line == 1
    assert unit.title == "Untitled"
    assert [line.role for line in unit.lines] == ["text", "text"]


def test_unnumbered_sidebar_with_drop_cap_and_dateline():
    text = (
        "Introduction\n\nt is a fine day for a new pamphlet. It is.\n\n"
        "A box on the side\n\nT\n\nMarch 1990\n\nhe box says what it says.\n"
    )
    units = parse_units(text)
    assert [(u.kind, u.title, u.date) for u in units] == [
        ("introduction", "Introduction", ""),
        ("sidebar", "A box on the side", "1990-03"),
    ]


def test_crlf_line_endings_parse_the_same():
    text = "1. First things\n\nThe opening article.\n"
    assert [u.title for u in parse_units(text.replace("\n", "\r\n"))] == ["First things"]


def test_verse_is_recognised():
    text = (
        "1. A song\n"
        "Sverdlov killed the bloody Tsar,\nHe signed the warrant for it;\n"
        "So when they struck his statue down\n\n"
        "And where were Jacob Sverdlov’s sons?\nAnd Lenin’s proud granddaughters?\n"
        "All of them lost, slaughtered;\n"
    )
    (unit,) = parse_units(text)
    assert unit.kind == "poem"
    assert {line.role for line in unit.lines} == {"title", "verse", "blank"}


def test_document_keeps_units_in_reading_order_as_dicts(seed_document):
    first = seed_document.units[4].as_dict()
    assert first == {
        "position": 5,
        "kind": "article",
        "label": "1",
        "title": "The risen people: Eastern Europe after the revolutions",
        "date": "1990-01",
        "date_display": "January 1990",
        "bylines": [],
        "first_line": 220,
        "last_line": 493,
    }
    assert parse_document("").units[0].title == "Untitled"


def test_unnumbered_headlines_start_articles():
    text = (
        "Miners Vote to Strike\n\nThe miners voted yesterday to strike over pit closures.\n"
        "The vote was close.\n\n"
        "Council Housing Sold Off\n\nThe council has sold another estate to a developer.\n\n"
        "Not a headline, just a short line\n\nbut the sentence runs on after it.\n"
    )
    units = parse_units(text)
    assert [(u.kind, u.title) for u in units] == [
        ("article", "Miners Vote to Strike"),
        ("article", "Council Housing Sold Off"),
    ]
    assert units[1].last_line == 12  # the short line before running text is no headline


def test_dateline_forms():
    assert parse_dateline("19 January 1996") == ("1996-01-19", "19 January 1996")
    assert parse_dateline("January 19, 1996") == ("1996-01-19", "January 19, 1996")
    assert parse_dateline("Jan. 1996") == ("1996-01", "Jan. 1996")
    assert parse_dateline("Sept. 1984")[0] == "1984-09"
    assert parse_dateline("Spring 1990") == ("1990-21", "Spring 1990")
    assert parse_dateline("Winter 1978")[0] == "1978-24"
    assert parse_dateline("1989–90", allow_year=True) == ("1989/1990", "1989–90")
    assert parse_dateline("1984-1985", allow_year=True)[0] == "1984/1985"
    # a bare range is a date only where a date is expected
    assert parse_dateline("1989–90") is None
    assert parse_dateline("January 41, 1996") is None
    assert parse_dateline("Springfield 1990") is None


NEWSPAPER = """Dockers Stop the Port

By Ana Ruiz and Tom Price
March 3, 1989

The dockers stopped work at dawn on Monday and the port was silent
by noon. Their union says the stoppage will go on until the sacked
shop steward is taken back. Continued on page 6

Printers Ballot on Pay

By Li Wei
Summer 1989

Printers in the city vote this week on a pay offer that the union
calls an insult. The ballot closes on Friday.

Continued from page 1
men stood at the gates. The employers have hired a private security
firm to guard the cranes.
"""


def test_headlines_with_bylines_datelines_and_a_continuation_by_its_marker():
    units = parse_units(NEWSPAPER.replace(" Continued on page 6", "\nContinued on page 6"))
    assert [(u.title, u.date, u.bylines) for u in units] == [
        ("Dockers Stop the Port", "1989-03-03", ["Ana Ruiz", "Tom Price"]),
        ("Printers Ballot on Pay", "1989-22", ["Li Wei"]),
    ]
    dockers, printers = units
    assert dockers.byline == "Ana Ruiz and Tom Price"
    assert dockers.moved_from_line is not None
    assert any("private security" in line.text for line in dockers.lines)
    assert not any("private security" in line.text for line in printers.lines)


def test_a_continuation_is_found_by_sentence_flow_without_a_marker():
    text = NEWSPAPER.replace(" Continued on page 6", "\nContinued on page 6").replace(
        "Continued from page 1\n", ""
    )
    dockers, printers = parse_units(text)
    assert dockers.moved_from_line is not None
    assert dockers.lines[-1].text.startswith("firm to guard")
    assert printers.lines[-1].text.endswith("closes on Friday.") or not printers.lines[-1].text


PAGES = """Rail Workers Walk Out

By Sam Okafor
12 June 1982

Rail workers across the region walked out on Tuesday after the board
refused to reopen talks on the closure of three depots and the loss

14

THE RAILWAY REVIEW  15

of four hundred jobs. Pickets were out at every depot by six in the
morning, and no trains ran.
"""


def test_page_numbers_and_running_heads_are_page_furniture():
    (unit,) = parse_units(PAGES)
    roles = {line.text: line.role for line in unit.lines}
    assert roles["14"] == "pagehead" and roles["THE RAILWAY REVIEW  15"] == "pagehead"
    paras = {line.para for line in unit.lines if line.role == "text"}
    assert paras == {1}  # the sentence runs on across the page
    # four-digit numbers are years, never page numbers
    assert parse_units(PAGES.replace("\n14\n", "\n1914\n"))[0].lines[9].role != "pagehead"


def test_one_paragraph_per_line_and_a_caption_with_a_full_stop():
    long_a = "The miners at the pit voted by a large majority to strike, " * 3
    long_b = "The coal board had offered nothing but closures and transfers, " * 3
    text = (
        "Pit Votes to Strike\n\nBy Jo Hale\nMay 1984\n\n"
        f"{long_a.strip()} end.\n{long_b.strip()} and the\n\n"
        "Miners at the gate on Monday morning.\n\n"
        f"men said so. {long_a.strip()} end.\n"
    )
    (unit,) = parse_units(text)
    captions = [line.text for line in unit.lines if line.role == "caption"]
    assert captions == ["Miners at the gate on Monday morning."]
    paras = [line.para for line in unit.lines if line.role == "text"]
    assert paras == [1, 2, 2]
