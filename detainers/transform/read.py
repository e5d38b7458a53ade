"""Readers: a landed file (xlsx, CSV or Parquet) and its layout in, batches of published rows out.

Each batch is a polars DataFrame with the layout's published column names (text as
Categorical, or dates where the spreadsheet stored dates) plus provenance: `_sheet` and
`_row`, the row number a spreadsheet or text editor would show for that record. A CSV is read
batch by batch, so memory stays bounded however large the file; an xlsx sheet is parsed
whole (a sheet holds at most 1,048,576 rows, and max_sheet_cells bounds what one may
declare), then handed on in slices. The file's real format comes from its first bytes, not
its name.

A file that is no known release and names no layout is read with the one layout whose header
it has, where that layout puts it (`layouts_by_header`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from detainers.errors import LayoutError
from detainers.extract.landing import file_kind, published_name
from detainers.extract.manifest import Source
from detainers.transform.header import HEADER_SEARCH_ROWS, layouts_matching
from detainers.transform.info import ReadInfo
from detainers.transform.limits import ReadLimits
from detainers.transform.read_csv import find_separator, read_csv, text_head
from detainers.transform.read_parquet import read_parquet
from detainers.transform.read_xlsx import read_xlsx
from detainers.transform.workbook import start_check
from detainers.schemas.layouts import Layout, known_layouts
from detainers.schemas.reference import failure

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


def check_ahead(source: Source, path: Path) -> None:
    """Begin what can be checked of a landed file before the build is ready for its rows: a
    workbook's memory bound (workbook.start_check), while the run sets up its build. A file
    that cannot be looked at now is left to its read, which checks it and says why."""
    try:
        if sniff_format(path) == "xlsx":
            start_check(path, ReadLimits.of(source))
    except Exception:
        return


def with_layout_by_header(source: Source, path: Path) -> tuple[Source, str]:
    """A source that names no layout and whose file is no known release, as read with the one
    layout whose header its file has, and the line that says so; none or several: a LayoutError
    naming them."""
    found = layouts_by_header(path, ReadLimits.of(source))
    file = published_name(source.url, path)
    if len(found) != 1:
        key = "layout_by_header_several" if found else "layout_by_header_none"
        raise LayoutError(failure(key, source=source.name, file=file, layouts=", ".join(found or known_layouts())))
    resolved = source.model_copy(update={"layout": found[0]})
    resolved._catalog_id, resolved._given = source.catalog_id, source._given
    return resolved, f"source {source.name}: {file} is no known release; read with layout {found[0]}, the one whose header it has"


def layouts_by_header(path: Path, limits: ReadLimits) -> list[str]:
    """The layouts (by name) whose header the file has where the layout puts it: its header row
    (or rows) in a CSV, under any of the delimiters tried, or in a workbook's first sheet with
    rows; its column names in Parquet. A file that is none of these matches none."""
    kind = sniff_format(path)
    candidates = [layout for layout in known_layouts().values() if kind in layout.formats]
    if kind == "csv":
        head = text_head(path)
        return [layout.name for layout in candidates if find_separator(head, layout)[2] is not None]
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            top = [pq.read_schema(path).names]
        except (pa.ArrowException, OSError):
            return []
    elif kind == "xlsx":
        top = _first_rows(path, limits)
    else:
        return []
    return layouts_matching(top, candidates)


def _first_rows(path: Path, limits: ReadLimits) -> list[list[str]]:
    """The first rows of the workbook's first sheet that has any, as text."""
    import fastexcel

    from detainers.transform.workbook import check_workbook

    check_workbook(path, limits)  # before calamine, whose failed allocation would abort the process
    try:
        workbook = fastexcel.read_excel(path)
        for name in workbook.sheet_names:
            sheet = workbook.load_sheet(name, header_row=None, skip_rows=0, n_rows=HEADER_SEARCH_ROWS, dtypes="string")
            if sheet.height:
                columns = [[value or "" for value in column.to_pylist()] for column in sheet.to_arrow().columns]
                return [list(cells) for cells in zip(*columns)]
    except Exception:  # calamine raises several types for a damaged workbook: it matches no layout
        return []
    return []
