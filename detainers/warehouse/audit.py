"""What the build records of itself: the run in audit.runs, and in audit.build_info the
fingerprint of the rules and models it was built with (a later run that finds the same
fingerprint and no changed source has nothing to rebuild)."""

from __future__ import annotations

import datetime as dt

import duckdb

from detainers.warehouse.models import model_files
from detainers.paths import files_digest
from detainers.versions import warehouse_version
from detainers.schemas import rule_files

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
