"""Published figures (the inspector general's, NPR's, TRAC's) loaded beside the warehouse's
own, so the `marts.reconciliation` model can compare each with ours for the same window.

The figures are data: data/published/published_figures.csv, one row per figure. The build
loads it into `reference.published_figures` before the models run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from detainers.paths import PROJECT_ROOT

PUBLISHED_FIGURES = PROJECT_ROOT / "data" / "published" / "published_figures.csv"
METRICS = ("detainers_issued", "declined_detainers", "declining_jurisdictions")
STATUSES = ("match", "gap_explained_by_coverage", "disagreement")


def load_published_figures(con: duckdb.DuckDBPyConnection, path: Path = PUBLISHED_FIGURES) -> int:
    """(Re)create reference.published_figures from the CSV; return its row count."""
    con.execute("create schema if not exists reference")
    con.execute(
        """
        create or replace table reference.published_figures as
        select
            figure_id,
            publisher,
            metric,
            window_start,
            window_end,
            value,
            citation,
        from read_csv(
            $path,
            header = true,
            columns = {
                'figure_id': 'varchar',
                'publisher': 'varchar',
                'metric': 'varchar',
                'window_start': 'date',
                'window_end': 'date',
                'value': 'bigint',
                'citation': 'varchar'
            }
        )
        """,
        dict(path=str(path)),
    )
    bad = con.execute(
        "select figure_id from reference.published_figures where metric not in $metrics or window_start > window_end",
        dict(metrics=list(METRICS)),
    ).fetchall()
    if bad:
        from detainers.errors import DetainersError

        raise DetainersError(f"{path}: unknown metric or reversed window in figure(s) {', '.join(r[0] for r in bad)}")
    return con.execute("select count(*) from reference.published_figures").fetchone()[0]


def reconciliation(con: duckdb.DuckDBPyConnection, only_relevant: bool = False) -> list[dict]:
    """Rows of marts.reconciliation; only_relevant keeps figures whose window the loaded data
    touches (the others are all coverage gaps of zero against the published value)."""
    where = "where coverage_start is not null" if only_relevant else ""
    cursor = con.execute(f"select * from marts.reconciliation {where} order by window_start, window_end, figure_id")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    for row in rows:
        for key, value in row.items():
            if isinstance(value, dt.date):
                row[key] = value.isoformat()
    return rows
