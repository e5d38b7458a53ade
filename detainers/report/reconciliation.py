"""The published figures against the warehouse's own, as marts.reconciliation holds them."""

from __future__ import annotations

import datetime as dt

import duckdb


def reconciliation(con: duckdb.DuckDBPyConnection, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Rows of marts.reconciliation, only those whose window overlaps [start, end] when given."""
    cursor = con.execute(
        """
        select * from marts.reconciliation
        where ($start is null or window_end >= $start) and ($end is null or window_start <= $end)
        order by window_start, window_end, figure_id
        """,
        dict(start=start, end=end),
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    for row in rows:
        for key, value in row.items():
            if isinstance(value, dt.date):
                row[key] = value.isoformat()
    return rows
