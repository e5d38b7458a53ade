"""The published figures against the warehouse's own, as marts.reconciliation holds them."""

from __future__ import annotations

import datetime as dt

import duckdb


def reconciliation(con: duckdb.DuckDBPyConnection, only_relevant: bool = False) -> list[dict]:
    """Rows of marts.reconciliation; only_relevant keeps figures whose window the loaded data
    touches (the others are all coverage gaps of zero against the published value)."""
    where = "where coverage_start is not null" if only_relevant else ""
    cursor = con.execute(f"select * from marts.reconciliation {where} order by window_start, window_end, figure_id")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    for row in rows:
        for key, value in row.items():
            if isinstance(value, dt.date):
                row[key] = value.isoformat()
    return rows
