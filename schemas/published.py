"""pandera models of each layout as published, built from the layout files: the columns a
file must have, and that each holds text (or, for dates, dates or text to parse)."""

from __future__ import annotations

import functools
from typing import Any

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from detainers.errors import LayoutError
from schemas.layouts import Layout

DATE_FIELDS = {"prepare_date", "lift_date"}


def published_model(layout: Layout) -> type[pa.DataFrameModel]:
    """A DataFrameModel named for the layout, its fields aliased to the published names."""
    return _model(layout.name, tuple(layout.columns.items()), layout.optional_columns)


@functools.cache
def _model(name: str, columns: tuple[tuple[str, str], ...], optional: tuple[str, ...]) -> type[pa.DataFrameModel]:
    annotations: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for i, (column, field) in enumerate(columns):
        attr = f"c{i}_{field}"
        annotations[attr] = str
        fields[attr] = pa.Field(alias=column, nullable=True, required=column not in optional)
    config = type("Config", (), {"strict": False, "name": f"published layout {name}"})
    return type(
        f"Published_{name}",
        (pa.DataFrameModel,),
        {"__annotations__": annotations, **fields, "Config": config},
    )


@functools.cache
def _schema(name: str, columns: tuple[tuple[str, str], ...], optional: tuple[str, ...]) -> pa.DataFrameSchema:
    # Date columns hold dates in a workbook and text in a CSV: either passes here, and
    # normalization parses the text (a row whose date does not parse is rejected there).
    schema = _model(name, columns, optional).to_schema()
    return schema.update_columns({column: {"dtype": None} for column, field in columns if field in DATE_FIELDS})


def check_published(batch: pl.DataFrame, layout: Layout, where: str) -> None:
    """Raise a LayoutError naming the file when a batch is not shaped as the layout says."""
    try:
        _schema(layout.name, tuple(layout.columns.items()), layout.optional_columns).validate(batch, lazy=True)
    except (SchemaErrors, SchemaError) as exc:
        raise LayoutError(f"{where}: does not match layout {layout.name!r}: {exc}") from None
