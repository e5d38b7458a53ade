"""The backfill flow: fetch, in parallel, every source whose window overlaps a date range,
load what changed into one build, rebuild the models and publish once.

Fetches are network-bound and independent, so they run as concurrent tasks (at most
FETCH_CONCURRENCY at a time); loads write one DuckDB file, so they run one after another.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from detainers import warehouse as wh
from detainers.backfill import overlapping
from detainers.errors import DetainersError
from detainers.manifest import load_manifest
from detainers.paths import landing_dir
from detainers.run import RunSummary, needs_build, new_run, published_state
from flows.artifacts import publish_artifacts
from flows.pipeline import build_and_publish, collect_fetches, fetch_source

FETCH_CONCURRENCY = 4


@flow(name="detainers-backfill", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=FETCH_CONCURRENCY))
def backfill_flow(manifest: Path, warehouse: Path, start: dt.date, end: dt.date, wait_seconds: float = 0.0) -> RunSummary:
    """Fetch and load every source trusted for a day of [start, end]; other sources keep
    their rows. Running the same backfill again finds nothing changed and loads nothing."""
    manifest, warehouse = Path(manifest), Path(warehouse).resolve()
    plan = load_manifest(manifest)
    sources = overlapping(plan.sources, start, end)
    if not sources:
        raise DetainersError(f"{manifest}: no source is trusted for any day from {start} to {end}")
    summary, outcomes = new_run(warehouse, sources)

    with wh.write_lock(warehouse, f"detainers backfill ({summary.run_id})", wait_seconds):
        state = published_state(warehouse)
        clock = time.perf_counter()
        futures = {s.name: fetch_source.submit(s, landing_dir(warehouse), state.fetches.get(s.name)) for s in sources}
        landed = collect_fetches({name: future.result for name, future in futures.items()}, outcomes)
        summary.seconds["fetch"] = time.perf_counter() - clock

        if not needs_build(state, plan.sources, landed):
            for name in landed:
                outcomes[name].load = "skipped_unchanged"
        else:
            build_and_publish(warehouse, plan.sources, sources, landed, summary, outcomes, "detainers backfill")
    publish_artifacts(summary)  # the same summary and headline artifacts as a run
    return summary
