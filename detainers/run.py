"""The plain functions a run is made of, between fetching and publishing. The Prefect flow
in flows/pipeline.py calls these; tests call them directly."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from detainers.extract import Landed, PreviousFetch
from detainers.load import connect
from detainers.manifest import Source
from detainers.models import code_fingerprint


@dataclass
class SourceOutcome:
    """What happened to one source in a run."""

    source: str
    fetch: str = ""  # fetched, not_modified, unchanged, failed
    load: str = ""  # loaded, skipped_unchanged, failed, failed_reject_threshold
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    seconds_read_validate: float = 0.0
    seconds_write: float = 0.0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    run_id: str
    warehouse: str
    started_at: str
    published: bool = False
    sources: list[SourceOutcome] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    headline: dict | None = None

    @property
    def failed(self) -> list[SourceOutcome]:
        return [s for s in self.sources if s.error]

    def counts(self) -> dict[str, int]:
        """What the run did, in numbers: for audit.runs and the run's Prefect artifact."""
        outcomes = self.sources
        return {
            "sources_fetched": sum(o.fetch == "fetched" for o in outcomes),
            "sources_skipped": sum(o.load == "skipped_unchanged" for o in outcomes),
            "sources_loaded": sum(o.load == "loaded" for o in outcomes),
            "sources_failed": len(self.failed),
            "rows_loaded": sum(o.rows_loaded for o in outcomes),
            "rows_rejected": sum(o.rows_rejected for o in outcomes),
        }


def new_run(warehouse: Path, sources) -> tuple[RunSummary, dict[str, SourceOutcome]]:
    """A run's id and empty summary, with an outcome per source to fill in, by name."""
    run_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    summary = RunSummary(run_id, str(warehouse), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    summary.sources = [SourceOutcome(s.name) for s in sources]
    return summary, {o.source: o for o in summary.sources}


@dataclass(frozen=True)
class PublishedState:
    """What the published warehouse says of the last run: enough to decide what changed."""

    fetches: dict[str, PreviousFetch]
    sources: dict[str, tuple]
    fingerprint: str | None


def published_state(warehouse: Path) -> PublishedState:
    if not warehouse.exists():
        return PublishedState({}, {}, None)
    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute(
            "select source, url, layout, release, window_start, window_end, file_sha256, etag, last_modified from audit.sources"
        ).fetchall()
        fingerprint = con.execute("select value from audit.build_info where key = 'code_fingerprint'").fetchone()
    finally:
        con.close()
    return PublishedState(
        fetches={r[0]: PreviousFetch(r[6], r[7], r[8]) for r in rows if r[6]},
        sources={r[0]: source_identity_row(r[1:6]) for r in rows},
        fingerprint=fingerprint[0] if fingerprint else None,
    )


def source_identity(source: Source) -> tuple:
    from detainers.extract import redact_url

    return source_identity_row((redact_url(source.url), source.layout_name, source.release, source.window_start, source.window_end))


def source_identity_row(values) -> tuple:
    return tuple(None if v in ("", None) else str(v) for v in values)


def needs_build(state: PublishedState, sources: tuple[Source, ...], landed: dict[str, Landed]) -> bool:
    """A new build is needed when a file, the manifest or the code changed since the last one."""
    if state.fingerprint != code_fingerprint():
        return True
    if {s.name: source_identity(s) for s in sources} != state.sources:
        return True
    return any(item.status == "fetched" for item in landed.values())


def write_build_info(con, run_id: str) -> None:
    for key, value in (("code_fingerprint", code_fingerprint()), ("last_run_id", run_id),
                       ("built_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))):
        con.execute("insert or replace into audit.build_info values (?, ?)", [key, value])


def run_record(summary: RunSummary, command: str) -> dict:
    """The audit.runs row of a run that reached the build, as plain values."""
    return {
        "run_id": summary.run_id,
        "command": command,
        "started_at": summary.started_at,
        "status": "partial" if summary.failed else "succeeded",
        **summary.counts(),
    }


def record_run(con, run: dict) -> None:
    con.execute(
        """
        insert or replace into audit.runs by name
        select $run_id as run_id, $command as command, $started_at::timestamptz as started_at,
            now() as finished_at, $status as status, $sources_fetched as sources_fetched,
            $sources_skipped as sources_skipped, $sources_loaded as sources_loaded,
            $sources_failed as sources_failed, $rows_loaded as rows_loaded, $rows_rejected as rows_rejected
        """,
        run,
    )
