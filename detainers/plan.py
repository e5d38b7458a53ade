"""What a run does, decided from the manifest before anything slow starts: its command, every
source of the manifest, and the sources it fetches and loads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from detainers.errors import DetainersError
from detainers.extract.manifest import Source, load_manifest

FETCH_CONCURRENCY = 4  # fetches are network-bound and independent; loads write one file, one at a time


@dataclass(frozen=True)
class Plan:
    """What a run does: its command, every source of the manifest (audit.sources mirrors
    them all), and the sources it fetches and loads (the others keep their rows)."""

    command: str
    manifest: tuple[Source, ...]
    sources: tuple[Source, ...]
    fetch_concurrency: int = 1  # a backfill fetches its many sources several at once


def plan_run(manifest: Path, only: list[str] | None = None) -> Plan:
    plan = load_manifest(manifest)
    return Plan("detainers run", plan.sources, plan.select(only))


def plan_backfill(manifest: Path, start: dt.date, end: dt.date) -> Plan:
    plan = load_manifest(manifest)
    sources = plan.overlapping(start, end)
    if not sources:
        raise DetainersError(f"{manifest}: no source is trusted for any day from {start} to {end}")
    return Plan("detainers backfill", plan.sources, sources, FETCH_CONCURRENCY)
