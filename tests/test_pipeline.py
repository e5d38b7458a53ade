"""The real Prefect flow on the bundled real extract, reconciled with NPR's independent
figures, and the command line on the warehouse it publishes."""

import json

import duckdb
from typer.testing import CliRunner

from detainers.cli import app
from detainers.paths import build_dir
from tests.conftest import ROOT, published_counts


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_row_of_the_bundled_extract_loads_and_none_is_rejected(bundled_run):
    warehouse, summary = bundled_run
    (outcome,) = summary.sources
    assert (outcome.fetch, outcome.load, outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (
        "fetched", "loaded", 79_053, 79_053, 0)
    assert summary.published
    assert query(warehouse, "select count(*) from raw.detainers") == [(79_053,)]
    assert query(warehouse, "select count(*) from audit.rejects") == [(0,)]
    assert query(warehouse, "select rows_read, rows_loaded, rows_rejected, status from audit.loads") == [
        (79_053, 79_053, 0, "loaded")]


def test_detainers_per_month_equal_npr_published_figures(bundled_run):
    warehouse, _ = bundled_run
    published = published_counts("detainers_by_month.csv", "year_month")
    expected = {month: n for month, n in published.items() if "2014-10" <= month <= "2015-07"}
    ours = dict(query(warehouse, """
        select strftime(prepare_month, '%Y-%m'), sum(detainers)::int
        from marts.monthly_detainers_by_state_outcome group by all"""))
    assert len(expected) == 10
    assert ours == expected


def test_declines_total_and_match_npr_for_2015(bundled_run):
    warehouse, _ = bundled_run
    assert query(warehouse, "select count(*) from staging.stg_detainers where is_declined") == [(5_501,)]
    npr = published_counts("detainers_by_lift_reason_and_year.csv", "year")  # last reason wins; filter below
    import csv
    with open(ROOT / "data/published/detainers_by_lift_reason_and_year.csv") as fh:
        npr_2015 = {r["lift_reason"]: int(r["count"]) for r in csv.DictReader(fh) if r["year"] == "2015"}
    ours_2015 = dict(query(warehouse, """
        select lift_reason, count(*)::int from staging.stg_detainers
        where year(prepare_date) = 2015 and lift_reason is not null group by all"""))
    assert npr and ours_2015 == npr_2015
    assert query(warehouse, "select count(*) from staging.stg_detainers where year(prepare_date) = 2015") == [
        (published_counts("detainers_by_year.csv", "year")["2015"],)]


def test_marts_agree_with_each_other(bundled_run):
    warehouse, _ = bundled_run
    assert query(warehouse, "select sum(detainers)::int from intermediate.detainer_counts") == query(
        warehouse, "select count(*)::int from staging.stg_detainers") == [(79_053,)]
    jurisdictions = query(warehouse, "select sum(declined_detainers), count(*) filter (where declined_detainers > 0) from marts.jurisdictions")
    monthly = query(warehouse, "select sum(declined_detainers) from marts.jurisdiction_declines_monthly")
    unknown = query(warehouse, "select count(*) from staging.stg_detainers where is_declined and jurisdiction_id is null")
    assert jurisdictions[0][0] == monthly[0][0] == 5_501 - unknown[0][0]
    first_last = query(warehouse, """
        select count(*) from marts.jurisdictions
        where declined_detainers > 0 and not (first_declined_prepare_date <= last_declined_prepare_date)""")
    assert first_last == [(0,)]


def test_report_json_for_the_inspector_generals_window(bundled_run):
    warehouse, _ = bundled_run
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    headline = json.loads(result.stdout)
    expected_declining = query(warehouse, "select count(*) from marts.jurisdictions where declined_detainers > 0")[0][0]
    reconciled = headline.pop("reconciliation")
    assert headline == {
        "window_start": "2014-01-01", "window_end": "2017-05-31",
        # issue 24: what the data holds of the window first, and that the figures are for that part
        "data_start": "2014-10-01", "data_end": "2015-07-19", "days_covered": 292, "days_in_window": 1247,
        "states_covered": 56, "state_count": 56, "fully_covered_start": "2014-10-01", "fully_covered_end": "2015-07-19",
        "figures_cover": "only the part of the window the data holds, 2014-10-01 .. 2015-07-19: 292 of its 1,247 days, "
                         "all 56 states, 23.4% of its days and states",
        "detainers_issued": 79_053, "declined_detainers": 5_501,
        "declining_jurisdictions": expected_declining,
        "declined_without_jurisdiction": headline["declined_without_jurisdiction"],
        "coverage_start": "2014-10-01", "coverage_end": "2015-07-19",
        "coverage_ratio": round(292 / 1247, 4),
        "states": None,  # the nation (issue 10)
        "outcome_pending_share": round(52_263 / 79_053, 4),  # blank lift reasons: declines are a lower bound
        # one stretch: every state on every day of the data's span (issue 19)
        "coverage_stretches": [dict(start="2014-10-01", end="2015-07-19", states_covered=56, state_count=56)],
    }
    assert {r["status"] for r in reconciled} == {"match", "not_comparable"} and len(reconciled) == 29
    assert headline["declined_without_jurisdiction"] == query(
        warehouse, "select count(*) from staging.stg_detainers where is_declined and jurisdiction_id is null")[0][0] > 0


def test_report_for_a_window_with_no_data_says_so(bundled_run):
    warehouse, _ = bundled_run
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--start", "2020-01-01", "--end", "2020-12-31"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "the loaded data holds nothing of 2020-01-01 .. 2020-12-31, all states: no figure can be given for it" in text
    assert "detainers issued" not in text  # no figure of 0 for a window the data does not reach (issue 24)


def test_report_errors_are_one_clear_line(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["report", "--warehouse", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no warehouse at" in missing.output and "Traceback" not in missing.output
    bad_date = runner.invoke(app, ["report", "--warehouse", str(tmp_path / "x.duckdb"), "--start", "2014-13-01"])
    assert bad_date.exit_code == 2 and "--start 2014-13-01: month 13 does not exist" in bad_date.output


def test_running_again_on_the_same_file_changes_nothing(bundled_run, copied_warehouse):
    from detainers.flows.pipeline import run_flow

    before = copied_warehouse.read_bytes()
    summary = run_flow(manifest=ROOT / "sources.toml", warehouse=copied_warehouse)
    assert not summary.published
    assert [(o.fetch, o.load) for o in summary.sources] == [("unchanged", "skipped_unchanged")]
    assert copied_warehouse.read_bytes() == before


def test_cli_run_publishes_and_prints_the_summary(prefect_server, tmp_path):
    result = CliRunner().invoke(app, ["run", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    assert "79,053" in result.stdout and "5,501 declined" in result.stdout
    assert (tmp_path / "w.duckdb").exists() and not build_dir(tmp_path / "w.duckdb").exists()
