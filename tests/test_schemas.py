"""The canonical schema rejects bad rows with the column and reason; good rows pass."""

import datetime as dt

import polars as pl
import pytest

from detainers.errors import LayoutError
from detainers.transform.validate import split_valid
from detainers.schemas.layouts import get_layout
from detainers.transform.values import to_canonical
from detainers.transform.validate import check_published

LAYOUT = get_layout("lesa_stu")
GOOD = {"Prepare Date": "10/01/14", "Detainer Type": "I247D - Immigration Detainer - Request for Action",
        "Detainer Detention Facility": "HARRIS COUNTY JAIL", "State": "TEXAS", "City": "HOUSTON",
        "Detainer Lift Reason": "Detainer Declined by LEA"}


def published(*changes: dict) -> pl.DataFrame:
    rows = [{**GOOD, **change} for change in changes]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in GOOD})
    return frame.with_columns(pl.lit("").alias("_sheet"), pl.int_range(2, 2 + len(rows), dtype=pl.Int64).alias("_row"))


def reasons_of(*changes: dict) -> list[tuple[str, str]]:
    valid, reasons = split_valid(to_canonical(published(*changes), LAYOUT))
    return list(zip(reasons["column"], reasons["check"]))


def test_a_good_row_passes_in_canonical_form():
    valid, reasons = split_valid(to_canonical(published({}), LAYOUT))
    assert reasons.height == 0
    row = valid.row(0, named=True)
    assert (row["prepare_date"], row["state_code"], row["detainer_form"], row["outcome"]) == (
        dt.date(2014, 10, 1), "TX", "I-247D", "declined")
    assert row["facility_is_placeholder"] is False


@pytest.mark.parametrize("change, column, reason", [
    ({"State": "ATLANTIS"}, "state", "unknown state name"),
    ({"Detainer Lift Reason": "Vanished"}, "lift_reason", "unknown lift reason"),
    ({"Detainer Type": "Form 42"}, "detainer_type", "unknown detainer type"),
    ({"Prepare Date": "31/31/15"}, "prepare_date", "prepare date is blank or not a date in the layout's formats"),
    ({"Prepare Date": ""}, "prepare_date", "prepare date is blank or not a date in the layout's formats"),
    ({"Prepare Date": "01/01/1999"}, "prepare_date", "prepare date is before 2003-03-01"),
    ({"Prepare Date": "01/01/2099"}, "prepare_date", "prepare date is in the future"),
])
def test_bad_rows_are_rejected_with_column_and_reason(change, column, reason):
    assert reasons_of({}, change) == [(column, reason)]


def test_a_row_failing_two_checks_is_rejected_once_with_both_reasons():
    valid, reasons = split_valid(to_canonical(published({"State": "ATLANTIS", "Detainer Lift Reason": "Vanished"}), LAYOUT))
    assert valid.height == 0 and reasons.height == 1
    assert set(reasons["column"][0].split("; ")) == {"state", "lift_reason"}


def test_redacted_and_blank_values_are_unknown_not_rejected():
    valid, reasons = split_valid(to_canonical(published({"State": "b(6), b(7)c", "Detainer Detention Facility": ""}), LAYOUT))
    assert reasons.height == 0
    assert valid["state_code"][0] is None and valid["facility_is_placeholder"][0] is True


def test_the_published_model_names_a_missing_column():
    frame = published({}).drop("State")
    with pytest.raises(LayoutError, match="State"):
        check_published(frame, LAYOUT, "extract.csv")
