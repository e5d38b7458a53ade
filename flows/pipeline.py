"""The main flow: fetch every source, load what changed into a build, model, publish.

Tasks pass paths, names and counts, never DataFrames or connections.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from detainers import load as loader
from detainers import warehouse as wh
from detainers.errors import DetainersError
from detainers.exports import write_exports
from detainers.extract import Landed, PreviousFetch, RetryPolicy, check_pinned, fetch, redact_url
from detainers.manifest import Source, load_manifest
from detainers.models import build_models
from detainers.paths import landing_dir
from detainers.report import DEFAULT_END, DEFAULT_START, headline
from detainers.run import (
    RunSummary,
    SourceOutcome,
    needs_build,
    new_run,
    published_state,
    record_run,
    run_record,
    write_build_info,
)
from flows.artifacts import publish_artifacts


@task(name="fetch-source", cache_policy=NO_CACHE)
def fetch_source(source: Source, landing: Path, previous: PreviousFetch | None) -> Landed:
    try:
        landed = fetch(source.name, source.url, landing, source.resolved_layout().formats, previous,
                       RetryPolicy(max_bytes=source.max_bytes))
        check_pinned(source.name, landed, source.sha256)
        return landed
    except DetainersError:
        raise
    except Exception as exc:  # a fault nobody foresaw fails this source, not the run; its text may hold the URL
        raise DetainersError(f"source {source.name}: unexpected {type(exc).__name__} fetching {redact_url(source.url)}") from None


@task(name="load-source", cache_policy=NO_CACHE)
def load_source(build: Path, source: Source, landed: Landed, run_id: str) -> loader.LoadResult:
    con = loader.connect(build)
    try:
        return loader.load_source(con, source, landed, run_id)
    except DetainersError:
        raise
    except Exception as exc:  # rolled back by the loader: this source fails, the others still load
        raise DetainersError(f"source {source.name}: unexpected {type(exc).__name__} loading it: {exc}") from exc
    finally:
        con.close()


@task(name="build-models", cache_policy=NO_CACHE)
def build_models_task(build: Path, run: dict) -> dict:
    con = loader.connect(build)
    try:
        timings = build_models(con)
        write_build_info(con, run["run_id"])
        record_run(con, run)
        return {"timings": timings, "headline": headline(con, DEFAULT_START, DEFAULT_END)}
    finally:
        con.close()


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(build: Path, warehouse: Path) -> None:
    wh.publish(build, warehouse)
    write_exports(warehouse)  # marts as Parquet and CSV under exports/, each file swapped atomically


@flow(name="detainers-run", log_prints=True)
def run_flow(manifest: Path, warehouse: Path, only: list[str] | None = None, wait_seconds: float = 0.0) -> RunSummary:
    """Fetch each source of the manifest, load those that changed, rebuild the models and
    publish the new warehouse atomically. Sources that fail are reported; the others load."""
    manifest, warehouse = Path(manifest), Path(warehouse).resolve()
    plan = load_manifest(manifest)
    sources = plan.select(only)
    summary, outcomes = new_run(warehouse, sources)

    with wh.write_lock(warehouse, f"detainers run ({summary.run_id})", wait_seconds):
        state = published_state(warehouse)
        clock = time.perf_counter()
        landed = collect_fetches(
            {s.name: partial(fetch_source, s, landing_dir(warehouse), state.fetches.get(s.name)) for s in sources},
            outcomes,
        )
        summary.seconds["fetch"] = time.perf_counter() - clock

        if not needs_build(state, plan.sources, landed):
            for name in landed:
                outcomes[name].load = "skipped_unchanged"
            publish_artifacts(summary)
            return summary

        build_and_publish(warehouse, plan.sources, sources, landed, summary, outcomes, "detainers run")
    publish_artifacts(summary)
    return summary


def collect_fetches(fetches: dict[str, Callable[[], Landed]], outcomes: dict[str, SourceOutcome]) -> dict[str, Landed]:
    """Each source's landed file, by name; a fetch that fails is recorded on its outcome and
    logged, so the other sources go on. `fetches` are called in order (run) or are the
    results of tasks already submitted (backfill)."""
    logger = get_run_logger()
    landed: dict[str, Landed] = {}
    for name, result in fetches.items():
        try:
            landed[name] = result()
            outcomes[name].fetch = landed[name].status
        except DetainersError as exc:
            outcomes[name].fetch, outcomes[name].error = "failed", str(exc)
            logger.error(str(exc))
    return landed


def build_and_publish(warehouse: Path, all_sources: tuple[Source, ...], sources: tuple[Source, ...],
                      landed: dict[str, Landed], summary: RunSummary, outcomes: dict[str, SourceOutcome],
                      command: str) -> None:
    """Load the landed files into a build, rebuild the models and publish it (call inside a
    flow, with the write lock held). Sources of the manifest not in `sources` keep their rows."""
    logger = get_run_logger()
    build = wh.start_build(warehouse)
    try:
        clock = time.perf_counter()
        _record_sources(build, all_sources)
        for source in sources:
            if source.name in landed:
                _load_one(build, source, landed[source.name], summary.run_id, outcomes[source.name], logger)
        loads = [o for o in outcomes.values() if o.load in ("loaded", "failed_reject_threshold")]
        summary.seconds["read_validate"] = sum(o.seconds_read_validate for o in loads)
        summary.seconds["write"] = sum(o.seconds_write for o in loads)
        summary.seconds["load_total"] = time.perf_counter() - clock

        clock = time.perf_counter()
        built = build_models_task(build, run_record(summary, command))
        summary.headline = built["headline"]
        summary.seconds["models"] = time.perf_counter() - clock

        clock = time.perf_counter()
        publish_task(build, warehouse)
        summary.published = True
        summary.seconds["publish"] = time.perf_counter() - clock
    finally:
        wh.discard(build)


def _record_sources(build: Path, sources: tuple[Source, ...]) -> None:
    con = loader.connect(build)
    try:
        loader.record_sources(con, sources)
    finally:
        con.close()


def _load_one(build: Path, source: Source, landed: Landed, run_id: str, outcome: SourceOutcome, logger) -> None:
    try:
        result = load_source(build, source, landed, run_id)
    except DetainersError as exc:
        outcome.load, outcome.error = getattr(exc, "status", "failed"), str(exc)
        logger.error(str(exc))
        return
    outcome.load = result.status
    outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected = result.rows_read, result.rows_loaded, result.rows_rejected
    outcome.seconds_read_validate, outcome.seconds_write = result.seconds_read_validate, result.seconds_write
    outcome.warnings = result.warnings
    for warning in result.warnings:
        logger.warning(warning)
