"""The published warehouse file, the build it is replaced by, and the lock that keeps one
writer at a time.

Readers open the published file read-only at any moment. A run copies it into a build file
beside it, writes there, and publishes with an atomic rename, so readers never wait and
never see half a build; a run killed at any point leaves the published file as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import duckdb

from detainers.warehouse.ddl import apply_ddl
from detainers.errors import DetainersError, WarehouseBusyError
from detainers.pause import pause_if_asked
from detainers.paths import build_dir, debris

# DuckDB's buffer pool for a run: past it, sorts and big writes spill to disk instead of
# growing (DuckDB's own default is 80% of RAM). Keeps a 10-million-row build under 2 GB.
MEMORY_LIMIT = os.environ.get("DETAINERS_DUCKDB_MEMORY_LIMIT", "1GB")


# The format every new warehouse file is written in, fixed when the file is created. DuckDB
# 2.0 writes storage version 69 by default, which DuckDB 1.x (its CLI, R, JDBC, Python 1.x)
# refuses to open. v1.1.0 (storage version 64, DuckDB 1.0 and 1.1's format) is the oldest
# that holds what the warehouse uses (table macros, comments, JSON, timestamptz, primary
# keys) and opens in DuckDB 1.1 and later (Python's duckdb 1.1.3 read it when this was chosen;
# tests/test_storage_version.py reads it with the DuckDB 1.5 CLI on every run); DuckDB 1.0.0
# itself fails on the primary keys 2.0 writes in it. "latest" writes DuckDB's newest format.
STORAGE_VERSION = os.environ.get("DETAINERS_STORAGE_VERSION", "v1.1.0")


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to write a build, its tables created (or brought up to date) first."""
    if not path.exists():
        create(path)
    con = duckdb.connect(str(path))
    con.execute("set memory_limit = ?", [MEMORY_LIMIT])
    apply_ddl(con)
    return con


@contextlib.contextmanager
def write_lock(warehouse: Path, command: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's write lock. The kernel releases it when the holder dies, so a
    killed run never blocks the next one."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    waited = f" (waited {wait_seconds:g}s)" if wait_seconds else ""
                    raise WarehouseBusyError(
                        f"{warehouse} is being written by {_holder(fh.read())}{waited}; "
                        "try again when it ends, or pass --wait SECONDS") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "command": command, "since": dt.datetime.now().isoformat(timespec="seconds")}))
        fh.flush()
        for path in debris(warehouse):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        pause_if_asked("locked", warehouse)
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _holder(text: str) -> str:
    """The lock file names the run holding it: its command, pid and start time."""
    try:
        held = json.loads(text)
        return f"{held['command']}, pid {held['pid']}, since {held['since']}"
    except (ValueError, KeyError, TypeError):
        return "another process"


def start_build(warehouse: Path, fresh: bool = False) -> Path:
    """A private copy of the published warehouse (or a new file, when there is none or it is
    `fresh`: damaged) to write the next version in. Call with the write lock held."""
    builds = build_dir(warehouse)
    if builds.exists():
        shutil.rmtree(builds)
    builds.mkdir(parents=True)
    build = builds / f"{warehouse.stem}-{uuid.uuid4().hex[:12]}.duckdb"
    if warehouse.exists() and not fresh and in_storage_version(warehouse):
        shutil.copyfile(warehouse, build)
    elif warehouse.exists() and not fresh:  # written in another format (DuckDB 2.0's before STORAGE_VERSION): migrated once
        create(build, copy_of=warehouse)
    pause_if_asked("build", warehouse)
    return build


def create(path: Path, copy_of: Path | None = None, version: str | None = None) -> str:
    """A new database file in `version`'s format (default STORAGE_VERSION), empty or holding
    a copy of every schema, table, view, macro and comment of `copy_of`; DuckDB's label of
    its format."""
    version = version or STORAGE_VERSION
    con = duckdb.connect()
    try:
        con.execute("set memory_limit = ?", [MEMORY_LIMIT])
        con.execute("attach ? as new_file (storage_version ?)", [str(path), version])
        if copy_of is not None:
            con.execute("attach ? as old_file (read_only)", [str(copy_of)])
            con.execute("copy from database old_file to new_file")
        return con.execute("select tags['storage_version'] from duckdb_databases() where database_name = 'new_file'").fetchone()[0]
    except duckdb.InvalidInputException as exc:  # an unknown version: DuckDB lists the known ones
        raise DetainersError(f"storage version {version!r} (DETAINERS_STORAGE_VERSION): {exc}") from None
    finally:
        con.close()


def storage_label(path: Path) -> str:
    """DuckDB's label of a file's format: the oldest DuckDB that reads it ('v1.0.0+')."""
    con = duckdb.connect()
    try:
        con.execute("attach ? as file (read_only)", [str(path)])
        return con.execute("select tags['storage_version'] from duckdb_databases() where database_name = 'file'").fetchone()[0]
    finally:
        con.close()


def in_storage_version(warehouse: Path, label: str | None = None) -> bool:
    """Whether the file is written in STORAGE_VERSION's format (a run republishes it if not);
    `label`: its storage_label, when a connection already read it."""
    return (label or storage_label(warehouse)) == _label_of_version(STORAGE_VERSION).result()


def probe_storage_version() -> None:
    """Start asking DuckDB the label of STORAGE_VERSION's format, as a run begins: a run that
    finds nothing changed then reads it without waiting for the probe file to be made."""
    _label_of_version(STORAGE_VERSION)


@functools.cache
def _label_of_version(version: str) -> Future:
    """The label DuckDB gives a file written in `version`'s format: asked of an empty one, in
    a thread (DuckDB making the file releases the GIL while the run reads on)."""
    label: Future = Future()

    def probe() -> None:
        try:
            with tempfile.TemporaryDirectory() as scratch:
                label.set_result(create(Path(scratch) / "probe.duckdb", version=version))
        except BaseException as exc:  # raised where the label is read
            label.set_exception(exc)

    threading.Thread(target=probe, name="detainers-storage-probe").start()
    return label


def publish(build: Path, warehouse: Path) -> None:
    """Atomically replace the published warehouse with the build (same filesystem rename)."""
    _fold_wal(build)
    with open(build, "rb") as fh:
        os.fsync(fh.fileno())
    pause_if_asked("publish", warehouse)
    os.replace(build, warehouse)
    dir_fd = os.open(warehouse.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    shutil.rmtree(build_dir(warehouse), ignore_errors=True)


def _fold_wal(build: Path) -> None:
    """Only the database file is renamed: changes still in its write-ahead log (a connection
    left open) would be lost, so they are checkpointed into the file first."""
    wal = build.with_name(build.name + ".wal")
    if not wal.exists():
        return
    con = duckdb.connect(str(build))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    if wal.exists() and wal.stat().st_size:
        raise DetainersError(f"{build}: its write-ahead log could not be checkpointed; the build was not published")


def discard(build: Path) -> None:
    build.unlink(missing_ok=True)
    build.with_name(build.name + ".wal").unlink(missing_ok=True)
