"""The pipeline: every stage of a run, in order, as plain Python.

    plan (manifest) -> lock -> fetch (extract) -> changed? -> build copy -> load (transform +
    load, per source) -> models + data tests + headline (build, report) -> publish

`run_pipeline` is the one body of `detainers run` and `detainers backfill`; the Prefect flows
(flows/pipeline.py) wrap it, passing a `Stages` that runs each stage as a Prefect task, and
the benchmark calls it as it is. A source that fails is recorded on its outcome and the
others go on; the warehouse is only ever replaced by a complete build.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from detainers.warehouse import database as wh
from detainers.warehouse.audit import record_run, rules_fingerprint, write_build_info
from detainers.warehouse.exports import exports_current, place_exports, prepare_exports, write_exports
from detainers import stop
from detainers.errors import DetainersError
from detainers.extract.fetch import Expected, Landed, PreviousFetch, RetryPolicy, check_pinned, fetch
from detainers.extract.manifest import Source
from detainers.extract.releases import expected_release, recognize_all
from detainers.extract.index import remember, remembered
from detainers.load.identity import PublishedState, needs_build, published_state, standing_refusals
from detainers.plan import FETCH_CONCURRENCY, Plan, plan_backfill, plan_run  # noqa: F401 (the pipeline's inputs, re-exported)
from detainers.paths import landing_dir
from detainers.report.headline import DEFAULT_END, DEFAULT_START, headline
from detainers.summary import RunSummary, SourceOutcome, new_run
from detainers.versions import warehouse_version
from detainers.schemas.reference import os_failure

# What only a build needs (polars, pyarrow, pandera: about half a second to import) is
# imported when a build starts, so a run that finds nothing changed never pays for it.
if TYPE_CHECKING:
    from detainers.load.raw import LoadResult

log = logging.getLogger("detainers.pipeline")


class Stages:
    """How the pipeline calls a stage: here, a plain call (fetches in threads when the plan
    asks for several at once). The Prefect flows pass a subclass that runs each as a Prefect
    task."""

    def __init__(self, fetch_concurrency: int = 1) -> None:
        self.fetch_concurrency = fetch_concurrency

    def call(self, name: str, fn: Callable, *args):
        return fn(*args)

    def call_each(self, name: str, fn: Callable, calls: list[tuple]) -> list[Callable[[], object]]:
        """fn(*args) for each args of `calls`, up to fetch_concurrency at once; each result is
        a thunk that returns the value or raises what fn raised."""
        if self.fetch_concurrency <= 1:
            return [_outcome_of(fn, *args) for args in calls]
        with ThreadPoolExecutor(max_workers=self.fetch_concurrency) as pool:
            futures = [pool.submit(fn, *args) for args in calls]
        return [future.result for future in futures]


def _outcome_of(fn: Callable, *args) -> Callable[[], object]:
    try:
        value = fn(*args)
    except Exception as exc:  # raised again when the caller asks for the value
        error = exc

        def fail():
            raise error
        return fail
    return lambda: value


def run_pipeline(plan: Plan, warehouse: Path, wait_seconds: float = 0.0, stages: Stages | None = None) -> RunSummary:
    """Fetch the plan's sources, load those that changed into a copy of the warehouse, build
    the models and publish the copy atomically. Nothing changed: the warehouse is left as it
    was (its exports brought up to date if a stopped run left them behind)."""
    stages = stages or Stages(plan.fetch_concurrency)
    warehouse = Path(warehouse).resolve()
    try:
        return _run(plan, warehouse, wait_seconds, stages)
    except Exception as exc:  # a full disk, a read-only folder: in words (failures.toml), under Prefect too
        words = os_failure(exc)
        if words is None:
            raise
        raise DetainersError(words) from None


def _run(plan: Plan, warehouse: Path, wait_seconds: float, stages: Stages) -> RunSummary:
    wh.probe_storage_version()
    summary, outcomes = new_run(warehouse, plan.sources)
    with wh.write_lock(warehouse, f"{plan.command} ({summary.run_id})", wait_seconds):
        state = _published_state(warehouse, summary)
        log.info("%s: %d source(s) to fetch", plan.command, len(plan.sources))
        with _timed(summary, "fetch"):
            landing = landing_dir(warehouse)
            fetches = stages.call_each("fetch-source", fetch_source,
                                       [(s, landing, state.fetches.get(s.name)) for s in plan.sources])
            landed = collect_fetches(dict(zip((s.name for s in plan.sources), fetches)), outcomes)
            remember(landing, landed)
            plan, landed = recognize_releases(plan, landed, state.fetches, outcomes, summary, landing)
        stop.check()
        # A published file in another storage format than wh.STORAGE_VERSION is rebuilt once, in it.
        fingerprint = rules_fingerprint()
        if not needs_build(state, plan.manifest, landed, fingerprint) and wh.in_storage_version(warehouse, state.storage):
            for name in landed:
                outcomes[name].load = "skipped_unchanged"
            _nothing_changed(warehouse, landed, outcomes, summary)
            return summary
        _build_and_publish(plan, warehouse, landed, summary, outcomes, stages, fingerprint, fresh=state.damaged)
    log.info("published %s", warehouse)
    return summary


def _published_state(warehouse: Path, summary: RunSummary) -> PublishedState:
    """What the published warehouse says of the last run; a file DuckDB cannot read is
    rebuilt from the landing files (what their index says each source's last fetch saw)."""
    landed_before = remembered(landing_dir(warehouse))
    try:
        state = published_state(warehouse, landed_before)
    except duckdb.Error as exc:
        note = f"{warehouse} cannot be read ({str(exc).splitlines()[0]}): rebuilding it from the landing files"
        summary.notes.append(note)
        log.warning(note)
        return PublishedState(landed_before, {}, None, damaged=True)
    if state.damaged:  # built by an older version: its tables are not read as this code writes them
        note = (f"{warehouse} was built by an older version of detainers (warehouse version {state.version}, "
                f"this is {warehouse_version()}): rebuilding it from the landing files")
        summary.notes.append(note)
        log.info(note)
    return state


def _nothing_changed(warehouse: Path, landed: dict[str, Landed], outcomes: dict[str, SourceOutcome],
                     summary: RunSummary) -> None:
    """The refusals that still stand (said every run), the published headline, and the exports
    brought in line with the published build: one read-only connection for all it reads."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for name, why in standing_refusals(con, landed).items():
            outcomes[name].load, outcomes[name].error = "failed_reject_threshold", why
        summary.headline = headline(con, DEFAULT_START, DEFAULT_END)
        built = con.execute("select value from audit.build_info where key = 'last_run_id'").fetchone()
    finally:
        con.close()
    if not exports_current(warehouse, built[0] if built else None):
        write_exports(warehouse)
        summary.notes.append("the exports were behind the published warehouse (a run stopped while publishing): rewritten")
        log.warning(summary.notes[-1])
    log.info("nothing changed: %s left as it was", warehouse)


def fetch_source(source: Source, landing: Path, previous: PreviousFetch | None) -> Landed:
    """Land the source's file (its pin checked); any failure is a DetainersError naming the source."""
    try:
        release = expected_release(source)  # its bytes checked as they land
        landed = fetch(source.name, source.url, landing, source.formats, previous,
                       RetryPolicy(max_bytes=source.max_bytes, max_seconds=source.max_seconds,
                                   min_bytes_per_second=source.min_bytes_per_second), public=source.url_public,
                       expected=release and Expected(release.id, release.sha256, release.bytes))
        check_pinned(source.name, landed, source.sha256)
        return landed
    except DetainersError:
        raise
    except Exception as exc:  # a fault nobody foresaw fails this source, not the run; its text may hold the URL
        words = os_failure(exc, landing)  # the landing zone's disk full, or not writable
        if words:
            raise DetainersError(f"source {source.name}: {words}") from None
        raise DetainersError(f"source {source.name}: unexpected {type(exc).__name__} fetching {source.shown_url}") from None


def collect_fetches(fetches: dict[str, Callable[[], Landed]], outcomes: dict[str, SourceOutcome]) -> dict[str, Landed]:
    """Each source's landed file, by name; a fetch that failed is recorded on its outcome and
    logged, so the other sources go on."""
    landed: dict[str, Landed] = {}
    for name, result in fetches.items():
        try:
            landed[name] = result()
            outcomes[name].fetch = landed[name].status
            log.info("source %s: %s (%s bytes)", name, landed[name].status, f"{landed[name].size:,}")
        except DetainersError as exc:
            outcomes[name].fetch, outcomes[name].error = "failed", str(exc)
            log.error(str(exc))
    return landed


def recognize_releases(plan: Plan, landed: dict[str, Landed], previous: dict[str, PreviousFetch],
                       outcomes: dict[str, SourceOutcome], summary: RunSummary, landing: Path | None = None
                       ) -> tuple[Plan, dict[str, Landed]]:
    """The plan's sources as their files' bytes show them (extract/releases.py: recognize_all);
    a source refused there fails alone, the others go on."""
    resolved, notes, refused = recognize_all(plan.manifest, {n: item.sha256 for n, item in landed.items()},
                                             {n: item.sha256 for n, item in previous.items()})
    for source in plan.manifest:
        if resolved[source.name].layout is None and source.name not in refused:
            _layout_by_header(resolved, source.name, landed, previous, landing, notes, refused)
    for note in notes:
        log.info(note)
    summary.notes += notes
    for name, error in refused.items():
        log.error(error)
        del landed[name]
        outcomes[name].load, outcomes[name].error = "failed", error
    plan = replace(plan, manifest=tuple(resolved[s.name] for s in plan.manifest),
                   sources=tuple(resolved[s.name] for s in plan.sources))
    return plan, landed


def _layout_by_header(resolved: dict[str, Source], name: str, landed: dict[str, Landed], previous: dict[str, PreviousFetch],
                      landing: Path | None, notes: list[str], refused: dict[str, str]) -> None:
    """A source with no layout whose file is no known release: read with the layout its header
    shows (transform/read.py); its file this run, else its last one, so its layout stays put."""
    from detainers.extract.landing import landed_path
    from detainers.transform.read import with_layout_by_header

    path = landed[name].path if name in landed else None
    if path is None and name in previous and landing is not None:
        path = landed_path(landing, previous[name].sha256)
    if path is None:
        return
    try:
        resolved[name], note = with_layout_by_header(resolved[name], path)
    except DetainersError as exc:
        if name in landed:
            refused[name] = str(exc)
        return
    if name in landed:
        notes.append(note)


def load_landed(con, source: Source, landed: Landed, run_id: str) -> LoadResult:
    """Transform and load one landed file: its validated batches, read one ahead of the write."""
    from detainers.load.raw import load_source

    return load_source(con, source, landed, run_id)


def _build_and_publish(plan: Plan, warehouse: Path, landed: dict[str, Landed], summary: RunSummary,
                       outcomes: dict[str, SourceOutcome], stages: Stages, fingerprint: str, fresh: bool = False) -> None:
    from detainers.transform.read import check_ahead

    for source in plan.sources:  # a new file's checks run while the build is set up
        if source.name in landed and landed[source.name].status == "fetched":
            check_ahead(source, landed[source.name].path)
    from detainers.load.sources import record_sources

    build = wh.start_build(warehouse, fresh=fresh)
    try:
        with _timed(summary, "load_total"):
            summary.removed = _with_connection(build, record_sources, plan.manifest)
            for removed in summary.removed:
                log.info("removed from the manifest: %s", removed)
            for source in plan.sources:
                stop.check()
                if source.name in landed:
                    _load_one(build, source, landed[source.name], summary.run_id, outcomes[source.name], stages)
        loads = [o for o in outcomes.values() if o.load in ("loaded", "failed_reject_threshold")]
        summary.seconds["read_validate"] = sum(o.seconds_read_validate for o in loads)
        summary.seconds["write"] = sum(o.seconds_write for o in loads)
        stop.check()
        with _timed(summary, "models"):
            summary.headline = stages.call("build-models", build_and_test, build, summary.record(plan.command), fingerprint)
        log.info("models built and tested in %.1f s", summary.seconds["models"])
        stop.check()
        with _timed(summary, "publish"):
            behind = stages.call("publish", publish, build, warehouse)
        summary.published = True
        if behind:
            summary.notes.append(behind)
            log.warning(behind)
    finally:
        wh.discard(build)


def _load_one(build: Path, source: Source, landed: Landed, run_id: str, outcome: SourceOutcome, stages: Stages) -> None:
    try:
        result = stages.call("load-source", load_into_build, build, source, landed, run_id)
    except DetainersError as exc:
        outcome.load, outcome.error = getattr(exc, "status", "failed"), str(exc)
        log.error(str(exc))
        return
    outcome.load = result.status
    outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected = result.rows_read, result.rows_loaded, result.rows_rejected
    outcome.seconds_read_validate, outcome.seconds_write = result.seconds_read_validate, result.seconds_write
    outcome.warnings = result.warnings
    log.info("source %s: %s, %d rows read, %d loaded, %d rejected", source.name, result.status, result.rows_read,
             result.rows_loaded, result.rows_rejected)
    for warning in result.warnings:
        log.warning(warning)


def load_into_build(build: Path, source: Source, landed: Landed, run_id: str) -> LoadResult:
    """One source into the build; an unforeseen error fails this source only (rolled back)."""
    try:
        return _with_connection(build, load_landed, source, landed, run_id)
    except DetainersError:
        raise
    except Exception as exc:
        if os_failure(exc):  # the build's disk: every source after this one would fail alike
            raise
        raise DetainersError(f"source {source.name}: unexpected {type(exc).__name__} loading it: {exc}") from exc


def build_and_test(build: Path, run: dict, fingerprint: str) -> dict:
    """The SQL models and data tests, the build's own records (`fingerprint`: of the rules and
    models it is built with), and the headline it publishes."""
    from detainers.warehouse.models import build_models
    from detainers.transform.normalize import published_facility_declines

    def steps(con):
        build_models(con, {"published_facility_declines": published_facility_declines()})
        write_build_info(con, run["run_id"], fingerprint)
        record_run(con, run)
        return headline(con, DEFAULT_START, DEFAULT_END)

    return _with_connection(build, steps)


def publish(build: Path, warehouse: Path) -> str | None:
    """The exports written from the build first (a failure publishes nothing); then the build
    renamed over the published file and the exports moved into place, which a stop (Ctrl-C,
    SIGTERM) does not cut short. A fault moving them in, once the build is published, leaves
    them behind it: said here (returned), and the next run writes them again."""
    scratch = prepare_exports(build, warehouse)
    try:
        with stop.deferred():
            wh.publish(build, warehouse)
            try:
                place_exports(scratch, warehouse)  # marts as Parquet and CSV under exports/, each swapped atomically
            except OSError as exc:
                return (f"published, but the exports are behind it: {os_failure(exc) or exc}; "
                        "the next run writes them again")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return None


def _with_connection(build: Path, fn: Callable, *args):
    con = wh.connect(build)
    try:
        return fn(con, *args)
    finally:
        con.close()


@contextmanager
def _timed(summary: RunSummary, stage: str) -> Iterable[None]:
    clock = time.perf_counter()
    try:
        yield
    finally:
        summary.seconds[stage] = time.perf_counter() - clock
