"""The limits of one download, and the meter that enforces them on the bytes as they are read.

Nothing a server or a file system claims is trusted: not a Content-Length, not a file's size
(procfs reports 0 bytes for files that have content). The meter counts what arrives, and
stops a download that passes the size cap, its deadline, or falls under the minimum rate:
a read timeout alone never ends a server that sends one byte every few seconds, which would
hold the warehouse's write lock for ever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from detainers import progress, stop
from detainers.errors import FetchError

# Defaults of the manifest settings of the same names (sources.toml, per source).
MAX_BYTES = 4 << 30  # no release so far is a tenth of this
MAX_SECONDS = 3600.0  # a whole fetch, retries included: 4 GiB at about 1.2 MB/s
MIN_BYTES_PER_SECOND = 1024.0  # averaged over RATE_WINDOW_SECONDS: below this a server is stuck, not slow
RATE_WINDOW_SECONDS = 30.0


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_seconds: float = MAX_SECONDS
    min_bytes_per_second: float = MIN_BYTES_PER_SECOND
    rate_window_seconds: float = RATE_WINDOW_SECONDS


def deadline_passed(source: str, shown: str, limits: Limits) -> FetchError:
    return FetchError(f"source {source}: {shown} did not finish within {limits.max_seconds:g} s")


class Meter:
    """Counts one download's bytes; `add` raises a FetchError at the first limit passed."""

    def __init__(self, source: str, shown: str, limits: Limits, deadline: float, expected: int | None = None,
                 report: bool = True) -> None:
        self.source, self.shown, self.limits, self.deadline, self.expected = source, shown, limits, deadline, expected
        self.report = report  # False: bytes only checked, not fetched (a file found unchanged)
        self.size = 0
        self._window_start, self._window_size = time.monotonic(), 0

    def add(self, n: int) -> None:
        stop.check()  # Ctrl-C or SIGTERM ends a download at its next chunk, in whatever thread
        self.size += n
        if self.size > self.limits.max_bytes:
            raise FetchError(f"source {self.source}: {self.shown} is over the cap of {self.limits.max_bytes:,} bytes")
        now = time.monotonic()
        if now > self.deadline:
            raise deadline_passed(self.source, self.shown, self.limits)
        elapsed = now - self._window_start
        if elapsed >= self.limits.rate_window_seconds:
            got = self.size - self._window_size
            if got < self.limits.min_bytes_per_second * elapsed:
                raise FetchError(f"source {self.source}: {self.shown} too slow: {got:,} bytes in {elapsed:.1f} s, "
                                 f"under the minimum of {self.limits.min_bytes_per_second:,g} bytes/s")
            self._window_start, self._window_size = now, self.size
        if self.report:
            progress.advance_bytes(self.source, n, self.expected)

    def rewind(self, n: int) -> None:
        """n bytes counted are thrown away (a download starting again): the progress shown goes back too."""
        self.size -= n
        self._window_size = min(self._window_size, self.size)
        if self.report:
            progress.advance_bytes(self.source, -n, self.expected)
