"""Shared fixtures. What is slow to make is made once per session and shared:

- One Prefect test server (a temporary database) for the whole session, also when the suite
  runs in several processes (pytest-xdist, `-n 2` in pyproject.toml): the first process that
  needs it starts it, the others connect to it, and the session's main process stops it at
  the end (pytest_unconfigure).
- The bundled run (the real flow on the bundled extract) is built once per session in the
  same shared folder: tests read it; a test that writes takes a copy (`copied_warehouse`).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from detainers.launch import prefect_environment

prefect_environment()  # the defaults the command sets before Prefect is imported, for every test process

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_EXTRACT = ROOT / "data" / "foia" / "lesa-stu-fy2015-foia-15-87693.xlsx"
PUBLISHED = ROOT / "data" / "published"
SHARED = "DETAINERS_TEST_SHARED"  # the session's shared folder, inherited by xdist's worker processes
SERVER_STARTUP_SECONDS = 120
_SERVERS: list[subprocess.Popen] = []


def pytest_report_header(config):
    import detainers

    return f"detainers under test: {Path(detainers.__file__).parent}"  # the clone's, or an installed wheel's


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the session's main process (xdist's controller, or the only one)
        os.environ[SHARED] = tempfile.mkdtemp(prefix="detainers-tests-")


def pytest_unconfigure(config):
    if hasattr(config, "workerinput") or SHARED not in os.environ:
        return
    shared = Path(os.environ.pop(SHARED))
    server = shared / "prefect-server.json"
    if server.exists():
        _stop(json.loads(server.read_text())["pid"])
    shutil.rmtree(shared, ignore_errors=True)


def shared_dir() -> Path:
    """The folder every process of this session shares."""
    return Path(os.environ[SHARED])


@contextlib.contextmanager
def once(name: str):
    """Held by one process of the session at a time: whoever holds it first makes the thing."""
    with open(shared_dir() / f"{name}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(shared: Path, database: str) -> tuple[str, subprocess.Popen]:
    """Prefect's own test server, as prefect_test_harness starts it (uvicorn on Prefect's app,
    a temporary SQLite database, no UI), in the session's process group."""
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(shared / "prefect-server-home"),
           "PREFECT_SERVER_DATABASE_CONNECTION_URL": database,
           "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    env.pop("PREFECT_API_URL", None)
    import prefect

    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent), "--factory",
         "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "error", "--lifespan", "on"], env=env)
    return f"http://127.0.0.1:{port}/api", proc


def _wait_healthy(url: str, pid: int) -> None:
    import httpx

    deadline = time.monotonic() + SERVER_STARTUP_SECONDS
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            try:
                if client.get(f"{url}/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0]:
                    pytest.fail(f"the Prefect test server (pid {pid}) exited while starting")
            time.sleep(0.1)
    pytest.fail(f"the Prefect test server did not answer within {SERVER_STARTUP_SECONDS} s")


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0]:
                    return
            os.kill(pid, 0)  # ProcessLookupError once it is gone (not our child: reaped elsewhere)
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)


def server_started() -> dict:
    """The session's Prefect test server ({url, pid, database}), started now if no process
    of the session started it yet; it may still be starting."""
    shared = shared_dir()
    record = shared / "prefect-server.json"
    with once("prefect-server"):
        if record.exists():
            return json.loads(record.read_text())
        database = f"sqlite+aiosqlite:///{shared / 'prefect-test.db'}"
        url, proc = _start_server(shared, database)
        _SERVERS.append(proc)  # this process's child: kept, so it is not reported as left running
        started = {"url": url, "pid": proc.pid, "database": database}
        record.write_text(json.dumps(started))
        return started


@pytest.hookimpl(trylast=True)  # after -k and -m deselect what will not run
def pytest_collection_modifyitems(session, config, items):
    """When a test to run needs the Prefect server, it starts as collection ends (its database
    takes seconds to set up), while the tests before it run."""
    if any("prefect_server" in item.fixturenames for item in items):
        server_started()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One Prefect test server (temporary database) for every test that runs a flow, in every
    process of the session; this process's Prefect settings point at it."""
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    started = server_started()
    _wait_healthy(started["url"], started["pid"])

    import prefect.context
    import prefect.settings

    # As prefect_test_harness: the API for clients, the database for what reads the server's records.
    updates = {prefect.settings.PREFECT_API_URL: started["url"],
               prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL: started["database"]}
    with prefect.settings.temporary_settings(updates=updates), \
            prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()):
        yield
        _drain_prefect_workers()


def _drain_prefect_workers() -> None:
    """Logs and events still queued in this process reach the server before it stops (as
    prefect_test_harness does on leaving)."""
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain():
        with contextlib.suppress(RuntimeError):  # never started
            result = APILogWorker.instance().drain()
            if inspect.isawaitable(result):
                await result
        result = EventsWorker.drain_all()
        if inspect.isawaitable(result):
            await result

    run_coro_as_sync(drain())


@pytest.fixture(scope="session")
def bundled_run(prefect_server):
    """The real flow, run once per session on the bundled extract: (warehouse path, run
    summary). Read it; write only to a copy (copied_warehouse)."""
    from detainers.flows.pipeline import run_flow

    folder = shared_dir() / "bundled"
    warehouse, summary_file = folder / "detainers.duckdb", shared_dir() / "bundled-summary.pickle"
    with once("bundled"):
        if not summary_file.exists():
            summary = run_flow(manifest=ROOT / "sources.toml", warehouse=warehouse)
            summary_file.write_bytes(pickle.dumps(summary))
    return warehouse, pickle.loads(summary_file.read_bytes())


@pytest.fixture
def copied_warehouse(bundled_run, tmp_path) -> Path:
    """A private copy of the bundled warehouse, for tests that write."""
    target = tmp_path / "detainers.duckdb"
    shutil.copyfile(bundled_run[0], target)
    return target


def published_counts(name: str, key: str) -> dict[str, int]:
    with open(PUBLISHED / name, newline="") as fh:
        return {row[key]: int(row["count"]) for row in csv.DictReader(fh)}
