"""The marts as files, for tools that prefer files to a database: one Parquet file per marts
table under warehouse/exports/, and a CSV file beside it for the marts that
schemas/reference/exports.toml lists (not the large daily ones), rewritten at each publish.

Each file is written from the build before it is published, in a private directory inside
exports/ (so moving it in is a rename on one file system, whatever exports/ is mounted on),
and moved into place with an atomic rename once the build is, so a reader opening
warehouse/exports/jurisdictions.parquet sees either the previous publish's file or this
one's, never half a file; an export that fails fails the run before anything is published.
Files of tables that no longer exist are removed after the new ones are in place, and
warehouse/exports.build.json names the build they are of: a run that finds it behind the
published warehouse (a run stopped or failed between the two) writes them again. Each
warehouse file has its own exports folder (paths.py: exports_dir).

CSV files are opened by spreadsheets, which run a cell starting with `=`, `+`, `-`, `@`, tab or
carriage return as a formula (a facility name `=HYPERLINK(...)` would). In the CSV exports
such a text cell is prefixed with `'` (OWASP's rule for CSV injection), in the COPY's own
SQL; Parquet, read by programs, keeps every value exact.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from pathlib import Path

import duckdb

from detainers.errors import DetainersError
from detainers.paths import EXPORT_SCRATCH_PREFIX, exports_dir
from detainers.schemas.reference import csv_exports, failure

FORMATS = {
    "parquet": "(format parquet, compression zstd)",
    "csv": "(format csv, header true)",
}
NEUTRALISED = {"csv"}  # formats whose text cells are made safe to open in a spreadsheet
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Codes whose leading zeros are part of them (Los Angeles County is 06037): a spreadsheet reads
# 06037 as the number 6037, so the CSV writes them as ="06037", which Excel, Google Sheets and
# LibreOffice show as the text 06037. Parquet keeps the plain text.
KEPT_AS_TEXT = ("county_fips",)
MARKER = "exports.build.json"


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
        if name in KEPT_AS_TEXT and data_type == "VARCHAR":  # digits only: a constant, never a formula that runs
            columns.append(f"""case when regexp_full_match({column}, '[0-9]+') then '="' || {column} || '"' """
                           f"else {column} end as {column}")
            continue
        columns.append(f"case when left({column}, 1) in ({starts}) then '''' || {column} else {column} end as {column}"
                       if data_type == "VARCHAR" else column)
    return f"(select {', '.join(columns)} from marts.{table})"


def prepare_exports(database: Path, warehouse: Path) -> Path:
    """Every marts table of `database` (a build about to be published) written into a private
    folder inside the warehouse's exports/, synced to disk; place_exports moves them in."""
    target = exports_dir(warehouse)
    if target.exists() and not target.is_dir():
        raise DetainersError(failure("exports_not_a_folder", exports=target, warehouse=warehouse.name))
    scratch = target / f"{EXPORT_SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
    scratch.mkdir(parents=True)
    try:
        con = duckdb.connect(str(database), read_only=True)
        try:
            for table in marts_tables(con):
                for extension, options in FORMATS.items():
                    if extension == "csv" and table not in csv_exports():
                        continue
                    quoted = str(scratch / f"{table}.{extension}").replace("'", "''")
                    rows = _as_data(con, table) if extension in NEUTRALISED else f"marts.{table}"
                    con.execute(f"copy {rows} to '{quoted}' {options}")
            built = con.execute("select value from audit.build_info where key = 'last_run_id'").fetchone()
        finally:
            con.close()
        for path in scratch.iterdir():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        (scratch / MARKER).write_text(json.dumps({"build": built[0] if built else None}))
        return scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def place_exports(scratch: Path, warehouse: Path) -> list[Path]:
    """Move prepared exports into exports/ (each an atomic rename), drop files of marts that no
    longer exist, and record which build they are of; return the files now in place."""
    target = exports_dir(warehouse)
    target.mkdir(parents=True, exist_ok=True)
    placed = []
    for path in sorted(scratch.glob("*.*")):
        if path.name != MARKER:
            os.replace(path, target / path.name)
            placed.append(target / path.name)
    keep = {p.name for p in placed}
    for stale in target.iterdir():
        if stale.is_file() and stale.name not in keep and stale.suffix.lstrip(".") in FORMATS:
            stale.unlink()
    marker = marker_path(warehouse)  # beside exports/, which may be another file system: written there, then renamed
    written = marker.with_name(f".{marker.name}.{uuid.uuid4().hex[:12]}")
    try:
        written.write_bytes((scratch / MARKER).read_bytes())
        os.replace(written, marker)
    finally:
        with contextlib.suppress(OSError):
            written.unlink(missing_ok=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return placed


def write_exports(warehouse: Path) -> list[Path]:
    """Export every marts table of the published warehouse now."""
    return place_exports(prepare_exports(warehouse, warehouse), warehouse)


def marker_path(warehouse: Path) -> Path:
    """Which build the files in exports/ are of, beside it (exports/ holds only the exports)."""
    return exports_dir(warehouse).with_name(f"{exports_dir(warehouse).name}.build.json")


def exports_current(warehouse: Path, built: str | None) -> bool:
    """Whether exports/ holds the exports of the build `built` (the published one's run id):
    a run stopped between the publish and the exports leaves them behind."""
    try:
        return json.loads(marker_path(warehouse).read_text())["build"] == built and exports_dir(warehouse).is_dir()
    except (OSError, ValueError, KeyError, TypeError):
        return False
