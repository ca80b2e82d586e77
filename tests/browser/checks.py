"""Checks every browser test makes of a rendered page: nothing wider than the viewport, and
what axe-core (loaded from the ``axe_source`` fixture) reports. One copy, for every module."""

from __future__ import annotations

#: Up to five elements sticking out past the viewport's right edge (``[]`` when none).
WIDER_THAN_VIEWPORT = """() => {
  if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5)
    .map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
}"""


def axe_faults(page, axe_source: str, *, width: int | None = None, serious: bool = False) -> list:
    """axe-core's violations on ``page`` as readable lines (``[]`` when none); ``serious``
    keeps the serious and critical ones only; ``width`` is named in each line."""
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    at = f", {width}px" if width is not None else ""
    return [
        f"{v['id']} ({v['impact']}{at}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if not serious or v["impact"] in ("serious", "critical")
    ]
