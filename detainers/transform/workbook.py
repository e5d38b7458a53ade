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
import threading
import zipfile
import zlib
from concurrent.futures import Future
from pathlib import Path

from detainers.errors import LayoutError
from detainers.transform import decoded
from detainers.transform.decoded import SharedStrings
from detainers.transform.limits import ReadLimits
from detainers.schemas.reference import failure

HEAD_BYTES = 64 << 10  # a worksheet's <dimension> comes before its data, in its first lines
RATIO_FLOOR = 1 << 20  # a part unpacking to less than this cannot hurt, whatever its ratio
_WORKSHEET = re.compile(rb"<(?:\w+:)?worksheet[\s>]")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData[\s>/]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d{1,9})(?::([A-Z]{1,3})(\d{1,9}))?"')


_STARTED: dict[tuple, Future] = {}  # checks begun ahead of the read (start_check), by file and limits


def start_check(path: Path, limits: ReadLimits) -> None:
    """Begin check_workbook in a thread as soon as the file is landed, so its pass over the
    sheet's XML (inflating it and searching it release the GIL) runs while the run sets up its
    build; the read waits for it (check_workbook) before calamine ever sees the file."""
    key = _key(path, limits)
    if key in _STARTED:
        return
    future: Future = Future()
    _STARTED[key] = future

    def check() -> None:
        try:
            future.set_result(_check(path, limits))
        except BaseException as exc:  # raised where the read asks for the verdict (its frames, holding chunks, let go)
            future.set_exception(exc.with_traceback(None))

    threading.Thread(target=check, name="detainers-workbook-check", daemon=True).start()


def check_workbook(path: Path, limits: ReadLimits) -> None:
    """Raise a LayoutError when the workbook would unpack or span more than its limits allow
    (the verdict of a check start_check began, or one made now)."""
    started = _STARTED.pop(_key(path, limits), None)
    if started is None:
        _check(path, limits)
    else:
        started.result()


def _key(path: Path, limits: ReadLimits) -> tuple:
    stat = path.stat()  # the same bytes: a landed file is never rewritten, but a path may be reused
    return path.resolve(), stat.st_ino, stat.st_size, stat.st_mtime_ns, limits


def _check(path: Path, limits: ReadLimits) -> None:
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
            _check_sizes(path.name, parts, limits)
            shared = decoded.shared_strings(book, parts)
            for part in parts:
                if part.filename.lower().endswith(".xml"):
                    _check_sheet(path.name, book, part, limits, shared)
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


def _check_sheet(name: str, book: zipfile.ZipFile, part: zipfile.ZipInfo, limits: ReadLimits, shared: SharedStrings) -> None:
    with book.open(part) as fh:
        head = fh.read(HEAD_BYTES)
    if not _WORKSHEET.search(head):
        return  # not a worksheet: its size was checked with the others
    data = _SHEET_DATA.search(head)
    declared = _DIMENSION.search(head, 0, data.start() if data else len(head))
    if declared:
        first_col, first_row, last_col, last_row = declared.groups()
        span = _span(first_col, first_row, last_col or first_col, last_row or first_row)
        if span[1] > limits.max_sheet_cells:
            raise LayoutError(f"{name}: worksheet {part.filename!r} declares a range of {span[0]} ({span[1]:,} cells), "
                              f"over the limit of {limits.max_sheet_cells:,} cells (max_sheet_cells)")
        columns = sorted((first_col, last_col or first_col), key=_column_number)
        bound = decoded.quick(book, part, shared, columns[-1].decode(), max(int(first_row), int(last_row or first_row)),
                              limits.max_decoded_value_bytes)
        if bound is not None and not _over(bound, limits):
            return  # what it declares holds every cell, and decodes within the limits
    counted = decoded.exact(book, part, shared, limits.max_decoded_value_bytes)
    if counted.span > limits.max_sheet_cells:
        raise LayoutError(f"{name}: worksheet {part.filename!r} has cells spanning A1:{counted.last} ({counted.span:,} cells), "
                          f"over the limit of {limits.max_sheet_cells:,} cells (max_sheet_cells)")
    over = _over(counted, limits)
    if over:
        raise LayoutError(failure("sheet_decodes_too_large", where=f"{name}: worksheet {part.filename!r}{over[0]}", what=over[1],
                                  limit=over[2], setting=over[3]))


def _over(counted: decoded.Decoded, limits: ReadLimits) -> tuple[str, str, int, str] | None:
    """The first limit the sheet's decoded text passes, as (where in the sheet, what, the limit,
    its setting); None within them all."""
    for column, most in sorted(counted.longest.items()):
        if most > limits.max_decoded_value_bytes:
            return f", column {column}", f"a value of {most:,} bytes", limits.max_decoded_value_bytes, "max_decoded_value_bytes"
    for column, total in sorted(counted.columns.items()):
        if total > limits.max_decoded_column_bytes:
            return (f", column {column}", f"{total:,} bytes of text in {counted.cells[column]:,} cells (the longest value "
                    f"{counted.longest[column]:,} bytes)", limits.max_decoded_column_bytes, "max_decoded_column_bytes")
    if counted.batch_bytes > limits.max_decoded_batch_bytes:
        top = max(counted.text, key=counted.text.get, default="?")
        return ("", f"{counted.batch_bytes:,} bytes ({counted.span:,} cells, and {sum(counted.text.values()):,} bytes of text, "
                f"most in column {top}: {counted.text.get(top, 0):,} bytes)", limits.max_decoded_batch_bytes, "max_decoded_batch_bytes")
    return None


def _span(first_col: bytes, first_row: bytes, last_col: bytes, last_row: bytes) -> tuple[str, int]:
    """The range as text, and its cells as calamine would hold them (corners in any order)."""
    rows = sorted((int(first_row), int(last_row)))
    columns = sorted((_column_number(first_col), _column_number(last_col)))
    text = f"{first_col.decode()}{first_row.decode()}:{last_col.decode()}{last_row.decode()}"
    return text, (rows[1] - rows[0] + 1) * (columns[1] - columns[0] + 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
