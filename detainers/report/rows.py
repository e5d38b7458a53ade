"""A query's rows as dicts, and the totals of the rows of one kind: how the --by county and
--by agency reports read their table macros."""

from __future__ import annotations

import duckdb


def as_dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def totals(rows: list[dict], kind: str, *keys: str) -> dict[str, int]:
    """Each key summed over the rows whose `kind` is `kind`."""
    return {key: int(sum(r[key] for r in rows if r["kind"] == kind)) for key in keys}
