"""The nightly run repairs what a person would otherwise have to: a source removed from the
manifest takes its rows with it; a damaged published warehouse is rebuilt from the landing
files (asking servers conditionally, not downloading again); exports left behind by a stopped
run are rewritten; and a run whose exports fail publishes nothing, so its exit code and
audit.runs never disagree. Plain pipeline runs (detainers.pipeline) on DuckDB files."""

from __future__ import annotations

import datetime as dt

import duckdb
from typer.testing import CliRunner

from detainers.cli import app
from detainers.pipeline import plan_run, run_pipeline
from tests.badfiles import HEADER, good_rows, write_csv
from tests.published_shapes import ReleaseServer

ENTRY = '[[source]]\nname = "{name}"\nurl = "{url}"\nlayout = "lesa_stu"\nwindow_start = {year}-01-01\nwindow_end = {year}-12-31\n'


def two_sources(tmp_path, httpserver) -> tuple:
    """A local CSV (2014) and one served over HTTP with validators (2015): (manifest, warehouse, server)."""
    local = write_csv(tmp_path / "local.csv", [HEADER, *good_rows(3, start=dt.date(2014, 1, 1))])
    server = ReleaseServer(httpserver)
    remote = write_csv(tmp_path / "remote.csv", [HEADER, *good_rows(4, start=dt.date(2015, 1, 1))])
    url = server.publish("/remote.csv", remote.read_bytes())
    manifest = tmp_path / "sources.toml"
    manifest.write_text(ENTRY.format(name="local", url=local, year=2014) + ENTRY.format(name="remote", url=url, year=2015))
    return manifest, tmp_path / "wh" / "detainers.duckdb", server


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


ROWS = "select source, count(*) from raw.detainers group by all order by 1"


def test_a_source_removed_from_the_manifest_takes_its_rows_with_it(tmp_path, httpserver):
    manifest, warehouse, _ = two_sources(tmp_path, httpserver)
    assert run_pipeline(plan_run(manifest), warehouse).published
    assert query(warehouse, ROWS) == [("local", 3), ("remote", 4)]
    manifest.write_text(manifest.read_text().split("[[source]]\nname = \"remote\"")[0])
    summary = run_pipeline(plan_run(manifest), warehouse)
    assert summary.published and summary.removed == ["remote (4 rows)"]
    assert query(warehouse, ROWS) == [("local", 3)]
    assert query(warehouse, "select count(*) from raw.detainer_values where load_key not in (select load_key from audit.loads where source = 'local')") == [(0,)]
    assert query(warehouse, "select sum(detainers) from marts.monthly_source_coverage") == [(3,)]
    again = CliRunner().invoke(app, ["run", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    assert again.exit_code == 0 and "nothing changed" in again.stdout, again.output


def test_a_damaged_warehouse_is_rebuilt_from_the_landing_files(tmp_path, httpserver):
    manifest, warehouse, server = two_sources(tmp_path, httpserver)
    assert run_pipeline(plan_run(manifest), warehouse).published
    figures = query(warehouse, ROWS)
    for damage in (lambda b: b[: len(b) // 2], lambda b: b""):
        warehouse.write_bytes(damage(warehouse.read_bytes()))
        server.requests.clear()
        summary = run_pipeline(plan_run(manifest), warehouse)
        assert summary.published and not summary.failed
        assert "cannot be read" in summary.notes[0] and "rebuilding it from the landing files" in summary.notes[0]
        assert query(warehouse, ROWS) == figures
        assert [status for _, status, _ in server.requests] == [304], "asked conditionally: the landing file was reused"


def test_exports_left_behind_by_a_stopped_run_are_rewritten(tmp_path, httpserver):
    from detainers.warehouse.exports import marker_path

    manifest, warehouse, _ = two_sources(tmp_path, httpserver)
    assert run_pipeline(plan_run(manifest), warehouse).published
    exports = warehouse.parent / "exports"
    (exports / "jurisdictions.csv").write_text("what an older build left")  # stopped between the rename and the exports
    marker_path(warehouse).write_text('{"build": "an older run"}')
    summary = run_pipeline(plan_run(manifest), warehouse)
    assert not summary.published and summary.notes == [
        "the exports were behind the published warehouse (a run stopped while publishing): rewritten"]
    assert (exports / "jurisdictions.csv").read_text().startswith("jurisdiction_id")
    assert not run_pipeline(plan_run(manifest), warehouse).notes, "then they are current"


def test_a_run_whose_exports_fail_publishes_nothing_and_says_so(tmp_path, httpserver, monkeypatch):
    import detainers.pipeline

    manifest, warehouse, _ = two_sources(tmp_path, httpserver)
    assert run_pipeline(plan_run(manifest), warehouse).published
    before, runs = warehouse.read_bytes(), query(warehouse, "select run_id, status from audit.runs")
    write_csv(tmp_path / "local.csv", [HEADER, *good_rows(5, start=dt.date(2014, 1, 1))])  # a change to publish

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(detainers.pipeline, "prepare_exports", disk_full)
    result = CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    assert result.exit_code == 1 and "the disk holding it is full (no space left on device)" in result.output  # in words
    assert warehouse.read_bytes() == before and query(warehouse, "select run_id, status from audit.runs") == runs
    assert not list((warehouse.parent / ".build").glob("*.duckdb")), "the build was discarded"
