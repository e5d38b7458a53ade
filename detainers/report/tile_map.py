"""Declines by state as a tile-grid map: each state, DC and territory one square at its place
in schemas/reference/state_tiles.csv, shaded by its declines and labelled with its code and
value. Needs no geometry, so the page stays small and offline; it scales to the page's width
(its legend is HTML beside it, so it reads on a phone), and a list of the same numbers follows
it for readers who do not see the map.

Coverage is said once where it is the same on every tile ("every state: data for 23% of the
window's days"), and on a tile only where it differs from that; a state with no data says "no
data", never 0; on a report about some states, the others are "not asked"."""

from __future__ import annotations

import math
from collections import Counter

from detainers.report.charts import escape
from detainers.schemas.reference import Tile

TILE, GAP = 60, 5
# One shade per decade of declines (1-9, 10-99, ...), light to dark; no declines is grey.
SHADES = ("#f4d9d2", "#e3a594", "#cc6e57", "#b2442f", "#7a2717")
NONE = "#ececec"
NOT_ASKED = "#ffffff"
PARTIAL_OUTLINE = "#555"  # dashed around a state whose data covers only part of the window
DARK_FROM = 2  # shades from this index on take white text


def shade_index(value: int) -> int | None:
    """The decade a value falls in, as an index of SHADES (the last holds all larger)."""
    return None if value <= 0 else min(int(math.log10(value)), len(SHADES) - 1)


def common_share(coverage: dict[str, float] | None, codes) -> float | None:
    """The share of the window's days most of the states asked have data for: said once."""
    if coverage is None:
        return None
    shares = Counter(round(coverage.get(code, 0.0), 4) for code in codes)
    return shares.most_common(1)[0][0] if shares else None


def _share_text(share: float) -> str:
    return "no data" if share == 0 else f"{share:.0%} of days"


def tile_map(name: str, title: str, values: dict[str, int], tiles: dict[str, Tile],
             coverage: dict[str, float] | None = None, asked: frozenset[str] | None = None) -> str:
    """Every tile of `tiles` (state_tiles.csv), shaded by its code's value in `values` (0 when
    absent). With `coverage` (code -> the share of the window's days its data covers), a state
    covered for only part of the window is outlined dashed; a tile whose share differs from
    the one most states have carries its own, the common one is said in the legend. With
    `asked`, the other states are drawn empty, "not asked"."""
    rows = max(t.row for t in tiles.values()) + 1
    columns = max(t.column for t in tiles.values()) + 1
    width, height = columns * (TILE + GAP), rows * (TILE + GAP)
    shown = [code for code in tiles if asked is None or code in asked]
    common = common_share(coverage, shown)
    parts = [f'<svg class="chart map" data-chart="{escape(name)}" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for code, tile in sorted(tiles.items(), key=lambda item: (item[1].row, item[1].column)):
        x, y = tile.column * (TILE + GAP), tile.row * (TILE + GAP)
        cx = x + TILE / 2
        if asked is not None and code not in asked:
            parts.append(f'<g class="state not-asked"><title>{escape(tile.name)}: not asked</title>'
                         f'<rect class="tile" data-state="{escape(code)}" data-asked="false" x="{x}" y="{y}" width="{TILE}" '
                         f'height="{TILE}" rx="3" fill="{NOT_ASKED}" stroke="#ddd"/>'
                         f'<text class="code" x="{cx}" y="{y + 22}" text-anchor="middle">{escape(code)}</text>'
                         f'<text class="value" x="{cx}" y="{y + 39}" text-anchor="middle">not asked</text></g>')
            continue
        value = values.get(code, 0)
        share = None if coverage is None else round(coverage.get(code, 0.0), 4)
        index = shade_index(value)
        ink = "none" if index is None else "light" if index >= DARK_FROM else "dark"
        partial = share is not None and share < 1
        outline = (f' stroke="{PARTIAL_OUTLINE}" stroke-width="2" stroke-dasharray="4 3" data-coverage="{share:.4f}"'
                   if partial else "")
        covered = f", data for {share:.0%} of the window's days" if partial else ""
        label = "no data" if share == 0 else f"{value:,}"
        own = partial and share != common  # said on the tile only where it differs from most
        parts.append(
            f'<g class="state {ink}"><title>{escape(tile.name)}: {"no data" if share == 0 else f"{value:,} declined"}{covered}</title>'
            f'<rect class="tile" data-state="{escape(code)}" data-value="{value}" x="{x}" y="{y}" width="{TILE}" height="{TILE}" '
            f'rx="3" fill="{NONE if index is None else SHADES[index]}"{outline}/>'
            f'<text class="code" x="{cx}" y="{y + 22}" text-anchor="middle">{escape(code)}</text>'
            f'<text class="value" x="{cx}" y="{y + 39}" text-anchor="middle">{escape(label)}</text>'
            + (f'<text class="covered" x="{cx}" y="{y + 53}" text-anchor="middle">{escape(_share_text(share))}</text>'
               if own and share else "")
            + "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def legend(values: dict[str, int], coverage: dict[str, float] | None, codes) -> str:
    """The map's legend as HTML: a swatch for no declines and each decade up to the peak's, and
    the coverage most states share, said once."""
    top = shade_index(max(values.values(), default=0))
    entries = [(NONE, "none")]
    for index in range(0 if top is None else top + 1):
        low = 10 ** index
        entries.append((SHADES[index], f"{low:,}+" if index == len(SHADES) - 1 else f"{low:,}–{10 * low - 1:,}"))
    items = "".join(f'<li><span class="swatch" style="background:{fill}"></span>{escape(text)}</li>' for fill, text in entries)
    common = common_share(coverage, codes)
    note = ""
    if common is not None and any(round(coverage.get(c, 0.0), 4) < 1 for c in codes):
        said = "no data" if common == 0 else f"data for {common:.0%} of the window's days"
        note = (f'<p class="note map-coverage">Dashed: data for part of the window only. Every state shown: {escape(said)}'
                f"{', but those whose tile says otherwise' if any(round(coverage.get(c, 0.0), 4) != common for c in codes) else ''}.</p>")
    return f'<ul class="map-legend"><li class="title">declined detainers</li>{items}</ul>{note}'


def state_list(values: dict[str, int], tiles: dict[str, Tile]) -> str:
    """The map's numbers as text, largest first."""
    items = "".join(
        f'<li><b>{escape(code)}</b> {escape(tiles[code].name)}: {value:,}</li>'
        for code, value in sorted(values.items(), key=lambda item: (-item[1], item[0])) if code in tiles
    )
    return f'<ul class="state-list">{items}</ul>'
