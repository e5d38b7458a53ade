"""The pandera model of the canonical row, built from its definition (schemas/canonical.py:
FIELDS, and the row checks named in DATAFRAME_CHECK_REASONS), and the same model for a
source that holds only some states."""

from __future__ import annotations

import copy
import datetime as dt
import functools

import pandera.polars as pa
import polars as pl

from detainers.schemas import reference
from detainers.schemas.canonical import DATAFRAME_CHECK_REASONS, FIELDS, TEXT_FIELDS


def _row_read_whole(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col("read_whole"))


def _state_known(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col("state").is_null() | pl.col("state_code").is_not_null())


def _lift_reason_known(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col("outcome").is_not_null())


def _detainer_type_known(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col("detainer_type").is_null() | pl.col("detainer_form").is_not_null())


def _prepare_date_not_in_future(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col("prepare_date").is_null() | (pl.col("prepare_date") <= dt.date.today()))


def _lift_date_not_before_prepare_date(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(
        pl.col("lift_date").is_null() | pl.col("prepare_date").is_null() | (pl.col("lift_date") >= pl.col("prepare_date"))
    )


ROW_CHECKS = {
    "row_read_whole": _row_read_whole,
    "state_known": _state_known,
    "lift_reason_known": _lift_reason_known,
    "detainer_type_known": _detainer_type_known,
    "prepare_date_not_in_future": _prepare_date_not_in_future,
    "lift_date_not_before_prepare_date": _lift_date_not_before_prepare_date,
}
assert set(ROW_CHECKS) <= set(DATAFRAME_CHECK_REASONS)  # every check says what it means


def _model() -> type[pa.DataFrameModel]:
    annotations = {name: f.type for name, f in FIELDS.items()}
    attributes = {name: pa.Field(nullable=f.nullable, metadata={"origin": f.origin, "source": f.source}, **f.checks)
                  for name, f in FIELDS.items()}
    config = type("Config", (), {"strict": True, "ordered": False, "name": "canonical detainer"})
    return type("CanonicalDetainer", (pa.DataFrameModel,), {"__annotations__": annotations, **attributes, "Config": config})


def text_checks() -> list[pa.Check]:
    """What every published text field may hold (schemas/reference/rules.toml): no control
    character, and, after NFKC folding (normalize.clean_text), only the expected characters.
    Each is a check of its own column, so audit.rejects names the column."""
    control, allowed = reference.rules()["control_characters"], reference.rules()["text_characters"]
    expected = f"^(?:{allowed}|{control})*$"  # control characters have their own check

    def passes(condition):
        return lambda data: data.lazyframe.select(pl.col(data.key).is_null() | condition(pl.col(data.key).str))

    return [pa.Check(passes(lambda text: ~text.contains(control)), name="no_control_characters"),
            pa.Check(passes(lambda text: text.contains(expected)), name="expected_characters")]


CanonicalDetainer = _model()
SCHEMA = CanonicalDetainer.to_schema()
SCHEMA.checks = [pa.Check(check, name=name) for name, check in ROW_CHECKS.items()]
SCHEMA = SCHEMA.update_columns({name: {"checks": [*SCHEMA.columns[name].checks, *text_checks()]} for name in TEXT_FIELDS})


@functools.cache
def canonical_schema(states: tuple[str, ...] | None = None) -> pa.DataFrameSchema:
    """The canonical model for a source that holds only `states` (None: every state): a row
    of another state, or of no state, cannot be counted from it and is rejected."""
    if not states:
        return SCHEMA
    scoped = copy.deepcopy(SCHEMA)
    scoped.checks = [
        *SCHEMA.checks,
        pa.Check(lambda data: data.lazyframe.select(pl.col("state_code").is_null() | pl.col("state_code").is_in(states)),
                 name="state_in_scope"),
        pa.Check(lambda data: data.lazyframe.select(pl.col("state_code").is_not_null()), name="state_given"),
    ]
    return scoped
