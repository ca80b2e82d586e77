"""Emendations: read, applied exactly once or refused, undone, and proposed from two texts."""

from __future__ import annotations

import json

import pytest

from archive.collection import emendations as em
from archive.collection.propose import REVIEW, classify


def entry(**given) -> em.Emendation:
    values = {"number": 1, "article": "a", "field": "body", "kind": "misprint"}
    values.update({"printed": "", "corrected": "", "reason": "why"}, **given)
    return em.Emendation(**values)


def write(tmp_path, entries) -> object:
    path = tmp_path / "emendations.json"
    path.write_text(json.dumps({"emendations": entries}), encoding="utf-8")
    return path


def test_apply_replaces_text_found_once_and_undo_restores_it():
    text = "the socalled party. It ruled."
    fixes = [
        entry(printed="the socalled party", corrected="the so-called party"),
        entry(printed="party. It", corrected="party.\n\nIt", kind="paragraphing"),
    ]
    corrected, applied = em.apply(text, fixes)
    assert corrected == "the so-called party.\n\nIt ruled."
    assert [a.offset for a in applied] == [0, 14]
    assert em.undo(corrected, applied) == text


@pytest.mark.parametrize("text, found", [("no such words", 0), ("the x and the x", 2)])
def test_apply_refuses_printed_text_not_found_exactly_once(text, found):
    with pytest.raises(em.EmendationError) as caught:
        em.apply(text, [entry(number=7, article="lies", printed="the x", corrected="the y")])
    message = str(caught.value)
    assert "emendation 7 (lies, body) no longer applies" in message
    assert f"occurs {found} times" in message


def test_a_whole_field_is_corrected_only_from_the_value_it_names():
    label = entry(field="label", kind="metadata", printed="", corrected="Timeline")
    assert em.apply("", [label])[0] == "Timeline"
    with pytest.raises(em.EmendationError, match="the importer gives '3'"):
        em.apply("3", [label])


@pytest.mark.parametrize(
    "item, message",
    [
        ({"article": "a", "kind": "typo", "printed": "x", "corrected": "y", "reason": "r"}, "kind"),
        ({"article": "a", "kind": "misprint", "printed": "x", "corrected": "y", "reason": " "},
         "needs its reason"),
        ({"article": "a", "kind": "misprint", "printed": "x", "corrected": "y",
          "reason": REVIEW + "say why"}, "needs its reason"),
        ({"article": "a", "kind": "misprint", "printed": "x", "corrected": "x", "reason": "r"},
         "the same"),
        ({"article": "a", "kind": "misprint", "printed": "", "corrected": "x", "reason": "r"},
         "must quote"),
        ({"article": "a", "field": "pages", "kind": "metadata", "printed": "", "corrected": "3",
          "reason": "r"}, "field must be"),
        ({"article": "a", "kind": "misprint", "printed": "x", "corrected": "y", "reason": "r",
          "note": "?"}, "unknown key 'note'"),
    ],
)  # fmt: skip
def test_a_malformed_entry_is_refused_with_its_number(tmp_path, item, message):
    with pytest.raises(em.EmendationError, match=message) as caught:
        em.load(write(tmp_path, [item]))
    assert "emendations.json, emendation 1" in str(caught.value)


@pytest.mark.parametrize(
    "imported, wanted",
    [
        ("It fell. Then it rose. It fell. Then it rose.", "It fell.\n\nThen it rose. It fell. "
         "Then it rose."),
        ("a wageslavery and b wageslavery", "a wage-slavery and b wage-slavery"),
        ("BLOCK moved here. The start of it all, and the end of it all.",
         "The start of it all, and BLOCK moved here. the end of it all."),
        ("same text", "same text"),
    ],
)  # fmt: skip
def test_proposed_pairs_apply_in_order_and_give_the_wanted_text(imported, wanted):
    pairs = em.propose(imported, wanted)
    fixes = [entry(number=n, printed=p, corrected=c) for n, (p, c) in enumerate(pairs, 1)]
    assert em.apply(imported, fixes)[0] == wanted
    assert (pairs == []) == (imported == wanted)


def test_the_shape_of_a_change_gives_its_kind():
    assert classify("ends. Next", "ends.\n\nNext")[0] == "paragraphing"
    assert classify("the socalled party", "the so-called party")[0] == "extraction"
    assert classify("or anti-Stalinist", "For anti-Stalinist")[1].startswith(REVIEW)
