"""What `detainers run` and `detainers report` print: a run's summary, the headline with its
coverage and what it cannot claim, and the reconciliation with published figures."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.table import Table

from detainers.report.coverage import stretch_text
from detainers.report.held import figures_line, fully_covered_line, held_line, where
from detainers.report.tables import Column, print_fitted
from detainers.summary import RunSummary
from detainers.schemas.reference import reconciliation_statuses

BASIS_TEXT = {
    "prepare": "declines counted by the prepare date of the detainer",
    "decline": "declines counted by the date of the decline (Detainer Lift Date); releases without it are left out",
}
TONES = {"good": "green", "warning": "yellow", "bad": "bold red", "neutral": "default"}


def print_run(out: Console, summary: RunSummary, total: float) -> None:
    table = Table(title=f"run {summary.run_id}", title_justify="left")
    for column in ("source", "fetch", "load", "rows read", "loaded", "rejected"):
        table.add_column(column, justify="right" if column in ("rows read", "loaded", "rejected") else "left")
    for o in summary.sources:
        table.add_row(o.source, o.fetch, o.load or "-", f"{o.rows_read:,}", f"{o.rows_loaded:,}", f"{o.rows_rejected:,}")
    out.print(table)
    for o in summary.sources:
        for warning in o.warnings:
            out.print(f"[yellow]warning:[/] {warning}")
    for removed in summary.removed:
        out.print(f"removed from the manifest: {removed}", highlight=False)
    for note in summary.notes:
        out.print(f"[yellow]note:[/] {note}", highlight=False)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in summary.seconds.items())
    out.print(f"stages: {stages}; total {total:.2f}s")
    # the warehouse's path whole on one line, however narrow the terminal: users copy it
    if summary.published:
        out.print(f"published {summary.warehouse}", soft_wrap=True)
    else:
        out.print(f"nothing changed: {summary.warehouse} left as it was", soft_wrap=True)
    if summary.headline:
        print_headline(out, summary.headline)


def print_headline(out: Console, h: dict, agencies: str | None = None, basis: bool = False) -> None:
    """What the data holds of the window first, then (with `basis`, which date counts) the
    figures for that part, labelled with the data's own span; where coverage is partial, the
    window that would be fully covered."""
    out.print(held_line(h), highlight=False)
    if basis:
        out.print(f"basis: {BASIS_TEXT[h['basis']]}", highlight=False)
    if line := figures_line(h):
        out.print(f"[bold]{line}[/]", highlight=False)
    if agencies:
        out.print(agencies, highlight=False)
    for line in stretch_lines(h):
        out.print(line, highlight=False)
    if line := fully_covered_line(h):
        out.print(line, highlight=False)
    if note := lower_bound_note(h):
        out.print(note, highlight=False)


def coverage_line(h: dict) -> str:
    """The coverage in one phrase, for the HTML page's note under the figures."""
    if not h["coverage_start"]:
        return "coverage: no loaded data falls in this window"
    cells = "days" if h.get("states") and len(h["states"]) == 1 else "days and states"
    return (f"coverage: data from {h['coverage_start']} to {h['coverage_end']}, "
            f"{h['coverage_ratio']:.1%} of the window's {cells} ({where(h)})")


def stretch_lines(h: dict) -> list[str]:
    """The stretches of the data's span when its coverage changes inside it: figures from a
    stretch of one state and one of all states are not alike, and the reader is told where."""
    stretches = h.get("coverage_stretches") or []
    if len(stretches) < 2:
        return []
    return ["coverage changes inside the window:"] + [f"  {stretch_text(s)}" for s in stretches]


def lower_bound_note(h: dict) -> str | None:
    """Declines are a lower bound when detainers were still open when their data was drawn."""
    share = h.get("outcome_pending_share")
    if not share:
        return None
    drawn = f" (drawn on {h['last_extracted_on']})" if h.get("last_extracted_on") else ""
    return (f"declines are a lower bound: {share:.1%} of these detainers had no recorded outcome when their "
            f"data was drawn{drawn}; some were declined later")


def print_reconciliation(out: Console, shown: list[dict], others: int, basis: str, states: tuple[str, ...] | None = None,
                         oig: str | None = None, wide: bool = False) -> None:
    """The published figures about the nation, or about the states asked, whose window overlaps
    the one asked, each compared like with like or not at all (with its reason); the rest in one
    line. The published figures count by prepare date: on another basis none is compared."""
    scope = f"figures of {', '.join(states)}" if states else "national figures"
    if basis != "prepare":
        out.print(f"published figures: none counts declines by decline date, so none is compared on this basis "
                  "(--basis prepare compares them)", highlight=False)
        return
    if not shown:
        out.print(f"published figures: no published {scope[:-1] if scope.endswith('s') else scope} overlaps the window"
                  + (" (the published state figures are NPR's yearly declines by facility, 2007-2015)" if states else ""),
                  highlight=False)
        return
    statuses = reconciliation_statuses()
    colors = {status: TONES[row["tone"]] for status, row in statuses.items()}
    columns = [Column("figure"), Column("compared on", wraps=True, min_width=len("2014-01-01 ..")), Column("published", numeric=True),
               Column("ours", numeric=True), Column("diff", numeric=True, drop=1), Column("covered", numeric=True, drop=2),
               Column("status")]
    rows = [[r["figure_id"], window_text(r["window_start"], r["window_end"]), f"{r['published_value']:,}",
             _number(r["warehouse_value"]), _number(r["difference"], signed=True), f"{r['coverage_ratio']:.1%}",
             f"[{colors.get(r['status'], 'default')}]{_status(r)}[/]"] for r in shown]
    print_fitted(out, f"published {scope} against the warehouse (compared like with like, or not at all)", columns, rows, wide)
    for line in reason_lines(shown, oig is not None):
        out.print(line, highlight=False)
    counted = ", ".join(f"{sum(r['status'] == s for r in shown)} {row['label']}" for s, row in statuses.items())
    out.print(f"{len(shown)} published {scope} overlap the window: {counted}; {others} others outside it "
              "(all: marts.reconciliation)", highlight=False)
    if oig:
        out.print(oig, highlight=False)


def _number(value, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+,}" if signed else f"{value:,}"


def _status(row: dict) -> str:
    if row["status"] == "within_tolerance":
        return f"within_tolerance ({row['tolerance']:.0%})"
    return row["status"]


def reason_lines(rows: list[dict], oig_apart: bool) -> list[str]:
    """Why each row is compared as it is, or not at all: one line per reason, naming its figures
    (the inspector general's, when they have their own line, are left to it)."""
    by_reason: dict[str, list[str]] = {}
    for r in rows:
        if r["reason"] == "the loaded data holds its whole window" or (oig_apart and r["publisher"] == "DHS OIG"):
            continue
        by_reason.setdefault(r["reason"], []).append(r["figure_id"])
    return [f"- {', '.join(ids)}: {reason}" for reason, ids in by_reason.items()]


def window_text(start: str, end: str) -> str:
    """A window as short as it is exact: a whole calendar month as 2014-10, a whole year as 2014."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if first.day == 1 and (last + dt.timedelta(days=1)).day == 1:
        if first.month == 1 and last.month == 12 and first.year == last.year:
            return f"{first.year}"
        if (first.year, first.month) == (last.year, last.month):
            return f"{first:%Y-%m}"
    return f"{start} .. {end}"
