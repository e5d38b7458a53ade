"""What each source's last fetch saw (sha256, ETag, Last-Modified), kept in the landing zone
beside the files it names (landing/index.json). The published warehouse keeps the same in
audit.sources; this copy lets a run that finds the warehouse gone or damaged rebuild it from
the landing files, asking servers conditionally instead of downloading everything again."""

from __future__ import annotations

import json
import os
from pathlib import Path

from detainers.extract.fetch import Landed, PreviousFetch
from detainers.extract.landing import create_private, landed_path, partial_path

INDEX = "index.json"


def remembered(landing: Path) -> dict[str, PreviousFetch]:
    """The fetches the index records whose landing file is still there."""
    try:
        entries = json.loads((landing / INDEX).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: PreviousFetch(e["sha256"], e.get("etag"), e.get("last_modified"))
            for name, e in entries.items() if isinstance(e, dict) and e.get("sha256") and landed_path(landing, e["sha256"])}


def remember(landing: Path, landed: dict[str, Landed]) -> None:
    """Record this run's fetches (call with the write lock held); written whole, then renamed."""
    if not landed:
        return
    entries = {name: vars(previous) for name, previous in remembered(landing).items()}
    entries.update({name: {"sha256": item.sha256, "etag": item.etag, "last_modified": item.last_modified}
                    for name, item in landed.items()})
    scratch = partial_path(landing)  # a leftover of a killed run is removed with the other partial files
    with create_private(scratch) as fh:
        fh.write(json.dumps(entries, indent=1, sort_keys=True).encode())
    os.replace(scratch, landing / INDEX)
