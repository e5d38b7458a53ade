"""Release layouts, one TOML file each. A layout says how a published file is shaped and
which canonical field each of its columns holds; the readers and the published model
(schemas/published.py) are driven by it."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detainers.schemas import reference
from detainers.schemas.canonical import PUBLISHED_FIELDS

LAYOUT_DIR = Path(__file__).parent
FORMATS = ("xlsx", "csv", "parquet")  # the file formats a reader exists for
_IGNORED = re.compile(r"[\s_]+")


def header_key(name) -> str:
    """A column name as headers are compared: case folded, spaces and underscores dropped
    (`PREPARE_DATE`, `Prepare_Date` and `prepare date` are one name)."""
    return _IGNORED.sub("", str(name)).casefold()


class InvalidLayoutFile(ValueError):
    """A file of schemas/layouts/ is not a valid layout: a developer's error, named with its path."""


class Layout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    formats: tuple[str, ...] = ("xlsx", "csv")  # of FORMATS: what a file of the layout may be
    header_row: int = Field(default=1, ge=1)  # 1-based row of the header, as a spreadsheet numbers it
    # 0: the header is on header_row. N: a preamble of varying length; the header is the first
    # of the N rows from header_row on that holds every required column.
    header_within_rows: int = Field(default=0, ge=0, le=100)
    sheets: str | tuple[str, ...] = "all"
    date_formats: tuple[str, ...] = ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d")
    redaction_markers: tuple[str, ...] = ()
    duplicate_rule: str = "none"  # one of schemas/reference/duplicate_rules.csv
    columns: dict[str, str]  # published column name -> canonical field
    optional_columns: tuple[str, ...] = ()  # published columns some files of the layout lack
    # Other names files of the layout give a column ({column: [spellings]}): DDP's processed file
    # before and after its October 2025 renaming. A file holds one of them.
    spellings: dict[str, tuple[str, ...]] = {}
    # True: a file may hold several spellings of one column, and each row's value is the first of
    # them (in the layout's order) that is not blank: DDP's stitched history keeps each release's
    # own name. False: a file holding two spellings of one column is refused, naming both.
    coalesce_spellings: bool = False

    @field_validator("columns")
    @classmethod
    def _maps_onto_canonical_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns.values()) - set(PUBLISHED_FIELDS))
        if unknown:
            raise ValueError(f"unknown canonical field(s) {unknown}; known: {', '.join(PUBLISHED_FIELDS)}")
        twice = sorted({f for f in columns.values() if list(columns.values()).count(f) > 1})
        if twice:
            raise ValueError(f"canonical field(s) {twice} mapped from more than one column")
        if "prepare_date" not in columns.values():
            raise ValueError("no column maps onto prepare_date")
        return columns

    @model_validator(mode="after")
    def _spellings_name_no_other_column(self) -> "Layout":
        unknown = sorted(set(self.spellings) - set(self.columns))
        if unknown:
            raise ValueError(f"spellings of column(s) {unknown}, which the layout does not map")
        owner: dict[str, str] = {}
        for column in self.columns:
            for name in self.names_of(column):
                if owner.setdefault(header_key(name), column) != column:
                    raise ValueError(f"{name!r} spells both {owner[header_key(name)]!r} and {column!r}")
        return self

    @field_validator("formats")
    @classmethod
    def _formats_are_known(cls, formats: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown or not formats:
            raise ValueError(f"unknown format(s) {unknown}; known: {', '.join(FORMATS)}")
        return formats

    @field_validator("duplicate_rule")
    @classmethod
    def _rule_is_known(cls, rule: str) -> str:
        if rule not in reference.duplicate_rules():
            raise ValueError(f"unknown duplicate rule {rule!r}; known: {', '.join(reference.duplicate_rules())}")
        return rule

    @property
    def required_columns(self) -> list[str]:
        return [c for c in self.columns if c not in self.optional_columns]

    def names_of(self, column: str) -> tuple[str, ...]:
        """The names a file may give the column: its own, then its other spellings."""
        return (column, *self.spellings.get(column, ()))


@functools.cache
def known_layouts() -> dict[str, Layout]:
    layouts = {}
    for path in sorted(LAYOUT_DIR.glob("*.toml")):
        try:
            layouts[path.stem] = Layout(name=path.stem, **tomllib.loads(path.read_text("utf-8")))
        except Exception as exc:
            raise InvalidLayoutFile(f"layout file {path} is invalid: {exc}") from None
    return layouts


def get_layout(name: str) -> Layout:
    """The layout of that name; the manifest checks names before asking (a KeyError here is a bug)."""
    return known_layouts()[name]
