"""Finding a layout's header in a file's first rows, and mapping its columns to positions.

Header names match a layout's columns without regard to case, spaces and underscores
(`PREPARE_DATE`, `Prepare_Date` and `prepare date` are the layout's `Prepare Date`): the NPR
family's files and DDP's processed Parquet spell the same fields in other ways. A header in
which two columns then name one field is refused, naming both.
"""

from __future__ import annotations

import re

from detainers.errors import LayoutError
from detainers.transform.info import ReadInfo
from schemas.layouts import Layout
from schemas.reference import failure

HEADER_SEARCH_ROWS = 30  # how far to look for a misplaced header, to say where it is
# A header sharing no column with the layout may not be data at all (a manifest pointed at
# /etc/passwd, a credentials file): its first line is never quoted in an error.
NOT_QUOTED = "none of them (the row is not quoted: a file sharing no column with the layout may not be data)"
_IGNORED = re.compile(r"[\s_]+")


def header_key(name) -> str:
    """A column name as it is compared: case folded, spaces and underscores dropped."""
    return _IGNORED.sub("", str(name)).casefold()


def match_header(found: list[str], layout: Layout, where: str, info: ReadInfo) -> dict[str, int]:
    """Map each published column of the layout to its position; a clear error if any is missing."""
    names = [str(c).strip() for c in found]
    keys = [header_key(name) for name in names]
    wanted = {header_key(c): c for c in layout.columns}
    places = {column: [i for i, key in enumerate(keys) if key == header_key(column)] for column in layout.columns}
    missing = [c for c in layout.required_columns if not places[c]]
    if missing:
        raise LayoutError(failure("no_header", where=where, missing=missing, expected=list(layout.columns),
                                  found=str(names) if set(keys) & set(wanted) else NOT_QUOTED))
    twice = {c: at for c, at in places.items() if len(at) > 1}
    if twice:  # reading either copy could lose every value of the other: the file is refused
        raise LayoutError(f"{where}: the header names a column more than once, so which copy holds its values is unknown: "
                          + "; ".join(f"{c!r} is " + " and ".join(f"{names[i]!r} (column {i + 1})" for i in at)
                                      for c, at in twice.items()))
    info.extra_columns = sorted({n for n, key in zip(names, keys) if n and key not in wanted} | set(info.extra_columns))
    return {c: at[0] for c, at in places.items() if at}


def find_header(rows: list[list], layout: Layout) -> int | None:
    wanted = {header_key(c) for c in layout.required_columns}
    for i, row in enumerate(rows):
        if wanted <= {header_key(c) for c in row}:
            return i
    return None


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
