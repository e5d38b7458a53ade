"""The headline: what `detainers report` prints, read from the published warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from detainers.errors import DetainersError

# The inspector general's window (OIG-18-36): January 2014 through May 2017.
DEFAULT_START = dt.date(2014, 1, 1)
DEFAULT_END = dt.date(2017, 5, 31)
HEADLINE_KEYS = (
    "window_start", "window_end", "detainers_issued", "declined_detainers", "declining_jurisdictions",
    "declined_without_jurisdiction", "coverage_start", "coverage_end", "coverage_ratio",
)

# Which date puts a decline in the window: the detainer's prepare date, or the date of the
# decline (lift date, published by some releases only). Each basis is one macro in sql/macros.
BASES = {"prepare": "marts.headline", "decline": "marts.headline_by_decline_date"}


def headline(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, basis: str = "prepare") -> dict:
    """The headline metrics for an inclusive window, dates as YYYY-MM-DD."""
    if start > end:
        raise DetainersError(f"the window starts ({start}) after it ends ({end})")
    if basis not in BASES:
        raise DetainersError(f"unknown basis {basis!r}; one of: {', '.join(BASES)}")
    cursor = con.execute(f"select * from {BASES[basis]}($start, $end)", dict(start=start, end=end))
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchone()))
    out = {key: row[key] for key in HEADLINE_KEYS}
    for key, value in out.items():
        if isinstance(value, dt.date):
            out[key] = value.isoformat()
        elif key == "coverage_ratio":
            out[key] = float(value or 0)
        elif value is not None and key not in ("window_start", "window_end"):
            out[key] = int(value)
    return out


def undated_declines(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> int:
    """Declines of detainers prepared in the window whose release gives no decline date:
    what the decline basis cannot count."""
    return con.execute(
        """
        select coalesce(sum(detainers), 0)::bigint from staging.stg_detainers_counted
        where is_declined and lift_date is null and prepare_date between $start and $end
        """,
        dict(start=start, end=end),
    ).fetchone()[0]


def open_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: never blocks a run, never blocked by one."""
    if not warehouse.exists():
        raise DetainersError(f"no warehouse at {warehouse}: run `detainers run` first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise DetainersError(f"cannot open {warehouse}: {exc}") from None
