"""A corpus of bad inputs. Each ends either in a clear error that names the file (and the
sheet, row or column where that applies) with nothing loaded, or in its bad rows quarantined
in audit.rejects with the column, the reason and the values as published, while the good
rows load. Plain functions (fetch, load_landed) on a DuckDB file in tmp_path: no Prefect.
"""

from __future__ import annotations

import json
import os
import zipfile

import duckdb
import pytest

from detainers.errors import DetainersError, FetchError, LayoutError, ManifestError, RejectThresholdError
from detainers.extract.fetch import fetch
from detainers.warehouse.database import connect
from detainers.pipeline import load_landed
from detainers.extract.manifest import Source, load_manifest
from detainers.schemas.layouts import get_layout
from detainers.transform.info import ReadInfo
from detainers.transform.read import read_batches
from tests.badfiles import GOOD, HEADER, OLE2, good_rows, row, set_error_cell, write_csv, write_xlsx

LAYOUT = get_layout("lesa_stu")


def land_and_load(tmp_path, path, **source):
    """Fetch a local file as source `bad` and load it into tmp_path/w.duckdb."""
    spec = Source(name=source.pop("name", "bad"), url=str(path), layout="lesa_stu", **source)
    landed = fetch(spec.name, spec.url, tmp_path / "landing", LAYOUT.formats)
    con = connect(tmp_path / "w.duckdb")
    try:
        return load_landed(con, spec, landed, "run-test")
    finally:
        con.close()


def query(tmp_path, sql):
    path = tmp_path / "w.duckdb"
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


# ---- bad files that must end in a clear error, nothing loaded --------------------------

def _missing_column(p):
    return write_xlsx(p / "missing.xlsx", [[h for h in HEADER if h != "State"], GOOD[:3] + GOOD[4:]])


def _renamed_column(p):
    return write_csv(p / "renamed.csv", [[*HEADER[:5], "Lift Reason"], GOOD])


def _header_on_row_3_xlsx(p):
    return write_xlsx(p / "preamble.xlsx", [["ICE ERO LESA-STU"], ["FOIA 15-87693"], HEADER, GOOD])


def _header_on_row_3_csv(p):
    return write_csv(p / "preamble.csv", [["Detainers FY2015"], [""], HEADER, GOOD])


def _empty_sheet(p):
    return write_xlsx(p / "empty-sheet.xlsx", [])


def _header_only(p):
    return write_csv(p / "header-only.csv", [HEADER])


def _empty_file(p):
    (p / "empty.csv").write_bytes(b"")
    return p / "empty.csv"


def _truncated_xlsx(p):
    whole = write_xlsx(p / "whole.xlsx", [HEADER, *good_rows(50)]).read_bytes()
    (p / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    return p / "truncated.xlsx"


def _corrupt_xlsx(p):
    (p / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 20)
    return p / "corrupt.xlsx"


def _zip_without_workbook(p):
    with zipfile.ZipFile(p / "notabook.xlsx", "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return p / "notabook.xlsx"


def _password_protected(p):
    (p / "locked.xlsx").write_bytes(OLE2 + b"\x00" * 4096)
    return p / "locked.xlsx"


def _html_named_xlsx(p):
    (p / "login.xlsx").write_text("<!DOCTYPE html><html><body>Sign in</body></html>")
    return p / "login.xlsx"


def _ragged_long_row(p):
    return write_csv(p / "ragged.csv", [HEADER, GOOD, [*GOOD, "surplus", "fields"]])


def _unbalanced_quote(p):
    path = write_csv(p / "quote.csv", [HEADER, GOOD])
    path.write_text(path.read_text() + '10/01/14,"I247D,X,TEXAS,HOUSTON,Detainer Declined by LEA\n')
    return path


def _bad_second_sheet(p):
    return write_xlsx(p / "two-sheets.xlsx", [], sheets={"FY15": [HEADER, GOOD], "FY14": [HEADER[:-1], GOOD[:-1]]})


def _missing_path(p):
    return p / "nowhere" / "fy2015.xlsx"


def _named_pipe(p):  # would block a reader for ever: refused without opening it
    os.mkfifo(p / "pipe.csv")
    return p / "pipe.csv"


def _directory(p):
    (p / "folder.csv").mkdir()
    return p / "folder.csv"


def _kernel_file(p):  # procfs claims 0 bytes and may hold secrets (the run's environment)
    (p / "environ.csv").symlink_to("/proc/self/environ")
    return p / "environ.csv"


ERRORS = [
    (_missing_column, r"(?s)source bad: missing\.xlsx, sheet 'Sheet1': missing column\(s\) \['State'\].*expected: \[.*'State'.*\]\n  found: .*'City'"),
    (_renamed_column, r"(?s)source bad: renamed\.csv: missing column\(s\) \['Detainer Lift Reason'\].*found: .*'Lift Reason'"),
    (_header_on_row_3_xlsx, r"preamble\.xlsx, sheet 'Sheet1': header is on row 3, but layout 'lesa_stu' puts it on row 1"),
    (_header_on_row_3_csv, r"preamble\.csv: header is on row 3, but layout 'lesa_stu' puts it on row 1"),
    (_empty_sheet, r"empty-sheet\.xlsx, sheet 'Sheet1': is empty"),
    (_header_only, r"source bad: .*\.csv holds no data rows"),
    (_empty_file, r"source bad: .*empty\.csv is empty"),
    (_truncated_xlsx, r"\.xlsx: not a readable xlsx workbook"),
    (_corrupt_xlsx, r"\.xlsx: not a readable xlsx workbook"),
    (_zip_without_workbook, r"\.xlsx: not a readable xlsx workbook"),
    (_password_protected, r"\.xlsx: is an encrypted \(password-protected\) workbook or a legacy \.xls"),
    (_html_named_xlsx, r"source bad: .*login\.xlsx is an HTML page"),
    (_ragged_long_row, r"\.csv: row 3 has 8 fields, but the header has 6"),
    (_unbalanced_quote, r"\.csv: is not valid CSV"),
    (_bad_second_sheet, r"two-sheets\.xlsx, sheet 'FY14': missing column\(s\) \['Detainer Lift Reason'\]"),
    (_missing_path, r"source bad: no file at .*nowhere/fy2015\.xlsx"),
    (_named_pipe, r"source bad: .*pipe\.csv is not a regular data file \(a named pipe\)"),
    (_directory, r"source bad: .*folder\.csv is not a regular data file \(a directory\)"),
    (_kernel_file, r"source bad: .*environ\.csv is not a regular data file \(it is under /proc\)"),
]


@pytest.mark.parametrize("make, message", ERRORS, ids=[m.__name__.strip("_") for m, _ in ERRORS])
def test_a_bad_file_is_a_clear_error_and_nothing_loads(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(DetainersError, match=message) as caught:
        land_and_load(tmp_path, path)
    assert "Traceback" not in str(caught.value)
    assert query(tmp_path, "select count(*) from raw.detainers") in (None, [(0,)])
    assert not list((tmp_path / "landing").glob(".partial-*"))


@pytest.mark.parametrize("first_line, secret", [("root:x:0:0:root:/root:/bin/bash", "/bin/bash"),
                                                ("AWS_SECRET_ACCESS_KEY;wJalrXUtnFEMI", "wJalrXUtnFEMI")])
def test_an_error_never_quotes_a_header_that_shares_no_column_with_the_layout(tmp_path, first_line, secret):
    """Such a file may not be data at all (a manifest pointed at /etc/passwd, a credentials
    file): the error says what is wrong without quoting it. The header of a file of the right
    kind is still listed, as it helps (the missing column cases above)."""
    (tmp_path / "f.csv").write_text(f"{first_line}\nmore,lines\n")
    with pytest.raises(LayoutError) as caught:
        land_and_load(tmp_path, tmp_path / "f.csv")
    assert secret not in str(caught.value) and first_line not in str(caught.value)

# ---- bad rows that are quarantined with the reason and the values as published --------

QUARANTINED = [
    ("unparseable_date", row(date="31/31/15"), "prepare_date", "prepare date is blank or not a date in the layout's formats"),
    ("text_date", row(date="last Tuesday"), "prepare_date", "prepare date is blank or not a date in the layout's formats"),
    ("date_before_ice", row(date="01/01/1999"), "prepare_date", "prepare date is before 2003-03-01"),
    ("date_in_future", row(date="01/01/2099"), "prepare_date", "prepare date is in the future"),
    ("blank_date", row(date=""), "prepare_date", "prepare date is blank or not a date in the layout's formats"),
    ("unknown_state", row(state="ATLANTIS"), "state", "unknown state name"),
    ("unknown_lift_reason", row(lift="Vanished"), "lift_reason", "unknown lift reason"),
    ("unknown_detainer_type", row(type="Form 42"), "detainer_type", "unknown detainer type"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name, bad, column, reason", QUARANTINED, ids=[q[0] for q in QUARANTINED])
def test_a_bad_row_is_quarantined_with_reason_and_original_values(tmp_path, fmt, name, bad, column, reason):
    rows = [HEADER, GOOD, bad, GOOD]
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"{name}.{fmt}", rows)
    result = land_and_load(tmp_path, path, reject_warn_share=0.5, reject_stop_share=0.5)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("loaded", 3, 2, 1)
    [(sheet, source_row, got_column, check, original)] = query(
        tmp_path, 'select sheet, source_row, "column", "check", original from audit.rejects')
    assert (source_row, got_column, check) == (3, column, reason)
    assert sheet == ("" if fmt == "csv" else "Sheet1")
    blank = None if fmt == "csv" else ""  # polars reads an empty CSV field as null
    assert json.loads(original) == {h: v if v != "" else blank for h, v in zip(HEADER, bad)}
    assert query(tmp_path, "select count(*) from raw.detainers") == [(2,)]


def test_latin1_text_is_decoded_and_loads(tmp_path):
    path = write_csv(tmp_path / "latin1.csv", [HEADER, row(city="SAN JOSÉ", facility="PEÑA COUNTY JAIL")], encoding="latin-1")
    result = land_and_load(tmp_path, path)
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    assert query(tmp_path, "select city, facility_name from raw.detainers") == [("SAN JOSÉ", "PEÑA COUNTY JAIL")]


def test_a_byte_order_mark_does_not_hide_the_first_column(tmp_path):
    path = write_csv(tmp_path / "bom.csv", [HEADER, GOOD], bom=True)
    assert land_and_load(tmp_path, path).rows_loaded == 1
    assert query(tmp_path, "select prepare_date::varchar from raw.detainers") == [("2014-10-01",)]


def test_extra_columns_are_ignored_and_recorded(tmp_path):
    path = write_xlsx(tmp_path / "extra.xlsx", [[*HEADER, "Notes", "Country"], [*GOOD, "n/a", "MX"]])
    assert land_and_load(tmp_path, path).rows_loaded == 1
    assert query(tmp_path, "select extra_columns from audit.loads") == [(["Country", "Notes"],)]


def test_a_csv_named_xlsx_is_read_as_the_csv_it_is(tmp_path):
    """Decision: the name is not trusted, the content is. A CSV named .xlsx loads when the
    layout is published as CSV too; for an xlsx-only layout it is a clear error."""
    path = write_csv(tmp_path / "really-a.xlsx", [HEADER, GOOD])
    assert land_and_load(tmp_path, path).rows_loaded == 1
    assert query(tmp_path, "select file_format from audit.loads") == [("csv",)]
    xlsx_only = LAYOUT.model_copy(update={"formats": ("xlsx",)})
    with pytest.raises(LayoutError, match=r"really-a\.xlsx: is csv, but layout 'lesa_stu' is published as xlsx"):
        list(read_batches(path, xlsx_only, ReadInfo()))
    with pytest.raises(FetchError, match=r"is not xlsx \(it reads as text\), which the layout expects"):
        fetch("bad", str(path), tmp_path / "landing2", ("xlsx",))


def test_error_cells_and_uncalculated_formulas_read_as_unknown(tmp_path):
    """Decision: calamine reads an error cell (#DIV/0!, #N/A) and a formula saved without a
    cached result as blank, so they are unknown values, never text like '#DIV/0!'. In a
    required field (the prepare date) that rejects the row with the reason."""
    path = write_xlsx(tmp_path / "formulas.xlsx", [
        HEADER,
        row(city="=1/0"),                      # formula, no cached value
        row(date="=DATE(2014,10,1)"),          # formula in the prepare date
        row(),                                 # C4 becomes an error cell below
        GOOD,
    ])
    set_error_cell(path, "E4", "#DIV/0!")
    result = land_and_load(tmp_path, path, reject_warn_share=0.5, reject_stop_share=0.5)
    assert (result.rows_loaded, result.rows_rejected) == (3, 1)
    assert query(tmp_path, "select source_row, city from raw.detainers order by source_row") == [
        (2, None), (4, None), (5, "HOUSTON")]
    assert query(tmp_path, 'select source_row, "column" from audit.rejects') == [(3, "prepare_date")]


# ---- thresholds: the share of quarantined rows that warns, and that fails a source ------

def test_a_share_over_the_warn_level_warns_and_loads(tmp_path):
    path = write_csv(tmp_path / "warn.csv", [HEADER, *good_rows(99), row(state="ATLANTIS")])
    result = land_and_load(tmp_path, path, reject_warn_share=0.001, reject_stop_share=0.05)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 99, 1)
    assert result.warnings == ["source bad: 1 rows (1.00%) rejected; see audit.rejects"]


def test_a_share_over_the_stop_level_keeps_the_sources_old_rows(tmp_path):
    first = write_csv(tmp_path / "first.csv", [HEADER, *good_rows(20)])
    assert land_and_load(tmp_path, first).rows_loaded == 20
    second = write_csv(tmp_path / "second.csv", [HEADER, *good_rows(90), *[row(lift="Vanished")] * 10])
    with pytest.raises(RejectThresholdError, match=r"source bad: 10 of 100 rows rejected \(10.00%\), over its stop level of 5.00%"):
        land_and_load(tmp_path, second)
    assert query(tmp_path, "select count(*), count(distinct file_sha256) from raw.detainers") == [(20, 1)]
    assert query(tmp_path, "select status from audit.loads order by started_at") == [("loaded",), ("failed_reject_threshold",)]
    assert query(tmp_path, "select count(*) from audit.rejects") == [(10,)]


def test_levels_are_per_source(tmp_path):
    path = write_csv(tmp_path / "ten-percent.csv", [HEADER, *good_rows(90), *[row(state="ATLANTIS")] * 10])
    assert land_and_load(tmp_path, path, name="lenient", reject_warn_share=0.2, reject_stop_share=0.5).warnings == []
    with pytest.raises(RejectThresholdError, match="source strict"):
        land_and_load(tmp_path, path, name="strict", reject_warn_share=0.01, reject_stop_share=0.02)
    assert query(tmp_path, "select source, count(*) from raw.detainers group by all") == [("lenient", 90)]


# ---- bad manifests ----------------------------------------------------------------------

ENTRY = '[[source]]\nname = "{name}"\nurl = "{url}"\nlayout = "lesa_stu"\n'
MANIFESTS = [
    ("key_typo", ENTRY.format(name="a", url="x.csv") + "reject_stop_shar = 0.1\n",
     r"source #1 \(a\): unknown key 'reject_stop_shar' \(did you mean 'reject_stop_share'\?\)"),
    ("layout_typo", ENTRY.format(name="a", url="x.csv").replace('"lesa_stu"', '"lesa-stu"'),
     r"source #1 \(a\): unknown layout 'lesa-stu' \(did you mean 'lesa_stu'\?\)"),
    ("table_typo", "[[sources]]\nname = \"a\"\n", r"unknown table\(s\) 'sources' \(did you mean 'source'\?\)"),
    ("duplicate_name", ENTRY.format(name="a", url="x.csv") + ENTRY.format(name="a", url="y.csv"),
     "source name\\(s\\) used more than once: a"),
    ("bad_toml", 'name = "a\n', "not valid TOML"),
    ("ftp_url", ENTRY.format(name="a", url="ftp://host/x.csv"), "only http, https and local paths can be fetched, not 'ftp'"),
    ("warn_above_stop", ENTRY.format(name="a", url="x.csv") + "reject_warn_share = 0.5\nreject_stop_share = 0.1\n",
     "reject_warn_share is above reject_stop_share"),
    ("bad_name", ENTRY.format(name="../etc", url="x.csv"), r"source #1 \(\.\./etc\): name: String should match pattern"),
]


@pytest.mark.parametrize("text, message", [m[1:] for m in MANIFESTS], ids=[m[0] for m in MANIFESTS])
def test_a_bad_manifest_is_named_with_the_file_and_source(tmp_path, text, message):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(ManifestError, match=message) as caught:
        load_manifest(path)
    assert str(path) in str(caught.value)


def test_a_manifest_path_that_does_not_exist_fails_at_fetch_naming_it(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(ENTRY.format(name="a", url="data/missing.xlsx"))
    (source,) = load_manifest(path).sources
    with pytest.raises(FetchError, match=f"source a: no file at {tmp_path}/data/missing.xlsx"):
        fetch(source.name, source.url, tmp_path / "landing", LAYOUT.formats)


def test_latin1_far_into_a_large_file_is_still_decoded(tmp_path):
    """The encoding is decided on the whole file, not a sample of its first megabyte."""
    path = write_csv(tmp_path / "late.csv", [HEADER, *good_rows(12_000), row(city="SAN JOSÉ")], encoding="latin-1")
    assert path.stat().st_size > 1 << 20
    assert land_and_load(tmp_path, path).rows_loaded == 12_001
    assert query(tmp_path, "select city from raw.detainers where source_row = 12002") == [("SAN JOSÉ",)]


def test_utf16_text_from_excel_is_decoded(tmp_path):
    path = write_csv(tmp_path / "unicode.csv", [HEADER, row(city="SAN JOSÉ")], encoding="utf-16")
    assert land_and_load(tmp_path, path).rows_loaded == 1
    tabs = write_csv(tmp_path / "unicode-tabs.txt", [HEADER, GOOD], sep="\t", encoding="utf-16")
    assert land_and_load(tmp_path, tabs).rows_loaded == 1
    assert query(tmp_path, "select delimiter from audit.loads order by started_at desc limit 1") == [("\t",)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_blank_row_is_quarantined_not_silently_dropped(tmp_path, fmt):
    """Decision: a blank row inside the data is kept in audit.rejects (as a row with no prepare
    date, its row number given), like any other row that is not a detainer."""
    rows = [HEADER, GOOD, [None] * 6 if fmt == "xlsx" else [""] * 6, GOOD]
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"blank.{fmt}", rows)
    result = land_and_load(tmp_path, path, reject_warn_share=0.5, reject_stop_share=0.5)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert query(tmp_path, 'select source_row, "column" from audit.rejects') == [(3, "prepare_date")]
