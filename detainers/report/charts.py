"""Charts of the HTML report as inline SVG: columns over time with a round-numbered axis,
and horizontal bars. Drawn here so the page needs no script or style from anywhere."""

from __future__ import annotations

import html
import math

BAR = "#b2442f"
PARTIAL = "#e3a594"  # a month whose data covers only part of its days or states: the same hue, lighter
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


def column_chart(name: str, title: str, points: list[tuple[str, int]], y_title: str = "", x_title: str = "",
                 marked: frozenset[str] = frozenset(), mark_title: str = "",
                 partial: dict[str, str] | None = None, partial_title: str = "",
                 width: int = 1000, height: int = 360) -> str:
    """Vertical bars, one per label (months), on an axis of round ticks. Labels in `marked`
    are drawn hatched, with `mark_title` as their legend (e.g. months whose figures are
    lower bounds). Labels in `partial` (label -> what its data covers, "1 of 56 states") are
    drawn lighter with that note beside the bar, and `partial_title` as their legend."""
    partial = partial or {}
    if not points:
        return empty(title)
    left, right, bottom, top = 78, 20, 84, 30
    plot_w, plot_h = width - left - right, height - bottom - top
    ticks = nice_ticks(max(v for _, v in points))
    scale = plot_h / ticks[-1]
    step = plot_w / len(points)
    hatch = f"{name}-hatch"
    parts = [_svg(name, title, width, height), "<defs>", _hatch(hatch, BAR), _hatch(f"{hatch}-partial", PARTIAL), "</defs>"]
    for value in ticks:
        y = top + plot_h - value * scale
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{value:,}</text>')
    for i, (label, value) in enumerate(points):
        h, x = value * scale, left + i * step + step * 0.1
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
        cx, ly = x + step * 0.4, top + plot_h + 14
        if label in partial:
            parts.append(_bar_note(partial[label], cx, y_top, top))
        parts.append(f'<text x="{cx:.1f}" y="{ly}" text-anchor="end" class="tick" transform="rotate(-45 {cx:.1f} {ly})">{escape(label)}</text>')
    if y_title:
        parts.append(f'<text class="axis-title" text-anchor="middle" transform="translate(16 {top + plot_h / 2:.1f}) rotate(-90)">{escape(y_title)}</text>')
    if x_title:
        parts.append(f'<text class="axis-title" x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">{escape(x_title)}</text>')
    legend = [(f"url(#{hatch})", BAR, mark_title) if marked & {label for label, _ in points} and mark_title else None,
              (PARTIAL, PARTIAL, partial_title) if set(partial) & {label for label, _ in points} and partial_title else None]
    lx = left
    for fill, stroke, text in filter(None, legend):
        parts.append(f'<g class="legend"><rect x="{lx}" y="4" width="14" height="14" fill="{fill}" stroke="{stroke}"/>'
                     f'<text x="{lx + 20}" y="15">{escape(text)}</text></g>')
        lx += 20 + 6.2 * len(text) + 24  # the next entry after this one's text (11px type)
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
