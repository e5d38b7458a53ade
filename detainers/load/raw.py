"""Load: a source's validated batches into a table of its own behind the view
raw.detainer_rows (the columns that vary in it; what is constant for the load, once:
schemas/stored.py) and its dictionary of values into raw.detainer_values (together, the view
raw.detainers), its rejects into audit.rejects, and a record of the attempt into audit.loads.

A source's rows are replaced in one transaction, so a reader of the build sees the old
release or the new one, never a mix. Loading a file already loaded for a source is a no-op.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field

import duckdb
import polars as pl

from detainers import progress, stop
from detainers.errors import RejectThresholdError
from detainers.extract.fetch import Landed
from detainers.extract.landing import published_name
from detainers.extract.manifest import Source
from detainers.load.identity import standing_refusal
from detainers.transform.batches import Derived, derivation_fingerprint, derive
from detainers.transform.info import ROW, SHEET
from detainers.transform.read_csv import ReadAgain
from detainers.schemas.stored import CONSTANTS, literal, load_table, load_tables, refresh_rows_view, row_columns


@dataclass
class LoadResult:
    source: str
    status: str  # loaded, skipped_unchanged, failed_reject_threshold
    load_id: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    seconds_read_validate: float = 0.0
    seconds_write: float = 0.0
    warnings: list[str] = field(default_factory=list)


# Valid rows are handed to DuckDB in one contiguous Arrow table of at least this many rows:
# fewer, larger inserts write faster (500,000 rows at once were about 30% faster than two
# batches of 250,000 when the rows were text; a million rows of ids are ~40 MB).
WRITE_ROWS = 1_000_000


def load_source(con: duckdb.DuckDBPyConnection, source: Source, landed: Landed, run_id: str) -> LoadResult:
    """Replace the source's rows with the valid rows the transform derives from the landed
    file, unless the source's current load is of the same file by the same rules (then
    nothing of the transform is built, and no batch is read)."""
    fingerprint = derivation_fingerprint(source)
    current = con.execute(
        """
        select s.current_load_id from audit.sources s join audit.loads l on l.load_id = s.current_load_id
        where s.source = ? and l.file_sha256 = ? and l.rules_fingerprint = ? and l.status = 'loaded'
        """,
        [source.name, landed.sha256, fingerprint],
    ).fetchone()
    if current:
        _remember_fetch(con, source, landed, current[0])
        return LoadResult(source.name, "skipped_unchanged", current[0])
    refused = standing_refusal(con, source.name, landed.sha256, fingerprint)
    if refused:  # judged before, by the same rules: read again, it would add the same rejects every night
        raise RejectThresholdError(refused)
    derived = derive(source, landed)

    load_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{source.name}-{uuid.uuid4().hex[:8]}"
    result = LoadResult(source.name, "loaded", load_id)
    load_key = con.execute("select coalesce(max(load_key), 0) + 1 from audit.loads").fetchone()[0]
    started = dt.datetime.now(dt.UTC)
    # One transaction: the new rows go straight into their own table beside the source's old
    # ones (no second copy), then whichever set must go is dropped, so a reader of the build
    # sees the old release or the new one, never a mix. Rejects wait in a connection-local
    # table and are kept even when the source fails its threshold (that case commits too,
    # having deleted its own new rows); a read error rolls back everything.
    con.execute("create or replace temp table incoming_rejects as select * from audit.rejects limit 0")
    con.begin()
    try:
        try:
            _write_rows(con, source, landed, derived, result, load_key)
        except ReadAgain:  # bytes a CSV read as it stands cannot take, past its first batch
            delete_rows(con, "load_key = $new", dict(new=load_key))
            con.execute("delete from incoming_rejects")
            shown = result.rows_read
            result = LoadResult(source.name, "loaded", load_id)
            derived = derive(source, landed, careful=True)
            _write_rows(con, source, landed, derived, result, load_key, shown)
        result.warnings += derived.info.warnings  # rows the reader skipped (blank rows at the end)
        message = _threshold_breach(source, landed, result)
        clock = time.perf_counter()
        con.execute("insert into audit.rejects select * from incoming_rejects")
        if message:
            result.status = "failed_reject_threshold"
            delete_rows(con, "load_key = $new", dict(new=load_key))
            _remember_fetch(con, source, landed, None)  # what was fetched; its rows stay those of its current load
        else:
            delete_rows(con, "load_key <> $new and load_key in (select load_key from audit.loads where source = $source)",
                         dict(new=load_key, source=source.name))
            _remember_fetch(con, source, landed, load_id)
        _record_load(con, source, landed, run_id, result, derived, started, message, load_key, fingerprint)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.execute("drop table if exists incoming_rejects")
    result.seconds_write += time.perf_counter() - clock
    if message:
        raise RejectThresholdError(message)
    return result


def _write_rows(con, source: Source, landed: Landed, derived: Derived, result: LoadResult, load_key: int,
               shown: int = 0) -> None:
    """The derived batches into the load's rows table, their rejects into incoming_rejects and
    the load's dictionary into raw.detainer_values; counts and seconds on `result`. `shown`:
    rows already shown on the progress bar (by a read that had to start again)."""
    columns = source.resolved_layout().columns
    clock = time.perf_counter()
    rows = RowsTable(con, load_key)
    pending: list[pl.DataFrame] = []  # valid rows not yet written, up to WRITE_ROWS
    for published, valid, reasons in derived.batches:
        stop.check()
        result.rows_read += published.height
        if result.rows_read > shown:
            progress.advance_rows(source.name, min(published.height, result.rows_read - shown))
        result.rows_rejected += reasons.height
        result.seconds_read_validate += time.perf_counter() - clock
        clock = time.perf_counter()
        pending.append(valid)
        if sum(frame.height for frame in pending) >= WRITE_ROWS:
            rows.write(pl.concat(pending, rechunk=True))
            pending = []
        if reasons.height:
            _insert_rejects(con, published, reasons, columns, source, result.load_id, landed.sha256)
        result.rows_loaded += valid.height
        result.seconds_write += time.perf_counter() - clock
        clock = time.perf_counter()
    result.seconds_read_validate += time.perf_counter() - clock
    clock = time.perf_counter()
    if pending:
        rows.write(pl.concat(pending, rechunk=True))
    _insert_values(con, derived, load_key)
    result.seconds_write += time.perf_counter() - clock


def _threshold_breach(source: Source, landed: Landed, result: LoadResult) -> str | None:
    """The reason the source must not replace its rows, or None; warnings go on the result."""
    if result.rows_read == 0:
        return f"source {source.name}: {published_name(source.shown_url, landed.path)} holds no data rows"
    share = result.rows_rejected / result.rows_read
    if share > source.reject_stop_share:
        return (f"source {source.name}: {result.rows_rejected:,} of {result.rows_read:,} rows rejected "
                f"({share:.2%}), over its stop level of {source.reject_stop_share:.2%}; see audit.rejects")
    if share > source.reject_warn_share:
        result.warnings.append(f"source {source.name}: {result.rows_rejected:,} rows ({share:.2%}) rejected; see audit.rejects")
    return None


class RowsTable:
    """One load's valid rows: a table holding the columns that vary in them. The first batch
    decides which are constant (one value in every row); a later batch that gives such a column
    another value adds it to the table, its earlier rows holding the constant."""

    def __init__(self, con: duckdb.DuckDBPyConnection, load_key: int) -> None:
        self.con, self.load_key, self.table = con, load_key, load_table(load_key)
        self.definitions = row_columns()
        self.types = {name: definition.removesuffix(" not null") for name, definition in self.definitions.items()}
        self.constants: dict[str, object] | None = None  # column -> its one value so far

    def write(self, rows: pl.DataFrame) -> None:
        if not rows.height:
            return
        if self.constants is None:
            self._create(rows)
        for column, value in list(self.constants.items()):
            if not _all_equal(rows[column], value):  # it varies after all
                self.con.execute(f"alter table {self.table} add column {column} {self.types[column]} "
                                 f"default cast({literal(value)} as {self.types[column]})")
                self.con.execute(f'delete from {CONSTANTS} where load_key = ? and "column" = ?', [self.load_key, column])
                del self.constants[column]
        batch = rows.drop(list(self.constants)).to_arrow()  # noqa: F841 (read by DuckDB by name)
        self.con.execute(f"insert into {self.table} by name select * from batch")

    def _create(self, rows: pl.DataFrame) -> None:
        self.constants = {c: rows[c][0] for c in rows.columns if rows[c].n_unique() == 1}
        varying = [c for c in rows.columns if c not in self.constants] or ["source_row"]
        for column in varying[:]:
            self.constants.pop(column, None)
        self.con.execute(f"create table {self.table} ({', '.join(f'{c} {self.definitions[c]}' for c in varying)})")
        self.con.executemany(f"insert into {CONSTANTS} values (?, ?, ?)",
                             [(self.load_key, c, None if v is None else _as_text(v)) for c, v in self.constants.items()])
        refresh_rows_view(self.con)


def _all_equal(column: pl.Series, value) -> bool:
    if value is None:
        return column.null_count() == column.len()
    return column.null_count() == 0 and bool((column == value).all())


def _as_text(value) -> str:
    """A constant as raw.detainer_constants keeps it: text the view casts back to its type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def _insert_values(con, derived: Derived, load_key: int) -> None:
    """The load's dictionary: every text value its rows name, with what it gives."""
    values = derived.normalizer.dictionary().to_arrow()  # noqa: F841 (read by DuckDB by name)
    con.execute("insert into raw.detainer_values by name select $key as load_key, * from values", dict(key=load_key))


def delete_rows(con, where: str, params: dict) -> None:
    """The rows and dictionaries of the loads that `where` (of load_key) picks."""
    held = sorted(load_tables(con))
    gone = [key for (key,) in con.execute(f"select load_key from (select unnest($held::integer[]) as load_key) where {where}",
                                          params | dict(held=held)).fetchall()]
    for key in gone:
        con.execute(f"drop table {load_table(key)}")
    con.execute(f"delete from {CONSTANTS} where {where}", params)
    con.execute(f"delete from raw.detainer_values where {where}", params)
    if gone:
        refresh_rows_view(con)


def _insert_rejects(con, published: pl.DataFrame, reasons: pl.DataFrame, columns: dict, source: Source,
                    load_id: str, sha256: str) -> None:
    originals = published.with_row_index("_index").join(reasons, on="_index", how="inner")
    shown = [c for c in columns if c in originals.columns]
    rejects = pl.DataFrame({  # noqa: F841 (read by DuckDB by name): one insert, not one statement per row
        "load_id": pl.repeat(load_id, originals.height, eager=True),
        "source": pl.repeat(source.name, originals.height, eager=True),
        "file_sha256": pl.repeat(sha256, originals.height, eager=True),
        "sheet": originals[SHEET].cast(pl.String),
        "source_row": originals[ROW],
        "column": originals["column"],
        "check": originals["check"],
        "original": [json.dumps(dict(zip(shown, values)), default=str, ensure_ascii=False)
                     for values in originals.select(shown).iter_rows()],
    }).to_arrow()
    con.execute("insert into incoming_rejects by name select * from rejects")


def _record_load(con, source: Source, landed: Landed, run_id: str, result: LoadResult, derived: Derived,
                 started: dt.datetime, message: str | None, load_key: int, fingerprint: str) -> None:
    info = derived.info
    con.execute(
        """
        insert into audit.loads by name
        select $load_id as load_id, $run_id as run_id, $source as source, $release as release, $url as url,
            $sha256 as file_sha256, $bytes as file_bytes, $format as file_format, $delimiter as delimiter, $sheets as sheets,
            $extra as extra_columns, $read as rows_read, $loaded as rows_loaded, $rejected as rows_rejected,
            $status as status, $message as message, $started as started_at, now() as finished_at,
            $read_seconds as seconds_read_validate, $write_seconds as seconds_write, $fingerprint as rules_fingerprint,
            $load_key as load_key
        """,
        dict(load_id=result.load_id, run_id=run_id, source=source.name, release=source.release, url=source.shown_url,
             sha256=landed.sha256, bytes=landed.size, format=info.file_format, delimiter=info.delimiter, sheets=info.sheets, extra=info.extra_columns,
             read=result.rows_read, loaded=result.rows_loaded, rejected=result.rows_rejected, status=result.status,
             message=message or "; ".join(result.warnings) or None, started=started,
             read_seconds=result.seconds_read_validate, write_seconds=result.seconds_write,
             fingerprint=fingerprint, load_key=load_key),
    )


def _remember_fetch(con, source: Source, landed: Landed, load_id: str | None) -> None:
    """What the source's last fetch saw (the next run asks the server for changes since, and
    finds a local file unchanged); with a load id, that load is now its current one."""
    con.execute(
        """
        update audit.sources set file_sha256 = ?, etag = ?, last_modified = ?, checked_at = now(),
            current_load_id = coalesce(?, current_load_id)
        where source = ?
        """,
        [landed.sha256, landed.etag, landed.last_modified, load_id, source.name],
    )

