"""Declines by state as a tile-grid map: each state, DC and territory one square at its place
in schemas/reference/state_tiles.csv, shaded by its declines and labelled with its code and
value. Needs no geometry, so the page stays small and offline; a list of the same numbers
follows it for readers who do not see the map."""

from __future__ import annotations

import math

from detainers.report.charts import escape
from schemas.reference import Tile

TILE, GAP = 60, 5
# One shade per decade of declines (1-9, 10-99, ...), light to dark; no declines is grey.
SHADES = ("#f4d9d2", "#e3a594", "#cc6e57", "#b2442f", "#7a2717")
NONE = "#ececec"
PARTIAL_OUTLINE = "#555"  # dashed around a state whose data covers only part of the window
DARK_FROM = 2  # shades from this index on take white text


def shade_index(value: int) -> int | None:
    """The decade a value falls in, as an index of SHADES (the last holds all larger)."""
    return None if value <= 0 else min(int(math.log10(value)), len(SHADES) - 1)


def tile_map(name: str, title: str, values: dict[str, int], tiles: dict[str, Tile],
             coverage: dict[str, float] | None = None) -> str:
    """Every tile of `tiles` (state_tiles.csv), shaded by its code's value in
    `values` (0 when absent), with a legend of the decades the values reach. With `coverage`
    (code -> the share of the window's days its data covers), a state covered for only part of
    the window is outlined dashed with its share written on it, so states of unlike coverage
    are told apart."""
    rows = max(t.row for t in tiles.values()) + 1
    columns = max(t.column for t in tiles.values()) + 1
    width, height = columns * (TILE + GAP), rows * (TILE + GAP)
    parts = [f'<svg class="chart map" data-chart="{escape(name)}" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for code, tile in sorted(tiles.items(), key=lambda item: (item[1].row, item[1].column)):
        value = values.get(code, 0)
        index = shade_index(value)
        x, y = tile.column * (TILE + GAP), tile.row * (TILE + GAP)
        ink = "none" if index is None else "light" if index >= DARK_FROM else "dark"
        share = None if coverage is None else coverage.get(code, 0.0)
        partial = share is not None and share < 1
        covered = f", data for {share:.0%} of the window's days" if partial else ""
        outline = f' stroke="{PARTIAL_OUTLINE}" stroke-width="2" stroke-dasharray="4 3" data-coverage="{share:.4f}"' if partial else ""
        parts.append(
            f'<g class="state {ink}"><title>{escape(tile.name)}: {value:,} declined{covered}</title>'
            f'<rect class="tile" data-state="{escape(code)}" data-value="{value}" x="{x}" y="{y}" width="{TILE}" height="{TILE}" '
            f'rx="3" fill="{NONE if index is None else SHADES[index]}"{outline}/>'
            f'<text class="code" x="{x + TILE / 2}" y="{y + 24}" text-anchor="middle">{escape(code)}</text>'
            f'<text class="value" x="{x + TILE / 2}" y="{y + 40}" text-anchor="middle">{value:,}</text>'
            + (f'<text class="covered" x="{x + TILE / 2}" y="{y + 54}" text-anchor="middle">{share:.0%} of days</text>' if partial else "")
            + "</g>"
        )
    parts.append(_legend(max(values.values(), default=0), x=2 * (TILE + GAP), y=8,
                         partial=any(coverage.get(c, 0.0) < 1 for c in tiles) if coverage is not None else False))
    parts.append("</svg>")
    return "".join(parts)


def _legend(peak: int, x: int, y: int, partial: bool = False) -> str:
    """Swatches for no declines and each decade up to the peak's, in the map's empty top row."""
    top = shade_index(peak)
    entries = [(NONE, "none")]
    for index in range(0 if top is None else top + 1):
        low = 10 ** index
        label = f"{low:,}+" if index == len(SHADES) - 1 else f"{low:,}–{10 * low - 1:,}"
        entries.append((SHADES[index], label))
    parts = [f'<g class="legend"><text x="{x}" y="{y + 10}">declined detainers</text>']
    for i, (fill, label) in enumerate(entries):
        sx = x + i * 88
        parts.append(f'<rect x="{sx}" y="{y + 18}" width="16" height="16" rx="2" fill="{fill}"/>'
                     f'<text x="{sx + 21}" y="{y + 31}">{escape(label)}</text>')
    if partial:
        parts.append(f'<rect x="{x}" y="{y + 42}" width="16" height="16" rx="2" fill="{NONE}" stroke="{PARTIAL_OUTLINE}" '
                     f'stroke-width="2" stroke-dasharray="4 3"/><text x="{x + 21}" y="{y + 55}">'
                     "dashed: data for part of the window only (the share of its days on the tile)</text>")
    parts.append("</g>")
    return "".join(parts)


def state_list(values: dict[str, int], tiles: dict[str, Tile]) -> str:
    """The map's numbers as text, largest first."""
    items = "".join(
        f'<li><b>{escape(code)}</b> {escape(tiles[code].name)}: {value:,}</li>'
        for code, value in sorted(values.items(), key=lambda item: (-item[1], item[0])) if code in tiles
    )
    return f'<ul class="state-list">{items}</ul>'
