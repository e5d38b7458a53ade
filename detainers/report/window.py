"""The window and shape of the headline a command asks for by default: constants only, so the
command line checks its arguments without importing DuckDB."""

from __future__ import annotations

import datetime as dt

# The inspector general's window (OIG-18-36): January 2014 through May 2017.
DEFAULT_START = dt.date(2014, 1, 1)
DEFAULT_END = dt.date(2017, 5, 31)
# What `detainers report --json` prints (and `basis` when it is not the default), what the data
# holds of the window first: the figures are for that part of it.
HEADLINE_KEYS = (
    "window_start", "window_end", "data_start", "data_end", "days_covered", "days_in_window", "states_covered",
    "state_count", "coverage_ratio", "fully_covered_start", "fully_covered_end", "figures_cover",
    "detainers_issued", "declined_detainers", "declining_jurisdictions", "declined_without_jurisdiction",
    "states", "outcome_pending_share", "coverage_start", "coverage_end", "coverage_stretches",
)

# Which date puts a decline in the window: the detainer's prepare date, or the date of the
# decline (lift date, published by some releases only); marts.headline takes either.
BASES = ("prepare", "decline")
