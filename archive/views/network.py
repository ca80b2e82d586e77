"""Connections: a small network of who is mentioned with whom, on person and organisation
pages, drawn as server-side SVG (no script needed, every node a link).

The record sits in the middle; around it, the people and organisations most often mentioned
in the same public articles (``Mention.objects.public()``, the one visibility rule), each
linked to it by a line as thick as the number of articles they share. Lines between two of
them say that they too are mentioned together, in the articles that mention the record.
The list "Often mentioned alongside" beneath gives the same in words.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from archive.models import Mention
from archive.search.engine import id_set

#: At most this many neighbours, so the drawing stays readable on a phone.
NEIGHBOURS = 8
#: Articles of the record read for the lines between neighbours (a bound on the query).
ARTICLES_READ = 2000
WIDTH, HEIGHT = 460, 330
#: An ellipse, wider than tall would crowd the labels beside the nodes off the drawing.
RADIUS_X, RADIUS_Y = 92, 112
LABEL_CHARS = 14


@dataclass
class Node:
    key: tuple[str, int]
    name: str
    label: str
    url: str
    kind: str
    count: int
    x: float
    y: float
    r: float
    label_x: float
    label_y: float
    anchor: str

    @property
    def square(self) -> dict[str, float]:
        """An organisation is drawn as a square (people as circles): told apart without
        relying on colour."""
        side = round(self.r * 1.8, 1)
        return {"x": round(self.x - side / 2, 1), "y": round(self.y - side / 2, 1), "side": side}


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    count: int
    title: str
    centre: bool


def short_label(name: str, acronym: str = "", sort_name: str = "") -> str:
    """A label that fits beside a node: the acronym of an organisation, a person's family
    name ("Gorbachev" from "Gorbachev, Mikhail"), else the name cut at a word with an
    ellipsis (the full name is in the node's title and the list below)."""
    if acronym:
        return acronym
    if "," in sort_name:
        name = sort_name.split(",", 1)[0].strip() or name
    if len(name) <= LABEL_CHARS:
        return name
    cut = name[:LABEL_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def label(neighbour: dict[str, Any]) -> str:
    return short_label(
        neighbour["name"], neighbour.get("acronym", ""), neighbour.get("sort_name", "")
    )


def network(
    kind: str, obj, neighbours: list[dict[str, Any]], articles: Sequence[int] | None = None
) -> dict[str, Any] | None:
    """Geometry of the network around ``obj`` (a person or organisation) and its
    ``neighbours`` (dicts with type, id, name, url, count, acronym), or ``None``.
    ``articles``: the ids of the public articles mentioning ``obj``, when the caller has
    read them already (the page has, for its lists of names)."""
    people = [n for n in neighbours if n["type"] in ("person", "organisation")][:NEIGHBOURS]
    if not people:
        return None
    cx, cy = WIDTH / 2, HEIGHT / 2
    top = max(n["count"] for n in people)
    nodes: list[Node] = []
    for i, n in enumerate(people):
        angle = -math.pi / 2 + 2 * math.pi * i / len(people)
        x, y = cx + RADIUS_X * math.cos(angle), cy + RADIUS_Y * math.sin(angle)
        r = 6 + 8 * math.sqrt(n["count"] / top)
        right = math.cos(angle) >= -0.01
        upright = abs(math.cos(angle)) < 0.2  # top and bottom: label above or below
        if upright:
            lx, ly, anchor = x, y + (-(r + 6) if math.sin(angle) < 0 else r + 16), "middle"
        else:
            lx, ly, anchor = x + (r + 5 if right else -(r + 5)), y + 5, "start" if right else "end"
        nodes.append(
            Node((n["type"], n["id"]), n["name"], label(n),
                 n["url"], n["type"], n["count"], round(x, 1), round(y, 1), round(r, 1),
                 round(lx, 1), round(ly, 1), anchor)
        )  # fmt: skip
    centre = Node((kind, obj.pk), obj.name, label(
        {"name": obj.name, "acronym": getattr(obj, "acronym", ""),
         "sort_name": getattr(obj, "sort_name", "")}),
                  obj.get_absolute_url(), kind, 0, cx, cy, 16, cx, cy + 34, "middle")  # fmt: skip
    edges = [
        Edge(cx, cy, n.x, n.y, round(1 + 5 * n.count / top, 1), n.count,
             f"{obj.name} and {n.name}: mentioned together in {_articles(n.count)}", True)
        for n in nodes
    ]  # fmt: skip
    edges = _between(kind, obj, nodes, top, articles) + edges
    return {"width": WIDTH, "height": HEIGHT, "centre": centre, "nodes": nodes, "edges": edges}


def _between(
    kind: str, obj, nodes: list[Node], top: int, articles: Sequence[int] | None = None
) -> list[Edge]:
    """Lines between neighbours mentioned together in the (newest ``ARTICLES_READ``)
    articles that mention ``obj``."""
    if articles is None:
        articles = (
            Mention.objects.public(target=kind)
            .filter(**{kind: obj})
            .order_by("-article_id")
            .values_list("article_id", flat=True)
        )
    # One array parameter, not 2,000 placeholders (building and parsing those took longer
    # than the two statements ran: 33 ms of a person's page at a million articles).
    articles = id_set(sorted(set(articles), reverse=True)[:ARTICLES_READ])
    by_key = {n.key: n for n in nodes}
    people = [k[1] for k in by_key if k[0] == "person"]
    organisations = [k[1] for k in by_key if k[0] == "organisation"]
    rows = [
        *Mention.objects.public(target="person")
        .filter(article_id__in=articles, person_id__in=people)
        .order_by()
        .values_list("article_id", "person_id", "organisation_id"),
        *Mention.objects.public(target="organisation")
        .filter(article_id__in=articles, organisation_id__in=organisations)
        .order_by()
        .values_list("article_id", "person_id", "organisation_id"),
    ]
    present: dict[int, set[tuple[str, int]]] = {}
    for article_id, person_id, organisation_id in rows:
        key = ("person", person_id) if person_id else ("organisation", organisation_id)
        present.setdefault(article_id, set()).add(key)
    pairs: Counter[tuple[tuple[str, int], tuple[str, int]]] = Counter()
    for keys in present.values():
        for a, b in combinations(sorted(keys), 2):
            pairs[(a, b)] += 1
    edges = []
    for (a, b), n in sorted(pairs.items()):
        one, two = by_key[a], by_key[b]
        edges.append(
            Edge(one.x, one.y, two.x, two.y, round(0.8 + 3 * n / top, 1), n,
                 f"{one.name} and {two.name}: together in {_articles(n)}", False)
        )  # fmt: skip
    return edges


def _articles(n: int) -> str:
    return f"{n} article" if n == 1 else f"{n} articles"
