"""`detainers report --html PATH`: one self-contained HTML page for a window. First what the data
holds of the window (the title and the figures are labelled with the data's own span), then the
figures, declines for every month of the window asked (months without data marked "no data"),
the jurisdictions (facilities) with the most declines, declines by state, the counties and the
agencies that run the facilities, and the published figures compared like with like. All on one
basis: by prepare date, or with --basis decline by decline date (counties and agencies count by
prepare date, so that page leaves them out). It reads on a phone: below 700 pixels the monthly
and jurisdiction charts are drawn as rows, and the map scales to the page.

The charts are inline SVG (charts.py, tile_map.py): no script or style is fetched from anywhere, so the
page opens offline and can be mailed as one file. A few lines of inline script mark each
chart `data-rendered` once the browser has laid it out (the test checks that attribute).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path

import duckdb

from detainers.errors import DetainersError
from detainers.report.agencies import agencies_line, agency_report, agency_table_html
from detainers.report.charts import bar_chart, column_chart, row_chart, stacked_bar_chart
from detainers.report.charts import escape as _e
from detainers.report.counties import county_report, county_table_html, names_folded
from detainers.report.coverage import month_coverage, month_labels, state_coverage
from detainers.report.headline import headline
from detainers.report.held import figures_line, fully_covered_line, has_data, held_line, where
from detainers.report.reconciliation import inspector_general_line, reconciliation
from detainers.report.text import BASIS_TEXT, lower_bound_note, reason_lines, stretch_lines, window_text
from detainers.report.tile_map import legend, state_list, tile_map
from detainers.schemas.reference import os_failure, reconciliation_statuses, state_tiles

TOP_JURISDICTIONS = 15
# Months whose declines are lower bounds (most outcomes still open when the data was drawn):
# report_data gives them as "lower_bound_months"; the monthly chart hatches them.
LOWER_BOUND_NOTE = "lower bound: most outcomes were still open when the data was drawn"
# Months whose data covers only part of their days or states (report_data's "month_coverage",
# month -> "1 of 56 states"): drawn lighter, labelled, so they are not read beside full months.
PARTIAL_NOTE = "lighter: the month's data covers only part of its days or states (as labelled)"
MISSING_NOTE = "grey: no data for the month (not a zero)"
DATE_OF = {"prepare": "prepare date", "decline": "decline date"}
# Declines per day and state, and per day and jurisdiction, on each basis.
DAILY = {
    "prepare": ("marts.daily_detainers_by_state", "prepare_date"),
    "decline": ("marts.daily_declines_by_jurisdiction", "decline_date"),
}


def report_data(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, basis: str = "prepare",
                states: tuple[str, ...] | None = None, cover=None) -> dict:
    """The page's figures, all on the basis asked (the counties and agencies count by prepare
    date, so on the other basis they are left out), for the states asked; every month of the
    window, those without data as None."""
    window = dict(start=start, end=end, states=list(states) if states else None)
    table, day = DAILY[basis]
    by_month = {month: (declined, mostly_open) for month, declined, mostly_open in con.execute(
        f"""
        select strftime(date_trunc('month', {day}), '%Y-%m') as month, sum(declined_detainers)::bigint,
            {"sum(outcome_pending) * 2 > sum(detainers)" if basis == "prepare" else "false"} as mostly_open
        from {table}
        where macros.in_scope({day}, state_code, $start, $end, $states)
        group by all
        """,
        window,
    ).fetchall()}
    months = month_coverage(con, start, end, states, basis)
    points = [(m["month"].strftime("%Y-%m"), by_month.get(m["month"].strftime("%Y-%m"), (0, False))[0] if m["days_covered"] else None)
              for m in months]
    jurisdiction_table = "marts.daily_detainers_by_jurisdiction" if basis == "prepare" else table
    h = headline(con, start, end, basis=basis, states=states)
    rows = reconciliation(con, start, end, states)
    prepare = basis == "prepare"
    agencies = agency_report(con, start, end, states) if prepare else None
    return {
        "headline": h,
        "months": points,
        # as marts.monthly_outcomes_recorded's mostly_open, for the window and states asked about
        "lower_bound_months": [month for month, (_, mostly_open) in by_month.items() if mostly_open],
        "jurisdictions": con.execute(
            f"""
            select jurisdictions.facility_name || ', ' || coalesce(jurisdictions.state_code, '?'), sum(daily.declined_detainers)::bigint as declined
            from {jurisdiction_table} as daily
            inner join marts.jurisdictions as jurisdictions on daily.jurisdiction_id = jurisdictions.jurisdiction_id
            where macros.in_scope(daily.{day}, daily.state_code, $start, $end, $states)
            group by all having declined > 0 order by declined desc, 1 limit {TOP_JURISDICTIONS}
            """,
            window,
        ).fetchall(),
        "states": con.execute(
            f"""
            select coalesce(state_code, 'unknown'), sum(declined_detainers)::bigint as declined
            from {table}
            where macros.in_scope({day}, state_code, $start, $end, $states)
            group by all having declined > 0 order by declined desc, 1
            """,
            window,
        ).fetchall(),
        "reconciliation": rows if prepare else [],
        "inspector_general": inspector_general_line(con, rows, cover) if prepare else None,
        "counties": county_report(con, start, end, states) if prepare else None,
        "agencies": agencies,
        "agencies_line": agencies_line(agencies, h["declining_jurisdictions"]) if prepare else None,
        "month_coverage": month_labels(con, start, end, states, basis, months),
        "state_coverage": state_coverage(con, start, end, states, basis),
        "names_folded": names_folded(con, states),
    }


def write_html_report(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, path: Path,
                      basis: str = "prepare", states: tuple[str, ...] | None = None, cover=None) -> Path:
    """Write the page atomically (a temporary file beside it, then a rename). `cover(start, end)`:
    the fewest known releases holding a window, for the inspector general's line."""
    page = render(report_data(con, start, end, basis, states, cover))
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
.held { font-size: 1.05em; border-left: 4px solid #555; padding: .3em .8em; background: #f6f6f6; }
.headline { display: flex; gap: 1.5em; flex-wrap: wrap; margin: 1em 0; }
.metric { border-left: 4px solid #b2442f; padding: .2em .8em; } .metric b { display: block; font-size: 1.8em; }
.metric small { display: block; color: #555; }
.coverage { color: #444; } .coverage code { white-space: nowrap; } svg .grid { stroke: #ddd; } svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .label { font-size: 12px; } svg .axis-title { font-size: 12px; fill: #555; } svg .no-data-label { fill: #777; font-style: italic; }
svg.chart { max-width: 100%; height: auto; }
svg.map .code { font-size: 19px; font-weight: bold; } svg.map .value { font-size: 14px; }
svg.map .light text { fill: #fff; } svg.map .covered { font-size: 10px; } svg .bar-note { font-size: 11px; fill: #333; }
svg.map .none .value, svg.map .not-asked text { fill: #888; } svg.map .not-asked .value { font-size: 11px; }
.map-legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3em 1em; font-size: 13px; }
.map-legend .title { font-weight: bold; } .swatch { display: inline-block; width: 14px; height: 14px; margin-right: 4px; vertical-align: -2px; border-radius: 2px; }
.state-list { columns: 4; font-size: 13px; padding-left: 1.2em; } .note { color: #555; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; } .scroll { overflow-x: auto; max-width: 100%; }
td, th { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; vertical-align: top; } td:first-child, th:first-child { text-align: left; }
td.reason { text-align: left; color: #555; min-width: 16em; } th.reason, .status { text-align: left; } td.id { white-space: nowrap; }
.good { color: #1a7f37; } .warning { color: #9a6700; } .bad { color: #cf222e; font-weight: bold; } .neutral { color: #555; }
.beside { display: flex; gap: 2em; flex-wrap: wrap; align-items: flex-start; } .beside > div { min-width: 0; max-width: 100%; }
.counties h3, .agencies h3 { font-size: 1em; margin-top: 0; }
.narrow { display: none; } ul.figures { padding-left: 1.2em; font-size: 13px; }
@media (max-width: 700px) { .metric { flex: 1 1 40%; } .metric b { font-size: 1.5em; } }
footer { margin-top: 3em; color: #777; font-size: 12px; }
@media (max-width: 700px) {
  body { margin: 1em auto; font-size: 14px; } h1 { font-size: 1.3em; }
  .wide { display: none; } .narrow { display: block; }
  .state-list { columns: 2; } .optional { display: none; }
}
"""

SCRIPT = """
for (const svg of document.querySelectorAll('svg.chart')) {
  const box = svg.getBBox();
  const bars = svg.querySelectorAll('rect.bar, rect.tile').length;
  if (box.width > 0 && box.height > 0 && bars > 0) svg.setAttribute('data-rendered', String(bars));
}
document.body.setAttribute('data-charts-rendered', String(document.querySelectorAll('svg[data-rendered]').length));
// how wide the page is laid out: on a phone nothing may push it past the screen
document.body.setAttribute('data-page-width', String(document.documentElement.scrollWidth));
document.body.setAttribute('data-view-width', String(window.innerWidth));
"""


def render(data: dict) -> str:
    h = data["headline"]
    window = f"{h['window_start']} .. {h['window_end']}"
    held = has_data(h)
    basis = h["basis"]
    date = DATE_OF[basis]
    span = f"{h['coverage_start']} .. {h['coverage_end']}" if held else window
    title = (f"ICE detainers declined, {span}, {where(h)}" if held else f"ICE detainers: no data for {window}, {where(h)}")
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="held">{_e(_sentence(held_line(h)))}</p>',
        f'<p class="coverage">Basis: {_e(BASIS_TEXT[basis])}; every figure and chart on this page counts by {date}.</p>',
    ]
    if held:
        metrics = [("detainers issued", h["detainers_issued"]), ("declined detainers", h["declined_detainers"]),
                   ("declining jurisdictions (facilities)", h["declining_jurisdictions"]),
                   ("declined, no known jurisdiction", h["declined_without_jurisdiction"])]
        body.append('<div class="headline">' + "".join(
            f'<div class="metric"><b>{v:,}</b>{_e(k)}<small>{_e(span)}, {_e(where(h))}</small></div>'
            for k, v in metrics if v is not None) + "</div>")
        body.append(f'<p class="coverage">{_e(_sentence(figures_line(h)))}</p>')
    for line in filter(None, [fully_covered_line(h), data.get("agencies_line"), lower_bound_note(h)]):
        body.append(f'<p class="coverage">{_options(_e(_sentence(line)))}</p>')
    body.append(_stretches(h))
    if basis == "decline" and h["declined_without_decline_date"]:
        body.append(f'<p class="coverage">{h["declined_without_decline_date"]:,} declined detainers prepared in the window '
                    "have no decline date (their release does not publish one): they are not counted on this basis.</p>")
    if held:
        body += _charts(data, date)
    body += _reconciliation(data, basis)
    body.append(f"<footer>Generated by <code>detainers report --html</code> on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. "
                "A declined detainer has lift reason “Detainer Declined by LEA”. A jurisdiction is a facility as ICE's "
                "records and TRAC count them; the agency that runs it is from a reviewed table "
                "(<code>schemas/reference/agencies.csv</code>).</footer>")
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>detainers: {_e(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>{SCRIPT}</script>\n</body></html>\n"
    )


def _charts(data: dict, date: str) -> list[str]:
    h = data["headline"]
    months = data["months"]
    first, last = (months[0][0], months[-1][0]) if months else ("", "")
    marked = frozenset(data["lower_bound_months"])
    return [
        f"<h2>Declined detainers per month of {_e(date)}, {_e(first)} .. {_e(last)}: every month of the window asked</h2>",
        '<div class="wide">' + column_chart("declines-by-month", "Declined detainers per month", months,
                                            y_title="declined detainers", x_title=f"month of {date}",
                                            marked=marked, mark_title=LOWER_BOUND_NOTE, partial=data["month_coverage"],
                                            partial_title=PARTIAL_NOTE, missing_title=MISSING_NOTE) + "</div>",
        '<div class="narrow">' + _legend_text(months, marked, data["month_coverage"])
        + row_chart("declines-by-month-narrow", "Declined detainers per month", months, marked=marked,
                    partial=data["month_coverage"]) + "</div>",
        f"<h2>The {TOP_JURISDICTIONS} jurisdictions (facilities) with the most declines</h2>",
        '<div class="wide">' + bar_chart("top-jurisdictions", "Jurisdictions with the most declines", data["jurisdictions"]) + "</div>",
        '<div class="narrow">' + stacked_bar_chart("top-jurisdictions-narrow", "Jurisdictions with the most declines",
                                                   data["jurisdictions"]) + "</div>",
        f"<h2>Declined detainers by state{', the states asked' if h.get('states') else ''}</h2>",
        '<div class="beside"><div>', *_states(data["states"], data["state_coverage"], h.get("states")), "</div>",
        *([county_table_html(data["counties"], data["names_folded"])] if data["counties"] else []), "</div>",
        *([agency_table_html(data["agencies"])] if data["agencies"] else []),
    ]


def _legend_text(months, marked, partial) -> str:
    notes = [note for note, on in ((LOWER_BOUND_NOTE.replace("lower bound", "hatched: a lower bound"), bool(marked)),
                                   (PARTIAL_NOTE, bool(partial)), (MISSING_NOTE, any(v is None for _, v in months))) if on]
    return f'<p class="note">{_e("; ".join(notes))}.</p>' if notes else ""


def _reconciliation(data: dict, basis: str) -> list[str]:
    h = data["headline"]
    scope = f"of {', '.join(h['states'])}" if h.get("states") else "national"
    heading = f"<h2>Published {'figures ' + scope if h.get('states') else scope + ' figures'} against the warehouse</h2>"
    if basis != "prepare":
        return [heading, "<p>No published figure counts declines by decline date: none is compared on this basis "
                         "(<code>--basis prepare</code> compares them).</p>"]
    rows = data["reconciliation"]
    if not rows:
        return [heading, f"<p>No published figure {_e(scope)} overlaps this window"
                         + (" (the published state figures are NPR's yearly declines by facility, 2007-2015)" if h.get("states") else "")
                         + ".</p>"]
    tones = {status: row["tone"] for status, row in reconciliation_statuses().items()}
    lines = "".join(
        f"<tr><td class=\"id\">{_e(r['figure_id'])}</td><td class=\"id\">{_e(window_text(r['window_start'], r['window_end']))}</td>"
        f"<td>{r['published_value']:,}</td><td>{_e(_n(r['warehouse_value']))}</td>"
        f"<td class=\"optional\">{_e(_n(r['difference'], True))}</td><td class=\"optional\">{r['coverage_ratio']:.1%}</td>"
        f"<td class=\"status {_e(tones.get(r['status'], 'bad'))}\">{_e(r['status'])}"
        + (f" ({r['tolerance']:.0%})" if r["status"] == "within_tolerance" else "")
        + f"</td><td class=\"reason\">{_e(r['reason'])}</td></tr>"
        for r in rows
    )
    parts = [heading,
             "<p>Each figure is compared like with like (the same window, states and basis, on data held whole: its whole "
             "window, or the parts of its published breakdown the data holds), or not at all, with the reason "
             "(all figures: <code>marts.reconciliation</code>).</p>",
             '<div class="scroll wide"><table><tr><th>figure</th><th>compared on</th><th>published</th><th>ours</th>'
             '<th class="optional">difference</th><th class="optional">covered</th><th class="status">status</th><th class="reason">reason</th></tr>'
             + lines + "</table></div>",
             _figures_list(rows, tones)]
    if data.get("inspector_general"):
        parts.append(f'<p class="coverage">{_e(data["inspector_general"])}</p>')
    return parts


def _figures_list(rows: list[dict], tones: dict[str, str]) -> str:
    """The reconciliation for a narrow screen: one line per figure, then its reasons."""
    def item(r: dict) -> str:
        ours = "" if r["warehouse_value"] is None else f", ours {r['warehouse_value']:,}"
        return (f"<li><b>{_e(r['figure_id'])}</b>, {_e(window_text(r['window_start'], r['window_end']))}: published "
                f"{r['published_value']:,}{ours}: <span class=\"{_e(tones.get(r['status'], 'bad'))}\">{_e(r['status'])}</span></li>")
    reasons = "".join(f"<li>{_e(line.removeprefix('- '))}</li>" for line in reason_lines(rows, False))
    return (f'<div class="narrow"><ul class="figures">{"".join(item(r) for r in rows)}</ul>'
            f'<p class="note">Why:</p><ul class="note">{reasons}</ul></div>')


def _options(text: str) -> str:
    """Command-line options in a line (--start 2014-10-01) as code, never broken across lines."""
    return re.sub(r"(--[a-z]+(?: (?!--)[^ ;,()]*[^ ;,().])?)", r"<code>\1</code>", text)


def _n(value, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+,}" if signed else f"{value:,}"


def _sentence(text: str) -> str:
    text = text.rstrip(".")
    return text[:1].upper() + text[1:] + "."


def _stretches(h: dict) -> str:
    """The stretches of the window's data when its coverage changes inside it, as a list."""
    lines = stretch_lines(h)
    if not lines:
        return ""
    items = "".join(f"<li>{_e(line.strip())}</li>" for line in lines[1:])
    return f'<p class="coverage">{_e(_sentence(lines[0].rstrip(":")))[:-1]}:</p><ul class="coverage stretches">{items}</ul>'


def _states(states: list[tuple[str, int]], coverage: dict[str, float], asked: list[str] | None) -> list[str]:
    """The map, what it cannot place (declines with no known state), and its numbers as a list."""
    tiles = state_tiles()
    on_map = {code: value for code, value in states if code in tiles}
    off_map = ", ".join(f"{code} {value:,}" for code, value in states if code not in tiles)
    codes = [code for code in tiles if not asked or code in asked]
    return [
        legend(on_map, coverage, codes),
        tile_map("declines-by-state", "Declined detainers by state, a tile map", on_map, tiles, coverage,
                 frozenset(asked) if asked else None),
        f'<p class="note">Not on the map: {_e(off_map)}.</p>' if off_map else "",
        state_list(on_map, tiles),
    ]
