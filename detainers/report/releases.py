"""`detainers releases`: every known release of the catalog (schemas/reference/releases.csv),
whether the published warehouse holds it (its current load of a source is of exactly those
bytes) and with how many rows, and how many days of the inspector general's window it would
cover in a stitched history (its trusted window, within the prepare dates it holds)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from detainers.report.window import DEFAULT_END, DEFAULT_START
from schemas.reference import Release, releases

KEYS = ("id", "file", "publisher", "published_in", "url", "sha256", "bytes", "prepare_start", "prepare_end", "window_start",
        "window_end", "extracted_on", "layout", "has_lift_dates", "same_records_as")


def oig_days(release: Release, start: dt.date = DEFAULT_START, end: dt.date = DEFAULT_END) -> int:
    """Days of [start, end] the release is trusted for and holds (an open end: unbounded)."""
    first = max(d for d in (release.window_start, release.prepare_start, start) if d)
    last = min(d for d in (release.window_end, release.prepare_end, end) if d)
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


def print_catalog(out, rows: list[dict], warehouse: Path) -> None:
    from rich.table import Table

    table = Table(title="known releases (schemas/reference/releases.csv)", title_justify="left")
    for column in ("id", "layout", "trusted window", "OIG days", "held", "rows"):
        table.add_column(column, justify="right" if column in ("OIG days", "rows") else "left", no_wrap=column != "id")
    for r in rows:
        window = f"{r['window_start'] or '…'} .. {r['window_end'] or '…'}"
        table.add_row(r["id"], r["layout"], window, f"{r['oig_window_days']:,}", "yes" if r["held"] else "no", f"{r['rows']:,}")
    out.print(table)
    total = (DEFAULT_END - DEFAULT_START).days + 1
    held = sum(r["oig_window_days"] for r in rows if r["held"])
    known = sum(r["oig_window_days"] for r in rows if not r["same_records_as"])
    where = warehouse if warehouse.exists() else f"{warehouse} (not built yet)"
    out.print(f"{where} holds {sum(r['held'] for r in rows)} of {len(rows)} known releases, trusted for {held:,} of the "
              f"{total:,} days of the inspector general's window ({DEFAULT_START} .. {DEFAULT_END}); all known releases "
              f"together would cover {known:,}", highlight=False)
