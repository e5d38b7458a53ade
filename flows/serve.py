"""`detainers serve`: the nightly run as a Prefect deployment with a cron schedule, served
by this process. Runs can also be started from the Prefect UI (one-off, or with other
parameters); each publishes its artifacts (flows/artifacts.py).

Scheduled runs are made by a Prefect server's scheduler. With no server configured, Prefect
would serve against its own temporary server, which runs no scheduler: `serve` said it was
polling and never ran anything. So with none configured it starts Prefect's own local server
(`prefect server start`, on 127.0.0.1 and a free port, its database under PREFECT_HOME) for as
long as it serves, says where its UI is, and stops it on the way out.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from prefect.schedules import Cron

from detainers.errors import DetainersError
from detainers.launch import prefect_api_configured

DEFAULT_CRON = "0 3 * * *"  # nightly, 03:00
DEFAULT_TIMEZONE = "UTC"
DEPLOYMENT_NAME = "nightly"


def schedule(cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE):
    return Cron(cron, timezone=timezone)


def parameters(manifest: Path, warehouse: Path, wait_seconds: float) -> dict:
    """The deployment's default parameters: plain JSON (absolute paths), editable in the UI."""
    return {
        "manifest": str(Path(manifest).resolve()),
        "warehouse": str(Path(warehouse).resolve()),
        "wait_seconds": wait_seconds,
    }


def deployment(manifest: Path, warehouse: Path, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE,
               name: str = DEPLOYMENT_NAME, wait_seconds: float = 600.0):
    """The deployment `serve` registers, built without contacting a server (for tests)."""
    from detainers.flows.pipeline import run_flow

    return run_flow.to_deployment(
        name=name,
        schedule=schedule(cron, timezone),
        parameters=parameters(manifest, warehouse, wait_seconds),
        description="Fetch every source of the manifest, load what changed, rebuild the models, publish.",
    )


SERVER_STARTUP_SECONDS = 120
STARTING_OWN = "no Prefect server is configured: starting Prefect's own, for as long as this serves (it takes some seconds)"
START_ONE = ("start one with `prefect server start`, then `export PREFECT_API_URL=http://127.0.0.1:4200/api` "
             "and run `detainers serve` again")


def serve(manifest: Path, warehouse: Path, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE,
          name: str = DEPLOYMENT_NAME, wait_seconds: float = 600.0) -> None:
    """Register the deployment with the Prefect API (PREFECT_API_URL; with none configured,
    Prefect's own local server, kept alive while serving) and run its scheduled and UI-started
    runs until interrupted. One run at a time: they share the write lock."""
    from prefect import serve as serve_deployments

    served = deployment(manifest, warehouse, cron, timezone, name, wait_seconds)
    if prefect_api_configured():
        serve_deployments(served, limit=1)
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    _say(STARTING_OWN)  # its start takes seconds (half a minute on a busy machine): say so first
    with local_server() as url:
        _say(f"serving with Prefect's own server; its UI: {url.removesuffix('/api')} "
             "(set PREFECT_API_URL to serve with another)")
        with temporary_settings({PREFECT_API_URL: url}):
            serve_deployments(served, limit=1)


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """Prefect's own server (API, UI, scheduler), started here on 127.0.0.1 and a free port,
    stopped on the way out; its API URL. One that does not start is one line saying how to
    start one by hand."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    log = open(_home() / f"detainers-serve-server-{port}.log", "w")  # noqa: SIM115 (open while the server runs)
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port),
                             "--analytics-off"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, proc, log.name)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_healthy(url: str, proc: subprocess.Popen, log: str) -> None:
    import httpx

    deadline = time.monotonic() + SERVER_STARTUP_SECONDS
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise DetainersError(f"serve needs a Prefect server: none is configured, and Prefect's own stopped while "
                                     f"starting (exit {proc.returncode}; its log: {log}); {START_ONE}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{url}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
    raise DetainersError(f"serve needs a Prefect server: none is configured, and Prefect's own did not answer within "
                         f"{SERVER_STARTUP_SECONDS} s (its log: {log}); {START_ONE}")


def _home() -> Path:
    from detainers.launch import prefect_home

    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    return home


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _say(line: str) -> None:
    sys.__stdout__.write(line + "\n")
    sys.__stdout__.flush()
