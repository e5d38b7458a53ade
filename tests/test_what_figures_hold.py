"""Figures that say what they hold (issue 24): the data's own window first, a reconciliation that
can fail, one basis at a time, charts over the window asked, jurisdictions beside the agencies
that run them, counties placed right, and interfaces that do not mislead.

Tested on the bundled release, and on a warehouse of three sources built by the real flow: the
bundled national release (2014-10-01 .. 2015-07-19), one state's release of other months
(Pennsylvania, 2014-01-01 .. 2014-09-30, as tests/test_coverage.py makes it) and one state's
release with decline dates (California, 2016-01-01 .. 2016-03-31, in the 2025-ICFO-18038 shape)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import pty
import re
import select
import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from detainers.cli import app
from tests.conftest import ROOT
from tests.published_shapes import icfo_workbook, lesa_csv
from tests.test_coverage import NATIONAL, PENNSYLVANIA, pa_rows

DECLINED = "Detainer Declined by LEA"
CA_DAYS = [dt.date(2016, 1, 1) + dt.timedelta(days=i) for i in range(91)]  # 2016-01-01 .. 2016-03-31
CALIFORNIA = """
[[source]]
name = "ca-2016"
url = "{url}"
layout = "icfo_2025"
release = "one state's release with decline dates"
states = ["CA"]
window_start = 2016-01-01
window_end = 2016-03-31
"""


def ca_rows() -> list[dict]:
    """One detainer a day in California; every fifth declined, three days after it was prepared
    (so declines of late March are dated in April, outside the window)."""
    rows = []
    for i, day in enumerate(CA_DAYS):
        declined = i % 5 == 0
        rows.append(dict(id=f"D{i}", prepare=day, facility="LOS ANGELES COUNTY JAIL-TWIN TOWER", city="LOS ANGELES",
                         state="CALIFORNIA", person=f"P{i}", lift_reason=DECLINED if declined else "",
                         lift_date=day + dt.timedelta(days=3) if declined else ""))
    return rows


@pytest.fixture(scope="module")
def three_sources(prefect_server, tmp_path_factory):
    """The real flow on the bundled national release, Pennsylvania's of 2014-01 .. 09 and
    California's of 2016-01 .. 03 with decline dates."""
    from detainers.flows.pipeline import run_flow

    tmp = tmp_path_factory.mktemp("three")
    pa = lesa_csv(tmp / "pa-2014.csv", pa_rows())
    ca = icfo_workbook(tmp / "ca-2016.xlsx", {"FY2016": ca_rows()})
    manifest = tmp / "sources.toml"
    manifest.write_text(NATIONAL + PENNSYLVANIA.format(url=pa, window_end="2014-09-30") + CALIFORNIA.format(url=ca))
    warehouse = tmp / "wh" / "detainers.duckdb"
    summary = run_flow(manifest=manifest, warehouse=warehouse)
    assert summary.published and not summary.failed, [o.error for o in summary.sources]
    return warehouse


def run_report(warehouse, *args, columns: int = 1000):
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), *args], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


def as_json(warehouse, *args) -> dict:
    return json.loads(run_report(warehouse, "--json", *args))


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def query(warehouse, sql, params=None):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# 1. The data's window first -------------------------------------------------------------------


def test_the_first_lines_say_what_the_data_holds_and_label_the_figures_with_it(bundled_run):
    warehouse, _ = bundled_run
    text = lines(run_report(warehouse))
    assert text[0] == ("the data holds 2014-10-01 .. 2015-07-19 of the window asked (2014-01-01 .. 2017-05-31): 292 of its "
                       "1,247 days, all 56 states, 23.4% of its days and states; the figures below are for that part")
    assert text[2] == ("2014-10-01 .. 2015-07-19, all states: 79,053 detainers issued, 5,501 declined by 346 jurisdictions "
                       "(1,272 declined with no known jurisdiction)")
    assert "fully covered: --start 2014-10-01 --end 2015-07-19" in text
    # no figure is labelled with the window the data does not cover
    assert not any(line.startswith("2014-01-01 .. 2017-05-31") for line in text)
    # a window the data covers whole says so, and suggests nothing
    whole = lines(run_report(warehouse, "--start", "2014-10-01", "--end", "2015-06-30"))
    assert whole[0] == "the data holds all of 2014-10-01 .. 2015-06-30: 273 days, all 56 states"
    assert not any(line.startswith("fully covered") for line in whole)


def test_the_json_says_what_the_data_holds_first(bundled_run):
    warehouse, _ = bundled_run
    h = as_json(warehouse)
    assert list(h)[:12] == ["window_start", "window_end", "data_start", "data_end", "days_covered", "days_in_window",
                            "states_covered", "state_count", "coverage_ratio", "fully_covered_start", "fully_covered_end",
                            "figures_cover"]
    assert (h["data_start"], h["data_end"], h["days_covered"], h["days_in_window"]) == ("2014-10-01", "2015-07-19", 292, 1247)
    assert h["figures_cover"].startswith("only the part of the window the data holds, 2014-10-01 .. 2015-07-19")
    nothing = as_json(warehouse, "--start", "2020-01-01", "--end", "2020-12-31")
    assert [nothing[k] for k in ("detainers_issued", "declined_detainers", "declining_jurisdictions", "data_start")] == [None] * 4


def test_partial_coverage_of_two_states_and_one_says_which_window_is_whole(three_sources):
    nation = as_json(three_sources)
    assert (nation["data_start"], nation["data_end"]) == ("2014-01-01", "2016-03-31")
    assert (nation["fully_covered_start"], nation["fully_covered_end"]) == ("2014-10-01", "2015-07-19")
    text = lines(run_report(three_sources))
    assert text[0].startswith("the data holds 2014-01-01 .. 2016-03-31 of the window asked (2014-01-01 .. 2017-05-31): "
                              "656 of its 1,247 days, 1 to 56 of 56 states")
    pa = lines(run_report(three_sources, "--state", "pennsylvania"))
    assert pa[0].startswith("the data holds 2014-01-01 .. 2015-07-19 of the window asked (2014-01-01 .. 2017-05-31): "
                            "565 of its 1,247 days, PA, 45.3% of its days;")
    assert "fully covered: --start 2014-01-01 --end 2015-07-19 --state PA" in pa
    # before October 2014 no day holds both California and Pennsylvania: no window is whole for the two
    both = lines(run_report(three_sources, "--state", "CA", "--state", "PA", "--start", "2014-01-01", "--end", "2014-09-30"))
    assert both[0].startswith("the data holds 2014-01-01 .. 2014-09-30 of the window asked (2014-01-01 .. 2014-09-30): "
                              "273 of its 273 days, 1 of the 2 states asked (CA, PA), 50.0% of its days and states")
    assert "no day of the window holds every one of the 2 states asked: ask for fewer states (--state) to see a fully covered window" in both


# 2. A reconciliation that can fail ------------------------------------------------------------


def test_statuses_are_exactly_the_four_and_every_row_gives_its_reason(bundled_run):
    warehouse, _ = bundled_run
    with open(ROOT / "schemas" / "reference" / "reconciliation_statuses.csv", newline="") as fh:
        assert [r["status"] for r in csv.DictReader(fh)] == ["match", "within_tolerance", "disagree", "not_comparable"]
    rows = as_json(warehouse)["reconciliation"]
    assert {r["status"] for r in rows} == {"match", "not_comparable"} and all(r["reason"] for r in rows)
    for row in rows:
        assert {"figure", "publisher", "window_start", "window_end", "states", "published", "ours", "status", "reason"} <= set(row)
        assert row["states"] is None  # a national report compares national figures only
    by_id = {r["figure"]: r for r in rows}
    # NPR's 2014 holds three months the data holds whole, and NPR publishes its months: compared on them
    assert {k: by_id["npr-issued-2014"][k] for k in ("window_start", "window_end", "published", "ours", "status", "figure_value")} == {
        "window_start": "2014-10-01", "window_end": "2014-12-31", "published": 29_400, "ours": 29_400,
        "status": "match", "figure_value": 147_849}
    # NPR's declines of 2014 have no monthly breakdown: not comparable, not a pass
    assert by_id["npr-declined-2014"]["status"] == "not_comparable" and by_id["npr-declined-2014"]["ours"] is None
    assert by_id["oig-18-36-declined"]["status"] == "not_comparable"
    assert "not by which date (issue or decline) a detainer falls in its window" in by_id["oig-18-36-declined"]["reason"]


def test_a_comparison_within_its_tolerance_and_one_past_it(copied_warehouse):
    """TRAC's FY2015 is allowed 1% (its own releases, drawn at other dates); held whole, within 1%
    it is within_tolerance, past it a disagreement. A 1 against 29,269 never passes."""
    def statuses(trac_value: int) -> dict:
        with duckdb.connect(str(copied_warehouse)) as con:
            con.execute("update reference.published_figures set window_end = date '2015-07-19', value = ? "
                        "where figure_id = 'trac-issued-fy2015'", [trac_value])
            con.execute("update reference.published_figures set value = 1 where figure_id = 'oig-18-36-declined'")
            con.execute(f"create or replace table marts.reconciliation as {(ROOT / 'sql/marts/reconciliation.sql').read_text()}")
        return dict(query(copied_warehouse, "select figure_id, status from marts.reconciliation "
                                            "where figure_id in ('trac-issued-fy2015', 'oig-18-36-declined')"))
    assert statuses(79_053 + 500) == {"trac-issued-fy2015": "within_tolerance", "oig-18-36-declined": "not_comparable"}
    assert statuses(79_053 + 5_000) == {"trac-issued-fy2015": "disagree", "oig-18-36-declined": "not_comparable"}
    text = run_report(copied_warehouse, "--start", "2014-10-01", "--end", "2015-07-19")
    assert "disagree" in text and "1 disagree" in " ".join(text.split())


def test_a_state_report_compares_the_states_figures_only_or_says_there_are_none(bundled_run, three_sources):
    warehouse, _ = bundled_run
    ca = as_json(warehouse, "--state", "CA")["reconciliation"]
    assert {r["figure"]: r["status"] for r in ca} == {"npr-declined-2014-ca": "not_comparable", "npr-declined-2015-ca": "match"}
    assert all(r["states"] == ["CA"] for r in ca)
    assert [r["ours"] for r in ca if r["status"] == "match"] == [1_199]
    none = " ".join(run_report(warehouse, "--state", "AS").split())
    assert "published figures: no published figures of AS overlaps the window" in none
    assert as_json(warehouse, "--state", "AS")["reconciliation"] == []
    # Pennsylvania's 2014 is held whole there (its own release, then the national one), and the made-up
    # rows of the test release do not add up to NPR's count: the comparison is made, and fails
    (pa,) = [r for r in as_json(three_sources, "--state", "PA")["reconciliation"] if r["figure"] == "npr-declined-2014-pa"]
    assert pa["status"] == "disagree" and pa["ours"] != pa["published"] and pa["reason"] == "the loaded data holds its whole window"


def test_the_inspector_generals_figures_get_their_own_line(bundled_run):
    warehouse, _ = bundled_run
    text = " ".join(run_report(warehouse).split())
    line = text[text.index("inspector general (OIG-18-36)"):]
    assert line.startswith("inspector general (OIG-18-36): 29,269 declined detainers and 675 declining jurisdictions, "
                           "2014-01-01 .. 2017-05-31, nationwide, from ICE's records;")
    assert "whether a jurisdiction is a facility or an agency" in line and ": not comparable." in line
    assert ("The loaded data holds 2014-10-01 .. 2015-07-19 of it (292 of its 1,247 days, 23.4% of its days and states), "
            "where it counts 5,501 declined detainers at 346 jurisdictions (facilities).") in line
    # the fewest known releases, as `detainers releases --manifest` chooses them (issue 26)
    assert ("The fewest known releases that would cover it (detainers releases --manifest --start 2014-01-01 --end "
            "2017-05-31): npr-detainers-fy14-csv (273 days), npr-detainers-fy15-csv (365 days), npr-detainers-fy16-csv "
            "(366 days), npr-detainers-fy17-csv (243 days), 1,247 of its 1,247 days.") in line


# 3. One basis at a time -----------------------------------------------------------------------


def test_by_decline_date_a_release_without_lift_dates_gives_no_figure(bundled_run, tmp_path):
    warehouse, _ = bundled_run
    text = lines(run_report(warehouse, "--basis", "decline"))
    assert text[0] == ("the loaded data holds nothing by decline date of 2014-01-01 .. 2017-05-31, all states (no loaded "
                       "source with decline dates, lift dates, reaches it): no figure can be given for it")
    assert not any("detainers issued" in line for line in text)
    h = as_json(warehouse, "--basis", "decline")
    assert [h[k] for k in ("detainers_issued", "declined_detainers", "declining_jurisdictions", "declined_without_jurisdiction")] == [None] * 4
    assert h["coverage_ratio"] == 0.0 and h["coverage_stretches"] == [] and h["states_covered"] == 0
    assert h["reconciliation"] == []
    page = tmp_path / "decline.html"
    run_report(warehouse, "--basis", "decline", "--html", str(page))
    html = page.read_text("utf-8")
    assert "<h1>ICE detainers: no data for 2014-01-01 .. 2017-05-31, all states</h1>" in html
    assert 'class="metric"' not in html and "data-chart=" not in html  # no zero cards, no prepare-date charts


def test_by_decline_date_everything_counts_by_decline_date(three_sources, tmp_path):
    window = ["--start", "2016-01-01", "--end", "2016-03-31", "--basis", "decline"]
    h = as_json(three_sources, *window)
    # 19 declines dated in the window (the one prepared on March 31st is declined on April 3rd)
    assert (h["declined_detainers"], h["declining_jurisdictions"], h["detainers_issued"]) == (18, 1, None)
    assert h["coverage_stretches"] == [dict(start="2016-01-01", end="2016-03-31", states_covered=1, state_count=56)]
    page = tmp_path / "decline.html"
    run_report(three_sources, *window, "--html", str(page))
    html = page.read_text("utf-8")
    months = html.split('data-chart="declines-by-month"')[1].split("</svg>")[0]
    assert dict(re.findall(r"<title>(\d{4}-\d\d): (\d+)", months)) == {"2016-01": "6", "2016-02": "6", "2016-03": "6"}
    assert "month of decline date" in months and 'data-chart="top-jurisdictions"' in html
    assert "counts by decline date" in html and "counties with the most declines" not in html.lower()


# 4. Charts over the window asked --------------------------------------------------------------


def test_every_month_of_the_window_is_drawn_and_months_without_data_say_so(bundled_run, tmp_path):
    warehouse, _ = bundled_run
    page = tmp_path / "report.html"
    run_report(warehouse, "--html", str(page))
    html = page.read_text("utf-8")
    months = html.split('data-chart="declines-by-month"')[1].split("</svg>")[0]
    assert len(re.findall(r'class="tick" transform="rotate\(-45', months)) == 41  # 2014-01 .. 2017-05
    assert len(re.findall(r'<rect class="bar"', months)) == 10
    assert re.findall(r'<rect class="no-data" data-months="(\d+)"', months) == ["9", "22"]
    assert "<title>2014-01 .. 2014-09: no data</title>" in months and ">grey: no data for the month (not a zero)</text>" in months
    rows = html.split('data-chart="declines-by-month-narrow"')[1].split("</svg>")[0]
    assert rows.count(">no data</text>") == 31 and rows.count('<rect class="bar"') == 10


def test_the_map_says_the_common_coverage_once_and_other_states_are_not_asked(bundled_run, tmp_path):
    warehouse, _ = bundled_run
    page = tmp_path / "ca.html"
    run_report(warehouse, "--state", "CA", "--html", str(page))
    html = page.read_text("utf-8")
    states = html.split('data-chart="declines-by-state"')[1].split("</svg>")[0]
    assert states.count('data-asked="false"') == 55 and states.count(">not asked</text>") == 55
    assert re.findall(r'data-state="CA" data-value="(\d+)"', states) == ["2134"]
    assert "of days</text>" not in states and "Every state shown: data for 23% of the window&#x27;s days." in html
    assert "<h1>ICE detainers declined, 2014-10-01 .. 2015-07-19, CA</h1>" in html
    assert "Published figures of CA against the warehouse" in html and "npr-declined-2015-ca" in html
    assert "oig-18-36" not in html  # the inspector general's figures are national


# 5. Jurisdictions, agencies, counties ---------------------------------------------------------


def test_report_by_agency_folds_facilities_into_the_agencies_that_run_them(bundled_run):
    warehouse, _ = bundled_run
    report = json.loads(CliRunner().invoke(app, ["report", "--by", "agency", "--warehouse", str(warehouse), "--json"]).stdout)
    assert list(report) == ["window_start", "window_end", "coverage_start", "coverage_end", "figures_cover", "agencies",
                            "not_reviewed", "without_jurisdiction"]
    assert {"agency", "state", "facilities", "detainers_issued", "declined_detainers"} <= set(report["agencies"][0])
    by_name = {(a["agency"], a["state"]): a for a in report["agencies"]}
    nyc = by_name[("New York City Department of Correction", "NY")]
    assert nyc["local"] and nyc["declined_detainers"] == 140  # Rikers Island's jails
    assert by_name[("Los Angeles County Sheriff", "CA")]["declined_detainers"] == 331
    assert not by_name[("U.S. Marshals Service, District of Colorado", "CO")]["local"]
    assert by_name[("Federal Bureau of Prisons", "CA")]["level"] == "federal"
    # every declining facility is reviewed; the parts add up to the headline
    assert report["not_reviewed"]["declined_detainers"] == 0
    parts = report["agencies"] + [report["not_reviewed"], report["without_jurisdiction"]]
    assert (sum(p["detainers_issued"] for p in parts), sum(p["declined_detainers"] for p in parts)) == (79_053, 5_501)
    assert sum(a["declining_facilities"] for a in report["agencies"]) == 346
    text = " ".join(run_report(warehouse).split())
    assert ("a jurisdiction is a facility, as ICE's records and TRAC count them, not an agency: the 346 declining "
            "jurisdictions are run by 279 local agencies and 30 others (12 state, 9 federal, 7 private, 2 not identified)") in text


@pytest.mark.parametrize("by", ["county", "agency"])
def test_the_by_reports_say_what_the_data_holds_first_and_title_their_tables_with_it(bundled_run, by):
    """`report --by county|agency` on the default window: the held line first, the table titled
    with the data's own days, the JSON saying what the figures cover; a window the data does not
    reach gets its one line and no table of zeros."""
    warehouse, _ = bundled_run
    text = " ".join(CliRunner().invoke(app, ["report", "--by", by, "--warehouse", str(warehouse)]).stdout.split())
    held, rest = text.split(" fully covered: --start 2014-10-01 --end 2015-07-19 ")
    assert held.startswith("the data holds 2014-10-01 .. 2015-07-19 of the window asked (2014-01-01 .. 2017-05-31)")
    title = "counties" if by == "county" else "agencies"
    assert rest.startswith(f"{title} with the most declines, 2014-10-01 .. 2015-07-19 ") and "2017-05-31" not in rest
    got = json.loads(CliRunner().invoke(app, ["report", "--by", by, "--warehouse", str(warehouse), "--json"]).stdout)
    assert (got["window_start"], got["coverage_start"], got["coverage_end"]) == ("2014-01-01", "2014-10-01", "2015-07-19")
    assert got["figures_cover"].startswith("only the part of the window the data holds, 2014-10-01 .. 2015-07-19")
    empty = CliRunner().invoke(app, ["report", "--by", by, "--start", "2016-01-01", "--end", "2016-12-31",
                                     "--warehouse", str(warehouse)])
    assert empty.exit_code == 0
    assert " ".join(empty.stdout.split()).startswith("the loaded data holds nothing of 2016-01-01 .. 2016-12-31")
    assert "with the most declines" not in empty.stdout


def test_rikers_island_is_in_the_bronx_and_philadelphia_is_one_county(bundled_run):
    warehouse, _ = bundled_run
    placed = dict(query(warehouse, """select facility_name, county_fips || ' ' || placement from marts.jurisdictions
        where facility_name in ('RIKERS ISLAND, QUEENS, NY', 'PHILADELPHIA 1ST POLICE DIST', 'PHILADELPHIA 35TH POLICE DIST',
                                'FDC PHILADELPHIA', 'NYC POLICE DEPARTMENT')"""))
    assert placed == {"RIKERS ISLAND, QUEENS, NY": "36005 override", "PHILADELPHIA 1ST POLICE DIST": "42101 override",
                      "PHILADELPHIA 35TH POLICE DIST": "42101 override", "FDC PHILADELPHIA": "42101 override",
                      "NYC POLICE DEPARTMENT": None}  # a citywide police of five counties: no one county
    bronx = query(warehouse, "select declined_detainers from marts.county_headline(date '2014-01-01', date '2017-05-31') "
                             "where county_fips = '36005'")
    assert bronx == [(185,)]  # Rikers' 140 and Bronx Central Booking's 45


def test_a_city_that_spans_counties_is_unplaced_unless_a_reviewed_override_says_where():
    from tests.test_counties import placed

    got = placed([
        ("CHICAGO POLICE DEPT", "IL", "CHICAGO"),  # Cook and DuPage: the ZIP table shows only Cook
        ("JACKSON POLICE DEPT", "MS", "JACKSON"),  # Hinds, Madison, Rankin
        ("JOLIET POLICE DEPT", "IL", "JOLIET"),  # Will and Kendall
        ("STATEVILLE CORRECTIONS", "IL", "JOLIET"),  # reviewed: Crest Hill, Will County
        ("WILL COUNTY SHERIFF", "IL", "JOLIET"),  # the name says which county
        ("PHILADELPHIA 9TH POLICE DIST", "PA", "PHILADELPHIA"),  # a consolidated city-county
        ("DEKALB POLICE DEPT", "IL", "DEKALB"),  # a city in one county
    ])
    assert {name: (fips, how) for name, (_, fips, how, _) in got.items()} == {
        "CHICAGO POLICE DEPT": (None, "unplaced"),
        "JACKSON POLICE DEPT": (None, "unplaced"),
        "JOLIET POLICE DEPT": (None, "unplaced"),
        "STATEVILLE CORRECTIONS": ("17197", "override"),
        "WILL COUNTY SHERIFF": ("17197", "facility_name"),
        "PHILADELPHIA 9TH POLICE DIST": ("42101", "override"),
        "DEKALB POLICE DEPT": ("17037", "city"),
    }


# 6. Names and interfaces that do not mislead --------------------------------------------------


def test_table_macros_take_states_by_code_or_name_in_any_case_or_fail(bundled_run):
    warehouse, _ = bundled_run
    ca = "select detainers_issued, states from marts.headline(date '2014-01-01', date '2017-05-31', states := $s)"
    assert query(warehouse, ca.replace("$s", "['CA']")) == query(warehouse, ca.replace("$s", "['california']")) == \
        query(warehouse, ca.replace("$s", "['ca', 'California']")) == [(13_456, ["CA"])]
    for macro in ("headline", "county_headline", "agency_headline", "coverage_stretches", "monthly_coverage"):
        with pytest.raises(duckdb.InvalidInputException, match=r"unknown state 'Californa' in states: give two-letter codes"):
            query(warehouse, f"select * from marts.{macro}(date '2014-01-01', date '2017-05-31', states := ['Californa'])")
    assert query(warehouse, "select first_declined_prepare_date from marts.jurisdictions limit 1")  # named for what it holds


def _in_a_terminal(args: list[str], columns: int, cwd) -> str:
    """`detainers ARGS` run in a pseudo-terminal of `columns` columns, as a user at a terminal sees it."""
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES") and not k.startswith("PREFECT_")}
    env |= {"TERM": "xterm-256color"}
    proc = subprocess.Popen([sys.executable, "-P", "-c", "from detainers.cli import main; main()", *args], cwd=cwd,
                            stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\]8;[^\x1b]*\x1b\\\\", "", b"".join(chunks).decode()).replace("\r", "")


def test_the_report_fits_an_80_column_terminal_without_cutting_a_number_or_an_id(bundled_run, tmp_path):
    warehouse, _ = bundled_run
    text = _in_a_terminal(["report", "--warehouse", str(warehouse)], 80, tmp_path)
    assert text.splitlines() and max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    ids = [r["figure"] for r in as_json(warehouse)["reconciliation"]]
    table = text[text.index("published national figures"):text.index("(left out to fit")]
    for figure_id in ids:
        assert re.search(rf"^{re.escape(figure_id)} ", table, re.M), figure_id
    for number in ("159,210", "29,400", "13,893", "97,045", "142,474", "3,986"):
        assert number in table
    assert "(left out to fit 80 columns: diff, covered; `--wide` shows every column)" in text
    wide = _in_a_terminal(["report", "--warehouse", str(warehouse), "--wide"], 80, tmp_path)
    assert "-23,768" not in wide and " diff " in wide and "-159,210" not in wide  # not comparable: no difference
    assert re.search(r"^npr-issued-2014 +2014-10-01 \.\. 2014-12-31 +29,400 +29,400 +\+0 +25\.2% +match", wide, re.M)
    counties = _in_a_terminal(["report", "--by", "county", "--warehouse", str(warehouse)], 80, tmp_path)
    assert max(len(line) for line in counties.splitlines()) <= 80 and "…" not in counties
    for fips in ("06111", "06037", "32003", "36005"):
        assert re.search(rf" {fips} ", counties), fips


def test_county_fips_keep_their_leading_zero_in_a_spreadsheet(bundled_run):
    warehouse, _ = bundled_run
    exports = warehouse.parent / "exports"
    with open(exports / "jurisdictions.csv", newline="") as fh:
        rows = {r["jurisdiction_id"]: r for r in csv.DictReader(fh)}
    assert rows["VENTURA COUNTY JAIL | CA"]["county_fips"] == '="06111"'  # Excel, Sheets, LibreOffice: the text 06111
    assert rows["NYC POLICE DEPARTMENT | NY"]["county_fips"] == ""  # unplaced: empty, not ="".
    assert '"=""06111"""' in (exports / "jurisdictions.csv").read_text()
    assert query(warehouse, f"select county_fips from '{exports / 'jurisdictions.parquet'}' "
                            "where jurisdiction_id = 'VENTURA COUNTY JAIL | CA'") == [("06111",)]


# The page in a browser, at a desktop's width and a phone's -----------------------------------


@pytest.mark.parametrize("width, charts", [(1200, {"declines-by-month", "top-jurisdictions", "declines-by-state"}),
                                           (400, {"declines-by-month-narrow", "top-jurisdictions-narrow", "declines-by-state"})])
def test_the_page_reads_at_1200_and_at_400_pixels(three_sources, tmp_path, width, charts):
    from tests.test_html_report import CHROMIUM, chromium

    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    page = tmp_path / "report.html"
    run_report(three_sources, "--html", str(page))
    screenshot = tmp_path / f"report-{width}.png"
    chromium(f"--screenshot={screenshot}", f"--window-size={width},3000", page.as_uri(), profile=tmp_path / "p1")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    dom = chromium(f"--window-size={width},3000", "--dump-dom", page.as_uri(), profile=tmp_path / "p2").stdout
    rendered = dict(re.findall(r'data-chart="([^"]+)"[^>]*data-rendered="(\d+)"', dom))
    assert set(rendered) == charts
    # nothing pushes the page past the screen (headless Chromium lays out --dump-dom at 500 pixels at least,
    # so the page's width is held to the window's; the screenshot is taken at the width asked)
    page_width, view_width = (int(re.search(rf'data-{w}-width="(\d+)"', dom).group(1)) for w in ("page", "view"))
    assert page_width <= view_width <= max(width, 500)
