"""The `detainers` command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from detainers.errors import DetainersError
from detainers.paths import DEFAULT_WAREHOUSE, default_manifest
from detainers.report.headline import DEFAULT_END, DEFAULT_START, HEADLINE_KEYS

app = typer.Typer(
    help="ICE detainer records into a DuckDB warehouse of trustworthy metrics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",  # docstrings are paragraphs: rewrap them to the terminal
)
# In a log or a pipe, tables are not cut to 80 columns.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

WarehouseOption = Annotated[Path, typer.Option("--warehouse", help="The published DuckDB file.", dir_okay=False)]
ManifestOption = Annotated[Optional[Path], typer.Option(
    "--manifest", help="The manifest of sources (TOML).", dir_okay=False,
    show_default="./sources.toml if present, else the bundled manifest")]


def _print_run(summary, total: float) -> None:
    from detainers.report.text import print_run

    print_run(out, summary, total)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def run(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    manifest: ManifestOption = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only this source (repeatable).")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another run's write lock.")] = 0.0,
) -> None:
    """Fetch every source in the manifest, validate and load what changed, build the SQL
    models and publish the warehouse. Prints rows read, loaded and rejected, and the headline."""
    started = time.perf_counter()
    from detainers import progress

    with progress.reporting(progress.for_console(out)):  # bars on a terminal, plain lines in a log
        summary = _call_flow("run_flow", manifest=manifest or default_manifest(), warehouse=warehouse, only=source, wait_seconds=wait)
    total = time.perf_counter() - started
    _print_run(summary, total)
    if summary.failed:
        _fail(f"{len(summary.failed)} source(s) failed: " + "; ".join(o.error for o in summary.failed))


@app.command()
def backfill(
    start: Annotated[str, typer.Option(help="First prepare date of the range, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(help="Last prepare date of the range, YYYY-MM-DD.")],
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    manifest: ManifestOption = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another run's write lock.")] = 0.0,
) -> None:
    """Fetch (in parallel) and load every source whose trusted window overlaps the range,
    rebuild the models and publish once. Sources outside the range keep their rows."""
    from detainers import progress

    window = (_date(start, DEFAULT_START, "--start"), _date(end, DEFAULT_END, "--end"))
    started = time.perf_counter()
    with progress.reporting(progress.for_console(out)):
        summary = _call_flow("backfill_flow", manifest=manifest or default_manifest(), warehouse=warehouse,
                             start=window[0], end=window[1], wait_seconds=wait)
    _print_run(summary, time.perf_counter() - started)
    if summary.failed:
        _fail(f"{len(summary.failed)} source(s) failed: " + "; ".join(o.error for o in summary.failed))


def _call_flow(name: str, **kwargs):
    """Run a flow of flows.pipeline; any failure ends in one clear line, not a traceback."""
    if not os.environ.get("DETAINERS_VERBOSE"):
        # Prefect logs each failed task with its traceback; the summary says it once, plainly.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    try:
        import importlib

        return getattr(importlib.import_module("flows.pipeline"), name)(**kwargs)
    except DetainersError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug, or a fault we did not foresee: still one line
        if os.environ.get("DETAINERS_VERBOSE"):
            raise
        _fail(f"unexpected {type(exc).__name__}: {exc} (set DETAINERS_VERBOSE=1 for the traceback)")


def _date(value: str | None, default: dt.date, option: str) -> dt.date:
    if value is None:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} must be a date as YYYY-MM-DD, not {value!r}", code=2)


def _states(values: list[str] | None) -> tuple[str, ...] | None:
    """--state values as two-letter codes (names accepted); an unknown one is a usage error."""
    if not values:
        return None
    import difflib

    from schemas.reference import state_codes

    codes = state_codes()
    for value in values:
        if value.strip().upper() not in codes:
            close = difflib.get_close_matches(value.strip().upper(), list(codes), n=1)
            _fail(f"--state: unknown state {value!r}" + (f" (did you mean {close[0]!r}?)" if close else ""), code=2)
    return tuple(sorted({codes[v.strip().upper()] for v in values}))


@app.command()
def report(
    start: Annotated[Optional[str], typer.Option(help="First day of the window, YYYY-MM-DD.", show_default=str(DEFAULT_START))] = None,
    end: Annotated[Optional[str], typer.Option(help="Last day of the window, YYYY-MM-DD.", show_default=str(DEFAULT_END))] = None,
    state: Annotated[Optional[list[str]], typer.Option("--state", help="Only this state, as a code or name (repeatable); default: the nation.")] = None,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object with the headline keys.")] = False,
    basis: Annotated[str, typer.Option(help="Count declines by 'prepare' date, or by 'decline' date (lift date).")] = "prepare",
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write a self-contained HTML report with charts here.", dir_okay=False)] = None,
) -> None:
    """The headline for a window of prepare dates (default: the inspector general's,
    2014-01-01 to 2017-05-31), for the nation or the states asked about: detainers issued,
    declined, declining jurisdictions, declines with no known jurisdiction, how much of the
    window's days and states the data covers, and whether declines are a lower bound; then
    how the warehouse reconciles with the published figures of the window (text mode only)."""
    from detainers.report import text
    from detainers.report.headline import headline, open_published
    from detainers.report.reconciliation import reconciliation

    window = (_date(start, DEFAULT_START, "--start"), _date(end, DEFAULT_END, "--end"))
    states = _states(state)
    try:
        con = open_published(warehouse)
        try:
            h = headline(con, *window, basis=basis, states=states)
            shown = [] if as_json else reconciliation(con, *window)
            others = 0 if as_json else len(reconciliation(con)) - len(shown)
            if html is not None:
                from detainers.report.html import write_html_report

                write_html_report(con, *window, html, basis=basis, states=states)
        finally:
            con.close()
    except DetainersError as exc:
        _fail(str(exc))
    if as_json:
        extra = {"basis": basis} if basis != "prepare" else {}
        sys.stdout.write(json.dumps({k: h[k] for k in HEADLINE_KEYS} | extra) + "\n")
        return
    out.print(f"basis: {text.BASIS_TEXT[basis]}", highlight=False)
    text.print_headline(out, h)
    if basis == "decline" and h["declined_without_decline_date"]:
        out.print(f"{h['declined_without_decline_date']:,} declined detainers prepared in the window have no decline "
                  "date (their release does not publish one) and are not counted on this basis", highlight=False)
    text.print_reconciliation(out, shown, others, basis)
    if html is not None:
        out.print(f"wrote {html}", highlight=False)


@app.command()
def dictionary(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    output: Annotated[Optional[Path], typer.Option("--output", help="The page to write.", dir_okay=False, show_default="docs/data_dictionary.md")] = None,
) -> None:
    """Write the data dictionary page (docs/data_dictionary.md) from sql/dictionary.toml and
    the columns of the published warehouse; fail naming any column left undescribed."""
    from detainers.build.dictionary import DEFAULT_PAGE, undescribed, write_markdown
    from detainers.report.headline import open_published

    try:
        con = open_published(warehouse)
        try:
            missing = undescribed(con)
        finally:
            con.close()
        page = write_markdown(warehouse, output or DEFAULT_PAGE)
    except DetainersError as exc:
        _fail(str(exc))
    out.print(f"wrote {page}", highlight=False)
    if missing:
        _fail(f"sql/dictionary.toml does not describe: {', '.join(missing)}")


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help="When to run, as a cron expression.")] = "0 3 * * *",
    timezone: Annotated[str, typer.Option(help="Time zone of the cron expression (IANA name).")] = "UTC",
    name: Annotated[str, typer.Option(help="Name of the Prefect deployment.")] = "nightly",
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    manifest: ManifestOption = None,
    wait: Annotated[float, typer.Option(help="Seconds a run waits for another's write lock.")] = 600.0,
) -> None:
    """Register the run as a Prefect deployment on a cron schedule (default nightly at 03:00
    UTC) and serve it until interrupted: scheduled runs, and runs started from the Prefect UI.
    Point PREFECT_API_URL at a Prefect server (`prefect server start`) to see them there."""
    from flows.serve import serve as serve_flow

    try:
        serve_flow(manifest or default_manifest(), warehouse, cron=cron, timezone=timezone, name=name, wait_seconds=wait)
    except DetainersError as exc:
        _fail(str(exc))
    except ValueError as exc:  # a cron expression or time zone Prefect cannot read
        _fail(f"cannot schedule {cron!r} in {timezone}: {exc}", code=2)


def main() -> None:
    app()
