"""The published warehouse opens in DuckDB 1.x readers, not only in the DuckDB 2.0 that wrote
it: every new file is written in detainers.build.warehouse.STORAGE_VERSION's format, and a
file published in another format is rewritten in it by the next run, once.

The readers are the DuckDB CLI from PyPI (`duckdb-cli`, what a user on call reaches for) and
Python's duckdb 1.1 (the oldest DuckDB that opens the file), installed once per machine into
their own virtual environment under pytest's cache. Skipped, saying so, only when PyPI cannot
be reached."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from detainers.build import warehouse as wh
from detainers.errors import DetainersError
from detainers.pipeline import plan_run, run_pipeline
from tests.conftest import ROOT

READERS = ("duckdb-cli==1.5.6", "duckdb==1.1.3")
HEADLINE = "select * from marts.headline(date '2014-01-01', date '2017-05-31')"
PYTHON_READER = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
row = con.execute(sys.argv[2]).fetchone()
columns = [d[0] for d in con.description]
comments = con.execute("select count(*) from duckdb_columns() where comment is not null").fetchone()[0]
print(json.dumps({"version": duckdb.__version__, "headline": dict(zip(columns, map(str, row))), "comments": comments}))
"""


def _pypi_reachable() -> bool:
    host = urlsplit(os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple")).hostname or "pypi.org"
    try:
        socket.create_connection((host, 443), timeout=10).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def readers(request, tmp_path_factory) -> Path:
    """A virtual environment holding READERS, made once per machine (.pytest_cache/d/), or
    once per session when pytest runs without its cache (-p no:cacheprovider)."""
    cache = getattr(request.config, "cache", None)
    venv = Path(cache.mkdir("duckdb-1x-readers") if cache else tmp_path_factory.mktemp("duckdb-1x-readers"))
    stamp = venv / "installed.txt"
    if stamp.exists() and stamp.read_text() == "\n".join(READERS):
        return venv
    shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *READERS],
                         capture_output=True, text=True, timeout=600)
    if pip.returncode != 0:
        if not _pypi_reachable():
            pytest.skip(f"PyPI cannot be reached to install {', '.join(READERS)}")
        pytest.fail(f"installing {', '.join(READERS)} failed:\n{pip.stderr[-3000:]}")
    stamp.write_text("\n".join(READERS))
    return venv


def test_the_duckdb_1x_cli_from_pypi_reads_the_published_warehouse(bundled_run, readers):
    warehouse, _ = bundled_run
    version = subprocess.run([str(readers / "bin" / "duckdb"), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("v1."), version.stdout + version.stderr
    shown = subprocess.run([str(readers / "bin" / "duckdb"), "-readonly", "-csv", str(warehouse), "-c", HEADLINE],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    (row,) = csv.DictReader(io.StringIO(shown.stdout))
    assert (row["detainers_issued"], row["declined_detainers"], row["coverage_ratio"]) == ("79053", "5501", "0.2342")


def test_python_duckdb_1_1_reads_the_published_warehouse_and_its_comments(bundled_run, readers):
    warehouse, _ = bundled_run
    shown = subprocess.run([str(readers / "bin" / "python"), "-c", PYTHON_READER, str(warehouse), HEADLINE],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    seen = json.loads(shown.stdout)
    assert seen["version"] == "1.1.3"
    assert (seen["headline"]["detainers_issued"], seen["headline"]["declined_detainers"]) == ("79053", "5501")
    assert seen["comments"] > 100  # the data dictionary came through


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
