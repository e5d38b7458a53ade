"""The published figures against the warehouse's own, as marts.reconciliation compares them: like
with like (the same window, states and basis, on data held whole), or not_comparable with the
reason. A national report shows the national figures, a state report the figures of its states.
The inspector general's figures get a line of their own: what they count, what the loaded data
holds of their window, and which known releases would cover it."""

from __future__ import annotations

import datetime as dt

import duckdb

from detainers.report.rows import as_dicts
from schemas.reference import releases

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


def covering_releases(start: dt.date, end: dt.date, held: set[str]) -> tuple[list[tuple[str, int, bool]], int]:
    """Known releases (the catalog) that together hold the most days of [start, end] in their
    trusted windows, fewest first: (id, days it adds, held?) and the days they cover. Of two
    releases holding the same records, the one held (else the one adding more) is taken."""
    def days(release) -> set[dt.date]:
        first = max(d for d in (release.window_start, release.prepare_start, start) if d)
        last = min(d for d in (release.window_end, release.prepare_end, end) if d)
        return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}

    candidates = {r.id: (r, days(r)) for r in releases().values()}
    covered: set[dt.date] = set()
    chosen: list[tuple[str, int, bool]] = []
    while True:
        taken = {c[0] for c in chosen}
        twins = {r.same_records_as for r, _ in (candidates[i] for i in taken) if r.same_records_as} | {
            r.id for r, _ in candidates.values() if r.same_records_as in taken}
        best = max(((r.sha256 in held and bool(d - covered), len(d - covered), r.id) for r, d in candidates.values()
                    if r.id not in taken and r.id not in twins), default=None)
        if not best or best[1] == 0:
            return chosen, len(covered)
        is_held, adds, release_id = best
        chosen.append((release_id, adds, is_held))
        covered |= candidates[release_id][1]


def held_releases(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The sha256 of every file the published warehouse's sources currently hold."""
    return {sha for (sha,) in con.execute(
        "select loads.file_sha256 from audit.sources as sources "
        "inner join audit.loads as loads on loads.load_id = sources.current_load_id").fetchall()}


def inspector_general_line(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> str | None:
    """The inspector general's figures in words: what they count, what the loaded data holds of
    their window and what it counts there, and which known releases would cover it."""
    figures = [r for r in rows if r["publisher"] == OIG]
    if not figures:
        return None
    from detainers.report.headline import headline

    start, end = dt.date.fromisoformat(figures[0]["figure_window_start"]), dt.date.fromisoformat(figures[0]["figure_window_end"])
    values = {r["metric"]: r["figure_value"] for r in figures}
    h = headline(con, start, end)
    total = (end - start).days + 1
    chosen, covered = covering_releases(start, end, held_releases(con))
    if h["coverage_start"]:
        holds = (f"the loaded data holds {h['coverage_start']} .. {h['coverage_end']} of it ({h['days_covered']:,} of its "
                 f"{total:,} days, {h['coverage_ratio']:.1%} of its days and states), where it counts "
                 f"{h['declined_detainers']:,} declined detainers at {h['declining_jurisdictions']:,} jurisdictions (facilities)")
    else:
        holds = "the loaded data holds none of it"
    listed = ", ".join(f"{rid} ({'held, ' if is_held else ''}{days:,} days)" for rid, days, is_held in chosen)
    known = (f"known releases that would cover it: {listed}, {covered:,} of its {total:,} days together"
             if chosen else "no known release covers any of it")
    counted = " and ".join(f"{values[m]:,} {m.replace('_', ' ')}" for m in ("declined_detainers", "declining_jurisdictions") if m in values)
    return (f"inspector general (OIG-18-36): {counted}, {start} .. {end}, nationwide, from ICE's records; "
            f"{figures[0]['reason']}: not comparable. {holds[0].upper()}{holds[1:]}. {known[0].upper()}{known[1:]}")
