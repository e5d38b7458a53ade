"""`detainers report --html PATH`: one self-contained HTML page for a window of prepare
dates. The headline with its coverage, declines per month, the jurisdictions with the most
declines, declines by state, and the reconciliation with published figures.

The charts are inline SVG (charts.py, tile_map.py): no script or style is fetched from anywhere, so the
page opens offline and can be mailed as one file. A few lines of inline script mark each
chart `data-rendered` once the browser has laid it out (the test checks that attribute).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import duckdb

from detainers.errors import DetainersError

from detainers.report.charts import bar_chart, column_chart
from detainers.report.charts import escape as _e
from detainers.report.coverage import month_labels, state_coverage
from detainers.report.counties import county_report, county_table_html, names_folded
from detainers.report.headline import headline
from detainers.report.reconciliation import reconciliation
from detainers.report.text import BASIS_TEXT, coverage_line, lower_bound_note, stretch_lines, where
from detainers.report.tile_map import state_list, tile_map
from schemas.reference import os_failure, reconciliation_statuses, state_tiles

TOP_JURISDICTIONS = 15
# Months whose declines are lower bounds (most outcomes still open when the data was drawn):
# report_data gives them as "lower_bound_months"; the monthly chart hatches them.
LOWER_BOUND_NOTE = "lower bound: most outcomes were still open when the data was drawn"
# Months whose data covers only part of their days or states (report_data's "month_coverage",
# month -> "1 of 56 states"): drawn lighter, labelled, so they are not read beside full months.
PARTIAL_NOTE = "lighter: the month's data covers only part of its days or states (as labelled)"


def report_data(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, basis: str = "prepare",
                states: tuple[str, ...] | None = None) -> dict:
    """The page's figures: the headline on the basis and states asked about; the charts count
    by prepare date, for those states."""
    window = dict(start=start, end=end, states=list(states) if states else None)
    months = con.execute(
        """
        select strftime(date_trunc('month', prepare_date), '%Y-%m') as month, sum(declined_detainers)::bigint,
            sum(outcome_pending) * 2 > sum(detainers) as mostly_open
        from marts.daily_detainers_by_state
        where macros.in_scope(prepare_date, state_code, $start, $end, $states)
        group by all order by month
        """,
        window,
    ).fetchall()
    return {
        "headline": headline(con, start, end, basis=basis, states=states),
        "months": [(month, declined) for month, declined, _ in months],
        # as marts.monthly_outcomes_recorded's mostly_open, for the window and states asked about
        "lower_bound_months": [month for month, _, mostly_open in months if mostly_open],
        "jurisdictions": con.execute(
            f"""
            select jurisdictions.facility_name || ', ' || coalesce(jurisdictions.state_code, '?'), sum(daily.declined_detainers)::bigint as declined
            from marts.daily_detainers_by_jurisdiction as daily
            inner join marts.jurisdictions as jurisdictions on daily.jurisdiction_id = jurisdictions.jurisdiction_id
            where macros.in_scope(daily.prepare_date, daily.state_code, $start, $end, $states)
            group by all having declined > 0 order by declined desc, 1 limit {TOP_JURISDICTIONS}
            """,
            window,
        ).fetchall(),
        "states": con.execute(
            """
            select coalesce(state_code, 'unknown'), sum(declined_detainers)::bigint as declined
            from marts.daily_detainers_by_state
            where macros.in_scope(prepare_date, state_code, $start, $end, $states)
            group by all having declined > 0 order by declined desc, 1
            """,
            window,
        ).fetchall(),
        "reconciliation": reconciliation(con, start, end),
        "counties": county_report(con, start, end, states),
        "month_coverage": month_labels(con, start, end, states),
        "state_coverage": state_coverage(con, start, end, states),
        "names_folded": names_folded(con, states),
    }


def write_html_report(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, path: Path,
                      basis: str = "prepare", states: tuple[str, ...] | None = None) -> Path:
    """Write the page atomically (a temporary file beside it, then a rename)."""
    page = render(report_data(con, start, end, basis, states))
    path = Path(path)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_text(page, encoding="utf-8")
        os.replace(scratch, path)
    except OSError as exc:  # a read-only folder, a full disk, a file on the way: failures.toml
        if exc.filename == str(scratch):
            exc.filename = str(path)  # the page asked for, not its scratch name
        with contextlib.suppress(OSError):  # on a read-only file system even removing nothing fails
            scratch.unlink(missing_ok=True)
        raise DetainersError(f"--html: {os_failure(exc, path) or f'{path}: {exc.strerror}'}") from None
    return path


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #222; margin: 2em auto; max-width: 1040px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin-top: 2em; }
.headline { display: flex; gap: 1.5em; flex-wrap: wrap; margin: 1em 0; }
.metric { border-left: 4px solid #b2442f; padding: .2em .8em; } .metric b { display: block; font-size: 1.8em; }
.coverage { color: #555; } svg .grid { stroke: #ddd; } svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .label { font-size: 12px; } svg .axis-title { font-size: 12px; fill: #555; }
svg.map .code { font-size: 14px; font-weight: bold; } svg.map .value { font-size: 11px; }
svg.map .light text { fill: #fff; } svg.map .covered { font-size: 9px; } svg .bar-note { font-size: 11px; fill: #333; } svg.map .none .value { fill: #888; } svg.map .legend text { font-size: 12px; }
.state-list { columns: 4; font-size: 13px; padding-left: 1.2em; } .note { color: #555; font-size: 13px; } table { border-collapse: collapse; font-size: 13px; }
td, th { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; } td:first-child, th:first-child { text-align: left; }
.good { color: #1a7f37; } .warning { color: #9a6700; } .bad { color: #cf222e; font-weight: bold; }
.beside { display: flex; gap: 2em; flex-wrap: wrap; align-items: flex-start; } .counties h3 { font-size: 1em; margin-top: 0; }
footer { margin-top: 3em; color: #777; font-size: 12px; }
"""

SCRIPT = """
for (const svg of document.querySelectorAll('svg.chart')) {
  const box = svg.getBBox();
  const bars = svg.querySelectorAll('rect.bar, rect.tile').length;
  if (box.width > 0 && box.height > 0 && bars > 0) svg.setAttribute('data-rendered', String(bars));
}
document.body.setAttribute('data-charts-rendered', String(document.querySelectorAll('svg[data-rendered]').length));
"""


def render(data: dict) -> str:
    h = data["headline"]
    window = f"{h['window_start']} .. {h['window_end']}"
    coverage = _sentence(coverage_line(h).removeprefix("coverage: "))
    lower_bound = lower_bound_note(h)
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
        f"<h1>ICE detainers declined, {_e(window)}, {_e(where(h))}</h1>",
        f'<p class="coverage">Basis: {_e(BASIS_TEXT[h["basis"]])}; the charts count by prepare date.</p>',
        '<div class="headline">' + "".join(f'<div class="metric"><b>{v:,}</b>{_e(k)}</div>' for k, v in metrics) + "</div>",
        f'<p class="coverage">{_e(coverage)}</p>',
        _stretches(h),
        f'<p class="coverage">{_e(_sentence(lower_bound))}</p>' if lower_bound else "",
        "<h2>Declined detainers per month of prepare date</h2>",
        column_chart("declines-by-month", "Declined detainers per month", data["months"],
                     y_title="declined detainers", x_title="month of prepare date",
                     marked=frozenset(data["lower_bound_months"]), mark_title=LOWER_BOUND_NOTE,
                     partial=data["month_coverage"], partial_title=PARTIAL_NOTE),
        f"<h2>The {TOP_JURISDICTIONS} jurisdictions with the most declines</h2>",
        bar_chart("top-jurisdictions", "Jurisdictions with the most declines", data["jurisdictions"]),
        "<h2>Declined detainers by state</h2>",
        '<div class="beside"><div>', *_states(data["states"], data["state_coverage"]), "</div>",
        county_table_html(data["counties"], data["names_folded"]), "</div>",
        "<h2>Published figures against the warehouse</h2>",
        "<p>Figures whose window overlaps this one, by prepare date (all figures: <code>marts.reconciliation</code>).</p>",
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


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _stretches(h: dict) -> str:
    """The stretches of the window's data when its coverage changes inside it, as a list."""
    lines = stretch_lines(h)
    if not lines:
        return ""
    items = "".join(f"<li>{_e(line.strip())}</li>" for line in lines[1:])
    return f'<p class="coverage">{_e(_sentence(lines[0].rstrip(":")))[:-1]}:</p><ul class="coverage stretches">{items}</ul>'


def _states(states: list[tuple[str, int]], coverage: dict[str, float]) -> list[str]:
    """The map, what it cannot place (declines with no known state), and its numbers as a list."""
    tiles = state_tiles()
    on_map = {code: value for code, value in states if code in tiles}
    off_map = ", ".join(f"{code} {value:,}" for code, value in states if code not in tiles)
    return [
        tile_map("declines-by-state", "Declined detainers by state, a tile map", on_map, tiles, coverage),
        f'<p class="note">Not on the map: {_e(off_map)}.</p>' if off_map else "",
        state_list(on_map, tiles),
    ]
