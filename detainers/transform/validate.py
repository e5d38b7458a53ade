"""Validation: the pandera models of schemas/ applied to batches. A batch not shaped as its
layout says is an error naming the file; a canonical row that fails a check is split off
with the column and the reason, to be kept in audit.rejects."""

from __future__ import annotations

import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from detainers.errors import LayoutError
from detainers.schemas.canonical import COLUMN_CHECK_REASONS, DATAFRAME_CHECK_REASONS
from detainers.schemas.canonical_model import canonical_schema
from detainers.schemas.layouts import Layout
from detainers.schemas.published import published_schema

# Why the rows failed: each failed row's place in its batch (`_index`), the column and the check.
NO_REASONS = pl.DataFrame(schema={"_index": pl.Int64, "column": pl.String, "check": pl.String})


def check_published(batch: pl.DataFrame, layout: Layout, where: str) -> None:
    """Raise a LayoutError naming the file when a batch is not shaped as the layout says."""
    try:
        published_schema(layout).validate(batch, lazy=True)
    except (SchemaErrors, SchemaError) as exc:
        raise LayoutError(f"{where}: does not match layout {layout.name!r}: {exc}") from None


def split_valid(frame: pl.DataFrame, states: tuple[str, ...] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate a canonical batch of a source holding `states` (None: all): (rows that pass,
    one row per failed row with its reasons).

    The reasons frame has `_index` (position in `frame`), `column` and `check`, joined by '; '
    where a row fails several checks.
    """
    try:
        canonical_schema(states).validate(frame, lazy=True)
        return frame, NO_REASONS.clear()
    except SchemaErrors as exc:
        cases = exc.failure_cases
    if cases["index"].null_count():
        # a failure not tied to a row (a missing column, a wrong type) is a bug in a reader
        raise LayoutError(f"canonical batch does not fit the canonical schema:\n{cases.filter(pl.col('index').is_null())}")
    described = cases.with_columns(
        pl.struct("column", "check").map_elements(_describe, return_dtype=pl.List(pl.String)).alias("_described")
    ).select(
        pl.col("index").cast(pl.Int64).alias("_index"),
        pl.col("_described").list.get(0).alias("column"),
        pl.col("_described").list.get(1).alias("check"),
    )
    # A fixed order, whatever order pandera found them in (its failure cases, and unique(),
    # keep none): by column, then reason, so the same file always writes the same text.
    reasons = (
        described.unique()
        .sort("_index", "column", "check")
        .group_by("_index", maintain_order=True)
        .agg(pl.col("column").unique(maintain_order=True).str.join("; "), pl.col("check").str.join("; "))
    )
    valid = frame.with_row_index("_index").join(reasons.select("_index"), on="_index", how="anti").drop("_index")
    return valid, reasons


def _describe(case: dict) -> list[str]:
    column, check = case["column"], case["check"]
    if check in DATAFRAME_CHECK_REASONS:
        return list(DATAFRAME_CHECK_REASONS[check])
    name = check.split("(")[0]
    return [column, COLUMN_CHECK_REASONS.get((column, name), check)]
