"""What a source's file may ask of the machine when it is read: the manifest settings of the
same names, per source, with their defaults in schemas/reference/limits.toml."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from detainers.extract.manifest import Source
from detainers.schemas import reference


@dataclass(frozen=True)
class ReadLimits:
    max_unpacked_bytes: int  # xlsx: every part of the workbook, unpacked
    max_compression_ratio: float  # xlsx: unpacked over packed size of one part
    max_sheet_cells: int  # xlsx: rows x columns a worksheet spans
    max_blank_rows: int  # blank rows in a row with data after them
    # characters of one published value (transform/lengths.py)
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
