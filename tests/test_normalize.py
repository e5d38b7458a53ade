"""Each normalization, on plain polars values."""

import datetime as dt

import polars as pl
import pytest

from detainers.transform import normalize


def apply(expr, values, dtype=pl.String):
    return pl.DataFrame({"v": pl.Series(values, dtype=dtype)}).select(expr(pl.col("v")).alias("v"))["v"].to_list()


def test_state_names_and_codes_become_two_letter_codes():
    names = ["CALIFORNIA", "texas", "DISTRICT OF COLUMBIA", "PUERTO RICO", "GUAM", "VIRGIN ISLANDS",
             "NORTHERN MARIANA ISLANDS", "AMERICAN SAMOA", "ny", "ATLANTIS", None]
    assert apply(normalize.state_code, names) == ["CA", "TX", "DC", "PR", "GU", "VI", "MP", "AS", "NY", None, None]


def test_every_state_of_the_bundled_extract_is_known():
    from detainers.schemas.reference import state_codes

    assert len({code for code in state_codes().values()}) == 56  # 50 states, DC, 5 territories


@pytest.mark.parametrize("published, form", [
    ("I247 - Immigration Detainer - Notice of Action (as of March 2013)", "I-247"),
    ("I247 - Immigration Detainer - Notice of Action (prior to March 2013)", "I-247"),
    ("I247D - Immigration Detainer - Request for Action", "I-247D"),
    ("I247N - Immigration Advisal - Request for Notification", "I-247N"),
    ("I-247A", "I-247A"),
    ("i-247x", "I-247X"),
    ("Form 42 - Something else", None),
])
def test_detainer_type_becomes_its_form(published, form):
    assert apply(normalize.detainer_form, [published]) == [form]


def test_lift_reasons_become_outcomes():
    reasons = ["Detainer Declined by LEA", "Booked into Detention", "Lifted", "Case Closed", None, "Made Up"]
    assert apply(normalize.outcome, reasons) == [
        "declined", "booked_into_detention", "other_lift", "other_lift", "no_outcome_yet", None,
    ]


def test_facility_names_are_normalized_and_placeholders_marked():
    names = apply(normalize.facility_name, ["JEFFERSON COUNTY JAIL    .", "us marshals  sdtx", "  ", None, "OTHER-OTHER FACILITY"])
    assert names == ["JEFFERSON COUNTY JAIL", "US MARSHALS SDTX", None, None, "OTHER-OTHER FACILITY"]
    assert apply(normalize.is_placeholder, names) == [False, False, True, True, True]


def test_blanks_and_redaction_markers_become_unknown():
    markers = ("b(6), b(7)c", "b(6), b(7)C")
    cleaned = apply(lambda c: normalize.clean_text(c, markers), [" x ", "", "b(6), b(7)C", "B(6), B(7)C", "b(6)"])
    assert cleaned == ["x", None, None, None, "b(6)"]


def test_text_dates_parse_with_the_layout_formats():
    formats = ("%m/%d/%y", "%Y-%m-%d")
    parsed = apply(lambda c: normalize.parse_date(c, pl.String, formats), ["10/01/14", "2015-07-19", "13/45/15", ""])
    assert parsed == [dt.date(2014, 10, 1), dt.date(2015, 7, 19), None, None]


def test_spreadsheet_dates_pass_through():
    days = [dt.date(2015, 1, 2)]
    assert apply(lambda c: normalize.parse_date(c, pl.Date, ()), days, pl.Date) == days
