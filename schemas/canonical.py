"""The canonical detainer row every layout maps onto: the one definition of its fields, their
types, which may be null, where each comes from, and the checks each value must pass.

Everything else is derived from this table:
- the pandera model that validates rows (schemas/canonical_model.py);
- the fields a layout may map a published column onto (`PUBLISHED_FIELDS`, schemas/layouts);
- the fields normalization derives (detainers/transform/normalize.py);
- the columns and types of raw.detainer_rows and the raw.detainers view (detainers/warehouse/ddl.py).

Each field's `origin` says where its value comes from: `provenance` (where in the file the
row is, and whether the reader found it whole), `published` (a column of the file, cleaned:
NFKC-folded, trimmed, redaction markers and blanks made null) or `derived` (computed from
one published field, its `source`, by a rule in schemas/reference). Every check but those of
CROSS_FIELD_CHECKS and row_read_whole (the reader's mark of a raw row, applied to each row)
depends on one published field's value alone, so the transform validates each distinct
value once (detainers/transform/values.py). This module is plain Python: reading a manifest or a layout
never loads pandera.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from detainers.schemas import reference

EARLIEST = reference.earliest_prepare_date()
PROVENANCE, PUBLISHED, DERIVED = "provenance", "published", "derived"


@dataclass(frozen=True)
class Field:
    type: type
    origin: str
    source: str | None = None  # for a derived field: the published field it is derived from
    nullable: bool = True
    checks: dict = field(default_factory=dict)  # pandera Field checks: ge, isin, str_length...


# One detainer, whatever release it came from. Unknown values are null, never guessed.
FIELDS: dict[str, Field] = {
    "sheet": Field(str, PROVENANCE, nullable=False),
    "source_row": Field(int, PROVENANCE, nullable=False, checks={"ge": 1}),
    # Whether the reader found every field of the header on the row (a file cut off in the
    # middle of its last row did not): a row that is not read whole is rejected.
    "read_whole": Field(bool, PROVENANCE, nullable=False),
    "prepare_date": Field(dt.date, PUBLISHED, nullable=False, checks={"ge": EARLIEST}),
    "prepared_at": Field(dt.datetime, DERIVED, "prepare_date"),  # its time of day, where the file gives it
    "lift_date": Field(dt.date, PUBLISHED, checks={"ge": EARLIEST}),
    "detainer_type": Field(str, PUBLISHED),
    "detainer_form": Field(str, DERIVED, "detainer_type"),
    "facility": Field(str, PUBLISHED),
    "facility_name": Field(str, DERIVED, "facility"),
    "facility_is_placeholder": Field(bool, DERIVED, "facility", nullable=False),
    "state": Field(str, PUBLISHED),
    "state_code": Field(str, DERIVED, "state", checks={"str_length": {"min_value": 2, "max_value": 2}}),
    "city": Field(str, PUBLISHED),
    "lift_reason": Field(str, PUBLISHED),
    "outcome": Field(str, DERIVED, "lift_reason", checks={"isin": reference.outcomes()}),
    "detainer_id": Field(str, PUBLISHED),
    "person_id": Field(str, PUBLISHED),
    "criminality": Field(str, PUBLISHED),
    "citizenship_country": Field(str, PUBLISHED),
    "aor": Field(str, PUBLISHED),
    "facility_code": Field(str, PUBLISHED),
}
COLUMNS = list(FIELDS)

# Checks of the whole row (schemas/canonical_model.py writes them as pandera checks): the
# column each speaks of and the reason audit.rejects keeps.
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
def fields(origin: str) -> tuple[str, ...]:
    return tuple(name for name, f in FIELDS.items() if f.origin == origin)


PUBLISHED_FIELDS = fields(PUBLISHED)
DATE_FIELDS = tuple(name for name in PUBLISHED_FIELDS if FIELDS[name].type is dt.date)
TEXT_FIELDS = tuple(name for name in PUBLISHED_FIELDS if FIELDS[name].type is str)


COLUMN_CHECK_REASONS = {
    ("prepare_date", "not_nullable"): "prepare date is blank or not a date in the layout's formats",
    ("prepare_date", "greater_than_or_equal_to"): f"prepare date is before {EARLIEST}",
    ("lift_date", "greater_than_or_equal_to"): f"lift date is before {EARLIEST}",
    # every published text field (schemas/canonical_model.py: text_checks)
    **{(name, "no_control_characters"): "holds a control character (such as NUL)"
       for name in TEXT_FIELDS},
    **{(name, "expected_characters"): "unexpected characters: a letter of another script, or an invisible one "
       "(schemas/reference/rules.toml: text_characters)" for name in TEXT_FIELDS},
}
# The checks that relate two published fields, and which: they are checked on each distinct
# combination of those fields' values; every other check on each distinct value alone.
CROSS_FIELD_CHECKS = {"lift_date_not_before_prepare_date": ("prepare_date", "lift_date")}


def derived_from(source: str) -> tuple[str, ...]:
    """The canonical fields derived from one published field (state -> state_code)."""
    return tuple(name for name, f in FIELDS.items() if f.origin == DERIVED and f.source == source)


def value_id(name: str) -> str:
    """How a text field is stored: as the id of its value in its load's dictionary."""
    return f"{name}_id"
