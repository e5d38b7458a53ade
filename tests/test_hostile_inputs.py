"""Hostile inputs (issue 13): files made to exhaust the machine or to slip wrong rows into the
counts. Each fails its source alone with one line naming the file and the limit, or its
untrustworthy rows are quarantined with a reason; none stops the run or is counted.
The files are built here, a few KB each."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from dataclasses import replace

import duckdb
import pytest

from detainers.errors import LayoutError
from detainers.extract.manifest import load_manifest
from detainers.transform.info import ReadInfo
from detainers.transform.limits import ReadLimits
from detainers.transform.read import read_batches
from tests.badfiles import (GOOD, HEADER, add_cell, edit_part, good_rows, row, set_dimension, write_csv, write_manifest,
                            write_shared_strings_xlsx, write_xlsx)
from tests.conftest import BUNDLED_EXTRACT, ROOT
from tests.test_bad_inputs import LAYOUT, land_and_load, query

# The dangerous cases run in a child process whose address space is capped: a workbook that
# made calamine allocate would abort it (exit 134) instead of failing one source.
MEMORY_CAP = 3 << 30
CAPPED_LOAD = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP}))
from pathlib import Path
from detainers.errors import DetainersError
sys.path.append({str(ROOT)!r})  # the clone's tests, behind the package under test
from tests.test_bad_inputs import land_and_load
try:
    land_and_load(Path(sys.argv[1]), Path(sys.argv[2]))
    print("loaded")
except DetainersError as exc:
    print(exc)
"""


def load_in_capped_process(tmp_path, path) -> str:
    done = subprocess.run([sys.executable, "-P", "-c", CAPPED_LOAD, str(tmp_path), str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "POLARS_MAX_THREADS": "2"})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


@pytest.mark.parametrize("dimension, what", [("A1:XFD1048576", "declares a range of"), (None, "has cells spanning")],
                         ids=["declared", "undeclared"])
def test_a_cell_at_xfd1048576_fails_its_source_and_the_process_lives(tmp_path, dimension, what):
    """A 5 KB workbook whose sheet reaches the last cell Excel has: calamine would hold
    1,048,576 x 16,384 cells (512 GiB) and abort the process. Refused from what the sheet
    declares, or, when it declares nothing, from its cell references."""
    path = write_xlsx(tmp_path / "xfd.xlsx", [HEADER, *good_rows(3)])
    edit_part(path, add_cell("XFD1048576"))
    edit_part(path, set_dimension(dimension))
    assert path.stat().st_size < 8_000
    line = load_in_capped_process(tmp_path, path)
    assert line == (f"source bad: xfd.xlsx: worksheet 'xl/worksheets/sheet1.xml' {what} A1:XFD1048576 "
                    "(17,179,869,184 cells), over the limit of 25,000,000 cells (max_sheet_cells)")


def test_a_zip_bomb_fails_its_source_before_it_is_unpacked(tmp_path):
    """A sheet part that unpacks a thousand times its packed size (here 4 MB of spaces in a
    3 KB file; in the wild, 7.7 MB unpacking to 1.77 GB)."""
    path = write_xlsx(tmp_path / "bomb.xlsx", [HEADER, *good_rows(3)])
    edit_part(path, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (4 << 20)))
    assert path.stat().st_size < 10_000
    with pytest.raises(LayoutError, match=r"^source bad: bomb\.xlsx: part 'xl/worksheets/sheet1\.xml' unpacks to 4,\d{3},\d{3} "
                                          r"bytes from [\d,]+ \([\d,]+ times its packed size\), over the limit of 100 times "
                                          r"\(max_compression_ratio\)"):
        land_and_load(tmp_path, path)
    assert query(tmp_path, "select count(*) from raw.detainers") in (None, [(0,)])


def test_the_unpacked_size_of_a_workbook_is_capped(tmp_path):
    path = write_xlsx(tmp_path / "big.xlsx", [HEADER, *good_rows(50)])
    with pytest.raises(LayoutError, match=r"^source bad: big\.xlsx: unpacks to [\d,]+ bytes, over the limit of 10,000 "
                                          r"\(max_unpacked_bytes\)$"):
        land_and_load(tmp_path, path, max_unpacked_bytes=10_000)
    assert land_and_load(tmp_path, path).rows_loaded == 50  # under the default


def test_read_limits_are_manifest_settings_with_defaults_from_data(tmp_path):
    manifest = tmp_path / "sources.toml"
    manifest.write_text('[defaults]\nmax_sheet_cells = 600\n\n'
                        '[[source]]\nname = "a"\nurl = "a.xlsx"\nlayout = "lesa_stu"\n\n'
                        '[[source]]\nname = "b"\nurl = "b.xlsx"\nlayout = "lesa_stu"\nmax_sheet_cells = 60\nmax_blank_rows = 5\n')
    a, b = load_manifest(manifest).sources
    assert (a.max_sheet_cells, a.max_blank_rows, a.max_compression_ratio) == (600, 1_000, 100)
    assert (b.max_sheet_cells, b.max_blank_rows, a.max_unpacked_bytes) == (60, 5, 2 << 30)
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, *good_rows(11)])  # A1:F12, 72 cells
    with pytest.raises(LayoutError, match=r"declares a range of A1:F12 \(72 cells\), over the limit of 60 cells"):
        land_and_load(tmp_path, path, max_sheet_cells=60)


# ---- blank rows: at the end skipped with one line, inside the data quarantined ------------

def _with_blank_rows(tmp_path, fmt, before: int, blank: int, after: int = 0):
    """`before` good rows, `blank` blank rows, `after` good rows; in xlsx the blank rows are
    cells holding empty text (as a workbook saved with formatted empty rows has)."""
    if fmt == "csv":
        rows = [HEADER, *good_rows(before), *[[""] * 6] * (blank // 2), *[[]] * (blank - blank // 2), *good_rows(after)]
        return write_csv(tmp_path / "blank.csv", rows)
    path = write_xlsx(tmp_path / "blank.xlsx", [HEADER, *good_rows(before), *[[None] * 6] * blank, *good_rows(after)])
    if not after:
        last = before + blank + 1
        edit_part(path, add_cell(f"F{last}", ""))
        edit_part(path, set_dimension(f"A1:F{last}"))
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_blank_rows_at_the_end_are_skipped_with_one_line_not_a_reject_each(tmp_path, fmt):
    """Decision: blank rows a file ends with are not detainers, however many: skipped, with
    one warning naming them (in the run's output and audit.loads.message), never a reject each
    (a workbook with a million formatted empty rows made a million rejects, every night)."""
    path = _with_blank_rows(tmp_path, fmt, before=3, blank=20_000)
    result = land_and_load(tmp_path, path)
    where = "blank.csv" if fmt == "csv" else "blank.xlsx, sheet 'Sheet1'"
    line = f"source bad: {where}: 20,000 blank rows at the end (rows 5..20,004) skipped"
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("loaded", 3, 3, 0)
    assert result.warnings == [line]
    assert query(tmp_path, "select count(*) from audit.rejects") == [(0,)]
    assert query(tmp_path, "select message from audit.loads") == [(line,)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_data_after_more_blank_rows_than_the_limit_refuses_the_file(tmp_path, fmt):
    path = _with_blank_rows(tmp_path, fmt, before=3, blank=10, after=1)
    where = "blank.csv" if fmt == "csv" else "blank.xlsx, sheet 'Sheet1'"
    with pytest.raises(LayoutError, match=rf"^source bad: {where}: 10 blank rows \(rows 5\.\.14\), then data again at row 15: "
                                          r"over the limit of 5 blank rows in a row \(max_blank_rows\)$"):
        land_and_load(tmp_path, path, max_blank_rows=5)
    result = land_and_load(tmp_path, path, max_blank_rows=10, reject_warn_share=0.9, reject_stop_share=0.9)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (14, 4, 10)  # within it: quarantined


@pytest.mark.parametrize("after, outcome", [(0, "30 blank rows at the end (rows 5..34) skipped"),
                                            (1, "30 blank rows (rows 5..34), then data again at row 35")])
def test_past_the_limit_a_workbook_is_read_on_without_building_rows(tmp_path, after, outcome):
    """Batches of 10 rows, a limit of 5: the run passes the limit in the first batch, and the
    reader reads the rest of the sheet's rows only to see whether data follows."""
    path = _with_blank_rows(tmp_path, "xlsx", before=3, blank=30, after=after)
    info, limits = ReadInfo(), replace(ReadLimits.of(), max_blank_rows=5)
    batches = read_batches(path, LAYOUT, info, batch_rows=10, limits=limits)
    if after:
        with pytest.raises(LayoutError, match=re.escape(outcome)):
            list(batches)
    else:
        assert sum(batch.height for batch in batches) == 3
        assert info.warnings == [f"blank.xlsx, sheet 'Sheet1': {outcome}"]


# ---- rows that cannot be trusted: quarantined with a reason, never counted --------------

CUT_SHORT = "the file ends in the middle of this row: it has fewer fields than the header"


def test_a_csv_cut_off_in_the_middle_of_its_last_row_quarantines_that_row(tmp_path):
    """polars pads a short row with blanks, and a blank state or lift reason is a valid
    value: the cut-off row was counted as a detainer with no outcome yet."""
    path = write_csv(tmp_path / "cut.csv", [HEADER, GOOD, GOOD])
    path.write_bytes(path.read_bytes() + b"10/02/14,I247D - Immigration Detainer - Request for Voluntary Action,HARRIS CO")
    result = land_and_load(tmp_path, path, reject_warn_share=0.5, reject_stop_share=0.5)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    [(source_row, column, check, original)] = query(tmp_path, 'select source_row, "column", "check", original from audit.rejects')
    assert (source_row, column, check) == (4, "row", CUT_SHORT)
    assert json.loads(original) == {"Prepare Date": "10/02/14", "Detainer Type": GOOD[1],
                                    "Detainer Detention Facility": "HARRIS CO", "State": None, "City": None,
                                    "Detainer Lift Reason": None}


@pytest.mark.parametrize("last", [",".join(GOOD), '10/01/14,I247D,"HARRIS\nCOUNTY JAIL",TEXAS,HOUSTON,Detainer Declined by LEA'],
                         ids=["plain", "quoted_line_break"])
def test_a_whole_last_row_without_a_final_line_break_loads(tmp_path, last):
    path = write_csv(tmp_path / "unterminated.csv", [HEADER, GOOD])
    path.write_bytes(path.read_bytes() + last.encode())
    result = land_and_load(tmp_path, path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert query(tmp_path, "select distinct facility_name from raw.detainers") == [("HARRIS COUNTY JAIL",)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_header_naming_a_column_twice_refuses_the_file(tmp_path, fmt):
    """Decision: refused, not read: the first copy of 'Detainer Lift Reason' was read, and
    with it blank every decline of the second was lost without a word."""
    rows = [[*HEADER[:5], "Detainer Lift Reason", "Detainer Lift Reason "], [*GOOD[:5], "", GOOD[5]]]
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"twice.{fmt}", rows)
    with pytest.raises(LayoutError, match=r"twice\.(csv|xlsx)(, sheet 'Sheet1')?: the header names a column more than once, "
                                          r"so which copy holds its values is unknown: 'Detainer Lift Reason' is 'Detainer Lift Reason' \(column 6\) "
                                          r"and 'Detainer Lift Reason' \(column 7\)$"):
        land_and_load(tmp_path, path)
    assert query(tmp_path, "select count(*) from raw.detainers") in (None, [(0,)])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x85"], ids=["NUL", "ESC", "NEL"])
def test_a_control_character_in_text_quarantines_its_row(tmp_path, fmt, control):
    """A NUL in a facility's name made a jurisdiction of its own. A workbook holds one as
    Excel writes it (_x0000_); tab and line breaks are spaces to a name and pass."""
    rows = [HEADER, GOOD, row(facility=f"HARRIS{control}COUNTY JAIL"), row(facility="HARRIS\tCOUNTY\nJAIL")]
    if fmt == "csv":
        path = write_csv(tmp_path / "control.csv", [*rows[:3], row(facility='"HARRIS\tCOUNTY\nJAIL"')])
    else:
        path = write_xlsx(tmp_path / "control.xlsx", [*rows[:2], row(facility="HARRIS CONTROL JAIL"), rows[3]])
        edit_part(path, lambda xml: xml.replace(b"HARRIS CONTROL JAIL", f"HARRIS_x{ord(control):04X}_COUNTY JAIL".encode()))
    result = land_and_load(tmp_path, path, reject_warn_share=0.5, reject_stop_share=0.5)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert query(tmp_path, 'select source_row, "column", "check" from audit.rejects') == [
        (3, "facility", "holds a control character (such as NUL)")]
    assert query(tmp_path, "select distinct facility_name from raw.detainers") == [("HARRIS COUNTY JAIL",)]


UNEXPECTED = "unexpected characters: a letter of another script, or an invisible one (schemas/reference/rules.toml: text_characters)"


@pytest.mark.parametrize("change, column", [
    (dict(facility="HARRІS COUNTY JAIL"), "facility"),  # a Cyrillic І
    (dict(facility="HARRIS COUNTY\u200b JAIL"), "facility"),  # a zero-width space
    (dict(city="HΟUSTON"), "city"),  # a Greek Ο
    (dict(city="HOUSTON\u200f"), "city"),  # a right-to-left mark
], ids=["cyrillic", "zero_width_space", "greek", "rtl_mark"])
def test_a_letter_of_another_script_quarantines_its_row(tmp_path, change, column):
    """Decision: quarantined, not folded onto the Latin letter it mimics (see rules.toml)."""
    path = write_csv(tmp_path / "script.csv", [HEADER, GOOD, row(**change), GOOD])
    result = land_and_load(tmp_path, path, reject_warn_share=0.5, reject_stop_share=0.5)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert query(tmp_path, 'select source_row, "column", "check" from audit.rejects') == [(3, column, UNEXPECTED)]


def test_one_jail_written_five_ways_is_one_jurisdiction(tmp_path):
    """Case, spaces, a trailing dot, and Unicode's compatibility forms (fullwidth letters, the
    Turkish dotless ı, a non-breaking space, the long s) fold to one name and one state."""
    spellings = [("HARRIS COUNTY JAIL", "TEXAS"), ("harris county jail", "texas"), ("ＨＡＲＲＩＳ COUNTY JAIL", "ＴＸ"),
                 ("HARRıS COUNTY JAIL", "TEXAſ"), ("HARRIS\u00a0COUNTY  JAIL.", "Tx")]
    path = write_xlsx(tmp_path / "five.xlsx", [HEADER, *[row(facility=f, state=s) for f, s in spellings]])
    assert land_and_load(tmp_path, path).rows_loaded == 5
    assert query(tmp_path, "select distinct facility_name, state_code from raw.detainers") == [("HARRIS COUNTY JAIL", "TX")]


# ---- what a file expands to once decoded (issue 25) ------------------------------------

PEAK_LIMIT = 1_500_000_000  # any run, whatever the input (issue 25)


def run_measured(args: list[str], cap: int = 4 << 30) -> tuple[int, str, int]:
    """`detainers *args` (the CLI entry point) in a child process whose address space is capped
    at `cap` (a regression fails this test, not the machine): its exit code, its output, and
    its peak resident memory in bytes, as the kernel counted it for that child (os.wait4)."""
    import resource

    def capped():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    proc = subprocess.Popen([sys.executable, "-P", "-c", "from detainers.cli import main; main()", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=capped,
                            env={**os.environ, "POLARS_MAX_THREADS": "2"})
    output = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, output, usage.ru_maxrss * 1024


def test_a_workbook_whose_cells_share_one_long_string_fails_alone_in_bounded_memory(tmp_path):
    """A 3.8 MB workbook whose 190,000 rows all refer to one 100,000-character shared string:
    calamine copies it into each cell (19 GB) and the process died. Counted from the sheet's
    XML before calamine reads it, it fails its source alone, naming the column; the other
    source publishes; the whole run's peak memory stays under 1.5 GB."""
    long_value = "X" * 100_000
    path = write_shared_strings_xlsx(tmp_path / "shared.xlsx", [*GOOD, long_value], [0, 1, 6, 3, 4, 5], 190_000)
    assert 3_500_000 < path.stat().st_size < 4_000_000
    good = write_csv(tmp_path / "good.csv", [HEADER, *good_rows(5)])
    manifest = write_manifest(tmp_path / "sources.toml",
                              dict(name="shared", url=path, layout="lesa_stu", window_start=date(2014, 1, 1), window_end=date(2014, 9, 30)),
                              dict(name="good", url=good, layout="lesa_stu", window_start=date(2014, 10, 1), window_end=date(2015, 9, 30)))
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    code, output, peak = run_measured(["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    assert code == 1, output[-3000:]
    error = output.strip().splitlines()[-1]
    found = re.match(r"error: 1 source\(s\) failed: source shared: shared\.xlsx: worksheet 'xl/worksheets/sheet1\.xml', "
                     r"column C: ([\d,]+) bytes of text in 190,001 cells \(the longest value 100,022 bytes\) once decoded, "
                     rf"over the limit of {ReadLimits.of().max_decoded_column_bytes:,} bytes \(max_decoded_column_bytes\)", error)
    assert found and 190_000 * len(long_value) < int(found.group(1).replace(",", "")) < 190_001 * 100_022, error
    assert "(max_decoded_column_bytes); nothing of it was loaded" in error and "unexpected" not in output
    assert peak < PEAK_LIMIT, f"peak {peak:,} bytes"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select source, count(*) from raw.detainers group by all").fetchall() == [("good", 5)]


def test_a_cell_beyond_the_range_a_sheet_declares_is_found(tmp_path):
    """calamine holds the range of the cells it finds, whatever the sheet declares: a 5 KB
    workbook declaring A1:F4 with one more cell at XFD1048576 passed the check of what it
    declared, and calamine would ask for 512 GiB."""
    path = write_xlsx(tmp_path / "liar.xlsx", [HEADER, *good_rows(3)])
    edit_part(path, add_cell("XFD1048576"))
    edit_part(path, set_dimension("A1:F4"))
    line = load_in_capped_process(tmp_path, path)
    assert line == ("source bad: liar.xlsx: worksheet 'xl/worksheets/sheet1.xml' has cells spanning A1:XFD1048576 "
                    "(17,179,869,184 cells), over the limit of 25,000,000 cells (max_sheet_cells)")


@pytest.mark.parametrize("setting, value, says", [
    ("max_decoded_value_bytes", 50_000, r", column C: a value of 100,022 bytes once decoded, over the limit of 50,000 bytes \(max_decoded_value_bytes\)"),
    ("max_decoded_column_bytes", 1_000_000, r", column C: 1,0\d\d,\d\d\d bytes of text in 11 cells \(the longest value 100,022 bytes\) once decoded, "
                                    r"over the limit of 1,000,000 bytes \(max_decoded_column_bytes\)"),
    ("max_decoded_batch_bytes", 1_000_000, r": 1,0\d\d,\d\d\d bytes \(66 cells, and 1,0\d\d,\d\d\d bytes of text, most in column C: "
                                   r"1,0\d\d,\d\d\d bytes\) once decoded, over the limit of 1,000,000 bytes \(max_decoded_batch_bytes\)"),
], ids=["value", "column", "batch"])
def test_each_limit_on_decoded_bytes_is_a_manifest_setting_named_when_passed(tmp_path, setting, value, says):
    path = write_shared_strings_xlsx(tmp_path / "shared.xlsx", [*GOOD, "X" * 100_000], [0, 1, 6, 3, 4, 5], 10)
    with pytest.raises(LayoutError, match=r"^source bad: shared\.xlsx: worksheet 'xl/worksheets/sheet1\.xml'" + says
                                          + r"; nothing of it was loaded"):
        land_and_load(tmp_path, path, **{setting: value})
    assert query(tmp_path, "select count(*) from raw.detainers") in (None, [(0,)])
    result = land_and_load(tmp_path, path, reject_warn_share=1, reject_stop_share=1)  # within the defaults: read,
    assert (result.rows_read, result.rows_rejected) == (10, 10)  # and each long value quarantined (max_text_length)


def test_a_long_inline_value_is_counted_too(tmp_path):
    """Text a sheet holds itself (openpyxl writes every string inline, and keeps Excel's 32,767
    characters of a cell) is counted by its size."""
    path = write_xlsx(tmp_path / "inline.xlsx", [HEADER, *good_rows(3), row(facility="Y" * 70_000)])
    with pytest.raises(LayoutError, match=r"column C: a value of 32,8\d\d bytes once decoded, over the limit of 20,000 bytes"):
        land_and_load(tmp_path, path, max_decoded_value_bytes=20_000)
    assert land_and_load(tmp_path, path, reject_warn_share=0.5, reject_stop_share=0.5).rows_loaded == 3


def test_the_quick_count_bounds_the_exact_one_on_real_files(tmp_path):
    """The bundled release (Excel's own file) is vouched for by counts alone; counted cell by
    cell, it decodes to no more than the counts said, and what calamine then holds matches."""
    import zipfile

    from detainers.transform import decoded

    with zipfile.ZipFile(BUNDLED_EXTRACT) as book:
        shared = decoded.shared_strings(book, book.infolist())
        part = book.getinfo("xl/worksheets/sheet1.xml")
        quick = decoded.quick(book, part, shared, "F", 79_054, ReadLimits.of().max_decoded_value_bytes)
        exact = decoded.exact(book, part, shared, ReadLimits.of().max_decoded_value_bytes)
    assert quick is not None and not quick.exact, "Excel's own file needs no cell-by-cell count"
    assert (exact.span, exact.last) == (quick.span, quick.last) == (474_324, "F79054")
    assert sum(exact.cells.values()) == quick.cells["*"] == 324_962  # every text cell: header and values
    assert sum(exact.text.values()) <= quick.text["*"] and exact.batch_bytes <= quick.batch_bytes
    import fastexcel

    table = fastexcel.read_excel(BUNDLED_EXTRACT).load_sheet(0, header_row=None, dtypes="string").to_arrow()
    held = {name: sum(len(v.encode()) for v in table.column(i).to_pylist() if v is not None)
            for i, name in enumerate("ABCDEF")}
    for column in "BCDEF":  # text columns (A holds dates): calamine's text is no longer than counted
        assert held[column] <= exact.text[column], column


def test_a_sheet_whose_tags_carry_a_namespace_prefix_is_counted_cell_by_cell(tmp_path):
    path = write_xlsx(tmp_path / "prefixed.xlsx", [HEADER, *good_rows(3), row(facility="Y" * 300)])
    edit_part(path, lambda xml: re.sub(rb"<(/?)(worksheet|sheetData|row|c|is|t|dimension|sheetPr|sheetViews|sheetView|selection|"
                                       rb"sheetFormatPr|pageMargins|outlinePr|pageSetUpPr)\b", rb"<\1x:\2", xml)
              .replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                       b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'))
    assert b"<x:c r=" in __import__("zipfile").ZipFile(path).read("xl/worksheets/sheet1.xml")
    with pytest.raises(LayoutError, match=r"column C: a value of 3\d\d bytes once decoded, over the limit of 250 bytes"):
        land_and_load(tmp_path, path, max_decoded_value_bytes=250)
    assert land_and_load(tmp_path, path).rows_loaded == 4
