"""Progress of downloads (bytes) and loads (rows), for people watching a run.

The stages report through two cheap module-level hooks, `advance_bytes` and `advance_rows`:
with no reporter installed (tests, the Prefect worker of `serve`) each is one `is None`
check. `detainers run` installs a reporter for the length of the run: Rich progress bars
when stdout is a terminal, plain lines (at most one every few seconds per source, and the
totals at the end) when it is a log file or a pipe.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from rich.console import Console


class Reporter(Protocol):
    def bytes(self, source: str, n: int, total: int | None) -> None: ...
    def rows(self, source: str, n: int) -> None: ...
    def close(self, stopped: bool = False) -> None: ...


_reporter: Reporter | None = None


def advance_bytes(source: str, n: int, total: int | None = None) -> None:
    """n more bytes of the source's file downloaded (total: the declared size, if known)."""
    if _reporter is not None:
        _reporter.bytes(source, n, total)


def advance_rows(source: str, n: int) -> None:
    """n more rows of the source read and validated."""
    if _reporter is not None:
        _reporter.rows(source, n)


@contextlib.contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    global _reporter
    previous, _reporter = _reporter, reporter
    stopped = True  # until the run ends as it should: Ctrl-C, an error, did not finish what was shown
    try:
        yield
        stopped = False
    finally:
        _reporter = previous
        if reporter is not None:
            reporter.close(stopped)


def for_console(console: Console) -> Reporter:
    """Bars on a terminal, plain lines anywhere else."""
    return RichReporter(console) if console.is_terminal else LineReporter(console)


class RichReporter:
    def __init__(self, console: Console) -> None:
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TransferSpeedColumn)

        self._lock = threading.Lock()
        self._tasks: dict[tuple[str, str], int] = {}
        self._download = Progress(TextColumn("download {task.description}"), BarColumn(), DownloadColumn(),
                                  TransferSpeedColumn(), TimeElapsedColumn(), console=console, transient=False)
        self._load = Progress(TextColumn("load {task.description}"), BarColumn(), TextColumn("{task.completed:,.0f} rows"),
                              TimeElapsedColumn(), console=console, transient=False)
        from rich.console import Group
        from rich.live import Live

        self._live = Live(Group(self._download, self._load), console=console, refresh_per_second=8)
        self._live.start()

    def bytes(self, source: str, n: int, total: int | None) -> None:
        with self._lock:
            key = (source, "bytes")
            if key not in self._tasks:
                self._tasks[key] = self._download.add_task(source, total=total)
            self._download.advance(self._tasks[key], n)

    def rows(self, source: str, n: int) -> None:
        with self._lock:
            key = (source, "rows")
            if key not in self._tasks:
                self._tasks[key] = self._load.add_task(source, total=None)
            self._load.advance(self._tasks[key], n)

    def close(self, stopped: bool = False) -> None:
        with self._lock:
            for (source, kind), task in self._tasks.items():
                bar = self._download if kind == "bytes" else self._load
                done = bar.tasks[task].completed
                if not stopped:  # a stopped bar stays where it stopped
                    bar.update(task, total=done, completed=done)
            self._live.stop()


class LineReporter:
    """One plain line per source at most every `every` seconds, and the totals at the end.

    A source's interval starts at its own first progress, not when the reporter was made:
    the run's first progress comes after Prefect's start-up (about 7 s), and timing from
    then printed every small download or load twice, once as it started and once done."""

    def __init__(self, console: Console, every: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._console, self._every, self._clock = console, every, clock
        self._lock = threading.Lock()
        self._totals: dict[tuple[str, str], int] = {}
        self._declared: dict[str, int | None] = {}
        self._last: dict[tuple[str, str], float] = {}

    def _note(self, source: str, kind: str, n: int) -> None:
        with self._lock:
            key = (source, kind)
            self._totals[key] = self._totals.get(key, 0) + n
            now = self._clock()
            if now - self._last.setdefault(key, now) >= self._every:
                self._last[key] = now
                self._print(source, kind, self._totals[key])

    def _print(self, source: str, kind: str, total: int, final: str = "") -> None:
        if kind == "bytes":
            declared = self._declared.get(source)
            of = f" of {declared:,}" if declared else ""
            text = f"download {source}: {total:,}{of} bytes"
        else:
            text = f"load {source}: {total:,} rows read"
        self._console.print(text + (f" ({final})" if final else ""), highlight=False, soft_wrap=True)

    def bytes(self, source: str, n: int, total: int | None) -> None:
        self._declared.setdefault(source, total)
        self._note(source, "bytes", n)

    def rows(self, source: str, n: int) -> None:
        self._note(source, "rows", n)

    def close(self, stopped: bool = False) -> None:
        with self._lock:
            for (source, kind), total in self._totals.items():
                self._print(source, kind, total, final="stopped" if stopped else "done")
