"""Property: for any text, each unit's repaired body plus its repair log gives its raw text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.importers.repairs import DocumentContext, apply_repairs, repair_unit, replay
from archive.importers.text import parse_document

# Lines shaped like the layouts the parser reacts to, mixed at random.
LINES = st.sampled_from(
    [
        "", " ", "1. The risen people: Eastern Europe", "after the revolutions", " January 1990",
        "2. What’s in the coffin at", "T", "“W", "he system Stalin built in the old", "t is 20",
        "hat is the political revolution that we", "THE RUSSIAN EMPIRE", "“SOCIALISM",
        "IN ONE COUNTRY”", "In the summer of 1991 the USSR itself collapsed, sud-",
        " denly. On 19 August a group of top bureaucrats,", "Continued page 4",
        " half a century or more, free to function openly.",
        "the spread of the revContinued on page 16",
        " olution to the advanced countries in a reasonably", "Tito", " Mikhail Gorbachev",
        "• National oppression by the USSR and within the", "USSR.", "Introduction",
        "The program we", "advocated", "1989", "May 2: Hungary disables the alarm", "evi-",
        "dence that the real rule", "Sverdlov killed the bloody Tsar,", "He signed it;",
        "(1981)", "It was invsasion and loya1 way way.", "ln Eastern Europe we have",
        "Gorbachev’s reform propaganda, things got so far out of hand that only",
    ]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=40))
def test_replay_inverts_the_repairs_of_any_text(lines):
    text = "\n".join(lines) + "\n"  # a final newline ends the last line
    document = parse_document(text)
    context = DocumentContext(text)
    numbers = []
    for unit in document.units:
        result = repair_unit(unit, context)
        assert replay(result.body, result.repairs) == unit.raw_text
        assert apply_repairs(unit.raw_text, result.repairs) == result.body
        numbers.extend(line.number for line in unit.lines)
    numbers.extend(line.number for line in document.unclaimed)
    assert sorted(numbers) == list(range(1, len(lines) + 1))
