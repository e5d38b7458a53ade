"""Stopping a run on Ctrl-C (SIGINT) or SIGTERM, within seconds, at any stage.

While `handling()` is active, either signal sets the stop flag and raises KeyboardInterrupt
in the main thread. Stages also check the flag (`check()`) at their boundaries and in their
loops (each downloaded chunk, each batch read), so a run whose interrupt was swallowed by a
library (a Prefect task, a worker thread) still stops, and never publishes. Inside
`deferred()` (the publish: a rename and the exports moved into place) a signal only sets
the flag, so a publish is never left half done.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_requested = threading.Event()
_deferring = threading.Event()  # a publish in progress, in whatever thread runs it


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop (Ctrl-C or SIGTERM)."""


def requested() -> bool:
    return _requested.is_set()


def check() -> None:
    """Raise Interrupted if a stop was asked for (call at stage boundaries and in loops)."""
    if _requested.is_set() and not _deferring.is_set():
        raise Interrupted("stopped")


def _on_signal(signum, frame) -> None:
    _requested.set()
    if not _deferring.is_set():
        raise Interrupted(signal.Signals(signum).name)


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """Install the handlers for the length of a command (main thread only)."""
    _requested.clear()
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A block a signal does not cut short (the publish: milliseconds). A stop asked for
    meanwhile waits for its end and then for the next check; a run that has published by then
    has nothing left to stop."""
    _deferring.set()
    try:
        yield
    finally:
        _deferring.clear()
