"""A workbook's memory bound checked ahead of its read (issue 27): the run begins the check as
soon as a new file is landed, and the read waits for its verdict before calamine sees the
file. The verdict is the one a check made at the read gives, and it is taken once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from detainers.errors import LayoutError
from detainers.transform import workbook
from detainers.transform.limits import ReadLimits
from tests.badfiles import GOOD, HEADER, good_rows, write_shared_strings_xlsx, write_xlsx

LIMITS = ReadLimits.of()


def test_a_check_begun_ahead_gives_the_verdict_a_check_at_the_read_gives(tmp_path):
    path = write_shared_strings_xlsx(tmp_path / "shared.xlsx", [*GOOD, "X" * 100_000], [0, 1, 6, 3, 4, 5], 10)
    limits = replace(LIMITS, max_decoded_value_bytes=50_000)
    with pytest.raises(LayoutError) as at_read:
        workbook.check_workbook(path, limits)
    workbook.start_check(path, limits)
    with pytest.raises(LayoutError) as ahead:
        workbook.check_workbook(path, limits)
    assert str(ahead.value) == str(at_read.value)
    assert "a value of 100,022 bytes once decoded, over the limit of 50,000 bytes (max_decoded_value_bytes)" in str(ahead.value)
    assert workbook._key(path, limits) not in workbook._STARTED  # taken once: the next read checks again


def test_a_verdict_is_for_those_bytes_and_those_limits(tmp_path):
    path = write_xlsx(tmp_path / "good.xlsx", [HEADER, *good_rows(3)])
    workbook.start_check(path, LIMITS)
    tight = replace(LIMITS, max_sheet_cells=10)
    with pytest.raises(LayoutError, match=r"over the limit of 10 cells \(max_sheet_cells\)"):
        workbook.check_workbook(path, tight)  # other limits: checked now, not the verdict begun for the defaults
    workbook.check_workbook(path, LIMITS)  # the verdict begun ahead: within the defaults
    assert workbook._key(path, LIMITS) not in workbook._STARTED
