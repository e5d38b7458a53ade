"""How much of a window's data covers, stretch by stretch, month by month and state by state:
what the text report and the HTML charts show beside each figure, so that a month covered for
one state is never read beside a month covered for all of them as if they were alike."""

from __future__ import annotations

import datetime as dt

import duckdb

from detainers.report.rows import window_rows


def window_stretches(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, states=None,
                     basis: str = "prepare") -> list[dict]:
    """Every stretch of the window over which the number of states covered holds still
    (marts.coverage_stretches), days without data too (states_covered 0)."""
    rows = window_rows(con, "marts.coverage_stretches", start, end, states, basis=basis)
    return [
        dict(start=r["stretch_start"].isoformat(), end=r["stretch_end"].isoformat(),
             states_covered=r["states_covered"], state_count=r["state_count"])
        for r in rows
    ]


def coverage_stretches(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, states=None,
                       basis: str = "prepare", stretches: list[dict] | None = None) -> list[dict]:
    """The stretches between the first and last covered day of the window over which the
    number of states covered holds still; one stretch when the coverage does not change
    inside the data's span."""
    rows = window_stretches(con, start, end, states, basis) if stretches is None else stretches
    covered = [i for i, r in enumerate(rows) if r["states_covered"]]
    return rows[covered[0]:covered[-1] + 1] if covered else []


def fully_covered(stretches: list[dict]) -> dict | None:
    """The longest stretch of the window whose every day covers every state asked about: the
    --start and --end a report would be fully covered for (the earliest when two are as long)."""
    whole = [s for s in stretches if s["states_covered"] and s["states_covered"] == s["state_count"]]
    if not whole:
        return None
    longest = max(whole, key=lambda s: (dt.date.fromisoformat(s["end"]) - dt.date.fromisoformat(s["start"]),
                                        -dt.date.fromisoformat(s["start"]).toordinal()))
    return dict(start=longest["start"], end=longest["end"])


def stretch_text(stretch: dict) -> str:
    covered, count = stretch["states_covered"], stretch["state_count"]
    if not covered:
        held = "no data"
    elif count == 1:
        held = "covered"
    else:
        held = f"all {count} states" if covered == count else f"{covered} of {count} states"
    return f"{stretch['start']} .. {stretch['end']}: {held}"


def month_coverage(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, states=None,
                   basis: str = "prepare") -> list[dict]:
    """Every month of the window (marts.monthly_coverage): its days in the window, days with
    data, the most states covered on a day, and its covered share."""
    return window_rows(con, "marts.monthly_coverage", start, end, states, basis=basis)


def month_labels(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, states=None,
                 basis: str = "prepare", months: list[dict] | None = None) -> dict[str, str]:
    """Months ('YYYY-MM') whose data covers only part of their days or states in the window,
    each with what it holds ("1 of 56 states", "19 of 31 days"); fully covered months and
    months without data are absent."""
    labels = {}
    for r in month_coverage(con, start, end, states, basis) if months is None else months:
        if r["coverage_ratio"] >= 1 or not r["days_covered"]:
            continue
        parts = []
        if r["most_states_covered"] < r["state_count"]:
            parts.append(f"{r['most_states_covered']} of {r['state_count']} states")
        if r["days_covered"] < r["days_in_window"]:
            parts.append(f"{r['days_covered']} of {r['days_in_window']} days")
        if not parts:  # every state on some day, every day some state: the share says it
            parts.append(f"{r['coverage_ratio']:.0%} of days x states")
        labels[r["month"].strftime("%Y-%m")] = ", ".join(parts)
    return labels


def state_coverage(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, states=None,
                   basis: str = "prepare") -> dict[str, float]:
    """Each state's share of the window's days that its data covers (marts.daily_coverage)."""
    days = (end - start).days + 1
    rows = con.execute(
        """
        select state_code, count(distinct day) from marts.daily_coverage
        where macros.in_scope(day, state_code, $start, $end, $states)
            and ($basis = 'prepare' or has_decline_dates)
        group by all
        """,
        dict(start=start, end=end, states=list(states) if states else None, basis=basis),
    ).fetchall()
    return {code: covered / days for code, covered in rows}
