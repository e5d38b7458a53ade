"""The real flow on three releases in their published shapes, served over local HTTP:
stitching overlapping releases by window, likely duplicates, decline-date metrics, a nightly
run with nothing new, a changed release, and a source added by a manifest mapping alone."""

import datetime as dt
import json

import duckdb
from typer.testing import CliRunner

from detainers.cli import app
from tests.published_shapes import REDACTED, ReleaseServer, ero_workbook, icfo_workbook, lesa_csv

DECLINED = "Detainer Declined by LEA"
JAIL = dict(facility="LOS ANGELES COUNTY JAIL", city="LOS ANGELES", state="CALIFORNIA")
HARRIS = dict(facility="HARRIS COUNTY JAIL", city="HOUSTON", state="TX")


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def lesa_rows():
    row = dict(prepare=dt.date(2014, 9, 30), facility="COOK COUNTY JAIL", state="ILLINOIS", city="CHICAGO", lift_reason=DECLINED)
    return [row, row, {**row, "prepare": dt.date(2014, 10, 1), "lift_reason": ""}]  # identical rows: two detainers


def icfo_sheets():
    row = dict(**JAIL, type="I-247A", lift_reason="")
    return {
        "FY2024": [
            {**row, "id": "D1", "person": "P1", "prepare": dt.datetime(2024, 12, 10, 8), "lift_reason": DECLINED,
             "lift_date": dt.datetime(2024, 12, 16, 9)},  # issued one ISO week, declined the next
            {**row, "id": "D2", "person": "P1", "prepare": dt.datetime(2024, 12, 10, 20)},  # within 24 hours: likely duplicate
            {**row, "id": "D3", "person": "P1", "prepare": dt.datetime(2024, 12, 12, 9)},  # 37 hours later: a detainer
        ],
        "FY2025": [
            {**row, "id": "D4", "person": "P2", "prepare": dt.datetime(2025, 3, 14, 9), "lift_reason": DECLINED,
             "lift_date": dt.datetime(2025, 3, 14, 17)},
        ],
    }


def ero_sheets(april_person="A1"):
    row = dict(**HARRIS, lift_reason="", type="I-247A")
    return {
        "Sheet 1": [
            {**row, "person": "P1", "prepare": dt.datetime(2024, 12, 10, 8)},  # before its window: not counted
            {**row, "person": "A0", "prepare": dt.datetime(2025, 3, 16, 10), "lift_reason": DECLINED},
            {**row, "person": april_person, "prepare": dt.datetime(2025, 4, 2, 10)},
            {**row, "person": REDACTED, "prepare": dt.datetime(2025, 4, 2, 11)},
            {**row, "person": REDACTED, "prepare": dt.datetime(2025, 4, 2, 11)},  # unknown person: cannot be judged
        ],
        "Sheet 2": [{**row, "person": april_person, "prepare": dt.datetime(2025, 4, 2, 15)}],  # same person and day
    }


MANIFEST = """
[[source]]
name = "lesa-stu-fy2014"
url = "{lesa}"
layout = "lesa_stu"
release = "FOIA 15-87693, FY2014 CSV"
window_start = 2013-10-01
window_end = 2017-06-17

[[source]]
name = "icfo-18038"
url = "{icfo}"
layout = "icfo_2025"
release = "2025-ICFO-18038"
window_start = 2017-06-18
window_end = 2025-03-15

[[source]]
name = "ero-2025"
url = "{ero}"
layout = "ero_2023"
release = "2025-ICLI-00019"
window_start = 2025-03-16
"""


def releases(tmp_path, httpserver):
    """Three releases on a local server and a manifest of them: (manifest, warehouse, server)."""
    server = ReleaseServer(httpserver)
    urls = dict(
        lesa=server.publish("/fy2014.csv", lesa_csv(tmp_path / "fy2014.csv", lesa_rows()).read_bytes()),
        icfo=server.publish("/icfo.xlsx", icfo_workbook(tmp_path / "icfo.xlsx", icfo_sheets()).read_bytes()),
        ero=server.publish("/ero.xlsx", ero_workbook(tmp_path / "ero.xlsx", ero_sheets()).read_bytes()),
    )
    manifest = tmp_path / "sources.toml"
    manifest.write_text(MANIFEST.format(**urls))
    return manifest, tmp_path / "wh" / "detainers.duckdb", server


def run(manifest, warehouse):
    from detainers.flows.pipeline import run_flow

    return run_flow(manifest=manifest, warehouse=warehouse)


def test_overlapping_releases_each_count_only_inside_their_window(prefect_server, tmp_path, httpserver):
    manifest, warehouse, _ = releases(tmp_path, httpserver)
    summary = run(manifest, warehouse)
    assert summary.published and not summary.failed
    assert {o.source: o.rows_loaded for o in summary.sources} == {"lesa-stu-fy2014": 3, "icfo-18038": 4, "ero-2025": 6}
    coverage = query(warehouse, """
        select strftime(prepare_month, '%Y-%m'), source, detainers::int
        from marts.monthly_source_coverage order by all""")
    assert coverage == [
        ("2014-09", "lesa-stu-fy2014", 2), ("2014-10", "lesa-stu-fy2014", 1),
        ("2024-12", "icfo-18038", 2),  # the ERO row of P1 on 2024-12-10 is outside its window
        ("2025-03", "ero-2025", 1), ("2025-03", "icfo-18038", 1),
        ("2025-04", "ero-2025", 3),
    ]
    by_month = dict(query(warehouse, """
        select strftime(prepare_month, '%Y-%m'), sum(detainers)::int from marts.monthly_detainers_by_state_outcome group by all"""))
    assert by_month == {"2014-09": 2, "2014-10": 1, "2024-12": 2, "2025-03": 2, "2025-04": 3}


def test_likely_duplicates_are_flagged_kept_and_counted_once(prefect_server, tmp_path, httpserver):
    manifest, warehouse, _ = releases(tmp_path, httpserver)
    run(manifest, warehouse)
    flagged = query(warehouse, """
        select source, coalesce(detainer_id, person_id), sheet from staging.stg_detainer_rows
        where is_likely_duplicate order by all""")
    assert flagged == [("ero-2025", "A1", "Sheet 2"), ("icfo-18038", "D2", "FY2024")]
    assert query(warehouse, "select count(*) from raw.detainers") == [(13,)]  # flagged rows stay in the warehouse
    # Identical rows of a layout with no identifier, and redacted identifiers, all count.
    assert query(warehouse, """
        select count(*) from marts.detainers
        where (source = 'lesa-stu-fy2014' and prepare_date = '2014-09-30')
            or (source = 'ero-2025' and person_id is null)""") == [(4,)]
    assert query(warehouse, "select count(*) from marts.detainers") == [(13 - 1 - 2,)]  # 1 outside its window, 2 flagged


def test_declines_by_decline_week_and_the_report_basis(prefect_server, tmp_path, httpserver):
    manifest, warehouse, _ = releases(tmp_path, httpserver)
    run(manifest, warehouse)
    weekly = query(warehouse, "select decline_week, iso_year, iso_week, declined_detainers::int from marts.weekly_declines_by_decline_date")
    assert weekly == [(dt.date(2024, 12, 16), 2024, 51, 1), (dt.date(2025, 3, 10), 2025, 11, 1)]

    runner = CliRunner()
    by_decline = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--start", "2024-12-15",
                                     "--end", "2024-12-31", "--basis", "decline", "--json"])
    assert by_decline.exit_code == 0, by_decline.output
    decline = json.loads(by_decline.stdout)
    # issued count by prepare date: on the decline basis there is none (issue 24: it was 0)
    assert decline["basis"] == "decline" and decline["declined_detainers"] == 1 and decline["detainers_issued"] is None
    by_prepare = json.loads(runner.invoke(app, ["report", "--warehouse", str(warehouse), "--start", "2024-12-15",
                                                "--end", "2024-12-31", "--json"]).stdout)
    assert "basis" not in by_prepare and by_prepare["declined_detainers"] == 0
    text = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--basis", "decline"])
    assert "basis: declines counted by the date of the decline" in text.stdout
    assert "basis: declines counted by the prepare date" in runner.invoke(app, ["report", "--warehouse", str(warehouse)]).stdout
    march = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--start", "2025-03-01", "--end", "2025-03-31",
                                "--basis", "decline"]).stdout
    assert "1 declined detainers prepared in the window have no decline date" in " ".join(march.split())  # ERO's


def test_a_nightly_run_with_nothing_new_asks_conditionally_and_loads_nothing(prefect_server, tmp_path, httpserver):
    manifest, warehouse, server = releases(tmp_path, httpserver)
    run(manifest, warehouse)
    before, server.requests[:] = warehouse.read_bytes(), []
    summary = run(manifest, warehouse)
    assert not summary.published
    assert {(o.fetch, o.load, o.rows_loaded) for o in summary.sources} == {("not_modified", "skipped_unchanged", 0)}
    assert len(server.requests) == 3
    for _, status, conditional in server.requests:
        assert status == 304 and set(conditional) == {"If-None-Match", "If-Modified-Since"}
    assert warehouse.read_bytes() == before


def test_a_changed_release_replaces_its_rows_and_only_its_rows(prefect_server, tmp_path, httpserver):
    manifest, warehouse, server = releases(tmp_path, httpserver)
    run(manifest, warehouse)
    others = query(warehouse, "select source, load_id, count(*) from raw.detainers where source != 'ero-2025' group by all order by 1")
    sheets = ero_sheets(april_person="A9")
    sheets["Sheet 2"].append({**HARRIS, "lift_reason": "", "person": "A10", "prepare": dt.datetime(2025, 5, 1)})
    server.publish("/ero.xlsx", ero_workbook(tmp_path / "ero-v2.xlsx", sheets).read_bytes())
    summary = run(manifest, warehouse)
    assert {o.source: (o.fetch, o.load) for o in summary.sources} == {
        "lesa-stu-fy2014": ("not_modified", "skipped_unchanged"), "icfo-18038": ("not_modified", "skipped_unchanged"),
        "ero-2025": ("fetched", "loaded")}
    assert query(warehouse, "select count(*), count(distinct load_id) from raw.detainers where source = 'ero-2025'") == [(7, 1)]
    assert query(warehouse, "select count(*) from raw.detainers where person_id = 'A1'") == [(0,)]
    assert query(warehouse, "select source, load_id, count(*) from raw.detainers where source != 'ero-2025' group by all order by 1") == others


def test_a_source_added_by_a_manifest_mapping_alone(prefect_server, tmp_path, httpserver):
    manifest, warehouse, server = releases(tmp_path, httpserver)
    run(manifest, warehouse)
    cleaned = b"date,agency,st,town,outcome\n2013-02-01,Travis County Jail,TX,Austin,Detainer Declined by LEA\n" \
              b"2013-02-02,Travis County Jail,TX,Austin,\n"
    url = server.publish("/cleaned.csv", cleaned)
    manifest.write_text(manifest.read_text() + f"""
[[source]]
name = "journalist-fy2013"
url = "{url}"
layout = "lesa_stu"
release = "a newsroom's cleaned CSV"
window_end = 2013-09-30
[source.columns]
date = "prepare_date"
agency = "facility"
st = "state"
town = "city"
outcome = "lift_reason"
[source.layout_options]
date_formats = ["%Y-%m-%d"]
""")
    summary = run(manifest, warehouse)
    assert summary.published and not summary.failed
    assert query(warehouse, """
        select prepare_date, jurisdiction_id, outcome from marts.detainers
        where source = 'journalist-fy2013' order by 1""") == [
        (dt.date(2013, 2, 1), "TRAVIS COUNTY JAIL | TX", "declined"), (dt.date(2013, 2, 2), "TRAVIS COUNTY JAIL | TX", "no_outcome_yet")]
    assert query(warehouse, "select layout from audit.sources where source = 'journalist-fy2013'")[0][0].startswith("lesa_stu+")


# The two tables as the first release made them: no raw.detainers.prepared_at, no audit.sources.duplicate_rule.
FIRST_RELEASE_DDL = """
create schema raw;
create schema audit;
create table raw.detainers (
    load_id varchar not null, source varchar not null, release varchar, file_sha256 varchar not null,
    sheet varchar not null, source_row bigint not null, prepare_date date not null, lift_date date,
    detainer_type varchar, detainer_form varchar, facility varchar, facility_name varchar,
    facility_is_placeholder boolean not null, state varchar, state_code varchar, city varchar,
    lift_reason varchar, outcome varchar not null, detainer_id varchar, person_id varchar, criminality varchar,
    citizenship_country varchar, aor varchar, facility_code varchar
);
create table audit.sources (
    source varchar primary key, url varchar not null, layout varchar not null, release varchar,
    window_start date, window_end date, current_load_id varchar, file_sha256 varchar, etag varchar,
    last_modified varchar, checked_at timestamptz
);
"""


def test_a_warehouse_built_before_these_columns_gains_them(tmp_path):
    from detainers.warehouse.database import connect

    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(FIRST_RELEASE_DDL)
        con.execute("insert into audit.sources (source, url, layout) values ('old', 'u', 'lesa_stu')")
    con = connect(path)
    try:
        assert con.execute("select duplicate_rule from audit.sources").fetchall() == [("none",)]
        assert "prepared_at" in [c for (c,) in con.execute("select column_name from information_schema.columns where table_name = 'detainers'").fetchall()]
    finally:
        con.close()
