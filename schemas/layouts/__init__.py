"""Release layouts, one TOML file each. A layout says how a published file is shaped and
which canonical field each of its columns holds; readers and schemas are driven by it."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from detainers.errors import LayoutError

LAYOUT_DIR = Path(__file__).parent
# The canonical fields a published column can hold (schemas/canonical.py derives the rest).
CANONICAL_FIELDS = (
    "prepare_date", "lift_date", "detainer_type", "facility", "state", "city", "lift_reason",
    "detainer_id", "person_id", "criminality", "citizenship_country", "aor", "facility_code",
)
# How a layout's likely duplicates are found; sql/staging/stg_detainer_rows.sql applies the rule.
DuplicateRule = Literal["none", "same_detainer_id", "same_person_same_prepare_date", "same_person_within_24_hours"]


class Layout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    formats: tuple[str, ...] = ("xlsx", "csv")
    header_row: int = Field(default=1, ge=1)  # 1-based row of the header, as a spreadsheet numbers it
    # 0: the header is on header_row. N: a preamble of varying length; the header is the first
    # of the N rows from header_row on that holds every required column.
    header_within_rows: int = Field(default=0, ge=0, le=100)
    sheets: str | tuple[str, ...] = "all"
    date_formats: tuple[str, ...] = ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d")
    redaction_markers: tuple[str, ...] = ()
    duplicate_rule: DuplicateRule = "none"
    columns: dict[str, str]  # published column name -> canonical field
    optional_columns: tuple[str, ...] = ()  # published columns some files of the layout lack

    @field_validator("columns")
    @classmethod
    def _maps_onto_canonical_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns.values()) - set(CANONICAL_FIELDS))
        if unknown:
            raise ValueError(f"unknown canonical field(s) {unknown}; known: {', '.join(CANONICAL_FIELDS)}")
        twice = sorted({f for f in columns.values() if list(columns.values()).count(f) > 1})
        if twice:
            raise ValueError(f"canonical field(s) {twice} mapped from more than one column")
        if "prepare_date" not in columns.values():
            raise ValueError("no column maps onto prepare_date")
        return columns

    @property
    def required_columns(self) -> list[str]:
        return [c for c in self.columns if c not in self.optional_columns]


@functools.cache
def known_layouts() -> dict[str, Layout]:
    layouts = {}
    for path in sorted(LAYOUT_DIR.glob("*.toml")):
        try:
            layouts[path.stem] = Layout(name=path.stem, **tomllib.loads(path.read_text("utf-8")))
        except Exception as exc:  # a broken layout file is a developer error: name it
            raise LayoutError(f"layout file {path} is invalid: {exc}") from None
    return layouts


def get_layout(name: str) -> Layout:
    try:
        return known_layouts()[name]
    except KeyError:
        raise LayoutError(f"unknown layout {name!r}; known: {', '.join(known_layouts())}") from None
