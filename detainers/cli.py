"""The `detainers` command line.

Arguments, the manifest and source names are checked before anything slow starts: a usage
error exits 2 in a fraction of a second. A run whose source failed exits 1; Ctrl-C or SIGTERM
stops a run within seconds, publishing nothing new (exit 130). Every error is one line;
DETAINERS_VERBOSE=1 shows tracebacks and Prefect's own logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from detainers import __version__, stop
from detainers.arguments import basis_asked, check_schedule, states_asked, window_asked
from detainers.errors import DetainersError, ManifestError, UsageError
from detainers.paths import DEFAULT_WAREHOUSE, default_manifest
from detainers.report.window import DEFAULT_END, DEFAULT_START

class _FlagsShownAsFlags:
    """Typer (0.29) shows a flag's type in --help, '--json <bool>', as if it took a value: a flag
    shows none."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False):
                param.metavar = ""
        return params


class _OneLineMistakes:
    """A mistake Typer finds in the arguments (an unknown option or command, a missing value, a
    folder for a file) is one line and exit 2, as the command's own are, not Typer's box."""

    def make_context(self, info_name, args, parent=None, **extra):
        with _one_line(f"{parent.command_path} {info_name}" if parent else info_name):
            return super().make_context(info_name, args, parent=parent, **extra)

    def resolve_command(self, ctx, args):
        with _one_line(ctx.command_path):
            return super().resolve_command(ctx, args)


@contextlib.contextmanager
def _one_line(command: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # Typer's ClickException, known by what it has (typer._click is private)
        given = isinstance(getattr(exc, "exit_code", None), int) and hasattr(exc, "format_message")
        if not given or isinstance(exc, typer.Exit) or type(exc).__name__ == "NoArgsIsHelpError":
            raise  # --help, and no arguments: the help page
        _fail(f"{exc.format_message()} (see `{command} --help`)", exc.exit_code)


class _Group(_OneLineMistakes, _FlagsShownAsFlags, typer.core.TyperGroup):
    pass


class _Command(_OneLineMistakes, _FlagsShownAsFlags, typer.core.TyperCommand):
    pass


app = typer.Typer(
    cls=_Group,
    help="ICE detainer records into a DuckDB warehouse of trustworthy metrics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",  # docstrings are paragraphs: rewrap them to the terminal
)
# In a log or a pipe, tables are not cut to 80 columns.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

WarehouseOption = Annotated[Path, typer.Option("--warehouse", metavar="FILE", help="The published DuckDB file.", dir_okay=False)]
ManifestOption = Annotated[Optional[Path], typer.Option(
    "--manifest", metavar="FILE", help="The manifest of sources (TOML).", dir_okay=False,
    show_default="./sources.toml if present, else the bundled manifest")]
WaitOption = Annotated[float, typer.Option("--wait", metavar="SECONDS", help="Seconds to wait for another run's write lock.")]
PrefectOption = Annotated[Optional[bool], typer.Option(
    "--prefect/--no-prefect", show_default="Prefect when an API is configured",
    help="Run as a Prefect flow (its logs and artifacts in Prefect's UI), or as plain Python.")]
JsonRunOption = Annotated[bool, typer.Option("--json", help="Print the run's summary as one JSON object instead.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"detainers {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def options(version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None) -> None:
    """ICE detainer records into a DuckDB warehouse of trustworthy metrics."""


# How a command ends, and what each exit code means (docs/commands.md is written from these).
DONE, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
EXIT_CODES = {
    DONE: "done: a run whose sources all loaded (or that found nothing changed), a report, a page written",
    FAILED: "a source failed (each named, on one line) while the others published; a warehouse that is not there "
            "or cannot be read; a page that cannot be written; the data dictionary missing a column",
    USAGE: "a mistake in the arguments or the manifest, found before anything slow starts (one line naming it)",
    INTERRUPTED: "interrupted (Ctrl-C, SIGTERM): nothing new published, the warehouse as it was",
}


def _fail(message: str, code: int = FAILED) -> None:
    from rich.markup import escape  # a message is text: "[[source]]" or a folder "a[b]" is not markup

    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def _guarded(warehouse: Path | None = None) -> Iterator[None]:
    """One line for any way a command can end badly, with the exit code it means."""
    try:
        with stop.handling():
            yield
    except (UsageError, ManifestError) as exc:
        _fail(str(exc), code=USAGE)
    except DetainersError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _interrupted(warehouse)
    except Exception as exc:  # a bug, or a fault nobody foresaw: still one line
        if stop.requested():  # DuckDB turns a signal during a query into "RuntimeError: Query interrupted"
            _interrupted(warehouse)
        from detainers.schemas.reference import os_failure

        if os_failure(exc):  # a full disk, a read-only folder (failures.toml)
            _fail(os_failure(exc))
        if os.environ.get("DETAINERS_VERBOSE"):
            raise
        _fail(f"unexpected {type(exc).__name__}: {exc} (set DETAINERS_VERBOSE=1 for the traceback)")


def _interrupted(warehouse: Path | None) -> None:
    left = f"; {warehouse} is as it was" if warehouse else ""
    _fail(f"interrupted: nothing new was published{left}", code=INTERRUPTED)


def _say(line: str) -> None:
    """A line about what the command is doing, on stderr (stdout holds its result, --json's too)."""
    err.print(line, highlight=False, soft_wrap=True)


def _quiet_prefect() -> None:
    if not os.environ.get("DETAINERS_VERBOSE"):
        # Prefect logs each failed task, each crash, with its traceback: the command's summary
        # says it once, plainly. Its logs still reach Prefect's UI.
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"


def _report_run(summary, started: float, as_json: bool) -> None:
    if as_json:
        from dataclasses import asdict

        sys.stdout.write(json.dumps(asdict(summary), default=str) + "\n")
    else:
        from detainers.report.text import print_run

        print_run(out, summary, time.perf_counter() - started)
    if summary.failed:
        _fail(f"{len(summary.failed)} source(s) failed: " + "; ".join(o.error for o in summary.failed))


@app.command(cls=_Command)
def run(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    manifest: ManifestOption = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", metavar="NAME", help="Only this source (repeatable).")] = None,
    wait: WaitOption = 0.0,
    prefect: PrefectOption = None,
    as_json: JsonRunOption = False,
) -> None:
    """Fetch every source in the manifest, validate and load what changed, build the SQL
    models and publish the warehouse. Prints rows read, loaded and rejected, and the headline."""
    started = time.perf_counter()
    manifest = manifest or default_manifest()
    with _guarded(warehouse):
        from detainers import launch, progress
        from detainers.plan import plan_run

        plan = plan_run(manifest, source)
        _quiet_prefect()
        with progress.reporting(None if as_json else progress.for_console(out)):  # bars on a terminal, lines in a log
            summary = launch.run("run_flow", prefect, plan, warehouse, wait, _say, manifest=manifest, only=source)
    _report_run(summary, started, as_json)


@app.command(cls=_Command)
def backfill(
    start: Annotated[str, typer.Option(metavar="DATE", help="First prepare date of the range, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(metavar="DATE", help="Last prepare date of the range, YYYY-MM-DD.")],
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    manifest: ManifestOption = None,
    wait: WaitOption = 0.0,
    prefect: PrefectOption = None,
    as_json: JsonRunOption = False,
) -> None:
    """Fetch (in parallel) and load every source whose trusted window overlaps the range,
    rebuild the models and publish once. Sources outside the range keep their rows."""
    started = time.perf_counter()
    manifest = manifest or default_manifest()
    with _guarded(warehouse):
        from detainers import launch, progress
        from detainers.plan import plan_backfill

        window = window_asked(start, end)
        plan = plan_backfill(manifest, *window)
        _quiet_prefect()
        with progress.reporting(None if as_json else progress.for_console(out)):
            summary = launch.run("backfill_flow", prefect, plan, warehouse, wait, _say, manifest=manifest,
                                 start=window[0], end=window[1])
    _report_run(summary, started, as_json)


@app.command(cls=_Command)
def report(
    start: Annotated[Optional[str], typer.Option(metavar="DATE", help="First day of the window, YYYY-MM-DD.", show_default=str(DEFAULT_START))] = None,
    end: Annotated[Optional[str], typer.Option(metavar="DATE", help="Last day of the window, YYYY-MM-DD.", show_default=str(DEFAULT_END))] = None,
    state: Annotated[Optional[list[str]], typer.Option("--state", metavar="STATE", help="Only this state, as a code or name (repeatable); default: the nation.")] = None,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: what the data holds of the window, the headline keys, the reconciliation.")] = False,
    basis: Annotated[str, typer.Option(metavar="prepare|decline", help="Count declines by 'prepare' date, or by 'decline' date (lift date).")] = "prepare",
    html: Annotated[Optional[Path], typer.Option("--html", metavar="FILE", help="Also write a self-contained HTML report with charts here.", dir_okay=False)] = None,
    by: Annotated[Optional[str], typer.Option("--by", metavar="county|agency", help="Instead of the headline, a table by 'county' (FIPS) or by 'agency' (who runs each facility): detainers issued and declined by prepare date, coverage, and what no county or agency holds.")] = None,
    wide: Annotated[bool, typer.Option("--wide", help="Show every column of the tables, however wide (by default they fit the terminal).")] = False,
) -> None:
    """The headline for a window of prepare dates (default: the inspector general's,
    2014-01-01 to 2017-05-31), for the nation or the states asked about. First what the loaded
    data holds of the window (its own first and last day, its share of days and states), then
    the figures for that part: detainers issued, declined, declining jurisdictions (facilities),
    declines with no known jurisdiction, the agencies that run those facilities, and whether
    declines are a lower bound; then the published figures of the window compared like with
    like, or said not to be comparable and why. With `--by county` or `--by agency`, those instead."""
    with _guarded(), _fit_terminal():
        _report(start, end, state, warehouse, as_json, basis, html, by, wide)


def _report(start, end, state, warehouse: Path, as_json: bool, basis: str, html: Path | None, by: str | None,
            wide: bool) -> None:
    """The body of `detainers report`: its arguments checked, then the headline or --by table."""
    window, states, basis = window_asked(start, end), states_asked(state), basis_asked(basis)
    if by is not None:
        _by(by, basis, window, states, warehouse, as_json, html, wide)
        return
    from detainers.extract.window_manifest import cover
    from detainers.report import text
    from detainers.report.agencies import agencies_line, agency_report
    from detainers.report.headline import HEADLINE_KEYS, headline, published_marts
    from detainers.report.reconciliation import as_json as reconciliation_json
    from detainers.report.reconciliation import inspector_general_line, reconciliation
    from detainers.report.seams import seam_lines

    with published_marts(warehouse) as con:
        h = headline(con, *window, basis=basis, states=states)
        shown = reconciliation(con, *window, states=states)
        if not as_json:
            seams = seam_lines(con, *window)
            others = len(reconciliation(con, states=states)) - len(shown)
            oig = inspector_general_line(con, shown, cover) if basis == "prepare" else None
            agencies = agencies_line(agency_report(con, *window, states), h["declining_jurisdictions"]) if basis == "prepare" else None
        wrote = _write_html(con, window, html, basis=basis, states=states)
    if as_json:
        extra = {"basis": basis} if basis != "prepare" else {}
        document = {k: h[k] for k in HEADLINE_KEYS} | extra | {"reconciliation": reconciliation_json(shown, basis)}
        sys.stdout.write(json.dumps(document) + "\n")
        return
    text.print_headline(out, h, agencies, basis=True)
    if basis == "decline" and h["declined_without_decline_date"]:
        out.print(f"{h['declined_without_decline_date']:,} declined detainers prepared in the window have no decline "
                  "date (their release does not publish one) and are not counted on this basis", highlight=False)
    for line in seams:
        out.print(line, highlight=False, soft_wrap=True)
    text.print_reconciliation(out, shown, others, basis, states, oig, wide)
    if wrote:
        out.print(wrote, highlight=False, soft_wrap=True)


def _write_html(con, window: tuple, html: Path | None, basis: str = "prepare", states=None) -> str | None:
    """`report --html`: the page written, and the line that says so (and that its folder was made)."""
    if html is None:
        return None
    from detainers.extract.window_manifest import cover
    from detainers.report.html import write_html_report

    with _writing(html) as wrote:
        write_html_report(con, *window, html, basis=basis, states=states, cover=cover)
    return wrote[0]


@contextlib.contextmanager
def _writing(page: Path) -> Iterator[list[str]]:
    """The line that says a page was written, and that its folder was made where it was."""
    made, said = not page.parent.exists(), []
    yield said
    said.append(f"wrote {page}" + (f" (made the folder {page.parent})" if made and page.parent.exists() else ""))


@contextlib.contextmanager
def _fit_terminal() -> Iterator[None]:
    """While a report prints: its tables fit the terminal, or COLUMNS where it is set (a terminal
    of that width); in a log or a pipe, 160 columns. The console's own width comes back after."""
    columns, before = os.environ.get("COLUMNS", ""), out._width  # rich keeps the width it was given there
    out.width = int(columns) if columns.isdigit() and int(columns) > 0 else (None if sys.stdout.isatty() else 160)
    try:
        yield
    finally:
        out.width = before


def _by(by: str, basis: str, window: tuple, states: tuple[str, ...] | None, warehouse: Path,
        as_json: bool, html: Path | None, wide: bool) -> None:
    """`detainers report --by county|agency`: the counties or agencies of the window and states asked about."""
    if by not in ("county", "agency"):
        raise UsageError(f"unknown --by {by!r}; one of: county, agency")
    if basis != "prepare":
        raise UsageError(f"--by {by} counts by prepare date: leave out --basis")
    from detainers.report.headline import headline, published_marts
    from detainers.report.held import fully_covered_line, held_keys, held_line

    with published_marts(warehouse) as con:
        h = headline(con, *window, states=states)
        if by == "county":
            from detainers.report.counties import county_report, names_folded

            report, folded = county_report(con, *window, states=states), names_folded(con, states)
        else:
            from detainers.report.agencies import agency_report

            report = agency_report(con, *window, states=states)
        wrote = _write_html(con, window, html, states=states)
    # what the data holds of the window comes first, as in the headline report
    report = {"window_start": report.pop("window_start"), "window_end": report.pop("window_end"), **held_keys(h), **report}
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    for line in (held_line(h), fully_covered_line(h)):
        if line:
            out.print(line, highlight=False)
    if not h.get("coverage_start"):
        return  # the data holds no day of the window: no table of zeros under that line
    if by == "county":
        from detainers.report.counties import print_counties

        print_counties(out, report, folded, wide)
    else:
        from detainers.report.agencies import print_agencies

        print_agencies(out, report, wide)
    if wrote:
        out.print(wrote, highlight=False, soft_wrap=True)


@app.command(cls=_Command)
def releases(
    warehouse: Annotated[Optional[Path], typer.Option(
        "--warehouse", metavar="FILE", dir_okay=False, show_default=str(DEFAULT_WAREHOUSE),
        help="The published DuckDB file (one named here must exist; the default may not yet).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of objects, one per release.")] = False,
    manifest: Annotated[bool, typer.Option("--manifest", help="Print a manifest (TOML) of the fewest known releases that cover the window, for `detainers run --manifest`.")] = False,
    start: Annotated[Optional[str], typer.Option(metavar="DATE", help="With --manifest: the window's first prepare date, YYYY-MM-DD.", show_default="the first day a known release holds")] = None,
    end: Annotated[Optional[str], typer.Option(metavar="DATE", help="With --manifest: the window's last prepare date, YYYY-MM-DD.", show_default="today")] = None,
    wide: Annotated[bool, typer.Option("--wide", help="Every column of the table, however wide the terminal.")] = False,
) -> None:
    """Every known public release of detainer records (the catalog: file, public address,
    sha256, size, the window it is trusted for, layout), whether the warehouse holds it and its
    rows there, and how many days of the inspector general's window (2014-01-01 to 2017-05-31) it
    would cover. A file with a release's bytes loads with no layout or window in the manifest.
    With `--manifest`, a manifest covering `--start` .. `--end` instead."""
    with _guarded():
        if manifest:
            from detainers.arguments import manifest_window
            from detainers.extract.window_manifest import cover, manifest_toml

            plan = cover(*manifest_window(start, end))
            sys.stdout.write(manifest_toml(plan))
            for first, last in plan.gaps:
                err.print(f"note: no known release holds {first} .. {last}", highlight=False)
            return
        if start is not None or end is not None:
            raise UsageError("--start and --end choose the window of --manifest: add --manifest")
        from detainers.report.headline import check_exists
        from detainers.report.releases import catalog, print_catalog

        if warehouse is not None:
            check_exists(warehouse)  # a typo is report's mistake, and the same exit
        warehouse = warehouse or DEFAULT_WAREHOUSE
        rows = catalog(warehouse)
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    with _fit_terminal():
        print_catalog(out, rows, warehouse, wide=wide)


@app.command(cls=_Command)
def dictionary(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    output: Annotated[Optional[Path], typer.Option("--output", metavar="FILE", help="The page to write.", dir_okay=False, show_default="docs/data_dictionary.md")] = None,
) -> None:
    """Write the data dictionary page (docs/data_dictionary.md) from the description files beside
    the models (sql/<schema>/<name>.toml) and the published warehouse; fail naming anything left
    undescribed."""
    with _guarded():
        from detainers.warehouse.dictionary import DEFAULT_PAGE, undescribed, write_markdown
        from detainers.report.headline import published_marts

        with published_marts(warehouse) as con:
            missing = undescribed(con)
        with _writing(output or DEFAULT_PAGE) as wrote:
            write_markdown(warehouse, output or DEFAULT_PAGE)
    out.print(wrote[0], highlight=False, soft_wrap=True)
    if missing:
        _fail(f"no description file (sql/<schema>/<name>.toml) describes: {', '.join(missing)}")


@app.command(cls=_Command)
def serve(
    cron: Annotated[str, typer.Option(metavar="CRON", help="When to run, as a cron expression.")] = "0 3 * * *",
    timezone: Annotated[str, typer.Option(metavar="ZONE", help="Time zone of the cron expression (IANA name).")] = "UTC",
    name: Annotated[str, typer.Option(metavar="NAME", help="Name of the Prefect deployment.")] = "nightly",
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    manifest: ManifestOption = None,
    wait: Annotated[float, typer.Option(metavar="SECONDS", help="Seconds a run waits for another's write lock.")] = 600.0,
) -> None:
    """Register the run as a Prefect deployment on a cron schedule (default nightly at 03:00
    UTC) and serve it until interrupted: scheduled runs, and runs started from the Prefect UI.
    With PREFECT_API_URL pointing at a Prefect server (`prefect server start`), it serves
    there; with none configured, it starts Prefect's own local server for as long as it
    serves, and prints where its UI is. The terminal shows a line as each run starts and ends."""
    manifest = manifest or default_manifest()
    with _guarded():
        check_schedule(cron, timezone)
        from detainers.extract.manifest import load_manifest
        from detainers.launch import check_prefect_home, prefect_entry

        load_manifest(manifest)
        check_prefect_home()
        prefect_entry("serve")(manifest, warehouse, cron=cron, timezone=timezone, name=name, wait_seconds=wait)


def main() -> None:
    app()
