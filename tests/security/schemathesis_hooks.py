"""Schemathesis hooks for tests/security/test_api_schemathesis.py (loaded by the command line
through ``SCHEMATHESIS_HOOKS``).

OpenAPI describes each query parameter on its own; it cannot say that two of them depend on
each other. The API has three such rules, each tested both ways in tests/api:

* a range's ends are in order (``date_after`` not after ``date_before``, the same for
  ``mentioned_after``/``mentioned_before`` and ``word_count_min``/``word_count_max``);
  a reversed range is a 400 naming both parameters;
* ``ordering=relevance`` needs a full-text query ``q``.

A generated request the schema allows may still break one of them by chance, and would then be
refused as if the schema were wrong. So *positive* cases are put right here (the ends swapped,
relevance dropped when there is no ``q``); negative cases are left alone, and every check
stays enabled.
"""

from __future__ import annotations

import schemathesis
from schemathesis import GenerationMode

DATE_RANGES = (("date_after", "date_before"), ("mentioned_after", "mentioned_before"))
NUMBER_RANGES = (("word_count_min", "word_count_max"),)


def _first_day(partial_date: str) -> str:
    """``1991`` → ``1991-01-01``, ``1991-05`` → ``1991-05-01``: comparable as text."""
    return partial_date + "-01-01"[: 10 - len(partial_date)]


def _last_day(partial_date: str) -> str:
    """An upper bound that sorts after every day of the span (``1991-05`` → ``1991-05-99``)."""
    return partial_date + "-99-99"[: 10 - len(partial_date)]


def _swap_if(query: dict, low: str, high: str, reversed_: bool) -> None:
    if reversed_:
        query[low], query[high] = query[high], query[low]


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE or not case.query:
        return case
    query = case.query
    for low, high in DATE_RANGES:
        a, b = query.get(low), query.get(high)
        if isinstance(a, str) and isinstance(b, str) and a and b:
            _swap_if(query, low, high, _first_day(a) > _last_day(b))
    for low, high in NUMBER_RANGES:
        a, b = query.get(low), query.get(high)
        if isinstance(a, int) and isinstance(b, int):
            _swap_if(query, low, high, a > b)
    if str(query.get("ordering", "")).lstrip("-") == "relevance" and not query.get("q"):
        del query["ordering"]
    if query.get("since") and query.get("until"):  # /api/changes/: a window in order
        del query["until"]
    return case
