"""Shared fixtures. Prefect's test server starts once per session, not per test."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

import flows  # noqa: F401  (sets offline-safe Prefect defaults before Prefect is imported)

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_EXTRACT = ROOT / "data" / "foia" / "lesa-stu-fy2015-foia-15-87693.xlsx"
PUBLISHED = ROOT / "data" / "published"


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One Prefect test server (temporary database) for every test that runs a flow."""
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def bundled_run(prefect_server, tmp_path_factory):
    """The real flow, run once on the bundled extract: (warehouse path, run summary)."""
    from flows.pipeline import run_flow

    warehouse = tmp_path_factory.mktemp("bundled") / "detainers.duckdb"
    summary = run_flow(manifest=ROOT / "sources.toml", warehouse=warehouse)
    return warehouse, summary


@pytest.fixture
def copied_warehouse(bundled_run, tmp_path) -> Path:
    """A private copy of the bundled warehouse, for tests that write."""
    target = tmp_path / "detainers.duckdb"
    shutil.copyfile(bundled_run[0], target)
    return target


def published_counts(name: str, key: str) -> dict[str, int]:
    with open(PUBLISHED / name, newline="") as fh:
        return {row[key]: int(row["count"]) for row in csv.DictReader(fh)}
