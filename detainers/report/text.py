"""What `detainers run` and `detainers report` print: a run's summary, the headline with its
coverage and what it cannot claim, and the reconciliation with published figures."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from detainers.report.coverage import stretch_text
from detainers.summary import RunSummary
from schemas.reference import reconciliation_statuses

BASIS_TEXT = {
    "prepare": "declines counted by the prepare date of the detainer",
    "decline": "declines counted by the date of the decline (Detainer Lift Date); releases without it are left out",
}
TONES = {"good": "green", "warning": "yellow", "bad": "bold red"}


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
    if summary.published:
        out.print(f"published {summary.warehouse}")
    else:
        out.print(f"nothing changed: {summary.warehouse} left as it was")
    if summary.headline:
        print_headline(out, summary.headline)


def where(h: dict) -> str:
    return ", ".join(h["states"]) if h.get("states") else "all states"


def print_headline(out: Console, h: dict) -> None:
    out.print(
        f"[bold]{h['window_start']} .. {h['window_end']}[/], {where(h)}: {h['detainers_issued']:,} detainers issued, "
        f"{h['declined_detainers']:,} declined by {h['declining_jurisdictions']:,} jurisdictions "
        f"({h['declined_without_jurisdiction']:,} declined with no known jurisdiction)",
        highlight=False,
    )
    out.print(coverage_line(h), highlight=False)
    for line in stretch_lines(h):
        out.print(line, highlight=False)
    if note := lower_bound_note(h):
        out.print(note, highlight=False)


def coverage_line(h: dict) -> str:
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


def print_reconciliation(out: Console, shown: list[dict], others: int, basis: str) -> None:
    """The published figures whose window overlaps the asked one; the rest in one line."""
    statuses = reconciliation_statuses()
    colors = {status: TONES[row["tone"]] for status, row in statuses.items()}
    table = Table(title="published figures against the warehouse", title_justify="left")
    for column in ("figure", "scope", "window", "published", "ours", "diff", "covered", "status"):
        table.add_column(column, justify="right" if column in ("published", "ours", "diff", "covered") else "left", no_wrap=True)
    for r in shown:
        table.add_row(
            r["figure_id"], r["scope"], f"{r['window_start']}..{r['window_end']}",
            f"{r['published_value']:,}", f"{r['warehouse_value']:,}", f"{r['difference']:+,}",
            f"{float(r['coverage_ratio']):.1%}", f"[{colors.get(r['status'], 'white')}]{r['status']}[/]",
        )
    if shown:
        out.print(table)
    counted = ", ".join(f"{sum(r['status'] == s for r in shown)} {row['label']}" for s, row in statuses.items())
    out.print(f"{len(shown)} published figures overlap the window: {counted}; {others} others outside it "
              "(all: marts.reconciliation)", highlight=False)
    if basis != "prepare":
        out.print("the published figures count by prepare date, so the reconciliation is on that basis", highlight=False)
