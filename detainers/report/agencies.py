"""`detainers report --by agency`: the facilities ICE's records name (jurisdictions) folded into
the agencies that run them, by the reviewed table schemas/reference/agencies.csv, read from the
marts.agency_headline table macro: JSON, a text table, and the line beside the headline that
says how many agencies the declining jurisdictions are.

A jurisdiction is a facility, as ICE's records and TRAC count them: Los Angeles County's sheriff
runs several jails, New York City's Department of Correction the jails of Rikers Island. U.S.
Marshals districts, the federal prisons, ICE's own sites and private contractors are agencies
too, but not local ones. Facilities the table does not list are counted apart (not_reviewed),
never folded by a guess."""

from __future__ import annotations

import datetime as dt

import duckdb
from rich.console import Console

from detainers.report.charts import escape as _e
from detainers.report.held import figures_span
from detainers.report.rows import totals, window_rows
from detainers.report.tables import Column, print_fitted

TOP_AGENCIES = 25
LEVELS = ("local", "state", "federal", "private", "unknown")
LEVEL_WORDS = {"local": "local", "state": "state", "federal": "federal", "private": "private", "unknown": "not identified"}


def agency_report(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date,
                  states: tuple[str, ...] | None = None) -> dict:
    """The JSON of `detainers report --by agency`: every agency with detainers in the window
    (most declines first), then the facilities not reviewed and the detainers with none."""
    rows = window_rows(con, "marts.agency_headline", start, end, states)
    agencies = [
        {"agency": r["agency"], "state": r["state_code"], "kind": r["agency_kind"], "level": r["agency_level"],
         "local": r["agency_level"] == "local", "facilities": r["facilities"],
         "declining_facilities": r["declining_facilities"], "detainers_issued": r["detainers_issued"],
         "declined_detainers": r["declined_detainers"],
         "coverage_ratio": None if r["coverage_ratio"] is None else float(r["coverage_ratio"])}
        for r in rows if r["kind"] == "agency"
    ]

    return {
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "agencies": agencies,
        "not_reviewed": totals(rows, "not_reviewed", "facilities", "declining_facilities", "detainers_issued",
                               "declined_detainers"),
        "without_jurisdiction": totals(rows, "without_jurisdiction", "detainers_issued", "declined_detainers"),
    }


def declining_agencies(report: dict) -> dict[str, int]:
    """How many agencies declined, by level (local, state, federal, private, unknown); each
    declining facility the table does not list counts as one of its own (not_reviewed)."""
    counts = {level: 0 for level in LEVELS}
    for agency in report["agencies"]:
        if agency["declined_detainers"]:
            counts[agency["level"] or "unknown"] += 1
    counts["not_reviewed"] = report["not_reviewed"]["declining_facilities"]
    return counts


def agencies_line(report: dict, declining_jurisdictions: int | None) -> str:
    """The line beside the headline: what a jurisdiction is, and how many agencies run them."""
    meaning = "a jurisdiction is a facility, as ICE's records and TRAC count them, not an agency"
    if not declining_jurisdictions:
        return meaning
    counts = declining_agencies(report)
    others = [f"{counts[level]:,} {LEVEL_WORDS[level]}" for level in LEVELS[1:] if counts[level]]
    line = (f"{meaning}: the {declining_jurisdictions:,} declining jurisdictions are run by {counts['local']:,} local "
            f"agencies" + (f" and {sum(counts[level] for level in LEVELS[1:]):,} others ({', '.join(others)})" if others else ""))
    if counts["not_reviewed"]:
        n = counts["not_reviewed"]
        line += f"; {n:,} {'facility is' if n == 1 else 'facilities are'} not in the agency table and count{'s' if n == 1 else ''} as {'its' if n == 1 else 'their'} own"
    return line + " (detainers report --by agency)"


def print_agencies(out: Console, report: dict, wide: bool = False, top: int = TOP_AGENCIES) -> None:
    columns = [Column("agency", wraps=True), Column("state"), Column("level", drop=2), Column("facilities", numeric=True, drop=1),
               Column("issued", numeric=True), Column("declined", numeric=True), Column("covered", numeric=True, drop=3)]
    rows = [[a["agency"], a["state"] or "-", a["level"] or "-", f"{a['facilities']:,}", f"{a['detainers_issued']:,}",
             f"{a['declined_detainers']:,}", "-" if a["coverage_ratio"] is None else f"{a['coverage_ratio']:.1%}"]
            for a in report["agencies"][:top]]
    print_fitted(out, f"agencies with the most declines, {figures_span(report)}", columns, rows, wide)
    out.print(agencies_note(report), highlight=False)


def agencies_note(report: dict) -> str:
    counts = declining_agencies(report)
    rest, without = report["not_reviewed"], report["without_jurisdiction"]
    return (f"{len(report['agencies']):,} agencies with detainers; declining: {counts['local']:,} local, "
            + ", ".join(f"{counts[level]:,} {LEVEL_WORDS[level]}" for level in LEVELS[1:]) + "; "
            f"facilities not in the agency table (schemas/reference/agencies.csv): {rest['facilities']:,}, "
            f"{rest['detainers_issued']:,} issued, {rest['declined_detainers']:,} declined; "
            f"no known jurisdiction: {without['declined_detainers']:,} declined of {without['detainers_issued']:,} issued")


def agency_table_html(report: dict, top: int = 15) -> str:
    """The agencies with the most declines as an HTML table, with the note of what is left out."""
    rows = "".join(
        f"<tr><td>{_e(a['agency'])}</td><td>{_e(a['state'] or '-')}</td><td class=\"optional\">{_e(a['level'] or '-')}</td>"
        f"<td>{a['facilities']:,}</td><td>{a['detainers_issued']:,}</td><td>{a['declined_detainers']:,}</td></tr>"
        for a in report["agencies"][:top] if a["declined_detainers"]
    )
    return (
        f'<div class="agencies"><h2>The {top} agencies with the most declines</h2>'
        "<p class=\"note\">The facilities (jurisdictions) folded into the agency that runs them, by a reviewed table "
        "(<code>schemas/reference/agencies.csv</code>): a county's jails to its sheriff or corrections department, New York "
        "City's jails to its Department of Correction, a state's prisons to its corrections department. U.S. Marshals "
        "districts, federal prisons, ICE's own sites and private contractors are not local agencies.</p>"
        '<div class="scroll"><table><tr><th>agency</th><th>state</th><th class="optional">level</th><th>facilities</th>'
        f"<th>issued</th><th>declined</th></tr>{rows}</table></div>"
        f'<p class="note">{_e(agencies_note(report))}.</p></div>'
    )
