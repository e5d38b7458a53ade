"""One source's file as a stream of validated batches: read, check the published shape,
quarantine values too long to keep (limits.py), normalize and validate by distinct value (values.py), split the rows to store from the
rejected, with their reasons. `read_ahead` runs the stream one batch ahead in a thread, so
the next batch is read while the loader writes this one.

What decides the rows a load derives from a file (derivation_fingerprint): the source's layout
as resolved (with its manifest mapping), its states and the settings that decide what loads
(Source.load_settings), the reference data normalization and validation read
(schemas.reference.ROW_RULES), and the code that applies them: the canonical row and its
pandera model, the published layouts' models, and this package. A load stays current only while
its fingerprint is unchanged: an edit to any of these derives the source's rows again from its
landing file at the next run (no download).
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from detainers.errors import LayoutError
from detainers.extract.fetch import Landed
from detainers.extract.landing import published_name
from detainers.extract.manifest import Source
from detainers.paths import files_digest
from detainers.schemas import canonical, reference
from detainers.stop import check as check_stop
from detainers.stop import requested as stop_asked
from detainers.transform.info import ReadInfo
from detainers.transform.limits import cut_long_values, merge_reasons
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


SCHEMAS = Path(canonical.__file__).parent
CODE = [*sorted(Path(__file__).parent.glob("*.py")), *(SCHEMAS / name for name in ("canonical.py", "canonical_model.py", "published.py"))]


def derivation_fingerprint(source: Source) -> str:
    digest = hashlib.sha256()
    digest.update(source.resolved_layout().model_dump_json().encode())
    digest.update(json.dumps([source.states, source.load_settings]).encode())
    return files_digest([*(reference.REFERENCE_DIR / name for name in reference.ROW_RULES), *CODE], digest)
