"""Finding a layout's header in a file's first rows, and mapping its columns to positions."""

from __future__ import annotations

from detainers.errors import LayoutError
from detainers.transform.info import ReadInfo
from schemas.layouts import Layout

HEADER_SEARCH_ROWS = 30  # how far to look for a misplaced header, to say where it is
# A header sharing no column with the layout may not be data at all (a manifest pointed at
# /etc/passwd, a credentials file): its first line is never quoted in an error.
NOT_QUOTED = "none of them (the row is not quoted: a file sharing no column with the layout may not be data)"


def match_header(found: list[str], layout: Layout, where: str, info: ReadInfo) -> dict[str, int]:
    """Map each published column of the layout to its position; a clear error if any is missing."""
    names = [str(c).strip() for c in found]
    positions = {name: i for i, name in reversed(list(enumerate(names)))}
    missing = [c for c in layout.required_columns if c not in positions]
    if missing:
        raise LayoutError(f"{where}: missing column(s) {missing}.\n  expected: {list(layout.columns)}\n  found:    "
                          + (str(names) if set(names) & set(layout.columns) else NOT_QUOTED))
    twice = {c: [i + 1 for i, name in enumerate(names) if name == c] for c in layout.columns if names.count(c) > 1}
    if twice:  # reading either copy could lose every value of the other: the file is refused
        raise LayoutError(f"{where}: the header names a column more than once, so which copy holds its values is unknown: "
                          + "; ".join(f"{c!r} is columns {', '.join(map(str, at))}" for c, at in twice.items()))
    info.extra_columns = sorted({n for n in names if n and n not in layout.columns} | set(info.extra_columns))
    return {c: positions[c] for c in layout.columns if c in positions}


def find_header(rows: list[list], layout: Layout) -> int | None:
    wanted = set(layout.required_columns)
    for i, row in enumerate(rows):
        if wanted <= {str(c).strip() for c in row}:
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
