"""The canonical detainer row every layout maps onto: the one definition of its fields, their
types, which may be null, and where each comes from.

The pandera model below is that definition. Everything else is derived from it:
- the fields a layout may map a published column onto (`PUBLISHED_FIELDS`, schemas/layouts);
- the columns normalization fills (detainers/transform/normalize.py, checked by this model);
- the columns and types of `raw.detainers` (detainers/build/ddl.py).

Each field's `origin` says where its value comes from: `provenance` (where in the file the
row is, and whether the reader found it whole), `published` (a column of the file, cleaned:
NFKC-folded, trimmed, redaction markers and blanks made null) or `derived` (computed from
one published field, named by `source`, by a rule in schemas/reference). Every check but
those of CROSS_FIELD_CHECKS and row_read_whole (the reader's mark of a raw row, applied to
each row) depends on one published field's value alone, so the transform validates each
distinct value once (detainers/transform/values.py).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools

import pandera.polars as pa
import polars as pl

from schemas import reference

EARLIEST = reference.earliest_prepare_date()
PROVENANCE, PUBLISHED, DERIVED = "provenance", "published", "derived"


def _field(origin: str, source: str | None = None, **checks) -> object:
    return pa.Field(metadata={"origin": origin, "source": source}, **checks)


class CanonicalDetainer(pa.DataFrameModel):
    """One detainer, whatever release it came from. Unknown values are null, never guessed."""

    sheet: str = _field(PROVENANCE)
    source_row: int = _field(PROVENANCE, ge=1)
    # Whether the reader found every field of the header on the row (a file cut off in the
    # middle of its last row did not): a row that is not read whole is rejected.
    read_whole: bool = _field(PROVENANCE)
    prepare_date: dt.date = _field(PUBLISHED, nullable=False, ge=EARLIEST)
    prepared_at: dt.datetime = _field(DERIVED, "prepare_date", nullable=True)  # its time, where the file gives it
    lift_date: dt.date = _field(PUBLISHED, nullable=True, ge=EARLIEST)
    detainer_type: str = _field(PUBLISHED, nullable=True)
    detainer_form: str = _field(DERIVED, "detainer_type", nullable=True)
    facility: str = _field(PUBLISHED, nullable=True)
    facility_name: str = _field(DERIVED, "facility", nullable=True)
    facility_is_placeholder: bool = _field(DERIVED, "facility")
    state: str = _field(PUBLISHED, nullable=True)
    state_code: str = _field(DERIVED, "state", nullable=True, str_length={"min_value": 2, "max_value": 2})
    city: str = _field(PUBLISHED, nullable=True)
    lift_reason: str = _field(PUBLISHED, nullable=True)
    outcome: str = _field(DERIVED, "lift_reason", nullable=True, isin=reference.outcomes())
    detainer_id: str = _field(PUBLISHED, nullable=True)
    person_id: str = _field(PUBLISHED, nullable=True)
    criminality: str = _field(PUBLISHED, nullable=True)
    citizenship_country: str = _field(PUBLISHED, nullable=True)
    aor: str = _field(PUBLISHED, nullable=True)
    facility_code: str = _field(PUBLISHED, nullable=True)

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(name="row_read_whole")
    def _row_read_whole(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("read_whole"))

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


def _text_checks() -> list[pa.Check]:
    """What every published text field may hold (schemas/reference/rules.toml): no control
    character, and, after NFKC folding (normalize.clean_text), only the expected characters.
    Each is a check of its own column, so audit.rejects names the column."""
    control, allowed = reference.rules()["control_characters"], reference.rules()["text_characters"]
    expected = f"^(?:{allowed}|{control})*$"  # control characters have their own check

    def passes(condition):
        return lambda data: data.lazyframe.select(pl.col(data.key).is_null() | condition(pl.col(data.key).str))

    return [pa.Check(passes(lambda text: ~text.contains(control)), name="no_control_characters"),
            pa.Check(passes(lambda text: text.contains(expected)), name="expected_characters")]


SCHEMA = CanonicalDetainer.to_schema()
SCHEMA = SCHEMA.update_columns({name: {"checks": [*column.checks, *_text_checks()]} for name, column in SCHEMA.columns.items()
                                if column.metadata["origin"] == PUBLISHED and column.dtype.type == pl.String})
COLUMNS = list(SCHEMA.columns)


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


def fields(origin: str) -> tuple[str, ...]:
    return tuple(name for name, column in SCHEMA.columns.items() if column.metadata["origin"] == origin)


PUBLISHED_FIELDS = fields(PUBLISHED)
DATE_FIELDS = tuple(name for name in PUBLISHED_FIELDS if SCHEMA.columns[name].dtype.type == pl.Date)
TEXT_FIELDS = tuple(name for name in PUBLISHED_FIELDS if SCHEMA.columns[name].dtype.type == pl.String)


def value_id(field: str) -> str:
    """How a text field is stored: as the id of its value in its load's dictionary."""
    return f"{field}_id"


def derived_from(field: str) -> tuple[str, ...]:
    """The canonical fields derived from one published field (state -> state_code)."""
    return tuple(name for name in fields(DERIVED) if SCHEMA.columns[name].metadata["source"] == field)


# The checks that relate two published fields, and which: they are checked on each distinct
# combination of those fields' values; every other check on each distinct value alone.
CROSS_FIELD_CHECKS = {"lift_date_not_before_prepare_date": ("prepare_date", "lift_date")}

# What each failed check means, in the words audit.rejects keeps: a row-level check by the
# column it speaks of, a column check by (column, check).
DATAFRAME_CHECK_REASONS = {
    "row_read_whole": ("row", "the file ends in the middle of this row: it has fewer fields than the header"),
    "state_known": ("state", "unknown state name"),
    "lift_reason_known": ("lift_reason", "unknown lift reason"),
    "detainer_type_known": ("detainer_type", "unknown detainer type"),
    "prepare_date_not_in_future": ("prepare_date", "prepare date is in the future"),
    "lift_date_not_before_prepare_date": ("lift_date", "lift date is before the prepare date"),
    "state_in_scope": ("state", "state is not one of the states the source holds (manifest: states)"),
    "state_given": ("state", "no state, and the source holds only some states (manifest: states)"),
}
COLUMN_CHECK_REASONS = {
    ("prepare_date", "not_nullable"): "prepare date is blank or not a date in the layout's formats",
    ("prepare_date", "greater_than_or_equal_to"): f"prepare date is before {EARLIEST}",
    ("lift_date", "greater_than_or_equal_to"): f"lift date is before {EARLIEST}",
    **{(field, "no_control_characters"): "holds a control character (such as NUL)" for field in TEXT_FIELDS},
    **{(field, "expected_characters"): "unexpected characters: a letter of another script, or an invisible one "
       "(schemas/reference/rules.toml: text_characters)" for field in TEXT_FIELDS},
}
