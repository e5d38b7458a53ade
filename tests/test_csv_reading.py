"""A CSV is read in one pass, as it stands, with its encoding and line ends checked by the
parse itself (issue 27): a byte that is not UTF-8 or a stray CR anywhere in the file is still
caught, whether it is in the first MiB (seen before the read), in the first batch (read again
at once) or past it (the loader drops what it took and reads the file again, carefully). And
a file cut inside a quoted field at its end has its half row quarantined (issue 25, item 4)."""

from __future__ import annotations

import json

import pytest

from detainers.transform import read as read_module
from detainers.transform.info import ReadInfo
from detainers.transform.read_csv import _sample_clean, read_csv
from detainers.transform.limits import ReadLimits
from detainers.schemas.layouts import get_layout
from tests.badfiles import GOOD, HEADER, good_rows
from tests.test_bad_inputs import land_and_load as land_and_load_as, query

LAYOUT = get_layout("lesa_stu")
ROWS = 40_000  # about 2.6 MB: the first and last MiB are looked at before the read, the middle is not


def land_and_load(tmp_path, path):
    return land_and_load_as(tmp_path, path, name="s", reject_warn_share=1.0, reject_stop_share=1.0)


def _lines(rows: list[list[str]]) -> list[bytes]:
    return [(",".join(r) + "\n").encode() for r in rows]


def _with_late_line(tmp_path, late: bytes, at: int = ROWS // 2) -> tuple:
    """A UTF-8 file of ROWS good rows with line `at` (counting data rows from 0) replaced by
    `late`: past the first MiB and before the last."""
    lines = _lines([HEADER, *good_rows(ROWS)])
    lines[1 + at] = late
    path = tmp_path / "late.csv"
    path.write_bytes(b"".join(lines))
    assert sum(map(len, lines[: 1 + at])) > 1 << 20 and sum(map(len, lines[2 + at:])) > 1 << 20
    return path, 1 + at + 1  # the row number of the late line, as a text editor shows it


@pytest.fixture(params=["first batch", "later batch"])
def batch_rows(request, monkeypatch):
    """Read in one batch (the bad byte is met before anything is handed on) or in batches of
    1,000 rows (it is met after the loader stored some)."""
    rows = 1_000_000 if request.param == "first batch" else 1_000
    monkeypatch.setitem(read_module.BATCH_ROWS, "csv", rows)
    return rows


def test_a_windows_1252_byte_past_the_first_mib_is_decoded(tmp_path, batch_rows):
    line = ",".join([GOOD[0], GOOD[1], GOOD[2], GOOD[3], "SAN JOSÉ", GOOD[5]]) + "\n"
    path, row = _with_late_line(tmp_path, line.encode("cp1252"))
    assert _sample_clean(path)  # nothing in the first or last MiB gives it away
    result = land_and_load(tmp_path, path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (ROWS, ROWS, 0)
    assert query(tmp_path, f"select city from raw.detainers where source_row = {row}") == [("SAN JOSÉ",)]
    assert query(tmp_path, "select count(*) from raw.detainer_rows") == [(ROWS,)]  # nothing of the first read kept
    assert query(tmp_path, "select count(distinct city) from raw.detainers") == [(2,)]


def test_a_byte_neither_encoding_has_past_the_first_mib_refuses_the_file(tmp_path, batch_rows):
    line = b"10/01/14,I247D,JAIL \x81,TEXAS,HOUSTON,Lifted\n"
    path, _ = _with_late_line(tmp_path, line)
    with pytest.raises(Exception, match=r"late\.csv: is not text in UTF-8 or Windows-1252 \(byte [\d,]+ is 0x81"):
        land_and_load(tmp_path, path)
    assert query(tmp_path, "select count(*) from raw.detainer_rows") == [(0,)]


@pytest.mark.parametrize("end", [b"\r", b"\r\r\n"], ids=["lone CR ends a line", "CR before CRLF"])
def test_a_stray_cr_past_the_first_mib_is_a_line_end(tmp_path, batch_rows, end):
    """Mixed line ends, as in a file pieced together on two machines: the lone CR ends its line
    (a blank line after it is a blank row inside the data, quarantined as before)."""
    line = ",".join(GOOD).encode() + end
    path, row = _with_late_line(tmp_path, line)
    assert _sample_clean(path)
    result = land_and_load(tmp_path, path)
    if end == b"\r":  # the next line follows on: still ROWS rows
        assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (ROWS, ROWS, 0)
    else:  # CR, then CRLF: an empty line after the row, read as a blank row inside the data
        assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (ROWS + 1, ROWS, 1)
        assert query(tmp_path, 'select source_row, "column" from audit.rejects') == [(row + 1, "prepare_date")]
    assert query(tmp_path, "select distinct lift_reason from raw.detainers") == [(GOOD[5],)]


def test_a_clean_file_is_read_as_it_stands(tmp_path, monkeypatch):
    """No careful read for a UTF-8 file with LF or CRLF ends: polars reads it where it lies."""
    path = tmp_path / "clean.csv"
    path.write_bytes(b"".join(_lines([HEADER, *good_rows(ROWS)])).replace(b"\n", b"\r\n"))
    careful = []
    monkeypatch.setattr("detainers.transform.read_csv._careful_source", lambda p: careful.append(p) or p)
    batches = list(read_csv(path, LAYOUT, ReadInfo(), 1_000_000, ReadLimits.of()))
    assert sum(b.height for b in batches) == ROWS and careful == []


@pytest.mark.parametrize("cut", ['"HOUST', '"Detainer Declined', 'HOUSTON,"Detainer'], ids=["city", "lift", "lift, fields short"])
def test_a_file_cut_inside_a_quoted_field_quarantines_its_half_row(tmp_path, cut):
    """The file ends inside a quoted field (a download cut short): the half row is not counted
    as a detainer, whatever number of fields polars makes of it."""
    head = ",".join(GOOD[:4]) + ","
    if cut.startswith("HOUSTON"):
        tail = cut
    elif "Detainer" in cut:
        tail = ",".join(GOOD[4:5]) + "," + cut
    else:
        tail = cut
    text = "".join(",".join(r) + "\n" for r in [HEADER, *good_rows(3)]) + head + tail
    path = tmp_path / "cut.csv"
    path.write_text(text)
    result = land_and_load(tmp_path, path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    [(source_row, column, original)] = query(tmp_path, 'select source_row, "column", original from audit.rejects')
    assert source_row == 5 and "row" in column.split("; ")
    assert json.loads(original)["Prepare Date"] == GOOD[0]
