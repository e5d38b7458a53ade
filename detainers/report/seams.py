"""Seams between releases: where two sources hold the same days and states
(marts.source_overlaps) and their counts differ by more than schemas/reference/seams.toml
allows, one line per pair of sources, so a user sees where to set trusted windows."""

from __future__ import annotations

import datetime as dt
import tomllib

import duckdb

from detainers.schemas.reference import REFERENCE_DIR


def max_difference_share() -> float:
    return tomllib.loads((REFERENCE_DIR / "seams.toml").read_text("utf-8"))["max_difference_share"]


def seam_lines(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> list[str]:
    """One line per pair of sources whose shared state-months of [start, end] differ."""
    share = max_difference_share()
    rows = con.execute(
        """
        with months as (
            select
                *,
                greatest(abs(detainers - other_detainers) / greatest(detainers, other_detainers, 1),
                         abs(declined_detainers - other_declined_detainers)
                             / greatest(declined_detainers, other_declined_detainers, 1)) as difference,
            from marts.source_overlaps
            where prepare_month between date_trunc('month', $start::date) and $end
        )
        select
            source, other_source, strftime(min(prepare_month), '%Y-%m'), strftime(max(prepare_month), '%Y-%m'),
            count(*), count(*) filter (where difference > $share),
            arg_max([coalesce(state_code, 'no state'), strftime(prepare_month, '%Y-%m'), detainers::varchar,
                     other_detainers::varchar, declined_detainers::varchar, other_declined_detainers::varchar], difference),
        from months
        group by all
        having count(*) filter (where difference > $share) > 0
        order by source, other_source
        """,
        dict(start=start, end=end, share=share),
    ).fetchall()
    return [
        f"seam: {a} and {b} both hold {first} .. {last}; their counts differ by more than {share:.0%} in {n:,} of "
        f"{cells:,} state-months (the most: {worst[0]} {worst[1]}, {int(worst[2]):,} against {int(worst[3]):,} detainers, "
        f"{int(worst[4]):,} against {int(worst[5]):,} declined): set their trusted windows where one should take over "
        "(marts.source_overlaps)"
        for a, b, first, last, cells, n, worst in rows
    ]
