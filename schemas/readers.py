"""Readers: a landed file and its layout in, batches of published rows out.

Each batch is a polars DataFrame with the layout's published column names (text, or dates
where the spreadsheet stored dates) plus provenance: `_sheet` and `_row`, the row number a
spreadsheet or text editor would show for that record. Batches keep memory bounded however
large the file is.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import gc
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook

from detainers.errors import LayoutError
from schemas.layouts import Layout

BATCH_ROWS = 250_000
HEADER_SEARCH_ROWS = 30  # how far to look for a misplaced header, to say where it is
SHEET = "_sheet"
ROW = "_row"


@dataclass
class ReadInfo:
    """What a reader learned about a file besides its rows (for the audit table)."""

    file_format: str = ""
    sheets: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    encoding: str = "utf-8"


def sniff_format(path: Path) -> str:
    """The file's real format from its first bytes, whatever its name says."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # legacy .xls, or an encrypted (password-protected) xlsx
    return "csv"


def read_batches(path: Path, layout: Layout, info: ReadInfo, batch_rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
    """Yield the published rows of `path` in batches; fill `info` as the file is read."""
    file_format = sniff_format(path)
    info.file_format = file_format
    if file_format == "ole":
        raise LayoutError(
            f"{path.name}: is an encrypted (password-protected) workbook or a legacy .xls file; "
            "save it as an unprotected .xlsx or as CSV"
        )
    if file_format not in layout.formats:
        raise LayoutError(f"{path.name}: is {file_format}, but layout {layout.name!r} is published as {', '.join(layout.formats)}")
    reader = _read_xlsx if file_format == "xlsx" else _read_csv
    yield from reader(path, layout, info, batch_rows)


def match_header(found: list[str], layout: Layout, where: str, info: ReadInfo) -> dict[str, int]:
    """Map each published column of the layout to its position; a clear error if any is missing."""
    names = [str(c).strip() for c in found]
    positions = {name: i for i, name in reversed(list(enumerate(names)))}
    missing = [c for c in layout.required_columns if c not in positions]
    if missing:
        raise LayoutError(
            f"{where}: missing column(s) {missing}.\n  expected: {list(layout.columns)}\n  found:    {names}"
        )
    info.extra_columns = sorted({n for n in names if n and n not in layout.columns} | set(info.extra_columns))
    info.missing_optional = [c for c in layout.optional_columns if c not in positions]
    return {c: positions[c] for c in layout.columns if c in positions}


def _find_header(rows: list[list], layout: Layout) -> int | None:
    wanted = set(layout.required_columns)
    for i, row in enumerate(rows):
        if wanted <= {str(c).strip() for c in row}:
            return i
    return None


def header_index(top: list[list], layout: Layout, first_row: int = 1) -> int | None:
    """Where in `top` (rows from spreadsheet row `first_row` on) the layout's header is."""
    expected = layout.header_row - first_row
    if expected < 0:
        return None
    if not layout.header_within_rows:
        return expected if expected < len(top) and _find_header([top[expected]], layout) is not None else None
    found = _find_header(top[expected:expected + layout.header_within_rows], layout)
    return None if found is None else expected + found


def _expected_rows(layout: Layout) -> str:
    if not layout.header_within_rows:
        return f"row {layout.header_row}"
    return f"rows {layout.header_row}..{layout.header_row + layout.header_within_rows - 1}"


def _read_xlsx(path: Path, layout: Layout, info: ReadInfo, batch_rows: int) -> Iterator[pl.DataFrame]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, Exception) as exc:  # calamine raises several types for corrupt zips
        raise LayoutError(f"{path.name}: not a readable xlsx workbook ({exc})") from None
    names = workbook.sheet_names if layout.sheets == "all" else list(layout.sheets)
    for sheet_name in names:
        try:
            sheet = workbook.get_sheet_by_name(sheet_name)
        except Exception as exc:
            raise LayoutError(f"{path.name}: cannot read sheet {sheet_name!r} ({exc})") from None
        where = f"{path.name}, sheet {sheet_name!r}"
        if sheet.height == 0 or sheet.width == 0:
            if len(names) == 1:
                raise LayoutError(f"{where}: is empty")
            continue  # an empty extra sheet in a multi-sheet workbook carries nothing
        info.sheets.append(sheet_name)
        first_row = sheet.start[0] + 1 if sheet.start else 1  # rows before the used range are blank
        rows = sheet.iter_rows()
        top = list(itertools.islice(rows, max(0, layout.header_row - first_row + max(layout.header_within_rows, 1))))
        at = header_index(top, layout, first_row)
        if at is None:
            _raise_header_elsewhere(path, sheet, layout, where)
        columns = match_header(top[at], layout, where, info)
        rows = itertools.chain(top[at + 1:], rows)
        row_number = first_row + at
        while True:
            with _gc_paused():
                chunk = _take(rows, batch_rows)
                frame = _xlsx_frame(chunk, columns, sheet_name, row_number + 1) if chunk else None
            if frame is None:
                break
            yield frame
            row_number += len(chunk)
            del chunk, frame


def _raise_header_elsewhere(path: Path, sheet, layout: Layout, where: str) -> None:
    first = sheet.start[0] + 1 if sheet.start else 1
    top = [row for _, row in zip(range(HEADER_SEARCH_ROWS), sheet.iter_rows())]
    at = _find_header(top, layout)
    if at is not None:
        raise LayoutError(f"{where}: header is on row {first + at}, but layout {layout.name!r} puts it on {_expected_rows(layout)}")
    found = top[layout.header_row - first] if 0 <= layout.header_row - first < len(top) else []
    match_header(found, layout, where, ReadInfo())  # raises with expected against found
    raise LayoutError(f"{where}: no header row found")


def _take(rows: Iterator[list], n: int) -> list[list]:
    return list(itertools.islice(rows, n))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """A batch is a quarter of a million new row lists and cells: with Python's cycle
    collector running, it walks them again and again while they pile up (3x slower). None
    of them can form a cycle, so the collector waits until the batch is built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _xlsx_frame(chunk: list[list], columns: dict[str, int], sheet: str, first_row: int) -> pl.DataFrame:
    cells = list(zip(*chunk))
    data = {name: _column(cells[pos] if pos < len(cells) else ("",) * len(chunk)) for name, pos in columns.items()}
    frame = pl.DataFrame(data)
    return frame.with_columns(
        pl.lit(sheet).alias(SHEET),
        pl.int_range(first_row, first_row + len(chunk), dtype=pl.Int64).alias(ROW),
    )


def _column(values: tuple) -> pl.Series:
    kinds = set(map(type, values))
    if kinds <= {str}:
        return pl.Series(values, dtype=pl.String)
    if kinds <= {dt.date, str} and dt.date in kinds and all(v == "" for v in values if type(v) is str):
        return pl.Series([v or None for v in values], dtype=pl.Date)
    return pl.Series([_text(v) for v in values], dtype=pl.String)


def _text(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(path: Path, layout: Layout, info: ReadInfo, batch_rows: int) -> Iterator[pl.DataFrame]:
    source, info.encoding = _utf8_source(path)
    top = _csv_rows(source, layout.header_row - 1 + max(layout.header_within_rows, 1))
    at = header_index(top, layout)
    header_row = layout.header_row if at is None else at + 1
    header = top[header_row - 1] if len(top) >= header_row else []
    where = f"{path.name}"
    if at is None:
        top = _csv_rows(source, HEADER_SEARCH_ROWS)
        at = _find_header(top, layout)
        if at is not None:
            raise LayoutError(f"{where}: header is on row {at + 1}, but layout {layout.name!r} puts it on {_expected_rows(layout)}")
        if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
            raise LayoutError(f"{where}: the header is one column ({header[0][:80]!r}): is the file comma-separated?")
    columns = match_header(header, layout, where, info)
    info.sheets = [""]
    names = [str(c).strip() for c in header]
    scan = pl.scan_csv(
        source,
        skip_rows=header_row - 1,
        infer_schema=False,
        new_columns=[f"_c{i}" for i in range(len(names))],
        row_index_name=ROW,
        row_index_offset=header_row + 1,
    )
    select = [pl.col(ROW).cast(pl.Int64)] + [pl.col(f"_c{pos}").alias(name) for name, pos in columns.items()]
    try:
        for batch in scan.select(select).collect_batches(chunk_size=batch_rows):
            yield batch.with_columns(pl.lit("").alias(SHEET))
    except pl.exceptions.ComputeError as exc:  # polars' own message is long and names no row
        raise LayoutError(_csv_fault(source, path, len(names), exc)) from None


def _csv_fault(source, path: Path, width: int, exc: Exception) -> str:
    """Say which row breaks the CSV: one with more fields than the header, or bad quoting."""
    import csv

    data = source if isinstance(source, bytes) else path.read_bytes()
    try:
        for number, fields in enumerate(csv.reader(io.StringIO(data.decode("utf-8", errors="replace"))), start=1):
            if len(fields) > width:
                return f"{path.name}: row {number} has {len(fields)} fields, but the header has {width}"
    except csv.Error as bad:
        return f"{path.name}: is not valid CSV ({bad})"
    return f"{path.name}: is not valid CSV ({str(exc).splitlines()[0]})"


def _utf8_source(path: Path):
    """polars reads UTF-8 only: a file in another encoding (latin-1, Windows-1252) is decoded here."""
    raw = path.read_bytes() if path.stat().st_size < 1 << 20 else None
    sample = raw if raw is not None else open(path, "rb").read(1 << 20)
    if sample.startswith(b"\xef\xbb\xbf"):
        data = raw if raw is not None else path.read_bytes()
        return data[3:], "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        data = raw if raw is not None else path.read_bytes()
        return data.decode("utf-16", errors="replace").encode("utf-8"), "utf-16"
    if _is_utf8(raw if raw is not None else path):
        return (raw if raw is not None else path), "utf-8"
    data = raw if raw is not None else path.read_bytes()
    return data.decode("cp1252", errors="replace").encode("utf-8"), "cp1252"


def _is_utf8(source) -> bool:
    """The whole file, in chunks: a Windows-1252 byte may first appear far past any sample."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        if isinstance(source, bytes):
            decoder.decode(source, final=True)
            return True
        with open(source, "rb") as fh:
            while chunk := fh.read(1 << 24):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False


def _csv_rows(source, n: int) -> list[list[str]]:
    import csv

    data = source if isinstance(source, bytes) else open(source, "rb").read(1 << 20)
    text = io.StringIO(data[: 1 << 20].decode("utf-8", errors="replace"))
    return [row for _, row in zip(range(n), csv.reader(text))]
