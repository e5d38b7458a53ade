"""The published warehouse opens in DuckDB 1.x readers, not only in the DuckDB 2.0 that wrote
it: every new file is written in detainers.warehouse.database.STORAGE_VERSION's format, and a
file published in another format is rewritten in it by the next run, once.

The reader is the DuckDB CLI 1.5 from PyPI (`duckdb-cli`, what a user on call reaches for; a
declared test dependency, so no test reaches a registry)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from detainers.warehouse import database as wh
from detainers.errors import DetainersError
from detainers.pipeline import plan_run, run_pipeline
from tests.conftest import ROOT

HEADLINE = "select * from marts.headline(date '2014-01-01', date '2017-05-31')"
COMMENTS = "select count(*) as comments from duckdb_columns() where comment is not null"


@pytest.fixture(scope="session")
def duckdb_1x() -> Path:
    """The DuckDB 1.x CLI binary that the `duckdb-cli` test dependency installs."""
    import duckdb_cli

    binary = Path(duckdb_cli.__file__).parent / "duckdb"
    assert binary.is_file(), f"{binary}: the duckdb-cli test dependency is installed without its binary"
    return binary


def query(binary: Path, warehouse: Path, sql: str) -> list[dict]:
    shown = subprocess.run([str(binary), "-readonly", "-csv", str(warehouse), "-c", sql],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    return list(csv.DictReader(io.StringIO(shown.stdout)))


def test_the_duckdb_1x_cli_reads_the_published_warehouse_and_its_comments(bundled_run, duckdb_1x):
    warehouse, _ = bundled_run
    version = subprocess.run([str(duckdb_1x), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("v1."), version.stdout + version.stderr
    (row,) = query(duckdb_1x, warehouse, HEADLINE)
    assert (row["detainers_issued"], row["declined_detainers"], row["coverage_ratio"]) == ("79053", "5501", "0.2342")
    (seen,) = query(duckdb_1x, warehouse, COMMENTS)
    assert int(seen["comments"]) > 100  # the data dictionary came through


def test_the_published_file_is_written_in_the_storage_version(bundled_run):
    warehouse, _ = bundled_run
    assert wh.STORAGE_VERSION == "v1.1.0"
    assert wh.storage_label(warehouse) == "v1.0.0+"  # DuckDB's name for the format 1.0 and 1.1 share
    assert wh.in_storage_version(warehouse)


def test_a_warehouse_published_in_another_format_is_rewritten_once(bundled_run, tmp_path):
    folder = tmp_path / "published"
    shutil.copytree(bundled_run[0].parent, folder)  # the warehouse with its landing zone: nothing to fetch anew
    warehouse = folder / "detainers.duckdb"
    newest = tmp_path / "newest.duckdb"
    wh.create(newest, copy_of=warehouse, version="latest")  # as DuckDB 2.0 wrote it before STORAGE_VERSION
    os.replace(newest, warehouse)
    assert not wh.in_storage_version(warehouse)

    migrated = run_pipeline(plan_run(ROOT / "sources.toml"), warehouse)
    assert migrated.published and [o.fetch for o in migrated.sources] == ["unchanged"]
    assert wh.in_storage_version(warehouse)
    assert (migrated.headline["detainers_issued"], migrated.headline["declined_detainers"]) == (79_053, 5_501)

    again = run_pipeline(plan_run(ROOT / "sources.toml"), warehouse)
    assert not again.published  # migrated once; then nothing changed


def test_an_unknown_storage_version_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(wh, "STORAGE_VERSION", "v9.9.9")
    with pytest.raises(DetainersError, match=r"storage version 'v9.9.9' \(DETAINERS_STORAGE_VERSION\).*v1.1.0"):
        wh.create(tmp_path / "x.duckdb")
