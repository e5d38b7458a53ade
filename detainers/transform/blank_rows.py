"""Runs of blank rows: rows whose every column the layout reads is empty or spaces.

Inside the data a blank row is a row like any other: it is quarantined (it has no prepare
date), so a clerk's empty line is seen, never silently dropped. At the end of a sheet or
file blank rows are not data: they are skipped, however many (a workbook saved with a
million formatted empty rows), with one warning that says how many and where, instead of a
million rejects. A run longer than the source's max_blank_rows with data after it refuses
the file: a gap that long is no empty line left by a clerk, and its rows are no longer held
to be quarantined one by one.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from detainers.errors import LayoutError
from detainers.transform.info import ROW, WHOLE
from detainers.schemas.layouts import Layout


def blank_rows(batch: pl.DataFrame, columns: list[str]) -> pl.Series:
    """Whether each row is blank in `columns`, which are looked at in turn until no row can be
    blank. Text is judged per distinct value, not per row."""
    blank = pl.repeat(True, batch.height, dtype=pl.Boolean, eager=True)
    for name in columns:
        column = batch[name]
        empty = column.is_null()
        if column.dtype in (pl.Categorical, pl.String):
            values = column.unique().drop_nulls()
            empty = empty | column.is_in(values.filter(values.cast(pl.String).str.strip_chars() == "").implode())
        blank = blank & empty
        if not blank.any():
            break
    return blank


class BlankRuns:
    """The batches of one sheet (or CSV file), with each run of blank rows held back until
    what follows it shows whether it is inside the data (given back) or at its end (skipped)."""

    def __init__(self, columns: Iterable[str], layout: Layout, limit: int, where: str) -> None:
        # the prepare date first: every layout has it, so a batch without a blank there is done
        self.columns = sorted(columns, key=lambda name: layout.columns[name] != "prepare_date")
        self.limit, self.where = limit, where
        self.held: list[pl.DataFrame] = []  # the run's rows, while it is within the limit
        self.run = 0
        self.first_row = self.last_row = 0  # the run's first and last row numbers

    def take(self, batch: pl.DataFrame) -> list[pl.DataFrame]:
        """The rows to pass on now: a run held before the batch's data, then the batch up to
        its last row with data."""
        blank = blank_rows(batch, self.columns)
        if WHOLE in batch.columns:
            blank = blank & batch[WHOLE]  # a row cut short is quarantined, whatever is left of it
        data_rows = batch[ROW].filter(~blank)
        if not len(data_rows):
            self._hold(batch)
            return []
        start = self.first_row if self.run else int(batch[ROW][0])
        before = data_rows.shift(1, fill_value=start - 1)  # each row with data, and the one before it
        gaps = data_rows - before - 1
        if int(gaps.max()) > self.limit:
            at = int(gaps.arg_max())
            raise self.data_after(int(before[at]) + 1, int(data_rows[at]))
        last = batch.height - int((batch[ROW] > data_rows[-1]).sum())
        out = [*self.held, batch.head(last)]
        self.held, self.run = [], 0
        if last < batch.height:
            self._hold(batch.slice(last))
        return out

    def end(self) -> str | None:
        """One line for the blank rows the sheet or file ended with, if any."""
        if not self.run:
            return None
        return f"{self.where}: {self.run:,} blank rows at the end (rows {self.first_row:,}..{self.last_row:,}) skipped"

    def data_after(self, first_blank: int, data_row: int) -> LayoutError:
        return LayoutError(
            f"{self.where}: {data_row - first_blank:,} blank rows (rows {first_blank:,}..{data_row - 1:,}), then data "
            f"again at row {data_row:,}: over the limit of {self.limit:,} blank rows in a row (max_blank_rows)")

    def _hold(self, rows: pl.DataFrame) -> None:
        if not self.run:
            self.first_row = int(rows[ROW][0])
        self.run += rows.height
        self.last_row = int(rows[ROW][-1])
        self.held = [*self.held, rows] if self.run <= self.limit else []

