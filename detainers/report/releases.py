"""`detainers releases`: every known release of the catalog (schemas/reference/releases.csv),
whether the published warehouse holds it (its current load of a source is of exactly those
bytes) and with how many rows, and how many days of the inspector general's window it would
cover in a stitched history (its trusted window, within the prepare dates it holds)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from detainers.report.window import DEFAULT_END, DEFAULT_START
from detainers.schemas.reference import Release, releases

KEYS = ("id", "file", "publisher", "published_in", "url", "sha256", "bytes", "prepare_start", "prepare_end", "window_start",
        "window_end", "extracted_on", "layout", "has_lift_dates", "same_records_as")


def oig_days(release: Release, start: dt.date = DEFAULT_START, end: dt.date = DEFAULT_END) -> int:
    """Days of [start, end] the release is trusted for and holds (an open end: unbounded)."""
    first, last = release.held_days
    first, last = max(first, start), min(last or end, end)
    return max((last - first).days + 1, 0)


def held_rows(warehouse: Path) -> dict[str, int]:
    """Rows loaded per file sha256, of each source's current load in the published warehouse
    (none when there is no warehouse)."""
    if not warehouse.exists():
        return {}
    from detainers.report.headline import published_marts

    with published_marts(warehouse) as con:
        return dict(con.execute(
            """
            select loads.file_sha256, sum(loads.rows_loaded)::bigint
            from audit.sources as sources
            inner join audit.loads as loads on loads.load_id = sources.current_load_id
            group by all
            """).fetchall())


def catalog(warehouse: Path) -> list[dict]:
    """One object per release, as `detainers releases --json` prints them."""
    held = held_rows(warehouse)
    out = []
    for release in releases().values():
        row = {key: getattr(release, key) for key in KEYS}
        row = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
        out.append(row | {"held": release.sha256 in held, "rows": held.get(release.sha256, 0),
                          "oig_window_days": oig_days(release)})
    return out


# The table's columns in the order they are left out when the terminal is too narrow: the id
# and the days of the window are never left out, and an id is never cut.
COLUMNS = ("id", "trusted window", "OIG days", "held rows", "layout", "MB")
DROPPED_FIRST = ("MB", "layout", "held rows")


def catalog_table(rows: list[dict], columns: tuple[str, ...] = COLUMNS, narrow: bool = False):
    """The catalog as a table. `narrow`: each column only as wide as its longest word, so a window
    takes two lines and a header one word a line; no cell is ever cut (an id never wraps)."""
    from rich.table import Table

    table = Table(title="known releases (schemas/reference/releases.csv)", title_justify="left")
    cells = [{"id": r["id"], "trusted window": f"{r['window_start'] or '…'} .. {r['window_end'] or '…'}",
              "OIG days": f"{r['oig_window_days']:,}", "held rows": f"{r['rows']:,}" if r["held"] else "-",
              "layout": r["layout"], "MB": f"{r['bytes'] / 1e6:,.1f}"} for r in rows]
    for column in columns:
        values = [row[column] for row in cells]
        if narrow:  # a window wraps after its " ..", a header between its words
            words = [w for v in values for w in v.replace(" ..", "\u00a0..").split(" ")] + column.split()
        else:
            words = values + [column]
        table.add_column(column, justify="right" if column in ("OIG days", "held rows", "MB") else "left",
                         width=max(len(w) for w in words), no_wrap=column == "id")
    for row in cells:
        table.add_row(*(row[c] for c in columns))
    return table


def table_width(table) -> int:
    return sum(c.width + 2 for c in table.columns) + len(table.columns) + 1  # cell padding and rules


def fitting_table(width: int, rows: list[dict]):
    """The table as wide as fits `width`: whole, else narrow, else narrow with the least needed
    columns left out (DROPPED_FIRST); and the columns left out."""
    table = catalog_table(rows)
    if table_width(table) <= width:
        return table, []
    columns, left_out = list(COLUMNS), []
    for column in DROPPED_FIRST:
        table = catalog_table(rows, tuple(columns), narrow=True)
        if table_width(table) <= width:
            break
        columns.remove(column)
        left_out.insert(0, column)
        table = catalog_table(rows, tuple(columns), narrow=True)
    return table, left_out


def print_catalog(out, rows: list[dict], warehouse: Path, wide: bool = False) -> None:
    """The catalog as a table that fits the console (`wide`: every column, however wide), then
    what the warehouse holds of the inspector general's window."""
    if wide:
        table = catalog_table(rows)
        width, out.width = out.width, max(out.width, table_width(table))  # wider than the terminal: it wraps the lines
        try:
            out.print(table)
        finally:
            out.width = width
    else:
        table, left_out = fitting_table(out.width, rows)
        out.print(table)
        if left_out:
            out.print(f"(left out at {out.width} columns: {', '.join(left_out)}; --wide shows every column, --json every field)",
                      highlight=False)
    total = (DEFAULT_END - DEFAULT_START).days + 1
    held = _days_covered([r for r in rows if r["held"]])
    known = _days_covered(rows)
    where = warehouse if warehouse.exists() else f"{warehouse} (not built yet)"
    out.print(f"{where} holds {sum(r['held'] for r in rows)} of {len(rows)} known releases, trusted for {held:,} of the "
              f"{total:,} days of the inspector general's window ({DEFAULT_START} .. {DEFAULT_END}); all known releases "
              f"together would cover {known:,}", highlight=False)


def _days_covered(rows: list[dict], start: dt.date = DEFAULT_START, end: dt.date = DEFAULT_END) -> int:
    """Days of [start, end] at least one of the releases is trusted for and holds."""
    days = set()
    for r in rows:
        first, last = releases()[r["id"]].held_days
        first, last = max(first, start), min(last or end, end)
        days |= {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    return len(days)
