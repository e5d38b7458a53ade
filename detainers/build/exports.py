"""The marts as files, for tools that prefer files to a database: one Parquet and one CSV
file per marts table under warehouse/exports/, rewritten at each publish.

Each file is written in a private directory beside exports/ and moved into place with an
atomic rename, so a reader opening warehouse/exports/jurisdictions.parquet sees either the
previous publish's file or this one's, never half a file. Files of tables that no longer
exist are removed after the new ones are in place.
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


def marts_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'marts' order by table_name"
        ).fetchall()
    ]


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
                    con.execute(f"copy marts.{table} to '{quoted}' {options}")
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
