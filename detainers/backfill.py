"""Backfill: which sources of the manifest a date range needs."""

from __future__ import annotations

import datetime as dt

from detainers.errors import DetainersError
from detainers.manifest import Source


def overlapping(sources: tuple[Source, ...], start: dt.date, end: dt.date) -> tuple[Source, ...]:
    """The sources whose trusted window shares a day with [start, end]; no window: always."""
    if start > end:
        raise DetainersError(f"the range starts ({start}) after it ends ({end})")
    return tuple(
        s for s in sources
        if (s.window_start is None or s.window_start <= end) and (s.window_end is None or s.window_end >= start)
    )
