"""What the build records of itself: the run in audit.runs, and in audit.build_info the
fingerprint of the rules and models it was built with (a later run that finds the same
fingerprint and no changed source has nothing to rebuild)."""

from __future__ import annotations

import datetime as dt
import functools
import tomllib

import duckdb

from detainers.build.models import model_files
from detainers.errors import DetainersError
from detainers.paths import SQL_DIR, files_digest
from schemas import rule_files
from schemas.reference import failure

VERSION_FILE = SQL_DIR / "version.toml"


@functools.cache
def warehouse_version() -> int:
    """The shape of warehouse this code writes and reads (sql/version.toml says when it changes)."""
    return tomllib.loads(VERSION_FILE.read_text("utf-8"))["warehouse_version"]


def stamped_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version a warehouse was built as (1: built before builds were stamped)."""
    row = con.execute("select value from audit.build_info where key = 'warehouse_version'").fetchone()
    return int(row[0]) if row else 1


def check_version(con: duckdb.DuckDBPyConnection, warehouse) -> None:
    """The one check every reader of a published warehouse makes: a warehouse of another
    version is one line saying so and what to do, not a binder error of a changed macro."""
    found, current = stamped_version(con), warehouse_version()
    if found != current:
        key = "older_warehouse" if found < current else "newer_warehouse"
        raise DetainersError(failure(key, warehouse=warehouse, found=found, current=current))


def rules_fingerprint() -> str:
    """A hash of everything that shapes the warehouse besides the data: layouts, reference
    data and rules, SQL models and the data dictionary."""
    return files_digest([*rule_files(), *model_files()])


def write_build_info(con: duckdb.DuckDBPyConnection, run_id: str, fingerprint: str) -> None:
    for key, value in (("rules_fingerprint", fingerprint), ("last_run_id", run_id), ("warehouse_version", str(warehouse_version())),
                       ("built_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))):
        con.execute("insert or replace into audit.build_info values (?, ?)", [key, value])


def record_run(con: duckdb.DuckDBPyConnection, run: dict) -> None:
    """One audit.runs row (RunSummary.record()): the run's counts, as the build saw them."""
    con.execute(
        """
        insert or replace into audit.runs by name
        select $run_id as run_id, $command as command, $started_at::timestamptz as started_at,
            now() as finished_at, $status as status, $sources_fetched as sources_fetched,
            $sources_skipped as sources_skipped, $sources_loaded as sources_loaded,
            $sources_failed as sources_failed, $rows_loaded as rows_loaded, $rows_rejected as rows_rejected
        """,
        run,
    )
