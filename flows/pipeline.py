"""The Prefect flows: `detainers-run` and `detainers-backfill`. Both are the one pipeline body
(detainers.pipeline.run_pipeline) with each stage run as a Prefect task, so a run shows in
Prefect's UI stage by stage; each publishes its summary and headline as artifacts.

Tasks pass paths, names and counts, never DataFrames or connections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from detainers.pipeline import FETCH_CONCURRENCY, Stages, plan_backfill, plan_run, run_pipeline
from detainers.summary import RunSummary
from flows.artifacts import publish_artifacts


class PrefectStages(Stages):
    """Each stage a Prefect task of the current flow run; fetches submitted to its task runner."""

    def call(self, name: str, fn: Callable, *args):
        return task(fn, name=name, cache_policy=NO_CACHE)(*args)

    def call_each(self, name: str, fn: Callable, calls: list[tuple]) -> list[Callable[[], object]]:
        staged = task(fn, name=name, cache_policy=NO_CACHE)
        if self.fetch_concurrency <= 1:
            return super().call_each(name, staged, calls)
        return [staged.submit(*args).result for args in calls]


@flow(name="detainers-run", log_prints=True)
def run_flow(manifest: Path, warehouse: Path, only: list[str] | None = None, wait_seconds: float = 0.0) -> RunSummary:
    """Fetch each source of the manifest, load those that changed, rebuild the models and
    publish the new warehouse atomically. Sources that fail are reported; the others load."""
    summary = run_pipeline(plan_run(Path(manifest), only), warehouse, wait_seconds, PrefectStages())
    publish_artifacts(summary)
    return summary


@flow(name="detainers-backfill", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=FETCH_CONCURRENCY))
def backfill_flow(manifest: Path, warehouse: Path, start: dt.date, end: dt.date, wait_seconds: float = 0.0) -> RunSummary:
    """Fetch (in parallel) and load every source trusted for a day of [start, end]; other
    sources keep their rows. Running the same backfill again finds nothing changed."""
    summary = run_pipeline(plan_backfill(Path(manifest), start, end), warehouse, wait_seconds,
                           PrefectStages(fetch_concurrency=FETCH_CONCURRENCY))
    publish_artifacts(summary)
    return summary
