"""Charts of the HTML report as inline SVG: columns over time with a round-numbered axis,
and horizontal bars. Drawn here so the page needs no script or style from anywhere."""

from __future__ import annotations

import html
import math

BAR = "#b2442f"
PARTIAL = "#e3a594"  # a month whose data covers only part of its days or states: the same hue, lighter
NO_DATA = "#eeeeee"  # a month the loaded data holds nothing of: a grey band, never a bar of zero
NO_DATA_INK = "#777"
NICE_STEPS = (1, 2, 2.5, 5, 10)  # times a power of ten: the steps people count in


def escape(value) -> str:
    return html.escape(str(value), quote=True)


def nice_ticks(peak: float, target: int = 6) -> list[int]:
    """Axis ticks for counts from 0 to just past `peak`: whole numbers in steps of 1, 2, 2.5
    or 5 times a power of ten, about `target` of them (1,126 gives 0, 200, ... 1,200)."""
    if peak <= 0:
        return [0, 1]
    raw = peak / target
    magnitude = 10 ** max(math.floor(math.log10(raw)), 0)
    step = next(int(n * magnitude) for n in NICE_STEPS if n * magnitude >= raw and (n * magnitude) % 1 == 0)
    return [i * step for i in range(math.ceil(peak / step) + 1)]


def _svg(name: str, title: str, width: int, height: int) -> str:
    return (f'<svg class="chart" data-chart="{escape(name)}" role="img" aria-label="{escape(title)}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">')


def empty(title: str) -> str:
    return f'<p class="empty">{escape(title)}: no declines in this window.</p>'


def column_chart(name: str, title: str, points: list[tuple[str, int | None]], y_title: str = "", x_title: str = "",
                 marked: frozenset[str] = frozenset(), mark_title: str = "",
                 partial: dict[str, str] | None = None, partial_title: str = "", missing_title: str = "",
                 width: int = 1000, height: int = 360) -> str:
    """Vertical bars, one per label (months), on an axis of round ticks. Labels in `marked`
    are drawn hatched, with `mark_title` as their legend (e.g. months whose figures are
    lower bounds). Labels in `partial` (label -> what its data covers, "1 of 56 states") are
    drawn lighter with that note beside the bar, and `partial_title` as their legend. A label
    whose value is None has no data: a grey band marked "no data" (one per run of such labels),
    never a bar of zero, with `missing_title` as its legend."""
    partial = partial or {}
    if not points:
        return empty(title)
    hatch = f"{name}-hatch"
    shown = {label for label, v in points if v is not None}
    legend = [entry for entry, on in (((f"url(#{hatch})", BAR, mark_title), bool(marked & shown and mark_title)),
                                      ((PARTIAL, PARTIAL, partial_title), bool(set(partial) & shown and partial_title)),
                                      ((NO_DATA, NO_DATA_INK, missing_title), len(shown) < len(points) and bool(missing_title))) if on]
    left, right, bottom = 78, 20, 84
    places = _legend_places(legend, left, width - right)
    top = 30 + (places[-1][1] - 4 if places else 0)
    height += top - 30
    plot_w, plot_h = width - left - right, height - bottom - top
    ticks = nice_ticks(max((v for _, v in points if v is not None), default=0))
    scale = plot_h / ticks[-1]
    step = plot_w / len(points)
    parts = [_svg(name, title, width, height), "<defs>", _hatch(hatch, BAR), _hatch(f"{hatch}-partial", PARTIAL), "</defs>"]
    for value in ticks:
        y = top + plot_h - value * scale
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{value:,}</text>')
    for first, last in _runs([i for i, (_, v) in enumerate(points) if v is None]):
        x, w = left + first * step, (last - first + 1) * step
        labels = f"{points[first][0]} .. {points[last][0]}" if last > first else points[first][0]
        parts.append(f'<rect class="no-data" data-months="{last - first + 1}" x="{x:.1f}" y="{top}" width="{w:.1f}" '
                     f'height="{plot_h}" fill="{NO_DATA}"><title>{escape(labels)}: no data</title></rect>')
        cx, cy = x + w / 2, top + plot_h / 2
        turn = f' transform="rotate(-90 {cx:.1f} {cy:.1f})"' if w < 60 else ""
        parts.append(f'<text class="no-data-label" x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle"{turn}>no data</text>')
    label_every = max(1, round(len(points) / 48))  # a label per bar while they fit (about 20 px each)
    for i, (label, value) in enumerate(points):
        x = left + i * step + step * 0.1
        cx, ly = x + step * 0.4, top + plot_h + 14
        if i % label_every == 0:
            parts.append(f'<text x="{cx:.1f}" y="{ly}" text-anchor="end" class="tick" transform="rotate(-45 {cx:.1f} {ly})">{escape(label)}</text>')
        if value is None:
            continue
        h = value * scale
        ink = PARTIAL if label in partial else BAR
        suffix = "-partial" if label in partial else ""
        mark, fill = (' data-marked="lower-bound"', f"url(#{hatch}{suffix})") if label in marked else ("", ink)
        if label in partial:
            mark += f' data-coverage="{escape(partial[label])}"'
        notes = [note for note, on in ((partial.get(label, ""), label in partial), (mark_title, label in marked)) if on and note]
        note = f" ({'; '.join(notes)})" if notes else ""
        y_top = top + plot_h - h
        parts.append(f'<rect class="bar"{mark} x="{x:.1f}" y="{y_top:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" '
                     f'fill="{fill}" stroke="{ink}" stroke-width="{1 if label in marked else 0}">'
                     f"<title>{escape(label)}: {value:,}{escape(note)}</title></rect>")
        if label in partial:
            parts.append(_bar_note(partial[label], cx, y_top, top))
    if y_title:
        parts.append(f'<text class="axis-title" text-anchor="middle" transform="translate(16 {top + plot_h / 2:.1f}) rotate(-90)">{escape(y_title)}</text>')
    if x_title:
        parts.append(f'<text class="axis-title" x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">{escape(x_title)}</text>')
    for (fill, stroke, text), (lx, ly) in zip(legend, places):
        parts.append(f'<g class="legend"><rect x="{lx}" y="{ly}" width="14" height="14" fill="{fill}" stroke="{stroke}"/>'
                     f'<text x="{lx + 20}" y="{ly + 11}">{escape(text)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _legend_places(entries: list[tuple[str, str, str]], left: float, right: float) -> list[tuple[float, int]]:
    """Where each legend entry goes: side by side above the plot, on a new line when the next
    would run past the right edge (about 6.2 px a character of 11 px type)."""
    places, x, y = [], left, 4
    for _, _, text in entries:
        span = 20 + 6.2 * len(text)
        if places and x + span > right:
            x, y = left, y + 18
        places.append((x, y))
        x += span + 24
    return places


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive indexes as (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def row_chart(name: str, title: str, points: list[tuple[str, int | None]], marked: frozenset[str] = frozenset(),
              partial: dict[str, str] | None = None, width: int = 380) -> str:
    """The column chart's figures for a narrow screen: one row per label (month), its bar and
    value, "no data" where it has none, a lighter bar and its note where its data is partial,
    hatched where it is a lower bound."""
    partial = partial or {}
    if not points:
        return empty(title)
    row, top, label_w, value_w = 22, 6, 64, 150
    plot_w = width - label_w - value_w
    peak = max((v for _, v in points if v is not None), default=0) or 1
    hatch = f"{name}-hatch"
    parts = [_svg(name, title, width, top * 2 + row * len(points)), "<defs>", _hatch(hatch, BAR),
             _hatch(f"{hatch}-partial", PARTIAL), "</defs>"]
    for i, (label, value) in enumerate(points):
        y = top + i * row
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="label">{escape(label)}</text>')
        if value is None:
            parts.append(f'<rect class="no-data" x="{label_w}" y="{y + 3}" width="{plot_w}" height="{row - 6}" fill="{NO_DATA}">'
                         f"<title>{escape(label)}: no data</title></rect>"
                         f'<text x="{label_w + 6}" y="{y + 15}" class="no-data-label">no data</text>')
            continue
        ink = PARTIAL if label in partial else BAR
        fill = f"url(#{hatch}{'-partial' if label in partial else ''})" if label in marked else ink
        w = max(plot_w * value / peak, 1)
        note = f" ({partial[label]})" if label in partial else ""
        attrs = (' data-marked="lower-bound"' if label in marked else "") + (
            f' data-coverage="{escape(partial[label])}"' if label in partial else "")
        parts.append(f'<rect class="bar"{attrs} x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{fill}" '
                     f'stroke="{ink}" stroke-width="{1 if label in marked else 0}"><title>{escape(label)}: {value:,}{escape(note)}</title></rect>'
                     f'<text x="{label_w + w + 5:.1f}" y="{y + 15}" class="value">{value:,}{escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _hatch(pattern_id: str, ink: str) -> str:
    return (f'<pattern id="{escape(pattern_id)}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="#f6e3de"/><line x1="0" y1="0" x2="0" y2="6" stroke="{ink}" stroke-width="3"/></pattern>')


def _bar_note(text: str, cx: float, y_top: float, top: float) -> str:
    """A bar's coverage note, upright along it: above the bar where there is room, else inside."""
    room = y_top - top >= 6.2 * len(text) + 8
    y, anchor = (y_top - 4, "start") if room else (y_top + 4, "end")
    return (f'<text class="bar-note" x="{cx + 4:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
            f'transform="rotate(-90 {cx + 4:.1f} {y:.1f})">{escape(text)}</text>')


def stacked_bar_chart(name: str, title: str, points: list[tuple[str, int]], width: int = 380) -> str:
    """The bar chart for a narrow screen: each label on its own line, its bar and value under it."""
    if not points:
        return empty(title)
    row, top = 38, 6
    peak = max(v for _, v in points) or 1
    plot_w = width - 60
    parts = [_svg(name, title, width, top * 2 + row * len(points))]
    for i, (label, value) in enumerate(points):
        y = top + i * row
        w = max(plot_w * value / peak, 1)
        parts.append(f'<text x="0" y="{y + 13}" class="label">{escape(label)}</text>'
                     f'<rect class="bar" x="0" y="{y + 18}" width="{w:.1f}" height="14" fill="{BAR}"><title>{escape(label)}: {value:,}</title></rect>'
                     f'<text x="{w + 6:.1f}" y="{y + 30}" class="value">{value:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(name: str, title: str, points: list[tuple[str, int]], width: int = 1000, label_width: int = 340) -> str:
    """Horizontal bars, one per label, largest first, each with its value."""
    if not points:
        return empty(title)
    row, top = 20, 10
    height = top * 2 + row * len(points)
    peak = max(v for _, v in points) or 1
    plot_w = width - label_width - 80
    parts = [_svg(name, title, width, height)]
    for i, (label, value) in enumerate(points):
        y = top + i * row
        w = max(plot_w * value / peak, 1)
        parts.append(f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end" class="label">{escape(label)}</text>')
        parts.append(f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{BAR}"><title>{escape(label)}: {value:,}</title></rect>')
        parts.append(f'<text x="{label_width + w + 6:.1f}" y="{y + 14}" class="value">{value:,}</text>')
    parts.append("</svg>")
    return "".join(parts)
