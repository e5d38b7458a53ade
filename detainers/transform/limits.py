"""What a source's file may ask of the machine when it is read: the manifest settings of the
same names, per source, with their defaults in schemas/reference/limits.toml.

Values too long to keep: a published value over its source's max_text_length quarantines
its row before anything of it is stored. The normalizer sees the value as missing (so no
dictionary, mart or export ever holds it); audit.rejects keeps the row with the value cut
(schemas/reference/limits.toml says to what), its length and its sha256.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields

import polars as pl

from detainers.extract.manifest import Source
from detainers.schemas import reference
from detainers.schemas.layouts import Layout
from detainers.schemas.reference import limits


@dataclass(frozen=True)
class ReadLimits:
    max_unpacked_bytes: int  # xlsx: every part of the workbook, unpacked
    max_compression_ratio: float  # xlsx: unpacked over packed size of one part
    max_sheet_cells: int  # xlsx: rows x columns a worksheet spans
    max_blank_rows: int  # blank rows in a row with data after them
    # characters of one published value (cut_long_values, below)
    max_text_length: int = field(default_factory=lambda: reference.limits()["max_text_length"])
    # bytes once decoded, counted before the reader expands anything: one text value; one column
    # of a batch, and a batch (Parquet: transform/read_parquet.py; xlsx, whose batch is a sheet
    # as calamine holds it: transform/decoded.py)
    max_decoded_value_bytes: int = field(default_factory=lambda: reference.limits()["max_decoded_value_bytes"])
    max_decoded_column_bytes: int = field(default_factory=lambda: reference.limits()["max_decoded_column_bytes"])
    max_decoded_batch_bytes: int = field(default_factory=lambda: reference.limits()["max_decoded_batch_bytes"])
    # distinct values of a field that names a place or a kind, in one load (transform/values.py)
    max_distinct_values: int = field(default_factory=lambda: reference.limits()["max_distinct_values"])

    @classmethod
    def of(cls, source: Source | None = None) -> ReadLimits:
        """The source's limits; without one, the defaults."""
        if source is None:
            return cls(**{f.name: reference.limits()[f.name] for f in fields(cls)})
        return cls(**{f.name: getattr(source, f.name) for f in fields(cls)})


REASONS = {"_index": pl.Int64, "column": pl.String, "check": pl.String}


def cut_long_values(published: pl.DataFrame, layout: Layout, limit: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(the batch with each value over `limit` cut, as audit.rejects shows it; the batch with
    those values missing, to normalize; one reason per row over, `_index` its place)."""
    shown, blanked, reasons = published, published, []
    for name, field in layout.columns.items():
        if name not in published.columns or published[name].dtype not in (pl.Categorical, pl.String):
            continue  # dates a spreadsheet stored as dates have no length
        column = published[name]
        lengths = column.cat.len_chars() if column.dtype == pl.Categorical else column.str.len_chars()
        over = lengths.gt(limit).fill_null(False)
        if not over.any():  # every batch of a sound file: one pass over integer codes per column
            continue
        # Each value over the limit is cut once, however many rows repeat it (a value a file
        # stores once and repeats is never written out per row: issue 25's 20 GB Parquet file)
        at = over.arg_true()
        long_values = column.gather(at).unique(maintain_order=True)
        texts = long_values.cast(pl.String).to_list()
        keys = long_values.to_physical() if column.dtype == pl.Categorical else pl.Series(texts)
        rows = column.to_physical().gather(at) if column.dtype == pl.Categorical else column.gather(at)
        cut = rows.replace_strict(keys, pl.Series([cut_value(v) for v in texts]), return_dtype=pl.String)
        length = rows.replace_strict(keys, pl.Series([len(v) for v in texts]), return_dtype=pl.Int64)
        kept = pl.select(pl.when(over).then(None).otherwise(column)).to_series()
        shown = shown.with_columns(kept.cast(pl.String).scatter(at, cut).cast(column.dtype).alias(name))
        blanked = blanked.with_columns(kept.alias(name))
        reasons += [(int(i), field, too_long(field, n, limit)) for i, n in zip(at, length)]
    if not reasons:
        return published, published, pl.DataFrame(schema=REASONS)
    frame = pl.DataFrame(reasons, schema=REASONS, orient="row")
    frame = frame.group_by("_index", maintain_order=True).agg(pl.col("column").str.join("; "), pl.col("check").str.join("; "))
    return shown, blanked, frame


def too_long(column: str, length: int, limit: int) -> str:
    rules = limits()
    return rules["too_long_reason"].format(column=column, length=length, limit=limit, shown=rules["shown_characters"])


def cut_value(value: str) -> str:
    """What audit.rejects keeps of a value too long: its start, its length, its fingerprint."""
    rules = limits()
    digest = hashlib.sha256(value.encode("utf-8", errors="surrogatepass")).hexdigest()
    return rules["cut_value"].format(head=value[: rules["shown_characters"]], length=len(value), sha256=digest)


def merge_reasons(*frames: pl.DataFrame) -> pl.DataFrame:
    """Reasons of the same rows from several checks, one row per `_index` (joined by '; ')."""
    frames = [f.select(list(REASONS)) for f in frames if f.height]
    if len(frames) < 2:
        return frames[0] if frames else pl.DataFrame(schema=REASONS)
    return (pl.concat(frames).group_by("_index", maintain_order=True)
            .agg(pl.col("column").str.join("; "), pl.col("check").str.join("; ")).sort("_index"))
