"""Readers and writers: a reader of the published file is never blocked and never sees half
a build; a run SIGKILLed at any stage leaves the published file byte for byte as it was and
the next run needs no cleanup; one writer at a time, and a second run names the first.

Runs to be killed are real `detainers run` processes (the CLI entry point), paused at a stage by the
DETAINERS_PAUSE_AT hook (detainers/stages.py). They talk to the session's Prefect test
server, so none of them starts a server of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from detainers.warehouse import database as wh
from detainers.cli import app
from detainers.errors import WarehouseBusyError
from tests.badfiles import HEADER, good_rows, write_csv
from tests.conftest import ROOT
from tests.faultserver import FaultServer

MANIFEST = """
[[source]]
name = "local"
url = "{local}"
layout = "lesa_stu"
window_start = 2014-01-01
window_end = 2014-12-31

[[source]]
name = "remote"
url = "{remote}"
layout = "lesa_stu"
window_start = 2015-01-01
window_end = 2015-12-31
"""
REMOTE = "".join(",".join(r) + "\n" for r in [HEADER, *good_rows(2, start=dt.date(2015, 1, 1))]).encode()
STATE_SQL = "select (select count(*) from raw.detainers), (select count(*) from audit.runs), (select count(*) from marts.jurisdictions)"


def state(warehouse: Path) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(STATE_SQL).fetchone()


def child_env(tmp_path: Path, **extra: str) -> dict:
    from prefect.settings import get_current_settings

    return {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_API_URL": str(get_current_settings().api.url), **extra}


def start(args: list[str], env: dict) -> subprocess.Popen:
    # A session of its own, so the kill reaches every process the run started.
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True)


def start_run(tmp_path, manifest, warehouse, pause_at: str) -> subprocess.Popen:
    env = child_env(tmp_path, DETAINERS_PAUSE_AT=pause_at)
    cli = "from detainers.cli import main; main()"  # the `detainers` entry point, run from the project root
    return start([sys.executable, "-P", "-c", cli, "run", "--manifest", str(manifest), "--warehouse", str(warehouse)], env)


def wait_until(found, proc: subprocess.Popen, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := found():
            return result
        if proc.poll() is not None:
            pytest.fail(f"the run ended before the stage (exit {proc.returncode}):\n{proc.stdout.read()}")
        time.sleep(0.05)
    pytest.fail("the run did not reach the stage in time")


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    proc.stdout.close()


@pytest.fixture(scope="session")
def published_two_sources(prefect_server, tmp_path_factory):
    """Made once per session: a published warehouse of two sources (3 local rows, 2 remote
    from the session's fault server), and the local file changed since."""
    from detainers.flows.pipeline import run_flow

    server = FaultServer(("ok", REMOTE), stall_seconds=60)
    folder = tmp_path_factory.mktemp("two-sources")
    local = write_csv(folder / "local.csv", [HEADER, *good_rows(3)])
    manifest = folder / "sources.toml"
    manifest.write_text(MANIFEST.format(local=local, remote=server.url("/remote.csv")))
    warehouse = folder / "wh" / "detainers.duckdb"
    assert run_flow(manifest=manifest, warehouse=warehouse).published
    write_csv(local, [HEADER, *good_rows(6)])
    yield manifest, warehouse, server
    server.close()


@pytest.fixture
def setup(published_two_sources, tmp_path):
    """A published warehouse of two sources (3 local rows, 2 remote), and the local file
    changed since, so the next run has a build to make: a private copy of the session's
    (its folder: the file, its landing zone), the fault server answering "ok" again. The
    manifest and the local file are the session's: a test that changes them writes its own."""
    manifest, published, server = published_two_sources
    shutil.copytree(published.parent, tmp_path / "wh")
    server.then(("ok", REMOTE))
    return manifest, tmp_path / "wh" / published.name, server


def test_a_run_killed_at_any_stage_leaves_the_published_warehouse_as_it_was(setup, tmp_path):
    from detainers.flows.pipeline import run_flow

    manifest, warehouse, server = setup
    server.then(("stall", REMOTE), ("ok", REMOTE))  # the first run's download stalls halfway
    before, old = warehouse.read_bytes(), state(warehouse)
    assert old[:2] == (5, 1)
    landing = warehouse.parent / "landing"
    stages = {
        "fetch": lambda: list(landing.glob(".partial-*")),  # mid-download: the remote stalls
        "build": lambda: (warehouse.parent / ".paused-build").exists(),
        "publish": lambda: (warehouse.parent / ".paused-publish").exists(),
    }
    for stage, reached in stages.items():
        proc = start_run(tmp_path, manifest, warehouse, pause_at=stage)
        wait_until(reached, proc)
        assert state(warehouse) == old, f"a reader at stage {stage} is not blocked and sees the old version"
        if stage == "publish":
            assert any((warehouse.parent / ".build").glob("*.duckdb")), "the finished build waits beside it"
        kill(proc)
        assert warehouse.read_bytes() == before, f"killed at {stage}: the published file is unchanged"
    # The next run under the lock removed the half download; the killed publish left its build.
    assert (warehouse.parent / ".build").exists() and not list(landing.glob(".partial-*"))

    summary = run_flow(manifest=manifest, warehouse=warehouse)  # no cleanup by hand
    assert summary.published and not summary.failed
    assert state(warehouse)[:2] == (8, 2)
    assert not (warehouse.parent / ".build").exists() and not list(landing.glob(".partial-*"))


def test_one_writer_at_a_time_and_the_second_names_the_first(setup, tmp_path):
    manifest, warehouse, server = setup
    proc = start_run(tmp_path, manifest, warehouse, pause_at="locked")
    try:
        wait_until(lambda: (warehouse.parent / ".paused-locked").exists(), proc)
        args = ["run", "--manifest", str(manifest), "--warehouse", str(warehouse)]
        busy = CliRunner().invoke(app, args)
        assert busy.exit_code == 1
        assert "is being written by detainers run (" in busy.output and f"pid {proc.pid}" in busy.output
        started = time.monotonic()
        waited = CliRunner().invoke(app, [*args, "--wait", "1.5"])
        assert waited.exit_code == 1 and "(waited 1.5s)" in waited.output
        assert 1.5 <= time.monotonic() - started < 30
        # Let the first run finish: a waiting second run then gets the lock and finds nothing to do.
        (warehouse.parent / ".paused-locked").unlink()
        after = CliRunner().invoke(app, [*args, "--wait", "60"])
        assert after.exit_code == 0, after.output
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            kill(proc)
    assert state(warehouse)[:2] == (8, 2)


def test_a_lock_left_by_a_dead_process_does_not_block(tmp_path):
    warehouse = tmp_path / "detainers.duckdb"
    lock = tmp_path / "detainers.duckdb.lock"
    lock.write_text(json.dumps({"pid": 999_999, "command": "detainers run (killed)", "since": "2026-01-01T00:00:00"}))
    with wh.write_lock(warehouse, "detainers run (next)"):
        assert json.loads(lock.read_text())["command"] == "detainers run (next)"
    # A live holder in another process blocks, and is named.
    holder = subprocess.Popen([sys.executable, "-P", "-c", (
        "import sys, time; from pathlib import Path; from detainers.warehouse.database import write_lock\n"
        f"with write_lock(Path({str(warehouse)!r}), 'detainers run (holder)'):\n"
        "    print('held', flush=True); time.sleep(60)")], cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusyError, match=rf"being written by detainers run \(holder\), pid {holder.pid}"):
            with wh.write_lock(warehouse, "detainers run (second)", wait_seconds=0.3):
                pass
    finally:
        kill(holder)
    with wh.write_lock(warehouse, "detainers run (after the kill)"):
        pass


# A downstream tool, in a process of its own (DuckDB shares one open file per path within a
# process, so a held connection and fresh ones must live in different processes).
READER = """
import json, sys, time, duckdb
from pathlib import Path
path, stop, sql, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
held = duckdb.connect(path, read_only=True) if mode == "held" else None  # keeps the version it opened
print(json.dumps(["ready", None]), flush=True)
while not stop.exists():
    try:
        con = held or duckdb.connect(path, read_only=True)
        print(json.dumps([mode, con.execute(sql).fetchone()]), flush=True)
        if not held:
            con.close()
    except Exception as exc:
        print(json.dumps(["error", repr(exc)]), flush=True)
    time.sleep(0.01)
"""


def test_readers_during_a_run_see_the_old_or_the_new_version_never_half(setup, tmp_path):
    from detainers.flows.pipeline import run_flow

    manifest, warehouse, _ = setup
    old = list(state(warehouse))
    stop = tmp_path / "stop-reading"
    readers = [start([sys.executable, "-P", "-c", READER, str(warehouse), str(stop), STATE_SQL, mode], dict(os.environ))
               for mode in ("held", "fresh")]
    try:
        for reader in readers:
            assert json.loads(reader.stdout.readline()) == ["ready", None]
        time.sleep(0.3)  # a few reads of the old version
        assert run_flow(manifest=manifest, warehouse=warehouse).published
        new = list(state(warehouse))
        time.sleep(0.5)  # and of the new
    finally:
        stop.touch()
        lines = [json.loads(line) for reader in readers for line in reader.communicate(timeout=30)[0].splitlines()]
    assert [line for line in lines if line[0] == "error"] == [], "no reader was blocked or failed"
    fresh = [value for kind, value in lines if kind == "fresh"]
    assert new != old and {tuple(v) for v in fresh} == {tuple(old), tuple(new)}, "only whole versions, both of them"
    assert fresh.index(new) > 0 and all(v == new for v in fresh[fresh.index(new):]), "old, then new, never back"
    assert {tuple(v) for kind, v in lines if kind == "held"} == {tuple(old)}, "a connection opened before keeps its version"


def test_the_next_lock_holder_removes_what_killed_runs_left_half_written(tmp_path):
    warehouse = tmp_path / "detainers.duckdb"
    debris = [tmp_path / "landing" / ".partial-0123abcd", tmp_path / ".exports-0123abcd" / "jurisdictions.parquet",
              tmp_path / "exports" / ".exports-4567cdef" / "jurisdictions.parquet"]  # where exports are prepared since issue 25
    keep = [tmp_path / "landing" / f"{'a' * 64}.csv", tmp_path / "exports" / "jurisdictions.parquet"]
    for path in debris + keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    with wh.write_lock(warehouse, "detainers run (next)"):
        assert [p.exists() for p in debris] == [False, False, False] and [p.exists() for p in keep] == [True, True]
    assert not (tmp_path / ".exports-0123abcd").exists()


def test_two_warehouses_in_one_folder_never_touch_each_others_files(tmp_path):
    """Issue 25: `--warehouse warehouse/trial.duckdb` beside warehouse/detainers.duckdb wrote its
    figures over warehouse/exports/, and a run of one removed the other's build under way (both
    built in warehouse/.build/). Each now has its own landing zone, build scratch and exports,
    named after it; detainers.duckdb keeps the names it always had. Here the trial run is
    paused with its build made while the default warehouse builds and publishes; then it
    goes on and publishes its own figures."""
    from detainers.paths import build_dir, exports_dir, landing_dir
    from detainers.pipeline import plan_run, run_pipeline

    folder = tmp_path / "warehouse"
    default, trial = folder / "detainers.duckdb", folder / "trial.duckdb"
    manifests = {}
    for name, rows in (("default", 3), ("trial", 7)):
        extract = write_csv(tmp_path / f"{name}.csv", [HEADER, *good_rows(rows)])
        manifests[name] = tmp_path / f"{name}.toml"
        manifests[name].write_text(f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n')
    assert run_pipeline(plan_run(manifests["default"]), default).published
    assert run_pipeline(plan_run(manifests["trial"]), trial).published
    write_csv(tmp_path / "trial.csv", [HEADER, *good_rows(8)])  # each has a change to publish
    write_csv(tmp_path / "default.csv", [HEADER, *good_rows(4)])
    assert (exports_dir(default), landing_dir(default), build_dir(default)) == (folder / "exports", folder / "landing", folder / ".build")
    assert (exports_dir(trial), landing_dir(trial), build_dir(trial)) == (
        folder / "trial.duckdb.exports", folder / "trial.duckdb.landing", folder / ".trial.duckdb.build")

    env = {k: v for k, v in child_env(tmp_path, DETAINERS_PAUSE_AT="build").items() if k != "PREFECT_API_URL"}
    proc = start([sys.executable, "-P", "-c", "from detainers.cli import main; main()", "run", "--manifest", str(manifests["trial"]),
                  "--warehouse", str(trial)], env)
    try:
        wait_until(lambda: (folder / ".paused-build").exists(), proc)
        building = list(build_dir(trial).glob("*.duckdb"))
        assert len(building) == 1, "the trial's build, a copy of its published file"
        assert run_pipeline(plan_run(manifests["default"]), default).published
        assert building[0].exists(), "the other warehouse's build under way is left alone"
        (folder / ".paused-build").unlink()
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            kill(proc)
    assert proc.returncode == 0, out[-3000:]
    assert [state(default)[0], state(trial)[0]] == [4, 8]
    for warehouse, rows in ((default, 4), (trial, 8)):
        exported = exports_dir(warehouse) / "daily_detainers_by_state.parquet"
        with duckdb.connect() as con:
            assert con.execute(f"select sum(detainers) from '{exported}'").fetchone() == (rows,), "its own figures"
    assert not build_dir(default).exists() and not build_dir(trial).exists()
