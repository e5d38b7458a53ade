"""The canonical detainer row every layout maps onto, as a pandera model, and the split of
a batch into rows that pass and rows that are rejected with the reason."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from detainers.errors import LayoutError
from schemas import reference

EARLIEST = reference.earliest_prepare_date()


class CanonicalDetainer(pa.DataFrameModel):
    """One detainer, whatever release it came from. Unknown values are null, never guessed."""

    sheet: str
    source_row: int = pa.Field(ge=1)
    prepare_date: dt.date = pa.Field(nullable=False, ge=EARLIEST)
    prepared_at: dt.datetime = pa.Field(nullable=True)  # only where the file gives the time
    lift_date: dt.date = pa.Field(nullable=True, ge=EARLIEST)
    detainer_type: str = pa.Field(nullable=True)
    detainer_form: str = pa.Field(nullable=True)
    facility: str = pa.Field(nullable=True)
    facility_name: str = pa.Field(nullable=True)
    facility_is_placeholder: bool
    state: str = pa.Field(nullable=True)
    state_code: str = pa.Field(nullable=True, str_length={"min_value": 2, "max_value": 2})
    city: str = pa.Field(nullable=True)
    lift_reason: str = pa.Field(nullable=True)
    outcome: str = pa.Field(nullable=True, isin=reference.outcomes())
    detainer_id: str = pa.Field(nullable=True)
    person_id: str = pa.Field(nullable=True)
    criminality: str = pa.Field(nullable=True)
    citizenship_country: str = pa.Field(nullable=True)
    aor: str = pa.Field(nullable=True)
    facility_code: str = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(name="state_known")
    def _state_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("state").is_null() | pl.col("state_code").is_not_null())

    @pa.dataframe_check(name="lift_reason_known")
    def _lift_reason_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("outcome").is_not_null())

    @pa.dataframe_check(name="detainer_type_known")
    def _detainer_type_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("detainer_type").is_null() | pl.col("detainer_form").is_not_null())

    @pa.dataframe_check(name="prepare_date_not_in_future")
    def _not_in_future(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("prepare_date").is_null() | (pl.col("prepare_date") <= dt.date.today()))

    @pa.dataframe_check(name="lift_date_not_before_prepare_date")
    def _lift_after_prepare(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("lift_date").is_null() | pl.col("prepare_date").is_null() | (pl.col("lift_date") >= pl.col("prepare_date"))
        )


CANONICAL_COLUMNS = list(CanonicalDetainer.to_schema().columns)

# Which column a row-level check speaks of, and what it means, for the rejects table.
DATAFRAME_CHECK_COLUMNS = {
    "state_known": ("state", "unknown state name"),
    "lift_reason_known": ("lift_reason", "unknown lift reason"),
    "detainer_type_known": ("detainer_type", "unknown detainer type"),
    "prepare_date_not_in_future": ("prepare_date", "prepare date is in the future"),
    "lift_date_not_before_prepare_date": ("lift_date", "lift date is before the prepare date"),
}
COLUMN_CHECK_REASONS = {
    ("prepare_date", "not_nullable"): "prepare date is blank or not a date in the layout's formats",
    ("prepare_date", "greater_than_or_equal_to"): f"prepare date is before {EARLIEST}",
    ("lift_date", "greater_than_or_equal_to"): f"lift date is before {EARLIEST}",
}


def split_valid(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate a canonical batch: (rows that pass, one row per failed row with its reasons).

    The reasons frame has `_index` (position in `frame`), `column` and `check`, joined by '; '
    where a row fails several checks.
    """
    try:
        CanonicalDetainer.validate(frame, lazy=True)
        return frame, pl.DataFrame(schema={"_index": pl.Int64, "column": pl.String, "check": pl.String})
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
    reasons = (
        described.unique()
        .sort("_index", "column")
        .group_by("_index", maintain_order=True)
        .agg(pl.col("column").unique(maintain_order=True).str.join("; "), pl.col("check").str.join("; "))
    )
    valid = frame.with_row_index("_index").join(reasons.select("_index"), on="_index", how="anti").drop("_index")
    return valid, reasons


def _describe(case: dict) -> list[str]:
    column, check = case["column"], case["check"]
    if check in DATAFRAME_CHECK_COLUMNS:
        return list(DATAFRAME_CHECK_COLUMNS[check])
    name = check.split("(")[0]
    return [column, COLUMN_CHECK_REASONS.get((column, name), check)]
