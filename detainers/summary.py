"""What a run did: per source (fetched? loaded? rows read, loaded, rejected; the error) and
for the run (published? seconds per stage; the headline). The CLI prints it, the Prefect
flows publish it as artifacts, and audit.runs keeps its counts."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path


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
    removed: list[str] = field(default_factory=list)  # sources gone from the manifest, and their rows
    notes: list[str] = field(default_factory=list)  # what the run repaired or warns of, beyond the sources

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

    def record(self, command: str) -> dict:
        """The audit.runs row of a run that reached the build, as plain values."""
        return {
            "run_id": self.run_id,
            "command": command,
            "started_at": self.started_at,
            "status": "partial" if self.failed else "succeeded",
            **self.counts(),
        }


def new_run(warehouse: Path, sources) -> tuple[RunSummary, dict[str, SourceOutcome]]:
    """A run's id and empty summary, with an outcome per source to fill in, by name."""
    run_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    summary = RunSummary(run_id, str(warehouse), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    summary.sources = [SourceOutcome(s.name) for s in sources]
    return summary, {o.source: o for o in summary.sources}
