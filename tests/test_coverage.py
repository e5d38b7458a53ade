"""Figures that never claim more than the data holds (issue 10): a national release beside a
one-state release for earlier years, coverage by day and state, a reconciliation that
compares like with like, per-facility reconciliation with NPR, outcomes not yet recorded,
and rule edits that reach rows already loaded."""

import datetime as dt
import json
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from detainers.cli import app
from detainers.errors import DataTestError, ManifestError
from detainers.extract.manifest import load_manifest
from tests.conftest import BUNDLED_EXTRACT, ROOT, published_counts
from tests.published_shapes import lesa_csv

DECLINED = "Detainer Declined by LEA"
PA_DAYS = [dt.date(2014, 1, 1) + dt.timedelta(days=i) for i in range(273)]  # 2014-01-01 .. 2014-09-30
NATIONAL = f"""
[[source]]
name = "lesa-stu-fy2015"
url = "{BUNDLED_EXTRACT}"
layout = "lesa_stu"
window_start = 2014-10-01
window_end = 2015-07-19
extracted_on = 2015-07-26
"""
PENNSYLVANIA = """
[[source]]
name = "pa-2014"
url = "{url}"
layout = "lesa_stu"
release = "one state's public-records release"
states = ["PENNSYLVANIA"]
window_start = 2014-01-01
window_end = {window_end}
"""


def pa_rows():
    """One detainer a day in Pennsylvania (every tenth declined), and two rows it cannot hold."""
    rows = [dict(prepare=day, facility="PHILADELPHIA PRISON SYSTEM", city="PHILADELPHIA", state="PENNSYLVANIA",
                 lift_reason=DECLINED if i % 10 == 0 else "") for i, day in enumerate(PA_DAYS)]
    return rows + [
        dict(prepare=dt.date(2014, 5, 5), facility="ESSEX COUNTY JAIL", city="NEWARK", state="NEW JERSEY", lift_reason=""),
        dict(prepare=dt.date(2014, 5, 6), facility="OTHER-OTHER FACILITY", city="", state="", lift_reason=""),
    ]


def write_manifest(tmp_path, window_end="2014-09-30", national=True) -> object:
    pa = lesa_csv(tmp_path / "pa-2014.csv", pa_rows())
    manifest = tmp_path / "sources.toml"
    manifest.write_text((NATIONAL if national else "") + PENNSYLVANIA.format(url=pa, window_end=window_end))
    return manifest


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def report(warehouse, *args) -> dict:
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def two_releases(prefect_server, tmp_path_factory):
    """The real flow on the bundled national release and a one-state release for 2014-01..09."""
    from detainers.flows.pipeline import run_flow

    tmp_path = tmp_path_factory.mktemp("coverage")
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    summary = run_flow(manifest=write_manifest(tmp_path), warehouse=warehouse)
    assert summary.published and not summary.failed
    return warehouse, summary


def test_a_state_source_covers_its_state_fully_and_the_nation_one_56th(two_releases):
    warehouse, _ = two_releases
    window = ["--start", "2014-01-01", "--end", "2014-09-30"]
    pa = report(warehouse, *window, "--state", "PA")
    assert pa["states"] == ["PA"] and pa["coverage_ratio"] == 1.0
    assert (pa["detainers_issued"], pa["declined_detainers"], pa["declining_jurisdictions"]) == (273, 28, 1)
    nation = report(warehouse, *window)
    assert nation["states"] is None and nation["coverage_ratio"] == round(1 / 56, 4)
    assert nation["detainers_issued"] == 273  # exact: the one state's detainers, nothing guessed for the others
    # Where the national release is trusted, the nation is covered and Pennsylvania is a 56th of it.
    fy15 = report(warehouse, "--start", "2014-10-01", "--end", "2015-07-19")
    assert (fy15["coverage_ratio"], fy15["detainers_issued"], fy15["declined_detainers"]) == (1.0, 79_053, 5_501)
    both = report(warehouse, "--start", "2014-01-01", "--end", "2015-07-19", "--state", "PA", "--state", "new jersey")
    assert both["states"] == ["NJ", "PA"] and both["coverage_ratio"] == round((273 + 2 * 292) / (2 * 565), 4)


def test_rows_a_state_source_cannot_hold_are_quarantined_with_the_reason(two_releases):
    warehouse, summary = two_releases
    (pa,) = [o for o in summary.sources if o.source == "pa-2014"]
    assert (pa.rows_read, pa.rows_loaded, pa.rows_rejected) == (275, 273, 2)
    assert query(warehouse, """select json_extract_string(original, '$.State'), "column", "check" from audit.rejects
                               where source = 'pa-2014' order by source_row""") == [
        ("NEW JERSEY", "state", "state is not one of the states the source holds (manifest: states)"),
        (None, "state", "no state, and the source holds only some states (manifest: states)"),
    ]


def test_no_national_figure_turns_into_a_disagreement(two_releases):
    warehouse, _ = two_releases
    statuses = dict(query(warehouse, "select status, count(*) from marts.reconciliation where scope = 'national' group by all"))
    # issue 24: NPR's 10 months and 2 figures of 2015, and its 2014 compared on the 3 months held
    assert "disagree" not in statuses and statuses["match"] == 13
    march = published_counts("detainers_by_month.csv", "year_month")["2014-03"]
    # one state of 56 is not the nation: not comparable (issue 24; it was a "gap explained by coverage")
    assert query(warehouse, """select status, warehouse_value, published_value, coverage_ratio, reason from marts.reconciliation
                               where figure_id = 'npr-issued-2014-03'""") == [
        ("not_comparable", None, march, pytest.approx(1 / 56, abs=1e-4),
         "the loaded data holds 1.8% of its window (2014-03-01 .. 2014-03-31), and NPR gives no breakdown of it that the data holds whole")]


def test_two_sources_may_share_days_only_in_different_states(tmp_path):
    from detainers.pipeline import plan_run, run_pipeline

    for name, states in (("pa", '["PA"]'), ("nj", '["NJ"]')):
        lesa_csv(tmp_path / f"{name}.csv", [dict(prepare=dt.date(2014, 2, 1), facility="A JAIL", city="X", state=name.upper(),
                                                   lift_reason="")])
    manifest = tmp_path / "sources.toml"
    manifest.write_text("".join(f'[[source]]\nname = "{n}"\nurl = "{tmp_path / n}.csv"\nlayout = "lesa_stu"\nstates = {s}\n'
                                f"window_start = 2014-01-01\nwindow_end = 2014-12-31\n" for n, s in (("pa", '["PA"]'), ("nj", '["NJ"]'))))
    assert run_pipeline(plan_run(manifest), tmp_path / "ok" / "detainers.duckdb").published
    overlapping = write_manifest(tmp_path, window_end="2014-10-05")  # the state release reaches into the national one
    with pytest.raises(DataTestError, match=r"assert_no_cell_trusted_from_two_sources: 1 row\(s\), e\.g\. "
                                            r"\('lesa-stu-fy2015', 'pa-2014', datetime\.date\(2014, 10, 1\), 'PA'\)"):
        run_pipeline(plan_run(overlapping), tmp_path / "bad" / "detainers.duckdb")


def test_every_2015_facility_figure_of_npr_matches(bundled_run):
    warehouse, _ = bundled_run
    assert query(warehouse, """select status, count(*), sum(published_declined), sum(warehouse_declined)
                               from marts.facility_reconciliation where year = 2015 group by all""") == [
        ("match", 246, 2_785, 2_785)]
    # Earlier years are not comparable, never passes: the bundled release starts 2014-10-01 (issue 24).
    assert query(warehouse, "select distinct status from marts.facility_reconciliation where year <= 2014") == [
        ("not_comparable",)]
    assert query(warehouse, "select count(*) from marts.facility_reconciliation where status = 'disagree'") == [(0,)]


def test_declines_are_called_a_lower_bound_while_outcomes_were_open(bundled_run):
    warehouse, _ = bundled_run
    assert report(warehouse)["outcome_pending_share"] == round(52_263 / 79_053, 4)
    text = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse)], env={"COLUMNS": "200"}).stdout
    assert "declines are a lower bound: 66.1% of these detainers had no recorded outcome when their data was drawn" in text
    assert "(drawn on 2015-07-26)" in text
    months = query(warehouse, "select strftime(prepare_month, '%Y-%m'), outcome_pending, mostly_open from marts.monthly_outcomes_recorded")
    assert months[0] == ("2014-10", 7_321, True) and len(months) == 10


def test_bad_states_and_extraction_dates_are_named(tmp_path):
    base = '[[source]]\nname = "s"\nurl = "x.csv"\nlayout = "lesa_stu"\nwindow_end = 2015-07-19\n'
    for extra, message in (
        ('states = ["PENSILVANIA"]', r"source #1 \(s\): states: unknown state\(s\) 'PENSILVANIA' \(did you mean 'PENNSYLVANIA'\?\)"),
        ('states = "PA"', r"states: give a list of states"),
        ("extracted_on = 2015-07-01", r"extracted_on 2015-07-01 is before the window ends \(2015-07-19\)"),
        (f"extracted_on = {dt.date.today() + dt.timedelta(days=2)}", r"extracted_on .* is in the future"),
    ):
        (tmp_path / "sources.toml").write_text(base + extra + "\n")
        with pytest.raises(ManifestError, match=message):
            load_manifest(tmp_path / "sources.toml")
    bad = CliRunner().invoke(app, ["report", "--warehouse", str(tmp_path / "w.duckdb"), "--state", "Texs"])
    assert bad.exit_code == 2 and "unknown state 'Texs' (did you mean 'TEXAS'?)" in bad.output


def test_a_rule_edit_reaches_rows_already_loaded(tmp_path, monkeypatch):
    """Adding a facility to the placeholder list re-derives the source from its landing file
    at the next run; a run with no edit leaves the published file as it was."""
    from detainers.pipeline import plan_run, run_pipeline
    from detainers.schemas import reference

    rules = tmp_path / "reference"
    shutil.copytree(reference.REFERENCE_DIR, rules)
    monkeypatch.setattr(reference, "REFERENCE_DIR", rules)
    reference.placeholder_facilities.cache_clear()
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    jurisdictions = "select declining_jurisdictions, declined_without_jurisdiction from marts.headline(date '2014-01-01', date '2017-05-31')"

    first = run_pipeline(plan_run(ROOT / "sources.toml"), warehouse)
    assert first.published and query(warehouse, jurisdictions) == [(346, 1_272)]
    published = warehouse.read_bytes()
    again = run_pipeline(plan_run(ROOT / "sources.toml"), warehouse)
    assert not again.published and warehouse.read_bytes() == published  # no edit: nothing changes

    busiest = query(warehouse, "select facility_name, declined_detainers from marts.jurisdictions order by 2 desc limit 1")[0]
    with open(rules / "placeholder_facilities.csv", "a") as fh:
        fh.write(f"{busiest[0]},a test of rule edits\n")
    reference.placeholder_facilities.cache_clear()
    edited = run_pipeline(plan_run(ROOT / "sources.toml"), warehouse)
    assert edited.published and [(o.fetch, o.load) for o in edited.sources] == [("unchanged", "loaded")]  # no download
    assert query(warehouse, jurisdictions) == [(345, 1_272 + busiest[1])]
    reference.placeholder_facilities.cache_clear()


def test_npr_facility_figures_ship_as_npr_published_them():
    import hashlib

    from detainers.transform.normalize import NPR_FACILITY_DECLINES, published_facility_declines

    assert hashlib.sha256(NPR_FACILITY_DECLINES.read_bytes()).hexdigest() == (
        "0d17f80099f1519a4de6c3198a3b7846f4ffd48e2e2b55a5c01182d5e802969d")
    figures = published_facility_declines()
    assert figures.height == 1_370 and figures["declined_detainers"].sum() == 20_240
    assert figures.filter(figures["year"] == 2015).height == 246


# Issue 19: coverage on every chart and table. The national release covers 2014-10-01 ..
# 2015-07-19 for all 56 states, the Pennsylvania one 2014-01-01 .. 2014-09-30 for one.


def test_the_text_report_says_per_stretch_how_its_coverage_changes(two_releases):
    warehouse, _ = two_releases
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("coverage changes inside the window:")
    assert lines[at + 1:at + 3] == ["  2014-01-01 .. 2014-09-30: 1 of 56 states", "  2014-10-01 .. 2015-07-19: all 56 states"]
    assert report(warehouse)["coverage_stretches"] == [
        dict(start="2014-01-01", end="2014-09-30", states_covered=1, state_count=56),
        dict(start="2014-10-01", end="2015-07-19", states_covered=56, state_count=56),
    ]
    # Pennsylvania alone is covered on every day of the data's span: one stretch, no such lines
    alone = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--state", "PA"], env={"COLUMNS": "200"})
    assert "coverage changes" not in alone.stdout
    assert report(warehouse, "--state", "PA")["coverage_stretches"] == [
        dict(start="2014-01-01", end="2015-07-19", states_covered=1, state_count=1)]


def test_a_window_inside_one_stretch_has_one(two_releases):
    warehouse, _ = two_releases
    assert report(warehouse, "--start", "2014-03-01", "--end", "2014-06-30")["coverage_stretches"] == [
        dict(start="2014-03-01", end="2014-06-30", states_covered=1, state_count=56)]
    assert report(warehouse, "--start", "2016-01-01", "--end", "2016-12-31")["coverage_stretches"] == []


def test_the_html_charts_draw_months_and_states_of_partial_coverage_apart(two_releases, tmp_path):
    import re

    warehouse, _ = two_releases
    page = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--html", str(page)])
    assert result.exit_code == 0, result.output
    text = page.read_text("utf-8")
    months = text.split('data-chart="declines-by-month"')[1].split("</svg>")[0]
    bars = re.findall(r'<rect class="bar"([^>]*)><title>(\d{4}-\d\d): ', months)
    partial = {month: re.search(r'data-coverage="([^"]+)"', attrs).group(1) for attrs, month in bars if "data-coverage" in attrs}
    # Pennsylvania's months say they hold one state; July 2015 ends on the 19th; the rest are whole
    assert partial == {f"2014-{m:02d}": "1 of 56 states" for m in range(1, 10)} | {"2015-07": "19 of 31 days"}
    assert len(bars) == 19 and months.count('class="bar-note"') == 10
    # issue 24: every month of the window is drawn; the 22 after July 2015 hold no data, one grey band
    assert re.findall(r'<rect class="no-data" data-months="(\d+)"', months) == ["22"] and ">no data</text>" in months
    assert ">1 of 56 states</text>" in months and "lighter: the month&#x27;s data covers only part" in months
    assert 'fill="url(#declines-by-month-hatch-partial)"' in months  # July: lighter and a lower bound
    # the map: every state's share of the window's days, Pennsylvania's nearly twice the others'
    states = text.split('data-chart="declines-by-state"')[1].split("</svg>")[0]
    shares = dict(re.findall(r'data-state="(\w\w)"[^>]*data-coverage="([\d.]+)"', states))
    days = (dt.date(2017, 5, 31) - dt.date(2014, 1, 1)).days + 1
    assert len(shares) == 56
    assert float(shares["PA"]) == pytest.approx(round((273 + 292) / days, 4))
    assert {float(v) for c, v in shares.items() if c != "PA"} == {round(292 / days, 4)}
    # the share most tiles have is said once; Pennsylvania's, which differs, on its tile (issue 24)
    assert re.findall(r'class="covered"[^>]*>([^<]+)</text>', states) == ["45% of days"]
    assert "Dashed: data for part of the window only. Every state shown: data for 23% of the window&#x27;s days, but those whose tile says otherwise." in text
    # and the page says so in words
    assert "2014-01-01 .. 2014-09-30: 1 of 56 states</li>" in text


def test_a_fully_covered_window_draws_nothing_apart(two_releases, tmp_path):
    warehouse, _ = two_releases
    page = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--html", str(page),
                                      "--start", "2014-10-01", "--end", "2015-06-30"])
    assert result.exit_code == 0, result.output
    text = page.read_text("utf-8")
    assert "data-coverage" not in text and 'class="bar-note"' not in text and "Coverage changes" not in text


def test_the_page_of_a_national_and_a_one_state_source_renders_in_chromium(two_releases, tmp_path):
    import re

    from tests.test_html_report import CHROMIUM, chromium

    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    warehouse, _ = two_releases
    page = tmp_path / "report.html"
    assert CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--html", str(page)]).exit_code == 0
    screenshot = tmp_path / "report.png"
    chromium(f"--screenshot={screenshot}", "--window-size=1100,1500", page.as_uri(), profile=tmp_path / "p1")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    dom = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "p2").stdout
    rendered = dict(re.findall(r'data-chart="([^"]+)"[^>]*data-rendered="(\d+)"', dom))
    assert rendered["declines-by-month"] == "19" and rendered["declines-by-state"] == "56"
    assert dom.count('class="bar-note"') == 10
