"""Reading an xlsx workbook's sheets in batches of published rows (python-calamine)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
from collections.abc import Iterator
from pathlib import Path

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook

from detainers.errors import LayoutError
from detainers.transform.blank_rows import BlankRuns
from detainers.transform.header import HEADER_SEARCH_ROWS, expected_rows, find_header, header_index, match_header
from detainers.transform.info import ROW, SHEET, ReadInfo
from detainers.transform.limits import ReadLimits
from detainers.transform.workbook import check_workbook
from schemas.layouts import Layout


def read_xlsx(path: Path, layout: Layout, info: ReadInfo, batch_rows: int, limits: ReadLimits) -> Iterator[pl.DataFrame]:
    check_workbook(path, limits)  # before calamine, whose failed allocation would abort the process
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
        runs = BlankRuns(columns, layout, limits.max_blank_rows, where)
        while True:
            with _gc_paused():
                chunk = _take(rows, batch_rows)
                frame = _xlsx_frame(chunk, columns, sheet_name, row_number + 1) if chunk else None
            if frame is None:
                break
            yield from runs.take(frame)
            row_number += len(chunk)
            del chunk, frame
            if runs.over_limit:  # a million formatted empty rows: read on without building them
                row_number = runs.skip(rows, list(columns.values()), row_number + 1) - 1
        info.note(runs.end())


def _raise_header_elsewhere(path: Path, sheet, layout: Layout, where: str) -> None:
    first = sheet.start[0] + 1 if sheet.start else 1
    top = [row for _, row in zip(range(HEADER_SEARCH_ROWS), sheet.iter_rows())]
    at = find_header(top, layout)
    if at is not None:
        raise LayoutError(f"{where}: header is on row {first + at}, but layout {layout.name!r} puts it on {expected_rows(layout)}")
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
        return pl.Series(values, dtype=pl.Categorical)  # text by code: values.py
    if kinds <= {dt.date, str} and dt.date in kinds and all(v == "" for v in values if type(v) is str):
        return pl.Series([v or None for v in values], dtype=pl.Date)
    return pl.Series([_text(v) for v in values], dtype=pl.Categorical)


def _text(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
