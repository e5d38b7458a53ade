"""Ctrl-C and SIGTERM stop a real `detainers run` within seconds at any stage: nothing new is
published, the write lock is free at once, no process of the run is left, and one line says
so (exit 130). A signal during the publish itself (an atomic rename) lets it finish.

Runs are paused at a stage by the DETAINERS_PAUSE_AT hook (detainers/pause.py), as in
tests/test_reliability.py, whose published two-source warehouse (`setup`) they reuse."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from detainers import launch
from detainers.warehouse import database as wh
from tests.conftest import ROOT
from tests.test_reliability import REMOTE, child_env, published_two_sources, setup, state, wait_until  # noqa: F401 (fixtures)

CLI = "from detainers.cli import main; main()"


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-P", "-c", CLI, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, text=True)


def plain_env(tmp_path, **extra) -> dict:
    """No Prefect API: the run is plain Python."""
    env = {k: v for k, v in child_env(tmp_path, **extra).items() if k != "PREFECT_API_URL"}
    return env | {"PREFECT_HOME": str(tmp_path / "plain-prefect-home")}


def stop_and_wait(proc: subprocess.Popen, sig: signal.Signals) -> tuple[str, str]:
    """Ctrl-C reaches the terminal's whole process group; SIGTERM is sent to the process."""
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    return out, err


def assert_nothing_left(proc: subprocess.Popen) -> None:
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no process of the run's session is alive


STAGES = {
    "fetch": lambda warehouse: list((warehouse.parent / "landing").glob(".partial-*")),  # the remote stalls
    "build": lambda warehouse: (warehouse.parent / ".paused-build").exists(),
}


CASES = [(stage, sig, "plain") for stage in STAGES for sig in (signal.SIGINT, signal.SIGTERM)] + [
    ("fetch", signal.SIGINT, "prefect"), ("build", signal.SIGTERM, "prefect")]  # a run tracked by a Prefect server


@pytest.mark.parametrize("stage, sig, mode", CASES, ids=[f"{s}-{g.name}-{m}" for s, g, m in CASES])
def test_a_stopped_run_publishes_nothing_frees_the_lock_and_leaves_no_process(setup, tmp_path, mode, sig, stage):
    manifest, warehouse, server = setup
    if stage == "fetch":
        server.then(("stall", REMOTE), ("ok", REMOTE))
    before, old = warehouse.read_bytes(), state(warehouse)
    env = plain_env(tmp_path, DETAINERS_PAUSE_AT=stage) if mode == "plain" else child_env(tmp_path, DETAINERS_PAUSE_AT=stage)
    proc = start(["run", "--manifest", str(manifest), "--warehouse", str(warehouse)], env)
    wait_until(lambda: STAGES[stage](warehouse), proc)
    out, err = stop_and_wait(proc, sig)
    assert proc.returncode == 130, err[-3000:]
    said = [launch.PREFECT_STARTING[True]] if mode == "prefect" else []  # the line before Prefect's start-up
    assert err.strip().splitlines() == [*said, f"error: interrupted: nothing new was published; {warehouse} is as it was"]
    assert warehouse.read_bytes() == before and state(warehouse) == old
    with wh.write_lock(warehouse, "the next run", wait_seconds=0):  # free at once, nobody to wait for
        pass
    assert_nothing_left(proc)


def test_a_signal_during_the_publish_lets_the_atomic_publish_finish(setup, tmp_path):
    manifest, warehouse, _ = setup
    proc = start(["run", "--manifest", str(manifest), "--warehouse", str(warehouse)], plain_env(tmp_path, DETAINERS_PAUSE_AT="publish"))
    wait_until(lambda: (warehouse.parent / ".paused-publish").exists(), proc)
    out, err = stop_and_wait(proc, signal.SIGTERM)
    assert proc.returncode == 0, err[-3000:]
    assert f"published {warehouse}" in out and state(warehouse)[:2] == (8, 2)


def test_sigterm_stops_a_run_with_prefects_own_temporary_server_and_leaves_no_server_behind(setup, tmp_path):
    """--prefect with no API configured: Prefect starts a temporary server in a child process."""
    manifest, warehouse, _ = setup
    before = warehouse.read_bytes()
    proc = start(["run", "--prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)],
                 plain_env(tmp_path, DETAINERS_PAUSE_AT="build"))
    wait_until(lambda: (warehouse.parent / ".paused-build").exists(), proc, timeout=180)
    out, err = stop_and_wait(proc, signal.SIGTERM)
    assert proc.returncode == 130 and "interrupted: nothing new was published" in err, err[-3000:]
    assert warehouse.read_bytes() == before
    assert_nothing_left(proc)


def test_an_interrupt_a_library_reports_as_its_own_error_is_still_an_interrupt():
    """DuckDB answers a signal during a query with RuntimeError('Query interrupted')."""
    import signal

    import typer

    from detainers import cli, stop

    try:
        with pytest.raises(typer.Exit) as ended:
            with cli._guarded():
                stop._requested.set()  # as the signal handler does
                raise RuntimeError("Query interrupted")
    finally:
        stop._requested.clear()  # this process goes on to run other tests
    assert ended.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) is not stop._on_signal
