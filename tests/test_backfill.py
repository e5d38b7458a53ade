"""`detainers backfill`: the sources a range needs, fetched in parallel, loaded once; the same
backfill twice leaves the same warehouse."""

import datetime as dt

import duckdb
import pytest
from typer.testing import CliRunner

from detainers.cli import app
from detainers.errors import DetainersError
from detainers.extract.manifest import load_manifest
from tests.test_stitching import releases

# Columns that name a load or a run, not the data: they differ between two builds of the same data.
RUN_COLUMNS = {"load_id", "detainer_key", "current_load_id", "checked_at"}


def contents(warehouse) -> dict[str, list]:
    """Every table of the data (raw, staging, marts, audit.sources), sorted, without run ids."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("""
            select table_schema, table_name from information_schema.tables
            where table_schema in ('raw', 'staging', 'marts') or (table_schema = 'audit' and table_name = 'sources')
            order by all""").fetchall()
        out = {}
        for schema, table in tables:
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table]).fetchall() if c not in RUN_COLUMNS]
            quoted = ", ".join('"' + c + '"' for c in columns)
            out[f"{schema}.{table}"] = con.execute(f"select {quoted} from {schema}.{table} order by all").fetchall()
    return out


def backfill(manifest, warehouse, start, end):
    from detainers.flows.pipeline import backfill_flow

    return backfill_flow(manifest=manifest, warehouse=warehouse, start=start, end=end)


def test_a_range_selects_the_sources_whose_window_overlaps_it(tmp_path, httpserver):
    manifest, _, _ = releases(tmp_path, httpserver)
    sources = load_manifest(manifest)
    names = lambda start, end: [s.name for s in sources.overlapping(start, end)]  # noqa: E731
    assert names(dt.date(2017, 6, 17), dt.date(2017, 6, 18)) == ["lesa-stu-fy2014", "icfo-18038"]
    assert names(dt.date(2025, 3, 16), dt.date(2025, 3, 16)) == ["ero-2025"]  # an open window end reaches on
    assert names(dt.date(2000, 1, 1), dt.date(2013, 9, 30)) == []
    with pytest.raises(DetainersError, match="after it ends"):
        sources.overlapping(dt.date(2020, 1, 2), dt.date(2020, 1, 1))


def test_the_same_backfill_twice_gives_the_same_warehouse(prefect_server, tmp_path, httpserver):
    manifest, warehouse, server = releases(tmp_path, httpserver)
    first = backfill(manifest, warehouse, dt.date(2008, 1, 1), dt.date(2025, 12, 31))
    assert first.published and {o.load for o in first.sources} == {"loaded"} and len(first.sources) == 3
    after_first, bytes_first = contents(warehouse), warehouse.read_bytes()

    second = backfill(manifest, warehouse, dt.date(2008, 1, 1), dt.date(2025, 12, 31))
    assert not second.published and {o.fetch for o in second.sources} == {"not_modified"}
    assert warehouse.read_bytes() == bytes_first

    fresh = tmp_path / "fresh" / "detainers.duckdb"  # the same backfill into an empty warehouse
    backfill(manifest, fresh, dt.date(2008, 1, 1), dt.date(2025, 12, 31))
    assert contents(fresh) == after_first
    assert after_first["marts.detainers"] and after_first["marts.monthly_source_coverage"]


def test_a_backfill_loads_only_the_sources_of_its_range(prefect_server, tmp_path, httpserver):
    manifest, warehouse, server = releases(tmp_path, httpserver)
    summary = backfill(manifest, warehouse, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert [(o.source, o.load) for o in summary.sources] == [("icfo-18038", "loaded")]
    assert {path for path, _, _ in server.requests} == {"/icfo.xlsx"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select distinct source from raw.detainers").fetchall() == [("icfo-18038",)]


def test_cli_backfill_prints_what_was_fetched_and_loaded(prefect_server, tmp_path, httpserver):
    manifest, warehouse, _ = releases(tmp_path, httpserver)
    args = ["backfill", "--start", "2025-01-01", "--end", "2025-06-30", "--manifest", str(manifest), "--warehouse", str(warehouse)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "icfo-18038" in result.stdout and "ero-2025" in result.stdout and "lesa-stu-fy2014" not in result.stdout
    assert "published" in result.stdout
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    empty = CliRunner().invoke(app, args[:1] + ["--start", "2001-01-01", "--end", "2001-12-31"] + args[5:])
    assert empty.exit_code == 1 and "no source is trusted" in empty.output


def plain_backfill(manifest, warehouse, start, end):
    """The backfill as `detainers backfill` runs it with no Prefect API configured."""
    from detainers.pipeline import plan_backfill, run_pipeline

    return run_pipeline(plan_backfill(manifest, start, end), warehouse)


@pytest.mark.parametrize("how", ["prefect", "plain"])
def test_fetches_run_in_parallel_up_to_the_limit(prefect_server, tmp_path, httpserver, monkeypatch, how):
    import threading

    import detainers.pipeline

    real_fetch, lock, state = detainers.pipeline.fetch, threading.Lock(), {"now": 0, "most": 0}
    overlapped = threading.Event()  # set when two fetches are in flight at once

    def slow_fetch(*args, **kwargs):  # the task's plain function, held until another overlaps it
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            if state["most"] > 1:
                overlapped.set()
        overlapped.wait(10)  # fetches one at a time would each wait this out, and fail below
        try:
            return real_fetch(*args, **kwargs)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(detainers.pipeline, "fetch", slow_fetch)
    manifest, warehouse, _ = releases(tmp_path, httpserver)
    run = backfill if how == "prefect" else plain_backfill
    summary = run(manifest, warehouse, dt.date(2008, 1, 1), dt.date(2025, 12, 31))
    assert summary.published and len(summary.sources) == 3
    assert 1 < state["most"] <= detainers.pipeline.FETCH_CONCURRENCY
