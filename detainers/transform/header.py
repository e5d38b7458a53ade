"""Finding a layout's header in a file's first rows, mapping its columns to positions, and
knowing a layout by its header.

Header names match a layout's columns without regard to case, spaces and underscores
(`PREPARE_DATE`, `Prepare_Date` and `prepare date` are the layout's `Prepare Date`): the NPR
family's files and DDP's processed Parquet spell the same fields in other ways. A layout may
list other spellings of a column (schemas/layouts: `spellings`), and a file may use any one.
A header in which two columns then name one field is refused, naming both, unless the layout
coalesces spellings (DDP's stitched history): then each row takes the first that holds a value.

Every reader (CSV, xlsx, Parquet) maps its columns here, so a name matches the same way in all.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from detainers.errors import LayoutError
from detainers.transform.info import ReadInfo
from detainers.schemas.layouts import Layout, header_key
from detainers.schemas.reference import failure

__all__ = ["HEADER_SEARCH_ROWS", "NOT_QUOTED", "find_header", "first_filled", "header_index", "header_key",
           "layouts_matching", "match_header", "raise_if_elsewhere"]

HEADER_SEARCH_ROWS = 30  # how far to look for a misplaced header, to say where it is
# A header sharing no column with the layout may not be data at all (a manifest pointed at
# /etc/passwd, a credentials file): its first line is never quoted in an error.
NOT_QUOTED = "none of them (the row is not quoted: a file sharing no column with the layout may not be data)"


def match_header(found: list[str], layout: Layout, where: str, info: ReadInfo) -> dict[str, tuple[int, ...]]:
    """Map each published column of the layout to the position of the file's column holding it:
    one position, or (where the layout coalesces spellings) one per spelling the file has, in
    the layout's order. A clear error if a required column is missing."""
    names = [str(c).strip() for c in found]
    keys = [header_key(name) for name in names]
    wanted = {header_key(n) for c in layout.columns for n in layout.names_of(c)}
    places = {column: [i for spelling in layout.names_of(column) for i, key in enumerate(keys) if key == header_key(spelling)]
              for column in layout.columns}
    missing = [c for c in layout.required_columns if not places[c]]
    if missing:
        raise LayoutError(failure("no_header", where=where, missing=[_spelled(layout, c) for c in missing],
                                  expected=[_spelled(layout, c) for c in layout.columns],
                                  found=str(names) if set(keys) & wanted else NOT_QUOTED))
    twice = {c: at for c, at in places.items() if len(at) > 1 and not (layout.coalesce_spellings and _one_each(keys, at))}
    if twice:  # reading either copy could lose every value of the other: the file is refused
        raise LayoutError(f"{where}: the header names a column more than once, so which copy holds its values is unknown: "
                          + "; ".join(f"{c!r} is " + " and ".join(f"{names[i]!r} (column {i + 1})" for i in at)
                                      for c, at in twice.items()))
    info.extra_columns = sorted({n for n, key in zip(names, keys) if n and key not in wanted} | set(info.extra_columns))
    return {c: tuple(at) for c, at in places.items() if at}


def _one_each(keys: list[str], at: list[int]) -> bool:
    """Whether the positions are of distinct spellings (the same spelling twice is never coalesced)."""
    return len({keys[i] for i in at}) == len(at)


def _spelled(layout: Layout, column: str) -> str:
    others = layout.spellings.get(column, ())
    return f"{column} (or {' or '.join(others)})" if others else column


def first_filled(values: list[pl.Expr]) -> pl.Expr:
    """One published column from the file's columns holding it: the first that is not blank in
    each row (one column: itself, untouched)."""
    if len(values) == 1:
        return values[0]
    return pl.coalesce([pl.when(v.cast(pl.String).str.strip_chars() != "").then(v) for v in values])


def find_header(rows: list[list], layout: Layout) -> int | None:
    wanted = [{header_key(n) for n in layout.names_of(c)} for c in layout.required_columns]
    for i, row in enumerate(rows):
        keys = {header_key(c) for c in row}
        if all(names & keys for names in wanted):
            return i
    return None


def layouts_matching(top: list[list], layouts: Iterable[Layout]) -> list[str]:
    """The layouts whose header stands where they put it among `top` (a file's first rows)."""
    return [layout.name for layout in layouts if header_index(top, layout) is not None]


def header_index(top: list[list], layout: Layout) -> int | None:
    """Where in `top` (the file's first rows) the layout's header is."""
    expected = layout.header_row - 1
    if not layout.header_within_rows:
        return expected if expected < len(top) and find_header([top[expected]], layout) is not None else None
    found = find_header(top[expected:expected + layout.header_within_rows], layout)
    return None if found is None else expected + found


def expected_rows(layout: Layout) -> str:
    if not layout.header_within_rows:
        return f"row {layout.header_row}"
    return f"rows {layout.header_row}..{layout.header_row + layout.header_within_rows - 1}"


def raise_if_elsewhere(top: list[list], layout: Layout, where: str) -> None:
    """A header not where the layout puts it, but found among `top` (the file's first rows,
    HEADER_SEARCH_ROWS of them): a LayoutError that says where it is."""
    at = find_header(top, layout)
    if at is not None:
        raise LayoutError(f"{where}: header is on row {at + 1}, but layout {layout.name!r} puts it on {expected_rows(layout)}")
