"""The headline: what `detainers report` prints, read from the published warehouse's
marts.headline macros (the one definition of each figure)."""

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
# decline (lift date, published by some releases only). Each basis is one macro in sql/marts.
BASES = {"prepare": "marts.headline", "decline": "marts.headline_by_decline_date"}


def headline(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, basis: str = "prepare") -> dict:
    """The headline metrics for an inclusive window, dates as YYYY-MM-DD, and whatever else
    the basis's macro returns (e.g. declined_without_decline_date)."""
    if start > end:
        raise DetainersError(f"the window starts ({start}) after it ends ({end})")
    if basis not in BASES:
        raise DetainersError(f"unknown basis {basis!r}; one of: {', '.join(BASES)}")
    cursor = con.execute(f"select * from {BASES[basis]}($start, $end)", dict(start=start, end=end))
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchone()))
    out = {}
    for key, value in row.items():
        if isinstance(value, dt.date):
            out[key] = value.isoformat()
        elif key == "coverage_ratio":
            out[key] = float(value or 0)
        elif isinstance(value, int) and not isinstance(value, bool):
            out[key] = int(value)
        else:
            out[key] = value
    return out


def open_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: never blocks a run, never blocked by one."""
    if not warehouse.exists():
        raise DetainersError(f"no warehouse at {warehouse}: run `detainers run` first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise DetainersError(f"cannot open {warehouse}: {exc}") from None
