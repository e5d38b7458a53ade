"""Every known layout reads a small extract in its exact published shape onto the canonical
row; a manifest entry can map a new file's columns with no code."""

import datetime as dt

import polars as pl
import pytest

from detainers.errors import ManifestError
from detainers.extract.manifest import load_manifest
from detainers.transform.validate import split_valid
from detainers.schemas.layouts import Layout, get_layout
from detainers.transform.values import to_canonical
from detainers.transform.validate import check_published
from detainers.transform.info import ReadInfo
from detainers.transform.read import read_batches
from tests.published_shapes import REDACTED, ero_workbook, icfo_workbook, lesa_csv


def canonical(path, layout):
    info = ReadInfo()
    frames = []
    for batch in read_batches(path, layout, info):
        check_published(batch, layout, path.name)
        valid, reasons = split_valid(to_canonical(batch, layout))
        assert reasons.height == 0, reasons
        frames.append(valid)
    return pl.concat(frames), info


ERO_ROW = dict(prepare=dt.datetime(2023, 10, 2, 9, 30), state="TX", facility="HARRIS COUNTY JAIL", city="HOUSTON",
               lift_reason="Detainer Declined by LEA", person="A1", code="HARRTX", aor="Houston Area of Responsibility")


@pytest.mark.parametrize("birth_date", [True, False], ids=["with-birth-date", "fy2023-fy2024-without"])
def test_ero_2023_reads_preamble_and_several_sheets(tmp_path, birth_date):
    path = ero_workbook(tmp_path / "ero.xlsx", {
        "Detainers FY2024": [ERO_ROW, {**ERO_ROW, "person": REDACTED, "lift_reason": "", "type": "I-247D"}],
        "Detainers FY2025": [{**ERO_ROW, "prepare": dt.datetime(2024, 11, 5), "state": "TEXAS", "person": "B2"}],
    }, birth_date=birth_date)
    rows, info = canonical(path, get_layout("ero_2023"))
    assert info.sheets == ["Detainers FY2024", "Detainers FY2025"]
    assert rows["source_row"].to_list() == [8, 9, 8]  # data starts under the header on row 7
    assert rows["prepare_date"].to_list() == [dt.date(2023, 10, 2), dt.date(2023, 10, 2), dt.date(2024, 11, 5)]
    assert rows["prepared_at"][0] == dt.datetime(2023, 10, 2, 9, 30)
    assert rows["person_id"].to_list() == ["A1", None, "B2"]  # a redaction is unknown, not a value
    assert rows["state_code"].to_list() == ["TX", "TX", "TX"]
    assert rows["detainer_form"].to_list() == ["I-247A", "I-247D", "I-247A"]
    assert rows["outcome"].to_list() == ["declined", "no_outcome_yet", "declined"]
    assert set(rows["facility_code"]) == {"HARRTX"} and set(rows["criminality"]) == {"1 Convicted Criminal"}
    assert set(rows["citizenship_country"]) == {"MEXICO"} and rows["lift_date"].null_count() == 3


def test_ero_2023_early_names_read_with_their_own_layout(tmp_path):
    path = ero_workbook(tmp_path / "early.xlsx", {"Sheet1": [ERO_ROW]}, early=True)
    rows, _ = canonical(path, get_layout("ero_2023_early"))
    assert rows.select("person_id", "facility_name", "facility_code", "criminality").row(0) == (
        "A1", "HARRIS COUNTY JAIL", "HARRTX", "1 Convicted Criminal")


def test_icfo_2025_has_detainer_id_and_lift_date(tmp_path):
    row = dict(id="D1", prepare=dt.datetime(2017, 6, 20, 8), facility="LOS ANGELES COUNTY JAIL", city="LOS ANGELES",
               state="CALIFORNIA", person="P1", lift_date=dt.datetime(2017, 6, 21, 10), lift_reason="Detainer Declined by LEA")
    path = icfo_workbook(tmp_path / "icfo.xlsx", {"FY2017": [row], "FY2018": [{**row, "id": "D2", "lift_date": "", "lift_reason": ""}]})
    rows, info = canonical(path, get_layout("icfo_2025"))
    assert len(info.sheets) == 2
    assert rows.select("detainer_id", "person_id", "lift_date", "state_code").rows() == [
        ("D1", "P1", dt.date(2017, 6, 21), "CA"), ("D2", "P1", None, "CA")]


@pytest.mark.parametrize("preamble", [[], [["FOIA 2025-ICFO-18038"]], [["a"], ["b"], [], ["c"], [], [], ["d"]]])
def test_icfo_2025_finds_its_header_after_a_preamble_of_any_short_length(tmp_path, preamble):
    row = dict(id="D1", prepare=dt.datetime(2017, 6, 20, 8), facility="LOS ANGELES COUNTY JAIL", city="LOS ANGELES",
               state="CALIFORNIA", person="P1", lift_date="", lift_reason="")
    path = icfo_workbook(tmp_path / "icfo.xlsx", {"FY2017": [row, {**row, "id": "D2"}]}, preamble=preamble)
    rows, _ = canonical(path, get_layout("icfo_2025"))
    assert rows.select("detainer_id", "sheet", "source_row").rows() == [
        ("D1", "FY2017", len(preamble) + 2), ("D2", "FY2017", len(preamble) + 3)]


def test_lesa_stu_csv_with_two_digit_years(tmp_path):
    row = dict(prepare=dt.date(2009, 3, 4), facility="COOK COUNTY JAIL", state="ILLINOIS", city="CHICAGO",
               lift_reason="Detainer Declined by LEA")
    path = lesa_csv(tmp_path / "fy2009.csv", [row, row, {**row, "facility": REDACTED}])
    rows, info = canonical(path, get_layout("lesa_stu"))
    assert info.file_format == "csv"
    assert rows["prepare_date"].to_list() == [dt.date(2009, 3, 4)] * 3
    assert rows["facility_is_placeholder"].to_list() == [False, False, True]
    assert rows["prepared_at"].null_count() == 3  # a date without a time says no time


def test_a_layout_must_map_onto_known_canonical_fields():
    with pytest.raises(ValueError, match="unknown canonical field"):
        Layout(name="x", description="", columns={"Date": "prepare_date", "Agency": "agency"})
    with pytest.raises(ValueError, match="prepare_date"):
        Layout(name="x", description="", columns={"State": "state"})
    with pytest.raises(ValueError, match="duplicate_rule"):
        Layout(name="x", description="", columns={"Date": "prepare_date"}, duplicate_rule="same_name")


MAPPED = """
[[source]]
name = "journalist-2016"
url = "clean.csv"
layout = "lesa_stu"
window_start = 2016-01-01
[source.columns]
"date_prepared" = "prepare_date"
"agency" = "facility"
"st" = "state"
"outcome" = "lift_reason"
[source.layout_options]
date_formats = ["%Y-%m-%d"]
"""


def test_a_manifest_entry_maps_its_own_columns(tmp_path):
    (tmp_path / "sources.toml").write_text(MAPPED)
    (source,) = load_manifest(tmp_path / "sources.toml").sources
    layout = source.resolved_layout()
    assert layout.columns["agency"] == "facility" and layout.date_formats == ("%Y-%m-%d",)
    assert layout.redaction_markers == get_layout("lesa_stu").redaction_markers  # the rest from the base
    assert source.layout_name.startswith("lesa_stu+")
    (tmp_path / "clean.csv").write_text("date_prepared,agency,st,outcome\n2016-02-01,Travis County Jail,TX,Detainer Declined by LEA\n")
    rows, _ = canonical(tmp_path / "clean.csv", layout)
    assert rows.select("prepare_date", "facility_name", "state_code", "outcome").row(0) == (
        dt.date(2016, 2, 1), "TRAVIS COUNTY JAIL", "TX", "declined")


@pytest.mark.parametrize("change, message", [
    (('"st" = "state"', '"st" = "province"'), "unknown canonical field"),
    (("date_formats", "date_format"), "unknown layout option"),
    (('"date_prepared" = "prepare_date"', '"date_prepared" = "city"'), "prepare_date"),
])
def test_a_bad_manifest_mapping_is_named(tmp_path, change, message):
    (tmp_path / "sources.toml").write_text(MAPPED.replace(*change))
    with pytest.raises(ManifestError, match=message) as raised:
        load_manifest(tmp_path / "sources.toml")
    assert "journalist-2016" in str(raised.value)
