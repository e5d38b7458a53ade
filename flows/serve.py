"""`detainers serve`: the nightly run as a Prefect deployment with a cron schedule, served
by this process. Runs can also be started from the Prefect UI (one-off, or with other
parameters); each publishes its artifacts (flows/artifacts.py)."""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

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
    from flows.pipeline import run_flow

    return run_flow.to_deployment(
        name=name,
        schedule=schedule(cron, timezone),
        parameters=parameters(manifest, warehouse, wait_seconds),
        description="Fetch every source of the manifest, load what changed, rebuild the models, publish.",
    )


def serve(manifest: Path, warehouse: Path, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE,
          name: str = DEPLOYMENT_NAME, wait_seconds: float = 600.0) -> None:
    """Register the deployment with the Prefect API (PREFECT_API_URL) and run its scheduled
    and UI-started runs until interrupted. One run at a time: they share the write lock."""
    from prefect import serve as serve_deployments

    serve_deployments(deployment(manifest, warehouse, cron, timezone, name, wait_seconds), limit=1)
