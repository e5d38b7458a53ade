"""Release layouts, one TOML file each. A layout says how a published file is shaped and
which canonical field each of its columns holds; readers and schemas are driven by it."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from detainers.errors import LayoutError

LAYOUT_DIR = Path(__file__).parent


class Layout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    formats: tuple[str, ...] = ("xlsx", "csv")
    header_row: int = Field(default=1, ge=1)  # 1-based row of the header, as a spreadsheet numbers it
    sheets: str | tuple[str, ...] = "all"
    date_formats: tuple[str, ...] = ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d")
    redaction_markers: tuple[str, ...] = ()
    duplicate_rule: str = "none"
    columns: dict[str, str]  # published column name -> canonical field
    optional_columns: tuple[str, ...] = ()  # published columns some files of the layout lack

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
