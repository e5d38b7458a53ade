"""How the reports read the warehouse's window table macros: a macro's rows for a window as
dicts, and the totals of the rows of one kind (the --by county and --by agency reports)."""

from __future__ import annotations

import datetime as dt

import duckdb


def as_dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def totals(rows: list[dict], kind: str, *keys: str) -> dict[str, int]:
    """Each key summed over the rows whose `kind` is `kind`."""
    return {key: int(sum(r[key] for r in rows if r["kind"] == kind)) for key in keys}


def window_rows(con: duckdb.DuckDBPyConnection, macro: str, start: dt.date, end: dt.date,
                states=None, **named) -> list[dict]:
    """The rows of table macro `macro` (e.g. marts.headline) for an inclusive window and the
    states asked about (None: the nation), its other named parameters (basis) passed as given."""
    params = {"states": list(states) if states else None, **named}
    arguments = ", ".join(f"{name} := ${name}" for name in params)
    return as_dicts(con.execute(f"select * from {macro}($start, $end, {arguments})",
                                dict(start=start, end=end, **params)))
