"""The warehouse's tables: sql/ddl/warehouse.sql (audit and the schemas), and raw.detainers,
whose columns are the load's provenance followed by the canonical row's fields with their
types (schemas/canonical.py). A warehouse made by an older version gains any column it lacks."""

from __future__ import annotations

import duckdb
import polars as pl

from detainers.paths import SQL_DIR
from schemas.canonical import SCHEMA

DDL = SQL_DIR / "ddl" / "warehouse.sql"
# Who wrote a row: the load, and the source, release and file it came from.
LOAD_COLUMNS = {"load_id": "varchar", "source": "varchar", "release": "varchar", "file_sha256": "varchar"}
REQUIRED_LOAD_COLUMNS = {"load_id", "source", "file_sha256"}
SQL_TYPES = {pl.String: "varchar", pl.Int64: "bigint", pl.Date: "date", pl.Datetime: "timestamp", pl.Boolean: "boolean"}


def raw_detainers_columns() -> dict[str, tuple[str, bool]]:
    """raw.detainers' columns: name -> (DuckDB type, nullable)."""
    columns = {name: (sql_type, name not in REQUIRED_LOAD_COLUMNS) for name, sql_type in LOAD_COLUMNS.items()}
    for name, column in SCHEMA.columns.items():
        columns[name] = (SQL_TYPES[column.dtype.type.base_type()], column.nullable)
    return columns


def apply_ddl(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL.read_text("utf-8"))
    columns = raw_detainers_columns()
    definitions = ", ".join(f"{name} {sql_type}{'' if nullable else ' not null'}" for name, (sql_type, nullable) in columns.items())
    con.execute(f"create table if not exists raw.detainers ({definitions})")
    present = {name for (name,) in con.execute(
        "select column_name from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = 'detainers'").fetchall()}
    for name, (sql_type, _) in columns.items():
        if name not in present:  # added since the warehouse was made: null in its older rows
            con.execute(f"alter table raw.detainers add column {name} {sql_type}")
