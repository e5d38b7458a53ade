"""What a workbook would ask of the machine, from what it declares, checked before calamine
reads it.

calamine unpacks a worksheet and holds its whole range in memory (rows x columns, 32 bytes
a cell before any text), and a failed allocation aborts the process: no exception, no other
source loaded. So the zip is inspected first, with nothing extracted: the unpacked sizes its
directory declares (all parts together, and each part against its packed size: a zip bomb),
and the range each worksheet declares in its first bytes (<dimension ref="A1:F1000001"/>).
A worksheet that declares no range has its cell references read through instead (rare:
Excel, LibreOffice and the usual writers always declare one). Each limit is a manifest
setting (ReadLimits); a workbook over one is a LayoutError naming the file and the setting.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from detainers.errors import LayoutError
from detainers.transform.limits import ReadLimits
from schemas.reference import failure

HEAD_BYTES = 64 << 10  # a worksheet's <dimension> comes before its data, in its first lines
RATIO_FLOOR = 1 << 20  # a part unpacking to less than this cannot hurt, whatever its ratio
SCAN_CHUNK = 1 << 22
_WORKSHEET = re.compile(rb"<(?:\w+:)?worksheet[\s>]")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData[\s>/]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d{1,9})(?::([A-Z]{1,3})(\d{1,9}))?"')
_REFERENCE = re.compile(rb'\sr="([A-Z]{0,3})(\d{1,9})"')  # of a <row> (no letters) or a <c>ell


def check_workbook(path: Path, limits: ReadLimits) -> None:
    """Raise a LayoutError when the workbook would unpack or span more than its limits allow."""
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
            _check_sizes(path.name, parts, limits)
            for part in parts:
                if part.filename.lower().endswith(".xml"):
                    _check_sheet(path.name, book, part, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError):
        raise LayoutError(failure("truncated_xlsx", file=path.name)) from None


def _check_sizes(name: str, parts: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes:
        raise LayoutError(f"{name}: unpacks to {unpacked:,} bytes, over the limit of "
                          f"{limits.max_unpacked_bytes:,} (max_unpacked_bytes)")
    for part in parts:
        if part.file_size > RATIO_FLOOR and part.file_size > limits.max_compression_ratio * max(part.compress_size, 1):
            raise LayoutError(
                f"{name}: part {part.filename!r} unpacks to {part.file_size:,} bytes from {part.compress_size:,} "
                f"({part.file_size / max(part.compress_size, 1):,.0f} times its packed size), over the limit of "
                f"{limits.max_compression_ratio:g} times (max_compression_ratio): a zip bomb?")


def _check_sheet(name: str, book: zipfile.ZipFile, part: zipfile.ZipInfo, limits: ReadLimits) -> None:
    with book.open(part) as fh:
        head = fh.read(HEAD_BYTES)
    if not _WORKSHEET.search(head):
        return  # not a worksheet: its size was checked with the others
    data = _SHEET_DATA.search(head)
    declared = _DIMENSION.search(head, 0, data.start() if data else len(head))
    if declared:
        first_col, first_row, last_col, last_row = declared.groups()
        span = _span(first_col, first_row, last_col or first_col, last_row or first_row)
        what = "declares a range of"
    else:
        span = _scanned_span(book, part)
        what = "has cells spanning"
    if span is not None and span[1] > limits.max_sheet_cells:
        raise LayoutError(f"{name}: worksheet {part.filename!r} {what} {span[0]} ({span[1]:,} cells), over the limit of "
                          f"{limits.max_sheet_cells:,} cells (max_sheet_cells)")


def _span(first_col: bytes, first_row: bytes, last_col: bytes, last_row: bytes) -> tuple[str, int]:
    """The range as text, and its cells as calamine would hold them (corners in any order)."""
    rows = sorted((int(first_row), int(last_row)))
    columns = sorted((_column_number(first_col), _column_number(last_col)))
    text = f"{first_col.decode()}{first_row.decode()}:{last_col.decode()}{last_row.decode()}"
    return text, (rows[1] - rows[0] + 1) * (columns[1] - columns[0] + 1)


def _scanned_span(book: zipfile.ZipFile, part: zipfile.ZipInfo) -> tuple[str, int] | None:
    """The range a worksheet's cell references span, read through (only for a sheet that
    declares none); None when it has none."""
    rows: set[int] = set()
    columns: set[bytes] = set()
    carry = b""
    with book.open(part) as fh:
        while chunk := fh.read(SCAN_CHUNK):
            text = carry + chunk
            for letters, digits in set(_REFERENCE.findall(text)):
                rows.add(int(digits))
                if letters:
                    columns.add(letters)
            carry = text[-64:]  # a reference cut by the chunk's end is read whole with the next
    if not rows:
        return None
    by_number = sorted(columns or {b"A"}, key=_column_number)
    return _span(by_number[0], str(min(rows)).encode(), by_number[-1], str(max(rows)).encode())


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
