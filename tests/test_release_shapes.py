"""Files made in the shapes issue 26 adds (tests/release_shapes.py: RELEASES.md and DDP's
reading code), each loaded with no layout in its manifest entry: the 2025-ICFO-18038 workbooks
(about 120 columns after a short preamble, no facility state), the March 2026 release (one
sheet per fiscal year, 64 or 65 columns) with the 2025-2026 detainer-type and redaction
spellings, DDP's processed Parquet under its October 2025 names, and DDP's stitched history,
whose rows keep each release's own names."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from detainers.errors import LayoutError
from detainers.pipeline import plan_run, run_pipeline
from detainers.transform.info import ReadInfo
from detainers.transform.limits import ReadLimits
from detainers.transform.read import layouts_by_header, read_batches
from detainers.transform.values import to_canonical
from detainers.schemas.layouts import get_layout
from tests.published_shapes import lesa_csv
from tests.release_shapes import (ICFO_2025_COLUMNS, day, ddp_historical_parquet, ddp_latest_parquet, icfo_2025_workbook,
                                  march_2026_workbook)

DECLINED = "Detainer Declined by LEA"
JAIL = dict(facility="LOS ANGELES COUNTY JAIL", code="LOSANCA", criminality="1 Convicted Criminal")
HARRIS = dict(facility="HARRIS COUNTY JAIL", city="HOUSTON", state="TEXAS")


def icfo_sheets():
    row = dict(**JAIL, type="I-247A", lift_reason="", person="P1")
    return {
        "FY2024": [
            {**row, "id": "D1", "prepare": dt.datetime(2024, 12, 10, 8), "lift_reason": DECLINED,
             "lift_date": dt.datetime(2024, 12, 16, 9), "lift_reason2": "Detainer Declined by LEA"},
            {**row, "id": "D2", "prepare": dt.datetime(2024, 12, 10, 20)},  # within 24 hours of D1: likely duplicate
            {**row, "id": "D3", "prepare": dt.datetime(2024, 12, 11, 9), "person": "(b)(6), (b)(7)(c)"},
        ],
        "FY2025": [{**row, "id": "D4", "person": "P2", "prepare": dt.datetime(2025, 3, 14, 9)}],
    }


def march_rows(prepare: dt.datetime):
    row = dict(**HARRIS, person="A1", lift_reason="", prepare=prepare)
    return [
        {**row, "type": "I247A - Immigration Detainer - Notice of Action (as of May 2025)", "lift_reason": DECLINED},
        {**row, "type": "I247A - Immigration Detainer - Immigration Detainer - Notice of Action", "person": "b(6), b(7)(c)",
         "city": "(b)(6)(b)(7)(c)", "prepare": prepare + dt.timedelta(hours=1)},
        {**row, "type": "I-247A", "person": "(b)(6), (b)(7)(c) (b)(7)(e)", "prepare": prepare + dt.timedelta(days=1)},
    ]


def source(name, path, start=None, end=None):
    window = (f"window_start = {start}\n" if start else "") + (f"window_end = {end}\n" if end else "")
    return f'[[source]]\nname = "{name}"\nurl = "{path}"\n{window}\n'


@pytest.fixture(scope="module")
def new_shapes_run(tmp_path_factory):
    """One run of every new shape, each source named and placed only (and given a window, so no
    day is trusted from two of them)."""
    folder = tmp_path_factory.mktemp("shapes")
    files = {
        "icfo": icfo_2025_workbook(folder / "Redacted - FOIA  25-18038_TRAC ERO Detainers_FY24_raw.xlsx", icfo_sheets()),
        "march-fy24": march_2026_workbook(folder / "2026-ICLI-00005_Detainers_FY24_20260311_Redacted.xlsx", "FY2024",
                                          march_rows(dt.datetime(2024, 5, 1, 10)), birth_date=False),
        "march-fy26": march_2026_workbook(folder / "2026-ICLI-00005_Detainers_FY26_20260311_Redacted.xlsx", "FY2026",
                                          march_rows(dt.datetime(2025, 11, 3, 10))),
        "ddp-latest": ddp_latest_parquet(folder / "detainers-latest.parquet",
                                         [dict(**HARRIS, prepare=dt.date(2026, 2, 2), person="U1", lift_reason=DECLINED),
                                          dict(**HARRIS, prepare=dt.date(2026, 2, 2), person="U1")]),
    }
    manifest = folder / "sources.toml"
    manifest.write_text(source("icfo", files["icfo"], "2024-10-01", "2025-03-15")
                        + source("march-fy24", files["march-fy24"], "2023-10-01", "2024-09-30")
                        + source("march-fy26", files["march-fy26"], "2025-10-01", "2025-12-31")
                        + source("ddp-latest", files["ddp-latest"], "2026-01-01"))
    warehouse = folder / "w" / "detainers.duckdb"
    return run_pipeline(plan_run(manifest), warehouse), warehouse


def rows_of(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_each_new_shape_loads_with_the_layout_its_header_shows(new_shapes_run):
    summary, warehouse = new_shapes_run
    assert summary.published and not summary.failed
    assert {o.source: (o.rows_loaded, o.rows_rejected) for o in summary.sources} == {
        "icfo": (4, 0), "march-fy24": (3, 0), "march-fy26": (3, 0), "ddp-latest": (2, 0)}
    assert sorted(rows_of(warehouse, "select source, layout from audit.sources")) == [
        ("ddp-latest", "ddp_processed"), ("icfo", "icfo_2025"), ("march-fy24", "ero_2023"), ("march-fy26", "ero_2023")]
    assert len(summary.notes) == 4 and all("is no known release; read with layout" in n for n in summary.notes)


def test_2025_icfo_18038_has_ids_lift_dates_and_no_state(new_shapes_run):
    _, warehouse = new_shapes_run
    assert rows_of(warehouse, """
        select detainer_id, person_id, lift_date, state_code, facility_code, criminality, sheet, source_row
        from raw.detainers where source = 'icfo' order by detainer_id""") == [
        ("D1", "P1", dt.date(2024, 12, 16), None, "LOSANCA", "1 Convicted Criminal", "FY2024", 4),
        ("D2", "P1", None, None, "LOSANCA", "1 Convicted Criminal", "FY2024", 5),
        ("D3", None, None, None, "LOSANCA", "1 Convicted Criminal", "FY2024", 6),  # a 2025 redaction spelling: unknown
        ("D4", "P2", None, None, "LOSANCA", "1 Convicted Criminal", "FY2025", 4),
    ]
    assert rows_of(warehouse, "select source, detainer_id from staging.stg_detainer_rows where is_likely_duplicate order by 1") == [
        ("ddp-latest", None), ("icfo", "D2")]  # DDP's rows: the same person on the same day
    extra = rows_of(warehouse, "select extra_columns from audit.loads where source = 'icfo'")[0][0]
    assert len(set(ICFO_2025_COLUMNS)) == 139 and "Detainer Lift Reason2" in extra and "Race" in extra


def test_march_2026_reads_the_new_type_and_redaction_spellings(new_shapes_run):
    _, warehouse = new_shapes_run
    assert rows_of(warehouse, """
        select source, detainer_form, person_id, city, state_code, outcome from raw.detainers
        where source like 'march%' order by source, source_row""") == [
        ("march-fy24", "I-247A", "A1", "HOUSTON", "TX", "declined"),
        ("march-fy24", "I-247A", None, None, "TX", "no_outcome_yet"),
        ("march-fy24", "I-247A", None, "HOUSTON", "TX", "no_outcome_yet"),
        ("march-fy26", "I-247A", "A1", "HOUSTON", "TX", "declined"),
        ("march-fy26", "I-247A", None, None, "TX", "no_outcome_yet"),
        ("march-fy26", "I-247A", None, "HOUSTON", "TX", "no_outcome_yet"),
    ]
    assert rows_of(warehouse, "select source, sheets from audit.loads where source like 'march%' order by 1") == [
        ("march-fy24", ["FY2024"]), ("march-fy26", ["FY2026"])]


def test_ddp_latest_under_its_october_2025_names(new_shapes_run):
    _, warehouse = new_shapes_run
    assert rows_of(warehouse, """
        select facility_name, person_id, state_code, outcome from raw.detainers where source = 'ddp-latest' order by source_row""") == [
        ("HARRIS COUNTY JAIL", "U1", "TX", "declined"), ("HARRIS COUNTY JAIL", "U1", "TX", "no_outcome_yet")]
    extra = rows_of(warehouse, "select extra_columns from audit.loads where source = 'ddp-latest'")[0][0]
    assert {"duplicate_likely", "felon", "arrest_time_case_category", "file_original"} <= set(extra)


def read(path, layout):
    info = ReadInfo()
    frames = [to_canonical(b, get_layout(layout)) for b in read_batches(path, get_layout(layout), info)]
    return frames[0], info


def test_ddp_latest_with_its_earlier_names_reads_the_same(tmp_path):
    rows = [dict(**HARRIS, prepare=dt.date(2025, 4, 1), person="A7", lift_reason=DECLINED)]
    older = ddp_latest_parquet(tmp_path / "older.parquet", rows, october_2025=False)
    newer = ddp_latest_parquet(tmp_path / "newer.parquet", rows)
    assert layouts_by_header(older, ReadLimits.of()) == layouts_by_header(newer, ReadLimits.of()) == ["ddp_processed"]
    picked = ["facility_name", "person_id", "criminality", "facility_code", "state_code", "outcome"]
    assert read(older, "ddp_processed")[0].select(picked).rows() == read(newer, "ddp_processed")[0].select(picked).rows() == [
        ("HARRIS COUNTY JAIL", "A7", "1 Convicted Criminal", None, "TX", "declined")]


def test_ddp_historical_takes_each_rows_value_from_the_name_its_release_used(tmp_path):
    path = ddp_historical_parquet(tmp_path / "detainers-historical.parquet", [
        {"prepare_date": day("2016-03-01"), "state": "ILLINOIS", "city": "CHICAGO", "detainer_lift_reason": DECLINED,
         "detainer_aor": "CHI", "_file": "npr/detainersfy16_raw.csv"},  # NPR: no facility (DDP drops it)
        {"prepare_date": day("2019-05-02"), "detention_facility": "LOS ANGELES COUNTY JAIL", "detention_facility_code": "LOSANCA",
         "detainer_id": "D9", "detainer_lift_date": day("2019-05-09"), "detainer_lift_reason": DECLINED, "unique_identifier": "P9",
         "detainer_aor": "LOS", "_file": "2025-ICFO-18038/FY19"},  # 2025-ICFO-18038: no state
        {"prepare_date": day("2025-06-03"), "detainer_facility": "HARRIS COUNTY JAIL", "detainer_facility_code": "HARRTX",
         "facility_state": "TEXAS", "facility_city": "HOUSTON", "facility_aor": "HOU", "unique_identifier": "U3",
         "detainer_type": "I247A - Immigration Detainer - Notice of Action (as of May 2025)", "_file": "March 2026"},
    ])
    assert layouts_by_header(path, ReadLimits.of()) == ["ddp_historical"]
    rows, info = read(path, "ddp_historical")
    assert rows.select("prepare_date", "facility_name", "facility_code", "state_code", "city", "aor", "detainer_id", "lift_date",
                       "person_id", "detainer_form", "outcome").rows() == [
        (day("2016-03-01"), None, None, "IL", "CHICAGO", "CHI", None, None, None, None, "declined"),
        (day("2019-05-02"), "LOS ANGELES COUNTY JAIL", "LOSANCA", None, None, "LOS", "D9", day("2019-05-09"), "P9", None, "declined"),
        (day("2025-06-03"), "HARRIS COUNTY JAIL", "HARRTX", "TX", "HOUSTON", "HOU", None, None, "U3", "I-247A", "no_outcome_yet"),
    ]
    assert {"duplicate_episode_id", "detainer_lift_reason2", "gender", "race", "file_original"} <= set(info.extra_columns)


def test_a_layout_that_does_not_coalesce_refuses_two_spellings_in_one_file(tmp_path):
    rows = [dict(**HARRIS, prepare=dt.date(2025, 4, 1), person="A7")]
    path = ddp_latest_parquet(tmp_path / "both.parquet", rows)
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    pq.write_table(table.append_column("detainer_facility", table["detention_facility"]), path)
    with pytest.raises(LayoutError, match=r"both\.parquet: the header names a column more than once, so which copy holds its "
                                          r"values is unknown: 'detention_facility' is 'detention_facility' \(column \d+\) and "
                                          r"'detainer_facility' \(column \d+\)"):
        read(path, "ddp_processed")


def test_the_lesa_stu_files_are_known_by_their_header(tmp_path):
    path = lesa_csv(tmp_path / "lea-detainers-FY09_raw.txt", [dict(prepare=dt.date(2009, 3, 4), facility="COOK COUNTY JAIL",
                                                                   state="ILLINOIS", city="CHICAGO", lift_reason=DECLINED)])
    assert layouts_by_header(path, ReadLimits.of()) == ["lesa_stu"]
