"""The figures docs/coverage-and-reconciliation.md and docs/counties-and-agencies.md quote, each
checked against the warehouse it is about (issue 24), so they cannot drift.

An example's output is marked by the comment above its block:
  <!-- bundled: report ARGS -->         the block is the first lines of `detainers report ARGS`
                                        on the bundled warehouse, in 80 columns;
  <!-- bundled: report ARGS (what) -->  the block's words appear in that output, in order;
  <!-- bundled json: report ARGS -->    the block's "key": value pairs are those of `--json`;
and the same with "three sources" for the warehouse tests/test_what_figures_hold.py builds.
Every other figure the pages quote is asserted below against the value computed here."""

from __future__ import annotations

import csv
import json
import random
import re

import duckdb
import pytest
from typer.testing import CliRunner

from detainers.cli import app
from tests.conftest import ROOT
from tests.test_what_figures_hold import three_sources  # noqa: F401 (the fixture)

PAGES = {name: ROOT / "docs" / f"{name}.md" for name in ("coverage-and-reconciliation", "counties-and-agencies")}
PAGES["README"] = ROOT / "README.md"  # its first example (tests/test_readme.py checks its other figures)
EXAMPLE = re.compile(r"<!-- (bundled|three sources)( json)?: report([^()]*?)(?: \(([^)]*)\))? -->\n```\n(.*?)```", re.S)


def examples() -> list[tuple[str, str, bool, list[str], str, str]]:
    found = []
    for name, path in PAGES.items():
        for where, as_json, args, what, block in EXAMPLE.findall(path.read_text("utf-8")):
            found.append((name, where, bool(as_json), args.split(), what, block))
    return found


def report(warehouse, args: list[str], as_json: bool) -> str:
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), *args, *(["--json"] if as_json else [])],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout


def words(text: str) -> str:
    return " ".join(text.split())


def test_every_page_has_its_examples():
    wheres = {(name, where) for name, where, *_ in examples()}
    assert {("coverage-and-reconciliation", "bundled"), ("coverage-and-reconciliation", "three sources"),
            ("counties-and-agencies", "bundled"), ("README", "bundled")} <= wheres


@pytest.mark.parametrize("where", ["bundled", "three sources"])
def test_every_example_is_the_commands_own_output(request, where):
    warehouse = request.getfixturevalue("bundled_run")[0] if where == "bundled" else request.getfixturevalue("three_sources")
    for name, place, as_json, args, what, block in examples():
        if place != where:
            continue
        output = report(warehouse, args, as_json)
        if as_json:
            expected = json.loads("{" + block.replace("\n", " ").rstrip().rstrip(",") + "}")
            got = json.loads(output)
            assert {k: got[k] for k in expected} == expected, (name, args)
        elif what:
            assert words(block) in words(output), (name, args, what)
        else:
            lines = [line.rstrip() for line in block.splitlines()]
            assert [line.rstrip() for line in output.splitlines()[:len(lines)]] == lines, (name, args)


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_reconciliation_figures_the_page_quotes(bundled_run):
    warehouse = bundled_run[0]
    page = words(PAGES["coverage-and-reconciliation"].read_text("utf-8"))
    rows = json.loads(report(warehouse, [], True))["reconciliation"]
    statuses = [r["status"] for r in rows]
    assert (f"of the {len(rows)} national figures whose window overlaps the inspector general's, "
            f"{statuses.count('match')} match and {statuses.count('not_comparable')} are not comparable; none is within "
            "tolerance or disagrees") in page
    assert statuses.count("within_tolerance") == statuses.count("disagree") == 0
    (year,) = [r for r in rows if r["figure"] == "npr-issued-2014"]
    assert f"({year['published']:,} against {year['ours']:,}; the year's {year['figure_value']:,} is NPR's twelve months)" in page
    (ca,) = [r for r in json.loads(report(warehouse, ["--state", "CA"], True))["reconciliation"] if r["status"] == "match"]
    assert ca["figure"] == "npr-declined-2015-ca" and f"California's 2015 declines match ({ca['ours']:,})" in page
    (facilities,) = query(warehouse, "select count(*), count(*) filter (where status = 'match'), sum(warehouse_declined) "
                                     "from marts.facility_reconciliation where year = 2015")
    assert f"2015 is {facilities[1]} of {facilities[0]} facilities `match` ({facilities[2]:,} declines)" in page
    share = json.loads(report(warehouse, [], True))["outcome_pending_share"]
    assert f"share of open outcomes ({share:.1%} in the bundled release, whose every month is over 60% open)" in page
    assert query(warehouse, "select min(outcome_pending_share) > 0.6 from marts.monthly_outcomes_recorded") == [(True,)]
    days = 1247
    assert f"data for {292 / days:.0%} of the window's days" in page and f"(Pennsylvania's \"{(273 + 292) / days:.0%} of days\")" in page
    tolerances = dict(query(warehouse, "select publisher, max(tolerance) from reference.published_figures group by all"))
    assert tolerances["TRAC"] == 0.01 and tolerances["NPR"] == 0 and "(TRAC's: 1%," in page


def test_the_agency_and_county_figures_the_page_quotes(bundled_run):
    warehouse = bundled_run[0]
    page = words(PAGES["counties-and-agencies"].read_text("utf-8"))
    agencies = json.loads(CliRunner().invoke(app, ["report", "--by", "agency", "--warehouse", str(warehouse), "--json"]).stdout)
    from detainers.report.agencies import declining_agencies

    counts = declining_agencies(agencies)
    jurisdictions = sum(a["declining_facilities"] for a in agencies["agencies"])
    others = counts["state"] + counts["federal"] + counts["private"] + counts["unknown"]
    assert (f"the {jurisdictions} declining jurisdictions are run by {counts['local']} local agencies and {others} others: "
            f"{counts['state']} state, {counts['federal']} federal, {counts['private']} private and {counts['unknown']} "
            "not identified") in page
    with open(ROOT / "schemas" / "reference" / "agencies.csv", newline="") as fh:
        listed = list(csv.DictReader(fh))
    unsure = sum("fairly sure" in r["reason"] or "unsure" in r["reason"] for r in listed)
    assert f"The table lists {len(listed)} facilities" in page and f"{unsure} rows are marked as not certain" in page
    la = dict(query(warehouse, """
        select case when agency = 'Los Angeles Police Department' then 'lapd' else agency_kind end, count(*)
        from marts.jurisdictions where county_fips = '06037' and declined_detainers > 0 group by all"""))
    assert (f"Los Angeles County has {sum(la.values())} declining ones: the sheriff's Twin Towers jail, {la['lapd']} of the "
            f"Los Angeles police, the police of {la['city_police']} other cities and {la['unknown']} not identified") in page
    assert la["sheriff"] == 1
    (placed,) = query(warehouse, """
        select sum(declined_detainers) filter (where county_fips is not null), sum(declined_detainers),
            count(distinct county_fips) filter (where declined_detainers > 0),
            sum(declined_detainers) filter (where county_fips is null),
            count(*) filter (where county_fips is null and declined_detainers > 0)
        from marts.jurisdictions""")
    assert (f"{placed[0]:,} of the {placed[1]:,} declines at known jurisdictions ({placed[0] / placed[1]:.1%}) are placed, "
            f"in {placed[2]} counties. The {placed[3]} unplaced declines are at {placed[4]} jurisdictions") in page
    without = query(warehouse, "select declined_without_jurisdiction from marts.headline(date '2014-01-01', date '2017-05-31')")
    assert f"and {without[0][0]:,} declines name no jurisdiction at all" in page
    (folded,) = query(warehouse, "select sum(len(name_variants) - 1), count(*) filter (where len(name_variants) > 1), "
                                 "count(*) filter (where len(name_variants) > 1 and declined_detainers > 0) from marts.jurisdictions")
    assert f"{folded[0]} spellings fold into {folded[1]} jurisdictions, {folded[2]} of which declined" in page
    (overrides,) = query(warehouse, """
        with cities as (
            select state_code, macros.spelled_name(city, 'city') as city_key from reference.county_overrides
            where facility_name is null and county_fips is null)
        select count(*), count(*) filter (where facility_name is not null),
            count(*) filter (where facility_name is null),
            count(*) filter (where facility_name is null and county_fips is null),
            count(*) filter (where facility_name is not null
                             and (state_code, macros.spelled_name(city, 'city')) in (select * from cities))
        from reference.county_overrides""")
    assert (f"The reviewed table has {overrides[0]} rows: {overrides[1]} for facilities ({overrides[4]} of them in a city "
            f"that spans counties") in page
    assert f"and {overrides[2]} for whole cities (Philadelphia, and {overrides[3]} cities that span counties" in page
    bronx = query(warehouse, "select declined_detainers from marts.county_headline(date '2014-01-01', date '2017-05-31') "
                             "where county_fips in ('36005', '36081') order by county_fips")
    assert bronx == [(185,), (78,)] and "Rikers Island (140 declines) now counts in the Bronx" in page


def test_the_hand_check_of_placements_is_the_sample_drawn_and_the_share_the_page_states(bundled_run):
    """docs/placement_check.csv lists exactly the jurisdictions the page says were drawn, each
    still placed where it was when checked; the page's shares follow from it."""
    warehouse = bundled_run[0]
    rows = query(warehouse, """select jurisdiction_id, declined_detainers, county_fips from marts.jurisdictions
                               where declined_detainers > 0 order by declined_detainers desc, jurisdiction_id""")
    top, others = rows[:25], sorted(rows[25:])
    drawn = random.Random(24).sample(others, 40)
    with open(ROOT / "docs" / "placement_check.csv", newline="") as fh:
        checked = list(csv.DictReader(fh))
    assert [r["jurisdiction_id"] for r in checked if r["stratum"] == "most_declines"] == [r[0] for r in top]
    assert [r["jurisdiction_id"] for r in checked if r["stratum"] == "random"] == [r[0] for r in drawn]
    placed = {jid: (declined, fips) for jid, declined, fips in rows}
    for row in checked:  # a placement changed since it was checked must be checked again
        assert (int(row["declined_detainers"]), row["placed_fips"] or None) == placed[row["jurisdiction_id"]], row
        assert row["verdict"] in ("right", "wrong", "unplaced") and (row["verdict"] == "right") == (row["placed_fips"] == row["right_fips"] != "")
    page = words(PAGES["counties-and-agencies"].read_text("utf-8"))
    known = sum(declined for _, declined, _ in rows)
    top_declines = sum(int(r["declined_detainers"]) for r in checked if r["stratum"] == "most_declines")
    drawn_declines = sum(int(r["declined_detainers"]) for r in checked if r["stratum"] == "random")
    right = sum(int(r["declined_detainers"]) for r in checked if r["verdict"] == "right")
    total = top_declines + drawn_declines
    assert f"the 25 with the most declines ({top_declines:,} declines)" in page
    assert f"40 drawn at random from the other {len(others)}" in page and f"({drawn_declines} declines)" in page
    assert right == total and f"{total:,} declines checked, {total / known:.1%} of the {known:,} at known jurisdictions" in page
    unplaced = sum(declined for _, declined, fips in rows if fips is None)
    # no wrong placement found: the placed declines are the share placed right, on this check
    assert f"placed right is {(known - unplaced) / known:.1%} on this check" in page
    assert f"the {known - unplaced:,} placed, the {unplaced} unplaced not" in page
