"""Reading a Parquet file in batches of published rows (pyarrow), as DDP publishes its
processed output.

Typed columns are taken as they are: a DATE column is a date (no date format needed), a
timestamp is its day (and its time of day, which duplicate rules use). Text columns are read
as Arrow dictionaries, handed on as polars Categoricals, and go through the same
normalization, validation and rejects as a CSV's; a column of another type (a number where
text was expected) is read as its text. Header names match as in CSV (header.py: case,
spaces and underscores aside). Rows are numbered from 1, in the file's order.

Before a byte of data is read, the footer says what the file would ask of the machine: its
row groups' unpacked size against max_unpacked_bytes, each column chunk's unpacked size
against its packed size (max_compression_ratio), as for a workbook, and each column chunk read
(its dictionary page too) against max_decoded_column_bytes. Then each batch, text still by
dictionary, is measured as it would be once decoded (a value a dictionary stores once counted
at every row that names it) against max_decoded_column_bytes and max_decoded_batch_bytes: a
184 KB file repeating one 100,000-character value fails in one line naming the column, never
expanding it. A column of lists, maps, structs or bytes refuses the file, naming it; a date
outside 0001-9999 quarantines its row (read as text that is no date).

Read with pyarrow, not DuckDB's read_parquet: handing DuckDB's rows to the transform costs
3.4 to 5 CPU-seconds for 10 million rows (its Arrow export writes every string out, or an
ENUM cast per value) against pyarrow's 1.0 with text kept as dictionary codes (issue 27).
"""

from __future__ import annotations

import datetime as dt
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
from detainers.schemas.canonical import DATE_FIELDS
from detainers.schemas.layouts import Layout
from detainers.schemas.reference import failure

EPOCH = dt.date(1970, 1, 1)


# Dates Python and the checks can hold: 0001-01-01 .. 9999-12-31, as days from 1970-01-01.
FIRST_DAY, LAST_DAY = (dt.date(1, 1, 1) - EPOCH).days, (dt.date(9999, 12, 31) - EPOCH).days


def read_parquet(path: Path, layout: Layout, info: ReadInfo, batch_rows: int, limits: ReadLimits) -> Iterator[pl.DataFrame]:
    where = path.name
    try:
        schema = pq.read_schema(path)
        names = schema.names
        columns = match_header(names, layout, where, info)
        read = [pos for at in columns.values() for pos in at]
        for pos in read:
            _refuse_unless_readable(where, names[pos], schema.field(pos).type)
        text = [names[pos] for pos in read if _is_text(schema.field(pos).type)]
        parquet = pq.ParquetFile(path, read_dictionary=text)
        check_parquet(where, parquet.metadata, limits, {names[pos] for pos in read})
    except (pa.ArrowException, OSError):
        raise LayoutError(failure("truncated_parquet", file=where, past="")) from None
    info.sheets = [""]
    runs = BlankRuns(columns, layout, limits.max_blank_rows, where)
    first = 1
    try:
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=[names[pos] for pos in read]):
            check_decoded(where, batch, limits)  # before a value is expanded: text is still by dictionary
            rows = pl.DataFrame([_published(batch, [names[pos] for pos in at], layout.columns[name]).alias(name)
                                 for name, at in columns.items()])
            rows = rows.with_columns(pl.lit("").alias(SHEET), pl.int_range(first, first + rows.height, dtype=pl.Int64).alias(ROW))
            first += rows.height
            yield from runs.take(rows)
    except (pa.ArrowException, OSError):
        raise LayoutError(failure("truncated_parquet", file=where, past=f" past row {first - 1:,}")) from None
    info.note(runs.end())


def _published(batch: pa.RecordBatch, spellings: list[str], field: str) -> pl.Series:
    """One published column from the file's columns holding it (a layout may list several
    spellings): the first that is not blank in each row."""
    series = [_column(batch.column(name), field) for name in spellings]
    if len(series) == 1:
        return series[0]
    frame = pl.DataFrame({f"_{i}": values for i, values in enumerate(series)})
    return frame.select(first_filled([pl.col(f"_{i}") for i in range(len(series))])).to_series()


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


# Arrow types no published column holds: what each is called in the one line that refuses it.
UNREADABLE = ((pa.types.is_struct, "a struct (a record of several values)"), (pa.types.is_map, "a map (key-value pairs)"),
              (pa.types.is_list, "lists"), (pa.types.is_large_list, "lists"), (pa.types.is_fixed_size_list, "lists"),
              (pa.types.is_binary, "binary data (bytes, not text)"), (pa.types.is_large_binary, "binary data (bytes, not text)"),
              (pa.types.is_fixed_size_binary, "binary data (bytes, not text)"), (pa.types.is_union, "a union of types"))


def _refuse_unless_readable(where: str, name: str, kind: pa.DataType) -> None:
    """A column the layout reads must hold text, numbers, dates or times: any other kind (a
    struct is never stored as its text) refuses the file in one line naming the column."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    for test, what in UNREADABLE:
        if test(kind):
            raise LayoutError(failure("parquet_column_type", file=where, column=name, kind=what, type=str(kind)))


def _column(values: pa.Array | pa.ChunkedArray, field: str) -> pl.Series:
    """Dates and timestamps of a date field as they are; anything else as text by code. A date
    outside 0001-01-01 .. 9999-12-31 (no calendar holds it) makes its column text, its dates
    written as ISO dates and itself as far as numpy writes it: the normalizer reads the first as
    dates and quarantines the row of the other as not a date."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        if not _in_calendar(values):
            return pl.Series(_as_text(values)).cast(pl.Categorical)
        series = pl.from_arrow(values)
        return series if field in DATE_FIELDS else series.cast(pl.String).cast(pl.Categorical)
    series = pl.from_arrow(values)
    if series.dtype == pl.Categorical:
        return series
    return series.cast(pl.String).cast(pl.Categorical)


def _days(values: pa.Array):
    """Each value's day, as days from 1970-01-01 (nulls as 0), as a numpy array."""
    import numpy as np  # a run that reads no Parquet never imports it
    if pa.types.is_timestamp(values.type):
        unit = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}[values.type.unit]
        return np.floor_divide(values.cast(pa.int64()).fill_null(0).to_numpy(), unit)
    if pa.types.is_date64(values.type):
        return np.floor_divide(values.cast(pa.int64()).fill_null(0).to_numpy(), 86_400_000)
    return values.cast(pa.int32()).fill_null(0).to_numpy().astype(np.int64)


def _in_calendar(values: pa.Array) -> bool:
    days = _days(values)
    return not len(days) or (int(days.min()) >= FIRST_DAY and int(days.max()) <= LAST_DAY)


def _as_text(values: pa.Array) -> list[str | None]:
    """ISO dates (and times) as text; numpy writes any day of int64's range."""
    import numpy as np
    days = _days(values).astype("datetime64[D]").astype(str)
    if pa.types.is_timestamp(values.type):
        unit = values.type.unit
        moments = values.cast(pa.int64()).fill_null(0).to_numpy().astype(f"datetime64[{unit}]").astype(str)
        days = np.where(np.char.find(moments, "T") >= 0, np.char.replace(moments, "T", " "), days)
    nulls = values.is_null().to_numpy(zero_copy_only=False)
    return [None if null else text for text, null in zip(days.tolist(), nulls)]


def check_parquet(where: str, metadata: pq.FileMetaData, limits: ReadLimits, read: set[str] | None = None) -> None:
    """Refuse a file whose footer declares more than its limits allow, before reading it: its
    row groups unpacked, each column chunk against its packed size, and each column chunk the
    layout reads (its dictionary page too) against what one column may hold once decoded."""
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
            if (read is None or chunk.path_in_schema in read) and size > limits.max_decoded_column_bytes:
                raise LayoutError(failure("decoded_too_large", file=where, column=chunk.path_in_schema, what=f"row group {i}",
                                          size=size, limit=limits.max_decoded_column_bytes, setting="max_decoded_column_bytes"))


def check_decoded(where: str, batch: pa.RecordBatch, limits: ReadLimits) -> None:
    """What a batch's columns would hold once decoded, every value counted at each row that
    holds it (a dictionary's value as often as rows name it), against what one column and one
    batch may hold: measured on the dictionary's lengths and the rows' indices, before any
    value is expanded."""
    sizes = {name: _decoded_bytes(batch.column(i)) for i, name in enumerate(batch.schema.names)}
    for name, size in sizes.items():
        if size > limits.max_decoded_column_bytes:
            raise LayoutError(failure("decoded_too_large", file=where, column=name, what=f"a batch of {batch.num_rows:,} rows",
                                      size=size, limit=limits.max_decoded_column_bytes, setting="max_decoded_column_bytes"))
    if sum(sizes.values()) > limits.max_decoded_batch_bytes:
        name = max(sizes, key=sizes.get)
        raise LayoutError(failure("decoded_too_large", file=where, column=name,
                                  what=f"a batch of {batch.num_rows:,} rows, with the other columns read",
                                  size=sum(sizes.values()), limit=limits.max_decoded_batch_bytes, setting="max_decoded_batch_bytes"))


def _decoded_bytes(values: pa.Array) -> int:
    import pyarrow.compute as pc  # imported when a Parquet file is read, not by every run

    if isinstance(values, pa.DictionaryArray):
        lengths = pc.binary_length(values.dictionary) if _is_text(values.dictionary.type) else None
        if lengths is None:
            return values.nbytes
        return int(pc.sum(pc.take(lengths, values.indices)).as_py() or 0)
    if _is_text(values.type):
        return int(pc.sum(pc.binary_length(values)).as_py() or 0)
    return values.nbytes
