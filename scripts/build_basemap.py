#!/usr/bin/env python3
"""Convert Natural Earth country outlines (TopoJSON from the ``world-atlas`` npm package)
into the archive's static base map, ``archive/static/archive/map/world.svg``.

Run once, and again only to change the base map; the result is committed, so the site
needs neither the package nor any map service (no third-party tiles, no CDN):

    cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 scripts/build_basemap.py package/countries-50m.json

The projection is equirectangular: x = (longitude + 180) × SCALE, y = (90 − latitude) ×
SCALE, the same formula as ``archive.views.maps.project`` uses to place the archive's
places on it. Antarctica is left out and rings crossing the antimeridian are unwrapped (the
part beyond 180° falls outside the drawing). Outlines are simplified (Douglas–Peucker,
TOLERANCE units), which keeps the file small without visible loss at the map's sizes.

Natural Earth is in the public domain; world-atlas is © Michael Bostock, ISC licence.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SCALE = 4  # SVG units per degree: the world is 1440 × 720
TOLERANCE = 0.4  # SVG units
OUT = (
    Path(__file__).resolve().parent.parent / "archive" / "static" / "archive" / "map" / "world.svg"
)
ANTARCTICA = "010"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute longitude/latitude points of every arc (TopoJSON is delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(
    ring: list[int], arcs: list[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def project(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Equirectangular, with longitudes unwrapped so a ring never jumps across the map."""
    out: list[tuple[float, float]] = []
    offset = 0.0
    previous = None
    for lon, lat in points:
        if previous is not None and abs(lon + offset - previous) > 180:
            offset += -360 if lon + offset > previous else 360
        lon += offset
        previous = lon
        out.append(((lon + 180) * SCALE, (90 - lat) * SCALE))
    return out


def thin(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Douglas–Peucker: drop points within TOLERANCE of the line their neighbours make."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, 0
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                distance = abs(dy * px - dx * py + bx * ay - by * ax) / length
            else:
                distance = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if distance > worst:
                worst, index = distance, i
        if worst > TOLERANCE:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def path_data(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 4:
            continue
        coords = [f"{x:.1f} {y:.1f}".replace(".0 ", " ").removesuffix(".0") for x, y in ring]
        parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def main(source: str) -> None:
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    paths = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == ANTARCTICA or "arcs" not in geometry:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [thin(project(ring_points(ring, arcs))) for polygon in polygons for ring in polygon]
        data = path_data(rings)
        if data:
            paths.append(f'<path d="{data}"/>')
    width, height = 360 * SCALE, 180 * SCALE
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">\n'
        "<!-- Country outlines: Natural Earth 1:50m (public domain, naturalearthdata.com), "
        "via the world-atlas 2.0.2 npm package (ISC, Michael Bostock); converted by "
        "scripts/build_basemap.py. Equirectangular, 4 units per degree. -->\n"
        f'<rect width="{width}" height="{height}" fill="#dce8f0"/>\n'
        '<g fill="#f4f1e8" stroke="#a09a88" stroke-width="0.6" stroke-linejoin="round">\n'
        + "\n".join(paths)
        + "\n</g>\n</svg>\n"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(svg, encoding="utf-8")
    print(f"{OUT}: {len(paths)} countries, {len(svg) // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package/countries-50m.json")
