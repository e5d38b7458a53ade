"""Every known public release as people hold it (issue 16): files made in the shapes
RELEASES.md and LAYOUTS.md describe (the NPR family's tab-delimited .csv with many columns and
other header spellings, its comma .txt, CRLF and CR line ends, DDP's processed Parquet with
typed dates), a file known by its bytes alone, a file that names a release but differs, the
catalog as `detainers releases --json` prints it, and a seam between two releases that
disagree."""

import csv
import datetime as dt
import io
import json
import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from detainers.cli import app
from detainers.errors import LayoutError
from detainers.pipeline import plan_run, run_pipeline
from detainers.transform.info import ReadInfo
from detainers.transform.read import read_batches
from detainers.transform.values import to_canonical
from detainers.schemas.layouts import get_layout
from detainers.schemas.reference import releases
from tests.conftest import BUNDLED_EXTRACT, ROOT

DECLINED = "Detainer Declined by LEA"
BUNDLED_RELEASE = "foia-15-87693-fy15ytd-xlsx"
# The NPR family's raw files hold the LESA-STU fields among many more columns (DDP's cleaned
# names show Prepare_Date, Detainer_Detention_Facility, Area_Of_Responsibility,
# Detainer_Lift_Reason_2_Code, Osc_Served_Yes_No, Osc_Served_Date); their exact spelling is not
# known, so they are written here in capitals with underscores, in another order.
NPR_HEADER = ["DETAINER_ID", "PREPARE_DATE", "AREA_OF_RESPONSIBILITY", "DETAINER_TYPE", "DETAINER_DETENTION_FACILITY",
              "CITY", "STATE", "DETAINER_LIFT_REASON", "DETAINER_LIFT_REASON_2_CODE", "OSC_SERVED_YES_NO", "OSC_SERVED_DATE"]
NPR_ROWS = [
    ["1", "10/01/13", "CHI", "I247 - Immigration Detainer - Notice of Action (as of March 2013)", "COOK COUNTY JAIL",
     "CHICAGO", "ILLINOIS", DECLINED, "DDL", "N", ""],
    ["2", "10/02/13", "CHI", "I247 - Immigration Detainer - Notice of Action (as of March 2013)", "COOK COUNTY JAIL",
     "CHICAGO", "ILLINOIS", "", "", "Y", "10/03/13"],
    ["3", "10/02/13", "LOS", "I247 - Immigration Detainer - Notice of Action (as of March 2013)", "LOS ANGELES COUNTY JAIL",
     "LOS ANGELES", "CALIFORNIA", "Booked into Detention", "BID", "N", ""],
]


def write_text(path, header, rows, sep, line_end):
    """Delimited text as a spreadsheet program writes it: fields holding the delimiter quoted."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=line_end).writerows([header, *rows])
    path.write_bytes(out.getvalue().encode())
    return path


def read(path, layout="lesa_stu"):
    info = ReadInfo()
    frames = [to_canonical(batch, get_layout(layout)) for batch in read_batches(path, get_layout(layout), info)]
    return frames, info


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr-only"])
def test_npr_tab_delimited_csv_with_many_columns_loads_as_lesa_stu(tmp_path, line_end):
    path = write_text(tmp_path / "detainersfy14_raw.csv", NPR_HEADER, NPR_ROWS, "\t", line_end)
    (rows,), info = read(path)
    assert info.delimiter == "\t"
    assert info.extra_columns == ["AREA_OF_RESPONSIBILITY", "DETAINER_ID", "DETAINER_LIFT_REASON_2_CODE",
                                  "OSC_SERVED_DATE", "OSC_SERVED_YES_NO"]
    assert rows.select("source_row", "prepare_date", "facility_name", "state_code", "city", "outcome").rows() == [
        (2, dt.date(2013, 10, 1), "COOK COUNTY JAIL", "IL", "CHICAGO", "declined"),
        (3, dt.date(2013, 10, 2), "COOK COUNTY JAIL", "IL", "CHICAGO", "no_outcome_yet"),
        (4, dt.date(2013, 10, 2), "LOS ANGELES COUNTY JAIL", "CA", "LOS ANGELES", "booked_into_detention"),
    ]


def test_mixed_line_ends_are_read_as_lines(tmp_path):
    lines = ["Prepare Date,Detainer Type,Detainer Detention Facility,State,City,Detainer Lift Reason",
             *[",".join([r[1], r[3], r[4], r[6], r[5], r[7]]) for r in NPR_ROWS]]
    path = tmp_path / "mixed.txt"
    path.write_bytes((lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n" + lines[3] + "\r").encode())
    (rows,), info = read(path)
    assert info.delimiter == "," and rows["source_row"].to_list() == [2, 3, 4]
    assert rows["city"].to_list() == ["CHICAGO", "CHICAGO", "LOS ANGELES"]  # no CR left in the last field


@pytest.mark.parametrize("sep", [",", ";", "|"])
def test_the_delimiter_is_detected_from_the_header_line(tmp_path, sep):
    header = ["Prepare_Date", "detainer type", "Detainer Detention Facility", "state", "CITY", "Detainer_Lift_Reason"]
    row = ["10/01/13", "I247D - Immigration Detainer - Request for Action", "DAUPHIN CNTY JAIL, PA", "PENNSYLVANIA",
           "HARRISBURG", DECLINED]
    path = write_text(tmp_path / "lea-detainers-FY13_14_raw.txt", header, [row], sep, "\n")
    (rows,), info = read(path)
    assert info.delimiter == sep and info.extra_columns == []
    assert rows.select("facility_name", "state_code", "outcome").row(0) == ("DAUPHIN CNTY JAIL, PA", "PA", "declined")


def test_a_field_named_twice_in_two_spellings_is_refused_naming_both(tmp_path):
    header = ["Prepare Date", "Detainer Type", "Detainer Detention Facility", "State", "City", "Detainer Lift Reason",
              "DETAINER_LIFT_REASON"]
    path = write_text(tmp_path / "twice.csv", header, [["10/01/13", "", "X", "TEXAS", "", "", DECLINED]], "\t", "\n")
    with pytest.raises(LayoutError, match=r"twice\.csv: the header names a column more than once.*'Detainer Lift Reason' is "
                                          r"'Detainer Lift Reason' \(column 6\) and 'DETAINER_LIFT_REASON' \(column 7\)"):
        read(path)


def ddp_parquet(path, prepare, **extra):
    """DDP's processed output: snake_case columns, redactions already null, typed dates, and
    DDP's own provenance columns."""
    n = len(prepare)
    table = pa.table({
        "detainer_prepare_date": prepare,
        "facility_state": pa.array(["TEXAS", "TX", None][:n]),
        "facility_aor": pa.array(["Houston Area of Responsibility"] * n),
        "detainer_facility": pa.array(["HARRIS COUNTY JAIL", "HARRIS COUNTY JAIL", "MONTGOMERY COUNTY JAIL"][:n]),
        "facility_city": pa.array(["HOUSTON", None, "CONROE"][:n]),
        "detainer_lift_reason": pa.array([DECLINED, None, "Prosecutorial Discretion"][:n]),
        "detainer_type": pa.array(["I-247A"] * n),
        "anonymized_identifier": pa.array(["A1", None, "A3"][:n]),
        "file_original": pa.array(["ERO Detainers_LESA-STU_FINAL Release_raw.xlsx"] * n),
        "sheet_original": pa.array(["Sheet1"] * n),
        "row_original": pa.array(list(range(8, 8 + n)), pa.int64()),
        **extra,
    })
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("prepare", [
    pa.array([dt.date(2025, 4, 1), dt.date(2025, 4, 2), dt.date(2025, 4, 2)], pa.date32()),
    pa.array([dt.datetime(2025, 4, 1, 9, 30), dt.datetime(2025, 4, 2, 0, 0), dt.datetime(2025, 4, 2, 23, 59)], pa.timestamp("us")),
], ids=["date", "timestamp"])
def test_ddp_processed_parquet_takes_typed_dates_as_they_are(tmp_path, prepare):
    path = ddp_parquet(tmp_path / "detainers-latest.parquet", prepare)
    (rows,), info = read(path, "ddp_processed")
    assert info.file_format == "parquet" and info.delimiter is None
    assert info.extra_columns == ["file_original", "row_original", "sheet_original"]
    assert rows.select("source_row", "prepare_date", "state_code", "facility_name", "person_id", "outcome").rows() == [
        (1, dt.date(2025, 4, 1), "TX", "HARRIS COUNTY JAIL", "A1", "declined"),
        (2, dt.date(2025, 4, 2), "TX", "HARRIS COUNTY JAIL", None, "no_outcome_yet"),
        (3, dt.date(2025, 4, 2), None, "MONTGOMERY COUNTY JAIL", "A3", "other_lift"),
    ]
    if pa.types.is_timestamp(prepare.type):
        assert rows["prepared_at"][0] == dt.datetime(2025, 4, 1, 9, 30)


def test_parquet_text_goes_through_validation_and_rejects(tmp_path):
    """A text date that does not parse, an unknown state and a lift reason nobody publishes
    are quarantined as in a CSV: the Parquet reader hands text over unchanged."""
    path = ddp_parquet(tmp_path / "d.parquet", pa.array(["2025-04-01", "not a date", "2025-04-03"]),
                       facility_state=pa.array(["TEXAS", "TX", "ATLANTIS"]))
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "ddp"\nurl = "{path}"\nlayout = "ddp_processed"\nreject_stop_share = 0.9\n'
                        'reject_warn_share = 0.9\n')
    summary = run_pipeline(plan_run(manifest), tmp_path / "w" / "detainers.duckdb")
    (outcome,) = summary.sources
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (3, 1, 2)
    with duckdb.connect(str(tmp_path / "w" / "detainers.duckdb"), read_only=True) as con:
        assert con.execute('select source_row, "column" from audit.rejects order by 1').fetchall() == [
            (2, "prepare_date"), (3, "state")]
        assert con.execute("select file_format, delimiter from audit.loads").fetchall() == [("parquet", None)]


def test_a_parquet_file_whose_footer_declares_too_much_is_refused(tmp_path):
    path = ddp_parquet(tmp_path / "d.parquet", pa.array([dt.date(2025, 4, 1)] * 3, pa.date32()))
    from detainers.transform.limits import ReadLimits
    small = ReadLimits(max_unpacked_bytes=100, max_compression_ratio=100, max_sheet_cells=1, max_blank_rows=10)
    with pytest.raises(LayoutError, match=r"d\.parquet: its row groups unpack to [\d,]+ bytes, over the limit of 100 "
                                          r"\(max_unpacked_bytes\)"):
        list(read_batches(path, get_layout("ddp_processed"), ReadInfo(), limits=small))


def test_a_file_known_by_its_bytes_needs_only_a_name_and_url(tmp_path):
    copy = shutil.copyfile(BUNDLED_EXTRACT, tmp_path / "downloaded-from-npr.xlsx")
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "fy2015"\nurl = "{copy}"\n')
    warehouse = tmp_path / "w" / "detainers.duckdb"
    summary = run_pipeline(plan_run(manifest), warehouse)
    assert summary.published and summary.sources[0].rows_loaded == 79_053
    assert summary.notes == [f"source fy2015: recognized release {BUNDLED_RELEASE} "
                             "(rif-FOIA 15-87693 _07262015_LESA-STU_FINAL FY15YTD.xlsx) by its sha256"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select layout, release, window_start, window_end, extracted_on from audit.sources").fetchall() == [
            ("lesa_stu", BUNDLED_RELEASE, dt.date(2014, 10, 1), dt.date(2015, 7, 19), dt.date(2015, 7, 26))]
    assert summary.headline["declined_detainers"] == 5_501 and summary.headline["detainers_issued"] == 79_053
    again = run_pipeline(plan_run(manifest), warehouse)  # recognized again, nothing changed
    assert not again.published and again.sources[0].load == "skipped_unchanged"


def test_a_file_that_names_a_release_but_differs_is_said_so(tmp_path):
    other = write_text(tmp_path / "fy15.csv", ["Prepare Date", "Detainer Type", "Detainer Detention Facility", "State", "City",
                                               "Detainer Lift Reason"], [["10/01/14", "", "COOK COUNTY JAIL", "ILLINOIS", "", ""]],
                       ",", "\n")
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "fy2015"\nurl = "{other}"\nrelease = "{BUNDLED_RELEASE}"\n')
    summary = run_pipeline(plan_run(manifest), tmp_path / "w" / "detainers.duckdb")
    (outcome,) = summary.sources
    # issue 26: the bytes are checked as they land, so the fetch fails (it was the load), naming the file
    assert outcome.fetch == "failed" and outcome.rows_loaded == 0
    assert outcome.error.startswith(f"source fy2015: {other} is not release {BUNDLED_RELEASE}: its sha256 is ")
    assert "\n" not in outcome.error and "or set `layout` in the entry to load these bytes as they are" in outcome.error
    assert not list((tmp_path / "w" / "landing").glob("*.csv")), "nothing of it landed"
    manifest.write_text(manifest.read_text() + 'layout = "lesa_stu"\n')  # its own layout: it loads, and is told
    summary = run_pipeline(plan_run(manifest), tmp_path / "w" / "detainers.duckdb")
    assert summary.sources[0].rows_loaded == 1 and not summary.failed
    assert any("but its file is other bytes" in note for note in summary.notes)


def test_an_unknown_file_without_a_layout_fails_alone(tmp_path):
    """(Issue 26: such a file is first read with the layout its header shows; this one's header
    is no layout's, so it still fails alone, now saying so.)"""
    other = write_text(tmp_path / "x.csv", ["a"], [["1"]], ",", "\n")
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "x"\nurl = "{other}"\n\n[[source]]\nname = "fy2015"\n'
                        f'url = "{shutil.copyfile(BUNDLED_EXTRACT, tmp_path / "b.xlsx")}"\n')
    summary = run_pipeline(plan_run(manifest), tmp_path / "w" / "detainers.duckdb")
    assert summary.published and [o.source for o in summary.failed] == ["x"]
    assert summary.failed[0].error.startswith("source x: x.csv is no known release (`detainers releases` lists them) and has "
                                              "the header of no layout (")
    assert summary.failed[0].error.endswith("nothing of it was loaded: set `layout` in its manifest entry, and map its columns "
                                            "with `columns` if they are named otherwise")


def test_two_sources_holding_the_same_records_fail_the_later(tmp_path):
    manifest = tmp_path / "sources.toml"
    manifest.write_text("".join(f'[[source]]\nname = "{n}"\nurl = "{shutil.copyfile(BUNDLED_EXTRACT, tmp_path / (n + ".xlsx"))}"\n'
                                for n in ("a", "b")))
    summary = run_pipeline(plan_run(manifest), tmp_path / "w" / "detainers.duckdb")
    assert summary.published and summary.sources[0].rows_loaded == 79_053
    assert summary.failed[0].error == (f"source b: release {BUNDLED_RELEASE} holds the same records as release {BUNDLED_RELEASE} "
                                       "of source a: hold one of them, or give each its own window_start and window_end")


def test_the_catalog_holds_one_trusted_source_per_day(tmp_path):
    """In a stitched history no day is trusted from two releases, but where one holds the
    other's records (it names it in `same_records_as`) or both stand in for the same release:
    load one of them. (Issue 26: `same_records_as` may name several releases, so the rule reads
    it as a list; the releases that name none tile the history without a shared day.)"""
    known = list(releases().values())
    for release in known:
        assert set(release.stands_in_for) <= set(releases()) - {release.id}, release.id
    for i, a in enumerate(known):
        for b in known[i + 1:]:
            if a.id in b.stands_in_for or b.id in a.stands_in_for or set(a.stands_in_for) & set(b.stands_in_for):
                continue
            end_a, end_b = a.window_end or dt.date.max, b.window_end or dt.date.max
            assert a.window_start > end_b or b.window_start > end_a, (a.id, b.id)
    assert {r.layout for r in known} <= {"lesa_stu", "icfo_2025", "ero_2023", "ddp_processed", "ddp_historical", "npr_stack"}
    assert releases()[BUNDLED_RELEASE].sha256 == "d6352d3b597a8168c2dd68140e3b9266737756478394beb19695911658cdab06"


def test_releases_json_lists_every_release_and_what_the_warehouse_holds(bundled_run):
    warehouse, _ = bundled_run
    result = CliRunner().invoke(app, ["releases", "--json", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [r["id"] for r in listed] == list(releases())
    assert {"id", "file", "publisher", "url", "sha256", "bytes", "window_start", "window_end", "layout", "held"} <= set(listed[0])
    by_id = {r["id"]: r for r in listed}
    assert (by_id[BUNDLED_RELEASE]["held"], by_id[BUNDLED_RELEASE]["rows"], by_id[BUNDLED_RELEASE]["oig_window_days"]) == (
        True, 79_053, 292)
    assert not any(r["held"] for r in listed if r["id"] != BUNDLED_RELEASE)
    assert by_id["npr-detainers-fy14-csv"]["oig_window_days"] == 273  # 2014-01-01 .. 2014-09-30
    assert by_id["icfo-25-18038-fy18-xlsx"]["has_lift_dates"] is True
    text = CliRunner().invoke(app, ["releases", "--warehouse", str(warehouse)])
    # issue 26: the catalog has grown from 15 to 33 files
    assert "holds 1 of 33 known releases, trusted for 292 of the 1,247 days" in " ".join(text.output.split())
    # COLUMNS is the terminal's width in a pipe too, as for `report`: every line fits, no id is cut
    narrow = CliRunner().invoke(app, ["releases", "--warehouse", str(warehouse)], env={"COLUMNS": "80"}).output
    assert max(len(line) for line in narrow.splitlines()) <= 80 and "…-" not in narrow
    assert all(f" {release_id} " in narrow for release_id in releases())


def test_an_overlap_that_disagrees_is_one_line_in_the_report(tmp_path):
    """The bundled national release and a state's own file for October 2014, trusted only
    before (no cell is trusted twice): the seam shows, and their counts of IL differ."""
    header = ["Prepare Date", "Detainer Type", "Detainer Detention Facility", "State", "City", "Detainer Lift Reason"]
    row = ["10/01/14", "", "COOK COUNTY JAIL", "ILLINOIS", "CHICAGO", DECLINED]
    state_file = write_text(tmp_path / "il.csv", header, [row] * 40 + [[*row[:5], ""]] * 2, ",", "\r\n")
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "national"\nurl = "{BUNDLED_EXTRACT}"\nrelease = "{BUNDLED_RELEASE}"\n\n'
                        f'[[source]]\nname = "illinois"\nurl = "{state_file}"\nlayout = "lesa_stu"\nstates = ["IL"]\n'
                        'window_end = 2014-09-30\n')
    warehouse = tmp_path / "w" / "detainers.duckdb"
    assert run_pipeline(plan_run(manifest), warehouse).published
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (overlap,) = con.execute("select * from marts.source_overlaps").fetchall()
        national_il = con.execute("""select count(*) from raw.detainers where source = 'national' and state_code = 'IL'
                                     and prepare_date = date '2014-10-01'""").fetchone()[0]
        declined_il = con.execute("""select count(*) from raw.detainers where source = 'national' and state_code = 'IL'
                                     and prepare_date = date '2014-10-01' and outcome = 'declined'""").fetchone()[0]
    assert overlap == ("illinois", "national", "IL", dt.date(2014, 10, 1), 42, 40, national_il, declined_il)
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("seam:")]
    assert line.startswith("seam: illinois and national both hold 2014-10 .. 2014-10; their counts differ by more than 1% "
                           "in 1 of 1 state-months (the most: IL 2014-10, 42 against ")
    page = (ROOT / "docs" / "releases-and-layouts.md").read_text("utf-8")
    assert f"<!-- checked: seam -->\n```\n{line}\n```" in page, "docs/releases-and-layouts.md quotes this line as it is"
