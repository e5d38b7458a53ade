"""The headline: what `detainers report` prints, read from the published warehouse's
marts.headline table macro (the one definition of each figure)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb

from detainers.errors import DetainersError
from detainers.report.coverage import coverage_stretches, fully_covered, window_stretches
from detainers.report.held import figures_cover
from detainers.report.rows import window_rows
from detainers.versions import stamped_version, warehouse_version
from detainers.schemas.reference import failure
from detainers.report.window import BASES, DEFAULT_END, DEFAULT_START, HEADLINE_KEYS  # noqa: F401 (re-exported)


def headline(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, basis: str = "prepare",
             states: tuple[str, ...] | None = None) -> dict:
    """The headline metrics for an inclusive window and the states asked about (None: the
    nation), dates as YYYY-MM-DD, with everything else marts.headline returns."""
    if start > end:
        raise DetainersError(f"the window starts ({start}) after it ends ({end})")
    if basis not in BASES:
        raise DetainersError(f"unknown basis {basis!r}; one of: {', '.join(BASES)}")
    (row,) = window_rows(con, "marts.headline", start, end, states, basis=basis)
    out = {}
    for key, value in row.items():
        if isinstance(value, dt.date):
            out[key] = value.isoformat()
        elif key in ("coverage_ratio", "outcome_pending_share"):
            out[key] = None if value is None else float(value)
        else:
            out[key] = value
    stretches = window_stretches(con, start, end, states, basis)
    out["coverage_stretches"] = coverage_stretches(con, start, end, stretches=stretches)
    whole = fully_covered(stretches)
    out["data_start"], out["data_end"] = out["coverage_start"], out["coverage_end"]
    out["fully_covered_start"], out["fully_covered_end"] = (whole["start"], whole["end"]) if whole else (None, None)
    out["figures_cover"] = figures_cover(out)
    return out


@contextlib.contextmanager
def published_marts(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published warehouse's marts. A file that is not a
    complete warehouse (empty, cut short, another database) is one clear error, not a trace."""
    con = open_published(warehouse)
    try:
        if con.execute("select 1 from duckdb_tables() where schema_name = 'audit' and table_name = 'build_info'").fetchone():
            check_version(con, warehouse)  # before any macro is called with arguments it may not take
        if not con.execute("select 1 from duckdb_functions() where schema_name = 'marts' and function_name = 'headline'").fetchone():
            raise DetainersError(f"{warehouse} holds no detainers warehouse (no marts.headline): "
                                 "run `detainers run` to build it")
        yield con
    except duckdb.Error as exc:
        raise DetainersError(f"cannot read {warehouse}: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


def check_version(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    """The one check every reader of a published warehouse makes: a warehouse of another
    version is one line saying so and what to do, not a binder error of a changed macro."""
    found, current = stamped_version(con), warehouse_version()
    if found != current:
        key = "older_warehouse" if found < current else "newer_warehouse"
        raise DetainersError(failure(key, warehouse=warehouse, found=found, current=current))


def check_exists(warehouse: Path) -> None:
    """The one error of a warehouse that is not there, in every command that reads one."""
    if not warehouse.exists():
        raise DetainersError(f"no warehouse at {warehouse}: run `detainers run` first")


def open_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: never blocks a run, never blocked by one."""
    check_exists(warehouse)
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise DetainersError(f"cannot open {warehouse}: {exc}") from None
