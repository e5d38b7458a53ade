"""Figures others published per facility, put in the warehouse's own terms: NPR's declined
detainers per facility, city, state and year (schemas/reference/published/, as NPR published
it), with facility names and states normalized by the same rules as every loaded row, so
marts.facility_reconciliation compares like with like."""

from __future__ import annotations

import polars as pl

from detainers.transform.normalize import clean_text, facility_name, state_code
from detainers.schemas.reference import REFERENCE_DIR

NPR_FACILITY_DECLINES = REFERENCE_DIR / "published" / "declined_vs_everythingelse.csv"


def published_facility_declines() -> pl.DataFrame:
    """One row per row of NPR's file: year, facility, city and state as published, the
    normalized facility name and state code, and the declined detainers NPR counted."""
    # The file repeats three column names (a join's other side); only the first five are read.
    names = ["year", "facility", "city", "state", "declined_detainers", "other_facility", "other_year", "other_lifts"]
    published = pl.read_csv(NPR_FACILITY_DECLINES, has_header=False, skip_rows=1, infer_schema=False, new_columns=names)
    return published.select(
        pl.col("year").cast(pl.Int32),
        "facility",
        "city",
        "state",
        facility_name(clean_text(pl.col("facility"))).alias("facility_name"),
        state_code(clean_text(pl.col("state"))).alias("state_code"),
        pl.col("declined_detainers").cast(pl.Int64),
    )
