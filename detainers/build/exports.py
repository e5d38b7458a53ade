"""The marts as files, for tools that prefer files to a database: one Parquet and one CSV
file per marts table under warehouse/exports/, rewritten at each publish.

Each file is written in a private directory beside exports/ and moved into place with an
atomic rename, so a reader opening warehouse/exports/jurisdictions.parquet sees either the
previous publish's file or this one's, never half a file. Files of tables that no longer
exist are removed after the new ones are in place.

CSV files are opened by spreadsheets, which run a cell starting with `=`, `+`, `-`, `@`, tab or
carriage return as a formula (a facility name `=HYPERLINK(...)` would). In the CSV exports
such a text cell is prefixed with `'` (OWASP's rule for CSV injection), in the COPY's own
SQL; Parquet, read by programs, keeps every value exact.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from detainers.paths import EXPORT_SCRATCH_PREFIX, exports_dir

FORMATS = {
    "parquet": "(format parquet, compression zstd)",
    "csv": "(format csv, header true)",
}
NEUTRALISED = {"csv"}  # formats whose text cells are made safe to open in a spreadsheet
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def marts_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'marts' order by table_name"
        ).fetchall()
    ]


def _as_data(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A query of the table, every column in order, its text cells that a spreadsheet would run
    as a formula prefixed with a single quote."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    columns = []
    for name, data_type in con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'marts' and table_name = ? order by column_index", [table]
    ).fetchall():
        column = '"' + name.replace('"', '""') + '"'
        columns.append(f"case when left({column}, 1) in ({starts}) then '''' || {column} else {column} end as {column}"
                       if data_type == "VARCHAR" else column)
    return f"(select {', '.join(columns)} from marts.{table})"


def write_exports(warehouse: Path) -> list[Path]:
    """Export every marts table of the published warehouse; return the files now in place."""
    target = exports_dir(warehouse)
    scratch = warehouse.parent / f"{EXPORT_SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
    scratch.mkdir(parents=True)
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            written = []
            for table in marts_tables(con):
                for extension, options in FORMATS.items():
                    path = scratch / f"{table}.{extension}"
                    quoted = str(path).replace("'", "''")
                    rows = _as_data(con, table) if extension in NEUTRALISED else f"marts.{table}"
                    con.execute(f"copy {rows} to '{quoted}' {options}")
                    written.append(path)
        finally:
            con.close()
        for path in written:
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        target.mkdir(parents=True, exist_ok=True)
        placed = []
        for path in written:
            os.replace(path, target / path.name)
            placed.append(target / path.name)
        keep = {p.name for p in placed}
        for stale in target.iterdir():
            if stale.is_file() and stale.name not in keep and stale.suffix.lstrip(".") in FORMATS:
                stale.unlink()
        return placed
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
