"""`detainers report --by county`: declines by county for a window of prepare dates, read from
the marts.county_headline table macro (the one definition of these figures), as JSON, a text
table of the top counties, or a table on the HTML page beside the state map.

A county's figures count the known jurisdictions placed in it (marts.jurisdictions.placement:
named in the facility, by its city, by a reviewed override). Known jurisdictions placed in no
county are `unplaced`; placeholder and blank facilities are `without_jurisdiction`. The three
add up to the headline's detainers issued and declined for the same window and states.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from rich.console import Console

from detainers.report.charts import escape as _e
from detainers.report.held import figures_span
from detainers.report.rows import totals, window_rows
from detainers.report.tables import Column, print_fitted

TOP_COUNTIES = 15
COUNTY_KEYS = ("county_fips", "county", "state_code", "detainers_issued", "declined_detainers",
               "declining_facilities", "coverage_ratio")


def county_report(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date,
                  states: tuple[str, ...] | None = None) -> dict:
    """The JSON of `detainers report --by county`: every county with detainers in the window
    (most declines first), then the unplaced jurisdictions and the detainers with none."""
    rows = window_rows(con, "marts.county_headline", start, end, states)
    counties = [
        {"county_fips": r["county_fips"], "county": r["county_name"], "state_code": r["state_code"],
         "detainers_issued": r["detainers_issued"], "declined_detainers": r["declined_detainers"],
         "declining_facilities": r["declining_facilities"],
         "coverage_ratio": None if r["coverage_ratio"] is None else float(r["coverage_ratio"])}
        for r in rows if r["kind"] == "county"
    ]

    return {
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "counties": counties,
        "unplaced": totals(rows, "unplaced", "detainers_issued", "declined_detainers", "jurisdictions"),
        "without_jurisdiction": totals(rows, "without_jurisdiction", "detainers_issued", "declined_detainers"),
    }


def names_folded(con: duckdb.DuckDBPyConnection, states: tuple[str, ...] | None = None) -> dict:
    """How many spellings of facility names were folded into another jurisdiction's name
    (marts.jurisdictions.name_variants), and into how many jurisdictions, for the states asked."""
    folded, into = con.execute(
        """
        select coalesce(sum(len(name_variants) - 1), 0)::bigint, count(*) filter (where len(name_variants) > 1)
        from marts.jurisdictions
        where macros.in_states(state_code, $states)
        """,
        dict(states=list(states) if states else None),
    ).fetchone()
    return {"names_folded": folded, "jurisdictions": into}


def print_counties(out: Console, report: dict, folded: dict, wide: bool = False, top: int = TOP_COUNTIES) -> None:
    columns = [Column("county", wraps=True), Column("state"), Column("FIPS"), Column("issued", numeric=True),
               Column("declined", numeric=True), Column("declining facilities", numeric=True, wraps=True),
               Column("covered", numeric=True, drop=1)]
    rows = [[c["county"], c["state_code"], c["county_fips"], f"{c['detainers_issued']:,}", f"{c['declined_detainers']:,}",
             f"{c['declining_facilities']:,}", _ratio(c["coverage_ratio"])] for c in report["counties"][:top]]
    print_fitted(out, f"counties with the most declines, {figures_span(report)}", columns, rows, wide)
    out.print(counties_note(report, folded), highlight=False)


def counties_note(report: dict, folded: dict) -> str:
    counties, unplaced, without = report["counties"], report["unplaced"], report["without_jurisdiction"]
    placed = sum(c["declined_detainers"] for c in counties)
    known = placed + unplaced["declined_detainers"]
    share = f" ({placed / known:.1%} of the declines at known jurisdictions)" if known else ""
    return (f"{len(counties):,} counties with detainers, {placed:,} declines placed in them{share}; "
            f"unplaced (known jurisdictions in no county): {unplaced['declined_detainers']:,} declined of "
            f"{unplaced['detainers_issued']:,} issued at {unplaced['jurisdictions']:,} jurisdictions; "
            f"no known jurisdiction: {without['declined_detainers']:,} declined of {without['detainers_issued']:,} issued; "
            f"{folded['names_folded']:,} spellings of facility names folded into {folded['jurisdictions']:,} jurisdictions")


def county_table_html(report: dict, folded: dict, top: int = TOP_COUNTIES) -> str:
    """The top counties as an HTML table, with the note of what is left out."""
    rows = "".join(
        f"<tr><td>{_e(c['county'])}, {_e(c['state_code'])}</td><td>{_e(c['county_fips'])}</td>"
        f"<td>{c['detainers_issued']:,}</td><td>{c['declined_detainers']:,}</td>"
        f"<td>{c['declining_facilities']:,}</td><td class=\"optional\">{_e(_ratio(c['coverage_ratio']))}</td></tr>"
        for c in report["counties"][:top] if c["declined_detainers"]
    )
    return (
        f'<div class="counties"><h3>The {top} counties with the most declines</h3>'
        '<div class="scroll"><table><tr><th>county</th><th>FIPS</th><th>issued</th><th>declined</th><th>declining facilities</th>'
        f'<th class="optional">covered</th></tr>{rows}</table></div>'
        f'<p class="note">{_e(counties_note(report, folded))}. How jurisdictions are placed: '
        "<code>marts.jurisdictions.placement</code>.</p></div>"
    )


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"
