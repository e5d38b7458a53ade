"""One source's file as a stream of validated batches: read, check the published shape,
normalize, split valid from rejected. `read_ahead` runs the stream one batch ahead in a
thread, so the next batch is read while the loader writes this one."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from detainers.errors import LayoutError
from detainers.extract.fetch import Landed
from detainers.extract.landing import published_name
from detainers.extract.manifest import Source
from detainers.transform.info import ReadInfo
from detainers.transform.normalize import to_canonical
from detainers.transform.read import read_batches
from detainers.transform.rules import derivation_fingerprint
from detainers.transform.validate import check_published, split_valid

Batch = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]  # (published rows, valid canonical rows, reasons of the rejected)


@dataclass
class Derived:
    """A landed file's rows as the transform derives them: its batches (read lazily, one ahead
    of the loader), what the reader learns of the file as it goes, and the fingerprint of
    the rules that derive them (transform/rules.py)."""

    batches: Iterator[Batch]
    info: ReadInfo
    rules_fingerprint: str


def derive(source: Source, landed: Landed) -> Derived:
    info = ReadInfo()
    return Derived(read_ahead(validated_batches(source, landed, info)), info, derivation_fingerprint(source))


def validated_batches(source: Source, landed: Landed, info: ReadInfo) -> Iterator[Batch]:
    """Each batch of the landed file: the rows as published, the valid canonical rows, and
    the reasons of the rejected ones. Errors name the source and the published file name."""
    layout = source.resolved_layout()
    name = published_name(source.url, landed.path)
    where = f"source {source.name}: {name}"
    try:
        for published in read_batches(landed.path, layout, info):
            check_published(published, layout, where)
            valid, reasons = split_valid(to_canonical(published, layout), source.states)
            yield published, valid, reasons
    except LayoutError as exc:
        message = str(exc)
        if not message.startswith(where):
            message = f"source {source.name}: " + message.replace(landed.path.name, name, 1)
        raise LayoutError(message) from None


_DONE = object()


def read_ahead(items, depth: int = 1):
    """Iterate `items` one step ahead in a thread: the next batch is read and validated while
    DuckDB writes this one (polars, DuckDB and calamine's parse release the GIL, so the two
    overlap). At most `depth` batches wait; an error in the thread is raised here; leaving
    the loop early stops the thread at its next batch."""
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                waiting.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((None, item)):
                    return
            put((None, _DONE))
        except BaseException as exc:  # handed to the loop, raised there
            put((exc, None))

    thread = threading.Thread(target=produce, name="detainers-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            error, item = waiting.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        thread.join()
