"""Reading a Parquet file in batches of published rows (pyarrow), as DDP publishes its
processed output.

Typed columns are taken as they are: a DATE column is a date (no date format needed), a
timestamp is its day (and its time of day, which duplicate rules use). Text columns are read
as Arrow dictionaries, handed on as polars Categoricals, and go through the same
normalization, validation and rejects as a CSV's; a column of another type (a number where
text was expected) is read as its text. Header names match as in CSV (header.py: case,
spaces and underscores aside). Rows are numbered from 1, in the file's order.

Before a byte of data is read, the footer says what the file would ask of the machine: its
row groups' unpacked size against max_unpacked_bytes, and each column chunk's unpacked size
against its packed size (max_compression_ratio), as for a workbook.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from detainers.errors import LayoutError
from detainers.transform.blank_rows import BlankRuns
from detainers.transform.header import first_filled, match_header
from detainers.transform.info import ROW, SHEET, ReadInfo
from detainers.transform.limits import ReadLimits
from detainers.transform.workbook import RATIO_FLOOR
from schemas.canonical import DATE_FIELDS
from schemas.layouts import Layout
from schemas.reference import failure


def read_parquet(path: Path, layout: Layout, info: ReadInfo, batch_rows: int, limits: ReadLimits) -> Iterator[pl.DataFrame]:
    where = path.name
    try:
        schema = pq.read_schema(path)
        names = schema.names
        columns = match_header(names, layout, where, info)
        read = [pos for at in columns.values() for pos in at]
        text = [names[pos] for pos in read if pa.types.is_string(schema.field(pos).type)
                or pa.types.is_large_string(schema.field(pos).type)]
        parquet = pq.ParquetFile(path, read_dictionary=text)
        check_parquet(where, parquet.metadata, limits)
    except (pa.ArrowException, OSError):
        raise LayoutError(failure("truncated_parquet", file=where, past="")) from None
    info.sheets = [""]
    runs = BlankRuns(columns, layout, limits.max_blank_rows, where)
    first = 1
    try:
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=[names[pos] for pos in read]):
            frame = pl.from_arrow(batch)
            rows = pl.DataFrame([_column(frame.select(first_filled([pl.col(names[pos]) for pos in at])).to_series(),
                                         layout.columns[name]).alias(name) for name, at in columns.items()])
            rows = rows.with_columns(pl.lit("").alias(SHEET), pl.int_range(first, first + rows.height, dtype=pl.Int64).alias(ROW))
            first += rows.height
            yield from runs.take(rows)
    except (pa.ArrowException, OSError):
        raise LayoutError(failure("truncated_parquet", file=where, past=f" past row {first - 1:,}")) from None
    info.note(runs.end())


def _column(values: pl.Series, field: str) -> pl.Series:
    """Dates and timestamps of a date field as they are; anything else as text by code."""
    if field in DATE_FIELDS and (values.dtype == pl.Date or isinstance(values.dtype, pl.Datetime)):
        return values
    if values.dtype == pl.Categorical:
        return values
    return values.cast(pl.String).cast(pl.Categorical)


def check_parquet(where: str, metadata: pq.FileMetaData, limits: ReadLimits) -> None:
    """Refuse a file whose footer declares more than its limits allow, before reading it."""
    unpacked = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if unpacked > limits.max_unpacked_bytes:
        raise LayoutError(f"{where}: its row groups unpack to {unpacked:,} bytes, over the limit of "
                          f"{limits.max_unpacked_bytes:,} (max_unpacked_bytes)")
    for i in range(metadata.num_row_groups):
        group = metadata.row_group(i)
        for j in range(group.num_columns):
            chunk = group.column(j)
            size, packed = chunk.total_uncompressed_size, max(chunk.total_compressed_size, 1)
            if size > RATIO_FLOOR and size > limits.max_compression_ratio * packed:
                raise LayoutError(
                    f"{where}: column {chunk.path_in_schema!r} of row group {i} unpacks to {size:,} bytes from {packed:,} "
                    f"({size / packed:,.0f} times), over the limit of {limits.max_compression_ratio:g} times "
                    "(max_compression_ratio)")
