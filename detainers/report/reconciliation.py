"""The published figures against the warehouse's own, as marts.reconciliation compares them: like
with like (the same window, states and basis, on data held whole), or not_comparable with the
reason. A national report shows the national figures, a state report the figures of its states.
The inspector general's figures get a line of their own: what they count, what the loaded data
holds of their window, and which known releases would cover it."""

from __future__ import annotations

import datetime as dt

import duckdb

from detainers.report.rows import as_dicts

OIG = "DHS OIG"
# What `report --json` gives of each row (its `reconciliation` list), in this order.
JSON_KEYS = {
    "figure": "figure_id", "publisher": "publisher", "metric": "metric", "window_start": "window_start",
    "window_end": "window_end", "states": "states", "published": "published_value", "ours": "warehouse_value",
    "difference": "difference", "tolerance": "tolerance", "status": "status", "reason": "reason",
    "figure_window_start": "figure_window_start", "figure_window_end": "figure_window_end",
    "figure_value": "figure_value", "basis": "basis", "coverage_ratio": "coverage_ratio",
}


def reconciliation(con: duckdb.DuckDBPyConnection, start: dt.date | None = None, end: dt.date | None = None,
                   states: tuple[str, ...] | None = None) -> list[dict]:
    """Rows of marts.reconciliation about the nation (states None) or about the states asked,
    those whose figure's window overlaps [start, end] when given."""
    cursor = con.execute(
        """
        select * from marts.reconciliation
        where ($start is null or figure_window_end >= $start) and ($end is null or figure_window_start <= $end)
            and (if($states is null, scope = 'national', list_contains($states, scope)))
        order by figure_window_start, figure_window_end, scope, figure_id
        """,
        dict(start=start, end=end, states=list(states) if states else None),
    )
    rows = as_dicts(cursor)
    for row in rows:
        for key, value in row.items():
            if isinstance(value, dt.date):
                row[key] = value.isoformat()
            elif key in ("coverage_ratio", "tolerance") and value is not None:
                row[key] = float(value)
    return rows


def as_json(rows: list[dict], basis: str = "prepare") -> list[dict]:
    """The rows as `report --json` gives them. The published figures count by prepare date: on
    another basis none is comparable, and the list is empty."""
    if basis != "prepare":
        return []
    return [{key: row[column] for key, column in JSON_KEYS.items()} for row in rows]


def held_releases(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The sha256 of every file the published warehouse's sources currently hold."""
    return {sha for (sha,) in con.execute(
        "select loads.file_sha256 from audit.sources as sources "
        "inner join audit.loads as loads on loads.load_id = sources.current_load_id").fetchall()}


def inspector_general_line(con: duckdb.DuckDBPyConnection, rows: list[dict], cover=None) -> str | None:
    """The inspector general's figures in words: what they count, what the loaded data holds of
    their window and what it counts there, and which known releases would cover it: `cover(start,
    end)` gives the fewest (detainers.extract.window_manifest.cover, passed in by the command)."""
    figures = [r for r in rows if r["publisher"] == OIG]
    if not figures:
        return None
    from detainers.report.headline import headline

    start, end = dt.date.fromisoformat(figures[0]["figure_window_start"]), dt.date.fromisoformat(figures[0]["figure_window_end"])
    values = {r["metric"]: r["figure_value"] for r in figures}
    h = headline(con, start, end)
    total = (end - start).days + 1
    if h["coverage_start"]:
        holds = (f"the loaded data holds {h['coverage_start']} .. {h['coverage_end']} of it ({h['days_covered']:,} of its "
                 f"{total:,} days, {h['coverage_ratio']:.1%} of its days and states), where it counts "
                 f"{h['declined_detainers']:,} declined detainers at {h['declining_jurisdictions']:,} jurisdictions (facilities)")
    else:
        holds = "the loaded data holds none of it"
    counted = " and ".join(f"{values[m]:,} {m.replace('_', ' ')}" for m in ("declined_detainers", "declining_jurisdictions") if m in values)
    line = (f"inspector general (OIG-18-36): {counted}, {start} .. {end}, nationwide, from ICE's records; "
            f"{figures[0]['reason']}: not comparable. {holds[0].upper()}{holds[1:]}.")
    return line + (f" {known_releases(cover(start, end), held_releases(con), total)}" if cover else "")


def known_releases(plan, held: set[str], total: int) -> str:
    """The fewest known releases that hold a window, each with its days, whether it is held, and
    the days no known release holds."""
    days = [(e.release.id, (e.covers_end - e.covers_start).days + 1, e.release.sha256 in held) for e in plan.entries]
    if not days:
        return "No known release holds any of it."
    listed = ", ".join(f"{rid} ({'held, ' if is_held else ''}{n:,} days)" for rid, n, is_held in days)
    gaps = "; ".join(f"{a} .. {b}" for a, b in plan.gaps)
    return (f"The fewest known releases that would cover it (detainers releases --manifest --start {plan.start} --end "
            f"{plan.end}): {listed}, {sum(n for _, n, _ in days):,} of its {total:,} days"
            + (f"; no known release holds {gaps}." if gaps else "."))
