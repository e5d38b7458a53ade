"""`detainers report --html PATH`: one self-contained HTML page for a window of prepare
dates. The headline with its coverage, declines per month, the jurisdictions with the most
declines, declines by state, and the reconciliation with published figures.

The charts are inline SVG drawn here: no script or style is fetched from anywhere, so the
page opens offline and can be mailed as one file. A few lines of inline script mark each
chart `data-rendered` once the browser has laid it out (the test checks that attribute).
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import duckdb

from detainers.report.headline import headline
from detainers.report.reconciliation import reconciliation
from schemas.reference import reconciliation_statuses

TOP_JURISDICTIONS = 15
BAR = "#b2442f"


def report_data(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> dict:
    window = dict(start=start, end=end)
    return {
        "headline": headline(con, start, end),
        "months": con.execute(
            """
            select strftime(date_trunc('month', prepare_date), '%Y-%m') as month, sum(declined_detainers)::bigint
            from marts.daily_detainers_by_jurisdiction
            where prepare_date between $start and $end
            group by all order by month
            """,
            window,
        ).fetchall(),
        "jurisdictions": con.execute(
            f"""
            select jurisdictions.facility_name || ', ' || coalesce(jurisdictions.state_code, '?'), sum(daily.declined_detainers)::bigint as declined
            from marts.daily_detainers_by_jurisdiction as daily
            inner join marts.jurisdictions as jurisdictions on daily.jurisdiction_id = jurisdictions.jurisdiction_id
            where daily.prepare_date between $start and $end
            group by all having declined > 0 order by declined desc, 1 limit {TOP_JURISDICTIONS}
            """,
            window,
        ).fetchall(),
        "states": con.execute(
            """
            select coalesce(state_code, 'unknown'), sum(declined_detainers)::bigint as declined
            from marts.daily_detainers_by_jurisdiction
            where prepare_date between $start and $end
            group by all having declined > 0 order by declined desc, 1
            """,
            window,
        ).fetchall(),
        "reconciliation": reconciliation(con, start, end),
    }


def write_html_report(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, path: Path) -> Path:
    """Write the page atomically (a temporary file beside it, then a rename)."""
    page = render(report_data(con, start, end))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(page, encoding="utf-8")
    os.replace(scratch, path)
    return path


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def column_chart(name: str, title: str, points: list[tuple[str, int]], width: int = 1000, height: int = 320) -> str:
    """Vertical bars, one per label (months)."""
    if not points:
        return f'<p class="empty">{_e(title)}: no declines in this window.</p>'
    left, bottom, top = 60, 60, 20
    plot_w, plot_h = width - left - 20, height - bottom - top
    peak = max(v for _, v in points) or 1
    step = plot_w / len(points)
    parts = [f'<svg class="chart" data-chart="{_e(name)}" role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" x2="{width - 20}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{value:,.0f}</text>')
    for i, (label, value) in enumerate(points):
        h = plot_h * value / peak
        x = left + i * step + step * 0.1
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{_e(label)}: {value:,}</title></rect>"
        )
        parts.append(
            f'<text x="{x + step * 0.4:.1f}" y="{top + plot_h + 14}" text-anchor="end" class="tick" '
            f'transform="rotate(-45 {x + step * 0.4:.1f} {top + plot_h + 14})">{_e(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(name: str, title: str, points: list[tuple[str, int]], width: int = 1000, label_width: int = 340) -> str:
    """Horizontal bars, one per label, largest first."""
    if not points:
        return f'<p class="empty">{_e(title)}: no declines in this window.</p>'
    row, top = 20, 10
    height = top * 2 + row * len(points)
    peak = max(v for _, v in points) or 1
    plot_w = width - label_width - 80
    parts = [f'<svg class="chart" data-chart="{_e(name)}" role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for i, (label, value) in enumerate(points):
        y = top + i * row
        w = max(plot_w * value / peak, 1)
        parts.append(f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end" class="label">{_e(label)}</text>')
        parts.append(f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{BAR}"><title>{_e(label)}: {value:,}</title></rect>')
        parts.append(f'<text x="{label_width + w + 6:.1f}" y="{y + 14}" class="value">{value:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #222; margin: 2em auto; max-width: 1040px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin-top: 2em; }
.headline { display: flex; gap: 1.5em; flex-wrap: wrap; margin: 1em 0; }
.metric { border-left: 4px solid #b2442f; padding: .2em .8em; } .metric b { display: block; font-size: 1.8em; }
.coverage { color: #555; } svg .grid { stroke: #ddd; } svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .label { font-size: 12px; } table { border-collapse: collapse; font-size: 13px; }
td, th { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; } td:first-child, th:first-child { text-align: left; }
.good { color: #1a7f37; } .warning { color: #9a6700; } .bad { color: #cf222e; font-weight: bold; }
footer { margin-top: 3em; color: #777; font-size: 12px; }
"""

SCRIPT = """
for (const svg of document.querySelectorAll('svg.chart')) {
  const box = svg.getBBox();
  const bars = svg.querySelectorAll('rect.bar').length;
  if (box.width > 0 && box.height > 0 && bars > 0) svg.setAttribute('data-rendered', String(bars));
}
document.body.setAttribute('data-charts-rendered', String(document.querySelectorAll('svg[data-rendered]').length));
"""


def render(data: dict) -> str:
    h = data["headline"]
    window = f"{h['window_start']} .. {h['window_end']}"
    if h["coverage_start"]:
        coverage = f"Loaded data covers {h['coverage_start']} to {h['coverage_end']}, {h['coverage_ratio']:.1%} of the window's days."
    else:
        coverage = "No loaded data falls in this window."
    metrics = [
        ("detainers issued", h["detainers_issued"]),
        ("declined detainers", h["declined_detainers"]),
        ("declining jurisdictions", h["declining_jurisdictions"]),
        ("declined, no known jurisdiction", h["declined_without_jurisdiction"]),
    ]
    tones = {status: row["tone"] for status, row in reconciliation_statuses().items()}
    rows = "".join(
        f"<tr><td>{_e(r['figure_id'])}</td><td>{_e(r['window_start'])} .. {_e(r['window_end'])}</td>"
        f"<td>{r['published_value']:,}</td><td>{r['warehouse_value']:,}</td><td>{r['difference']:+,}</td>"
        f"<td>{float(r['coverage_ratio']):.1%}</td><td class=\"{_e(tones.get(r['status'], 'bad'))}\">{_e(r['status'])}</td></tr>"
        for r in data["reconciliation"]
    )
    body = [
        f"<h1>ICE detainers declined, {_e(window)}</h1>",
        '<div class="headline">' + "".join(f'<div class="metric"><b>{v:,}</b>{_e(k)}</div>' for k, v in metrics) + "</div>",
        f'<p class="coverage">{_e(coverage)}</p>',
        "<h2>Declined detainers per month of prepare date</h2>",
        column_chart("declines-by-month", "Declined detainers per month", data["months"]),
        f"<h2>The {TOP_JURISDICTIONS} jurisdictions with the most declines</h2>",
        bar_chart("top-jurisdictions", "Jurisdictions with the most declines", data["jurisdictions"]),
        "<h2>Declined detainers by state</h2>",
        bar_chart("declines-by-state", "Declined detainers by state", data["states"], label_width=120),
        "<h2>Published figures against the warehouse</h2>",
        "<p>Figures whose window the loaded data reaches (all figures: <code>marts.reconciliation</code>).</p>",
        "<table><tr><th>figure</th><th>window</th><th>published</th><th>ours</th><th>difference</th><th>covered</th><th>status</th></tr>"
        + rows + "</table>",
        f"<footer>Generated by <code>detainers report --html</code> on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. "
        "A declined detainer has lift reason “Detainer Declined by LEA”.</footer>",
    ]
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>detainers: {_e(window)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>{SCRIPT}</script>\n</body></html>\n"
    )
