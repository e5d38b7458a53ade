"""Charts of the HTML report as inline SVG: columns over time with a round-numbered axis,
and horizontal bars. Drawn here so the page needs no script or style from anywhere."""

from __future__ import annotations

import html
import math

BAR = "#b2442f"
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
                 width: int = 1000, height: int = 360) -> str:
    """Vertical bars, one per label (months), on an axis of round ticks. Labels in `marked`
    are drawn hatched, with `mark_title` as their legend (e.g. months whose figures are
    lower bounds)."""
    if not points:
        return empty(title)
    left, right, bottom, top = 78, 20, 84, 30
    plot_w, plot_h = width - left - right, height - bottom - top
    ticks = nice_ticks(max(v for _, v in points))
    scale = plot_h / ticks[-1]
    step = plot_w / len(points)
    hatch = f"{name}-hatch"
    parts = [_svg(name, title, width, height),
             f'<defs><pattern id="{escape(hatch)}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
             f'<rect width="6" height="6" fill="#f1d5ce"/><line x1="0" y1="0" x2="0" y2="6" stroke="{BAR}" stroke-width="3"/></pattern></defs>']
    for value in ticks:
        y = top + plot_h - value * scale
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{value:,}</text>')
    for i, (label, value) in enumerate(points):
        h, x = value * scale, left + i * step + step * 0.1
        mark, fill = (' data-marked="lower-bound"', f"url(#{hatch})") if label in marked else ("", BAR)
        note = f" ({mark_title})" if label in marked and mark_title else ""
        parts.append(f'<rect class="bar"{mark} x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" '
                     f'fill="{fill}" stroke="{BAR}" stroke-width="{1 if label in marked else 0}">'
                     f"<title>{escape(label)}: {value:,}{escape(note)}</title></rect>")
        cx, ly = x + step * 0.4, top + plot_h + 14
        parts.append(f'<text x="{cx:.1f}" y="{ly}" text-anchor="end" class="tick" transform="rotate(-45 {cx:.1f} {ly})">{escape(label)}</text>')
    if y_title:
        parts.append(f'<text class="axis-title" text-anchor="middle" transform="translate(16 {top + plot_h / 2:.1f}) rotate(-90)">{escape(y_title)}</text>')
    if x_title:
        parts.append(f'<text class="axis-title" x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">{escape(x_title)}</text>')
    if marked & {label for label, _ in points} and mark_title:
        parts.append(f'<g class="legend"><rect x="{left}" y="4" width="14" height="14" fill="url(#{escape(hatch)})" stroke="{BAR}"/>'
                     f'<text x="{left + 20}" y="15">{escape(mark_title)}</text></g>')
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
