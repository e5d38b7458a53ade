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
DARK_FROM = 2  # shades from this index on take white text


def shade_index(value: int) -> int | None:
    """The decade a value falls in, as an index of SHADES (the last holds all larger)."""
    return None if value <= 0 else min(int(math.log10(value)), len(SHADES) - 1)


def tile_map(name: str, title: str, values: dict[str, int], tiles: dict[str, Tile]) -> str:
    """Every tile of `tiles` (state_tiles.csv), shaded by its code's value in
    `values` (0 when absent), with a legend of the decades the values reach."""
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
        parts.append(
            f'<g class="state {ink}"><title>{escape(tile.name)}: {value:,} declined</title>'
            f'<rect class="tile" data-state="{escape(code)}" data-value="{value}" x="{x}" y="{y}" width="{TILE}" height="{TILE}" '
            f'rx="3" fill="{NONE if index is None else SHADES[index]}"/>'
            f'<text class="code" x="{x + TILE / 2}" y="{y + 26}" text-anchor="middle">{escape(code)}</text>'
            f'<text class="value" x="{x + TILE / 2}" y="{y + 44}" text-anchor="middle">{value:,}</text></g>'
        )
    parts.append(_legend(max(values.values(), default=0), x=2 * (TILE + GAP), y=8))
    parts.append("</svg>")
    return "".join(parts)


def _legend(peak: int, x: int, y: int) -> str:
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
    parts.append("</g>")
    return "".join(parts)


def state_list(values: dict[str, int], tiles: dict[str, Tile]) -> str:
    """The map's numbers as text, largest first."""
    items = "".join(
        f'<li><b>{escape(code)}</b> {escape(tiles[code].name)}: {value:,}</li>'
        for code, value in sorted(values.items(), key=lambda item: (-item[1], item[0])) if code in tiles
    )
    return f'<ul class="state-list">{items}</ul>'
