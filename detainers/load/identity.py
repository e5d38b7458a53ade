"""What identifies the published warehouse's loads, so a run can tell what changed: each
source's file (sha256, and the HTTP validators its fetch saw), the manifest's view of it,
and the fingerprint of the rules and models the build was made with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from detainers.errors import DetainersError
from detainers.versions import stamped_version, warehouse_version
from detainers.extract.fetch import Landed, PreviousFetch
from detainers.extract.manifest import Source
from detainers.schemas.reference import failure


@dataclass(frozen=True)
class PublishedState:
    """What the published warehouse says of the last run: enough to decide what changed."""

    fetches: dict[str, PreviousFetch]
    sources: dict[str, tuple]
    fingerprint: str | None
    version: int | None = None  # the warehouse version it was built as (warehouse/audit.py)
    damaged: bool = False  # the published file could not be read: the build starts afresh
    storage: str | None = None  # DuckDB's label of the file's format ('v1.0.0+'), read on the same connection


def published_state(warehouse: Path, landed_before: dict[str, PreviousFetch] | None = None) -> PublishedState:
    """audit.sources of the published file; with none, what the landing zone's index says. A
    warehouse of a newer version is refused before anything is written: this code cannot know
    what it holds (restamped older, a newer table's NOT NULL column failed every load as
    "unexpected ConstraintException")."""
    if not warehouse.exists():
        return PublishedState(landed_before or {}, {}, None)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        version = stamped_version(con)  # first: a newer warehouse's other tables may not read as this code expects
        if version > warehouse_version():
            raise DetainersError(failure("newer_warehouse", warehouse=warehouse, found=version, current=warehouse_version()))
        if version < warehouse_version():  # its tables have an older shape: not read, rebuilt from the landing files
            return PublishedState(landed_before or {}, {}, None, version=version, damaged=True)
        rows = con.execute(
            "select source, url, layout, release, window_start, window_end, states, extracted_on, load_settings, "
            "file_sha256, etag, last_modified from audit.sources"
        ).fetchall()
        fingerprint = con.execute("select value from audit.build_info where key = 'rules_fingerprint'").fetchone()
        storage = con.execute("select tags['storage_version'] from duckdb_databases() "
                              "where database_name = current_database()").fetchone()[0]
    finally:
        con.close()
    return PublishedState(
        fetches={r[0]: PreviousFetch(r[9], r[10], r[11]) for r in rows if r[9]},
        sources={r[0]: _identity(r[1:9]) for r in rows},
        fingerprint=fingerprint[0] if fingerprint else None,
        version=version,
        storage=storage,
    )


def source_identity(source: Source) -> tuple:
    """The manifest's view of a source, as audit.sources records it: where its file is, how it
    is read, the window and states it is trusted for, and the settings that decide which of
    its rows load (lowering max_text_length said "nothing changed" and kept long values)."""
    return _identity((source.shown_url, source.layout_name, source.release, source.window_start, source.window_end,
                      list(source.states) if source.states else None, source.extracted_on, source.load_settings))


def _identity(values) -> tuple:
    return tuple(None if v in ("", None, []) else str(v) for v in values)


def needs_build(state: PublishedState, sources: tuple[Source, ...], landed: dict[str, Landed], fingerprint: str) -> bool:
    """A new build is needed when a file, the manifest or the rules changed since the last one."""
    if state.fingerprint != fingerprint or state.version != warehouse_version():
        return True
    if {s.name: source_identity(s) for s in sources} != state.sources:
        return True
    return any(item.status == "fetched" for item in landed.values())


def standing_refusal(con: duckdb.DuckDBPyConnection, source: str, sha256: str, fingerprint: str | None = None) -> str | None:
    """Why the source's file was refused (over its reject_stop_share) when it was last loaded,
    if it was, and by the same rules (`fingerprint`; None: those of that load): the verdict
    stands while neither the file nor the rules change, and the file is not read again (a
    release every row of which is rejected took a minute per 100,000 rows, and added as many
    rejects, every night)."""
    found = con.execute(
        """
        select status, message, load_id from audit.loads
        where source = $source and file_sha256 = $sha256 and ($fingerprint is null or rules_fingerprint = $fingerprint)
        order by started_at desc, load_key desc limit 1
        """,
        dict(source=source, sha256=sha256, fingerprint=fingerprint),
    ).fetchone()
    if not found or found[0] != "failed_reject_threshold":
        return None
    return f"{found[1]} (load {found[2]}; its file and rules have not changed since, so it was not read again)"


def standing_refusals(con: duckdb.DuckDBPyConnection, names) -> dict[str, str]:
    """The refusals that stand for these sources' last fetched files, by source name (a run
    that finds nothing changed still names a source whose file it refused); `con` reads the
    published file."""
    fetched = con.execute("select source, file_sha256 from audit.sources where list_contains($names, source) "
                          "and file_sha256 is not null", dict(names=list(names))).fetchall()
    refused = {name: standing_refusal(con, name, sha256) for name, sha256 in fetched}
    return {name: why for name, why in refused.items() if why}
