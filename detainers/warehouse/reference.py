"""The reference schema: every CSV of schemas/reference loaded as reference.<name> at each
build, so the SQL models and data tests read the same vocabularies and figures as Python
(duplicate rules, reconciliation statuses, states, outcomes) and the figures others
published (reference.published_figures) to reconcile with."""

from __future__ import annotations

import duckdb
import polars as pl

from detainers.schemas.reference import tables

# Typed columns where a reference table holds more than text.
TYPES = {
    "published_figures": {
        "figure_id": "varchar",
        "publisher": "varchar",
        "metric": "varchar",
        "scope": "varchar",
        "window_start": "date",
        "window_end": "date",
        "value": "bigint",
        "basis": "varchar",
        "tolerance": "double",
        "breakdown_of": "varchar",
        "citation": "varchar",
        "note": "varchar",
    },
    "state_tiles": {"code": "varchar", "name": "varchar", "grid_row": "integer", "grid_column": "integer"},
}


def load_reference(con: duckdb.DuckDBPyConnection, derived: dict[str, pl.DataFrame] | None = None) -> list[str]:
    """(Re)create reference.<name> for each reference CSV, and for each frame of `derived`
    (reference data the pipeline has put in the warehouse's terms); return the tables' names."""
    con.execute("create schema if not exists reference")
    names = []
    for path in tables():
        options = f"columns = {TYPES[path.stem]}" if path.stem in TYPES else "all_varchar = true"
        con.execute(f"create or replace table reference.{path.stem} as select * from read_csv($path, header = true, {options})",
                    dict(path=str(path)))
        names.append(f"reference.{path.stem}")
    for name, frame in (derived or {}).items():
        rows = frame.to_arrow()  # noqa: F841 (read by DuckDB by name)
        con.execute(f"create or replace table reference.{name} as select * from rows")
        names.append(f"reference.{name}")
    return names
