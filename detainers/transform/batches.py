"""One source's file as a stream of validated batches: read, check the published shape,
quarantine values too long to keep (lengths.py), normalize and validate by distinct value (values.py), split the rows to store from the
rejected, with their reasons. `read_ahead` runs the stream one batch ahead in a thread, so
the next batch is read while the loader writes this one."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from detainers.errors import LayoutError
from detainers.stop import check as check_stop
from detainers.stop import requested as stop_asked
from detainers.extract.fetch import Landed
from detainers.extract.landing import published_name
from detainers.extract.manifest import Source
from detainers.transform.info import ReadInfo
from detainers.transform.lengths import cut_long_values, merge_reasons
from detainers.transform.limits import ReadLimits
from detainers.transform.read import read_batches
from detainers.transform.validate import NO_REASONS, check_published, split_valid
from detainers.transform.values import Normalizer

Batch = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]  # (published rows, rows to store, reasons of the rejected)


@dataclass
class Derived:
    """A landed file's rows as the transform derives them: its batches (read lazily, one ahead
    of the loader), what the reader learns of the file as it goes, and the load's dictionary
    of values (complete once the batches are)."""

    batches: Iterator[Batch]
    info: ReadInfo
    normalizer: Normalizer


def derive(source: Source, landed: Landed, careful: bool = False) -> Derived:
    """`careful`: a CSV read again after its first read met bytes it could not take as they are
    (read_csv.ReadAgain)."""
    info = ReadInfo()
    normalizer = Normalizer(source.resolved_layout(), source.states, ReadLimits.of(source).max_distinct_values, landed.path.name)
    return Derived(read_ahead(validated_batches(source, landed, info, normalizer, careful)), info, normalizer)


def validated_batches(source: Source, landed: Landed, info: ReadInfo, normalizer: Normalizer,
                      careful: bool = False) -> Iterator[Batch]:
    """Each batch of the landed file: the rows as published, the rows to store (raw.detainer_rows'
    shape), and the reasons of the rejected ones (`_index` in the batch, column, check).
    Errors name the source and the published file name."""
    layout = normalizer.layout
    name = published_name(source.shown_url, landed.path)
    where = f"source {source.name}: {name}"

    def named(message: str) -> str:  # the source, and the file by its published name
        return message if message.startswith(where) else f"source {source.name}: " + message.replace(landed.path.name, name, 1)

    limits = ReadLimits.of(source)
    try:
        for published in read_batches(landed.path, layout, info, limits=limits, careful=careful):
            check_published(published, layout, where)
            # a value too long is missing to the normalizer, and cut where audit.rejects shows it
            shown, published, too_long = cut_long_values(published, layout, limits.max_text_length)
            positions, passes = normalizer.rows(published)
            if too_long.height:
                passes = passes.scatter(too_long["_index"], False)
            reasons = merge_reasons(_reasons(normalizer, positions, passes), too_long)
            # the whole-row verdict is final: a row the model passes whole is stored
            passes = passes | pl.repeat(True, positions.height, dtype=pl.Boolean, eager=True).scatter(reasons["_index"], False)
            yield shown, normalizer.stored(positions.filter(passes)), reasons
    except LayoutError as exc:
        raise LayoutError(named(str(exc))) from None
    info.warnings = [named(warning) for warning in info.warnings]


def _reasons(normalizer: Normalizer, positions: pl.DataFrame, passes: pl.Series) -> pl.DataFrame:
    """Why each failed row failed, from the canonical model on the whole row (as audit.rejects
    keeps it); `_index` is the row's place in the batch."""
    failed = pl.int_range(positions.height, eager=True).filter(~passes)
    if not failed.len():
        return NO_REASONS.clear()
    _, reasons = split_valid(normalizer.canonical(positions[failed]), normalizer.states)
    return reasons.with_columns(failed.gather(reasons["_index"]).cast(pl.Int64).alias("_index"))


_DONE = object()


def read_ahead(items, depth: int = 1):
    """Iterate `items` one step ahead in a thread: the next batch is read and validated while
    DuckDB writes this one (polars, DuckDB and calamine's parse release the GIL, so the two
    overlap). At most `depth` batches wait; an error in the thread is raised here; leaving
    the loop early stops the thread at its next batch."""
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    leaving = threading.Event()

    def put(entry) -> bool:
        while not leaving.is_set():
            try:
                waiting.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                check_stop()  # raised in the loop below, which may be waiting for this batch
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
        leaving.set()
        if not stop_asked():  # interrupted: the thread ends at its next batch; no waiting for it
            thread.join()
