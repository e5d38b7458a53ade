"""The Prefect flows: `detainers-run` and `detainers-backfill`. Both are the one pipeline body
(detainers.pipeline.run_pipeline) with each stage run as a Prefect task, so a run shows in
Prefect's UI stage by stage, with the pipeline's log lines; each publishes its summary and
headline as artifacts.

A failure the pipeline foresees (a source that cannot be fetched, a lock held, a data test)
ends its task or flow run in a Failed state with the one-line message, not a traceback; a
run where some sources failed and the others published ends Completed, named "Partial".
Under `detainers serve`, a line is printed as each run starts and ends.

Tasks pass paths, names and counts, never DataFrames or connections.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed
from prefect.task_runners import ThreadPoolTaskRunner

from detainers.errors import DetainersError
from detainers.pipeline import FETCH_CONCURRENCY, Stages, plan_backfill, plan_run, run_pipeline
from detainers.summary import RunSummary
from detainers.flows.artifacts import publish_artifacts


def _as_task(name: str, fn: Callable):
    """fn as a Prefect task whose foreseen failure is its Failed state (the caller gets the
    DetainersError back), not a logged traceback."""
    @functools.wraps(fn)
    def stage(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DetainersError as exc:
            return Failed(message=str(exc), data=exc)

    return task(stage, name=name, cache_policy=NO_CACHE)


class PrefectStages(Stages):
    """Each stage a Prefect task of the current flow run; fetches submitted to its task runner."""

    def call(self, name: str, fn: Callable, *args):
        return _value(_as_task(name, fn)(*args, return_state=True))

    def call_each(self, name: str, fn: Callable, calls: list[tuple]) -> list[Callable[[], object]]:
        staged = _as_task(name, fn)
        if self.fetch_concurrency <= 1:
            return super().call_each(name, lambda *args: _value(staged(*args, return_state=True)), calls)
        futures = [staged.submit(*args) for args in calls]
        return [functools.partial(_value_of, future) for future in futures]


def _value_of(future):
    future.wait()
    return _value(future.state)


def _value(state):
    """A task's result, or the DetainersError its Failed state holds, raised."""
    if state.is_failed():
        error = state.result(raise_on_failure=False)
        raise error if isinstance(error, BaseException) else DetainersError(state.message)
    return state.result()


def _run(plan: Callable, warehouse: Path, wait_seconds: float, stages: Stages):
    """The flow body both flows share: the pipeline, its artifacts, and its end as a state."""
    _announce("started")
    try:
        summary = run_pipeline(plan(), warehouse, wait_seconds, stages)
    except DetainersError as exc:
        get_run_logger().error(str(exc))
        _announce(f"failed: {exc}")
        return Failed(message=str(exc), data=exc)
    publish_artifacts(summary)
    outcome = _outcome(summary)
    _announce(outcome)
    if summary.failed:
        return Completed(name="Partial", message=outcome, data=summary)
    return Completed(message=outcome, data=summary)


def _outcome(summary: RunSummary) -> str:
    n = summary.counts()
    done = f"published {summary.warehouse}" if summary.published else "nothing changed"
    failed = f"; {len(summary.failed)} source(s) failed: " + "; ".join(o.error for o in summary.failed) if summary.failed else ""
    return f"{done} ({n['rows_loaded']:,} rows loaded, {n['rows_rejected']:,} rejected){failed}"


def _announce(what: str) -> None:
    """One line in the `detainers serve` terminal (a deployment's run only: a `detainers run`
    prints its own summary)."""
    from prefect.runtime import deployment, flow_run

    if deployment.id:
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        sys.__stdout__.write(f"{stamp} {flow_run.flow_name}/{flow_run.name}: {what}\n")
        sys.__stdout__.flush()


@flow(name="detainers-run", log_prints=True)
def run_flow(manifest: Path, warehouse: Path, only: list[str] | None = None, wait_seconds: float = 0.0):
    """Fetch each source of the manifest, load those that changed, rebuild the models and
    publish the new warehouse atomically. Sources that fail are reported; the others load."""
    return _run(lambda: plan_run(Path(manifest), only), warehouse, wait_seconds, PrefectStages())


@flow(name="detainers-backfill", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=FETCH_CONCURRENCY))
def backfill_flow(manifest: Path, warehouse: Path, start: dt.date, end: dt.date, wait_seconds: float = 0.0):
    """Fetch (in parallel) and load every source trusted for a day of [start, end]; other
    sources keep their rows. Running the same backfill again finds nothing changed."""
    return _run(lambda: plan_backfill(Path(manifest), start, end), warehouse, wait_seconds,
                PrefectStages(fetch_concurrency=FETCH_CONCURRENCY))
