"""Readers: a landed file (xlsx, CSV or Parquet) and its layout in, batches of published rows out.

Each batch is a polars DataFrame with the layout's published column names (text as
Categorical, or dates where the spreadsheet stored dates) plus provenance: `_sheet` and
`_row`, the row number a spreadsheet or text editor would show for that record. A CSV is read
batch by batch, so memory stays bounded however large the file; an xlsx sheet is parsed
whole (a sheet holds at most 1,048,576 rows, and max_sheet_cells bounds what one may
declare), then handed on in slices. The file's real format comes from its first bytes, not
its name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from detainers.errors import LayoutError
from detainers.extract.landing import file_kind
from detainers.transform.info import ReadInfo
from detainers.transform.limits import ReadLimits
from detainers.transform.read_csv import read_csv
from detainers.transform.read_parquet import read_parquet
from detainers.transform.read_xlsx import read_xlsx
from schemas.layouts import Layout

# Rows per batch. Each batch pays fixed costs (its new values validated in one pandera call),
# so bigger is faster; a CSV batch is a few integer codes per row (a million rows: ~30 MB). An
# xlsx sheet is already in memory: its smaller slices let validating one overlap writing the
# one before (transform/batches.py read_ahead), where a single slice would leave nothing to overlap.
BATCH_ROWS = {"csv": 1_000_000, "xlsx": 250_000, "parquet": 1_000_000}
READERS = {"csv": read_csv, "xlsx": read_xlsx, "parquet": read_parquet}


def sniff_format(path: Path) -> str:
    """The file's real format from its first bytes, whatever its name says: xlsx, parquet,
    csv (any text), or ole (a legacy .xls, or an encrypted, password-protected xlsx)."""
    with open(path, "rb") as fh:
        return file_kind(fh.read(8))


def read_batches(path: Path, layout: Layout, info: ReadInfo, batch_rows: int | None = None,
                 limits: ReadLimits | None = None, careful: bool = False) -> Iterator[pl.DataFrame]:
    """Yield the published rows of `path` in batches; fill `info` as the file is read. A file
    over its limits (default: schemas/reference/limits.toml) is a LayoutError. `careful`: a
    CSV read again (read_csv.ReadAgain)."""
    file_format = sniff_format(path)
    info.file_format = file_format
    if file_format == "ole":
        raise LayoutError(
            f"{path.name}: is an encrypted (password-protected) workbook or a legacy .xls file; "
            "save it as an unprotected .xlsx or as CSV"
        )
    if file_format not in layout.formats:
        raise LayoutError(f"{path.name}: is {file_format}, but layout {layout.name!r} is published as {', '.join(layout.formats)}")
    reader = READERS[file_format]
    batch_rows = batch_rows or BATCH_ROWS[file_format]
    if file_format == "csv":
        yield from read_csv(path, layout, info, batch_rows, limits or ReadLimits.of(), careful)
        return
    yield from reader(path, layout, info, batch_rows, limits or ReadLimits.of())
