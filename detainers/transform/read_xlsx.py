"""Reading an xlsx workbook's sheets in batches of published rows (fastexcel, over calamine).

fastexcel parses a sheet in Rust straight into Arrow columns, so no Python object is built
per cell. Every column the layout reads is asked for as text, as calamine renders it (a
whole number without ".0", a date-time as "2014-10-01 00:00:00"): a cell that is not what
its column should be stays as published, for validation to quarantine with its reason,
where a typed read would have coerced it to null.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import fastexcel
import polars as pl

from detainers.errors import LayoutError
from detainers.schemas.reference import failure
from detainers.transform.blank_rows import BlankRuns
from detainers.transform.header import HEADER_SEARCH_ROWS, first_filled, header_index, match_header, raise_if_elsewhere
from detainers.transform.info import ROW, SHEET, ReadInfo
from detainers.transform.limits import ReadLimits
from detainers.transform.workbook import check_workbook
from detainers.schemas.layouts import Layout

_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"  # a date cell: calamine gives it a time of day
_DATE_TIME = r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$"


def read_xlsx(path: Path, layout: Layout, info: ReadInfo, batch_rows: int, limits: ReadLimits) -> Iterator[pl.DataFrame]:
    check_workbook(path, limits)  # before calamine, whose failed allocation would abort the process
    try:
        workbook = fastexcel.read_excel(path)
    except Exception:  # calamine raises several types for corrupt zips
        raise LayoutError(failure("truncated_xlsx", file=path.name)) from None
    names = workbook.sheet_names if layout.sheets == "all" else list(layout.sheets)
    for sheet_name in names:
        where = f"{path.name}, sheet {sheet_name!r}"
        sheet = _load(workbook, sheet_name, path)  # parsed once: each load_sheet parses the whole sheet
        if not sheet.num_rows:
            if len(names) == 1:
                raise LayoutError(f"{where}: is empty")
            continue  # an empty extra sheet in a multi-sheet workbook carries nothing
        info.sheets.append(sheet_name)
        top = _rows(sheet.slice(0, max(HEADER_SEARCH_ROWS, layout.header_row + layout.header_within_rows)))
        at = header_index(top, layout)
        if at is None:
            _raise_header_elsewhere(top, layout, where)
        columns = match_header(top[at], layout, where, info)
        data = _columns(sheet.slice(at + 1), columns)
        data = data.with_columns(pl.lit(sheet_name).alias(SHEET),
                                 pl.int_range(pl.len(), dtype=pl.Int64).add(at + 2).alias(ROW))
        runs = BlankRuns(columns, layout, limits.max_blank_rows, where)
        for offset in range(0, data.height, batch_rows):
            yield from runs.take(data.slice(offset, batch_rows))
        info.note(runs.end())


def _load(workbook, sheet_name: str, path: Path):
    """The whole sheet as text, from its row 1 (an explicit skip_rows counts rows from the
    sheet's row 1, not from its first value, so positions are the spreadsheet's row numbers).
    Eager: fastexcel streams calamine's cells into Arrow columns instead of building calamine's
    whole range first (32 bytes a cell, and its own copy of each text) and converting it: half
    the memory and a third of the time on a million rows."""
    try:
        return workbook.load_sheet(sheet_name, header_row=None, skip_rows=0, dtypes="string", eager=True)
    except Exception as exc:  # a missing sheet, or a part calamine cannot parse
        raise LayoutError(f"{path.name}: cannot read sheet {sheet_name!r} ({exc})") from None


def _rows(table) -> list[list[str]]:
    """Rows as lists of text, blank cells as "" (header matching strips and compares)."""
    columns = [[value or "" for value in column.to_pylist()] for column in table.columns]
    return [list(cells) for cells in zip(*columns)]


def _columns(table, columns: dict[str, tuple[int, ...]]) -> pl.DataFrame:
    """The layout's columns below the header, by name: text as Categorical, dates as Date."""
    return pl.DataFrame({name: _column(_published(table, at).alias(name)) for name, at in columns.items()})


def _published(table, at: tuple[int, ...]) -> pl.Series:
    """A published column from the sheet's column(s) holding it (header.py: first_filled)."""
    if len(at) == 1:
        return pl.Series(table.column(at[0]))
    held = pl.DataFrame({f"_{i}": pl.Series(table.column(pos)).cast(pl.String) for i, pos in enumerate(at)})
    return held.select(first_filled([pl.col(f"_{i}") for i in range(len(at))])).to_series()


def _column(values: pl.Series) -> pl.Series:
    """A column of date cells (and blanks) as Date; any other as text, a date-time in ISO form.
    Each conversion runs on the column's distinct values, then maps back."""
    values = values.cast(pl.String)
    distinct = values.unique().drop_nulls()
    if len(distinct) and distinct.str.contains(_MIDNIGHT).all():
        dates = distinct.str.slice(0, 10).str.to_date("%Y-%m-%d")
        return values.replace_strict(distinct, dates, default=None, return_dtype=pl.Date)
    if distinct.str.contains(_DATE_TIME).any():
        values = values.replace(distinct, distinct.str.replace(_MIDNIGHT, "$1").str.replace(_DATE_TIME, "${1}T$2"))
    return values.fill_null("").cast(pl.Categorical)  # text by code (values.py); blank is "", as calamine gives it


def _raise_header_elsewhere(top: list[list[str]], layout: Layout, where: str) -> None:
    raise_if_elsewhere(top, layout, where)
    found = top[layout.header_row - 1] if layout.header_row <= len(top) else []
    match_header(found, layout, where, ReadInfo())  # raises with expected against found
    raise LayoutError(f"{where}: no header row found")
