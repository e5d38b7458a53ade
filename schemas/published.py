"""pandera models of each layout as published, built from the layout files: the columns a
file must have, and that each holds text (readers give it as polars Categorical, by code) or,
for dates, dates or text to parse."""

from __future__ import annotations

import functools
from typing import Any

import pandera.polars as pa
import polars as pl

from detainers.schemas.canonical import DATE_FIELDS
from detainers.schemas.layouts import Layout


def published_schema(layout: Layout) -> pa.DataFrameSchema:
    """The layout as published: its columns by their published names."""
    return _schema(layout.name, tuple(layout.columns.items()), layout.optional_columns)


@functools.cache
def _schema(name: str, columns: tuple[tuple[str, str], ...], optional: tuple[str, ...]) -> pa.DataFrameSchema:
    annotations: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for i, (column, field) in enumerate(columns):
        attr = f"c{i}_{field}"
        annotations[attr] = pl.Categorical
        fields[attr] = pa.Field(alias=column, nullable=True, required=column not in optional)
    config = type("Config", (), {"strict": False, "name": f"published layout {name}"})
    model = type(f"Published_{name}", (pa.DataFrameModel,), {"__annotations__": annotations, **fields, "Config": config})
    # Date columns hold dates in a workbook and text in a CSV: either passes here, and
    # normalization parses the text (a row whose date does not parse is rejected there).
    return model.to_schema().update_columns({column: {"dtype": None} for column, field in columns if field in DATE_FIELDS})
