"""Hostile inputs (issue 13): files made to exhaust the machine or to slip wrong rows into the
counts. Each fails its source alone with one line naming the file and the limit, or its
untrustworthy rows are quarantined with a reason; none stops the run or is counted.
The files are built here, a few KB each."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from detainers.errors import LayoutError
from detainers.extract.manifest import load_manifest
from tests.badfiles import HEADER, add_cell, edit_part, good_rows, set_dimension, write_xlsx
from tests.conftest import ROOT
from tests.test_bad_inputs import land_and_load, query

# The dangerous cases run in a child process whose address space is capped: a workbook that
# made calamine allocate would abort it (exit 134) instead of failing one source.
MEMORY_CAP = 3 << 30
CAPPED_LOAD = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP}))
from pathlib import Path
from detainers.errors import DetainersError
from tests.test_bad_inputs import land_and_load
try:
    land_and_load(Path(sys.argv[1]), Path(sys.argv[2]))
    print("loaded")
except DetainersError as exc:
    print(exc)
"""


def load_in_capped_process(tmp_path, path) -> str:
    done = subprocess.run([sys.executable, "-c", CAPPED_LOAD, str(tmp_path), str(path)], cwd=ROOT, capture_output=True,
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
