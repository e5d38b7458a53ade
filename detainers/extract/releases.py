"""Known releases, recognized by their bytes: a fetched file whose sha256 is a catalog entry's
(schemas/reference/releases.csv) loads with that release's layout, window and extraction
date, wherever it came from and whatever it is named; a manifest entry's own keys win.

A source that names a release (`release = "<id>"`) but whose file has other bytes is told so
in one line; it loads only if its entry sets its layout itself. (The fetch already checks such a
file as it lands: `expected_release`.) A source with no layout whose file is no known release is
read with the layout its header shows, if exactly one does (transform/read.py).
"""

from __future__ import annotations

import datetime as dt

from detainers.errors import FetchError
from detainers.extract.manifest import Source
from detainers.schemas.reference import Release, failure, release_by_sha256, releases


def expected_release(source: Source) -> Release | None:
    """The catalog release whose bytes the source's file must be, checked as it lands: the one
    its entry names, unless the entry sets its own layout (then other bytes load, and are told)."""
    if source.sets("release") and source.catalog_id and not source.sets("layout"):
        return releases()[source.catalog_id]
    return None


def recognize(source: Source, sha256: str) -> tuple[Source, str | None]:
    """The source as its file's bytes show it to be, and a line to tell the user (or None)."""
    found = release_by_sha256().get(sha256)
    named = source.catalog_id if source.sets("release") else None
    if named and (found is None or found.id != named):
        expected = releases()[named].sha256
        if source.sets("layout"):
            return source, (f"source {source.name}: names release {named}, but its file is other bytes (sha256 {sha256}, "
                            f"the release's is {expected}): loaded with the entry's own layout {source.layout!r}")
        raise FetchError(f"source {source.name}: names release {named}, but its file is not that release (sha256 {sha256}, "
                         f"the release's is {expected}); nothing of it was loaded: set `layout` in its entry to load it anyway")
    if found is None:
        return source, None  # with no layout, its header may still show it (transform/read.py)
    if named:
        return source, None  # the bytes the catalog says: nothing to tell
    try:
        recognized = source.as_release(found)
    except ValueError as exc:  # the entry's own window cannot stand beside the release's dates
        raise FetchError(f"source {source.name}: its file is release {found.id}, but {exc}; nothing of it was loaded") from None
    return recognized, f"source {source.name}: recognized release {found.id} ({found.file}) by its sha256"


def held_twice(sources: list[Source]) -> dict[str, str]:
    """Sources of one manifest that hold the same release, or releases whose trusted windows
    share days (the catalog trusts two releases on one day only where one holds the other's
    records), each trusted for its whole catalog window: every one after the first it meets,
    with why it cannot load beside it (its days would be trusted from two sources)."""
    kept: list[Source] = []
    refused = {}
    for source in sources:
        if not source.catalog_id or source.sets("window_start") or source.sets("window_end"):
            continue
        release = releases()[source.catalog_id]
        other = next((s for s in kept if _share_days(releases()[s.catalog_id], release)), None)
        if other is not None:
            refused[source.name] = (f"source {source.name}: release {release.id} holds the same records as release "
                                    f"{other.catalog_id} of source {other.name}: hold one of them, or give each its own "
                                    "window_start and window_end")
        else:
            kept.append(source)
    return refused


def _share_days(a: Release, b: Release) -> bool:
    return (a.window_start or dt.date.min) <= (b.window_end or dt.date.max) and \
        (b.window_start or dt.date.min) <= (a.window_end or dt.date.max)


def recognize_all(sources: tuple[Source, ...], fetched: dict[str, str], previous: dict[str, str]
                  ) -> tuple[dict[str, Source], list[str], dict[str, str]]:
    """Each source as its file's bytes show it: by the sha256 fetched this run, else by the one
    its last fetch saw. Returns the sources by name, the lines to tell the user of those fetched,
    and the fetched sources refused (by name, with why): a release named with other bytes, or one
    holding the same records as a source before it. A source with no layout and no known release
    is returned as it is: its header may show its layout."""
    resolved, notes, refused = {}, [], {}
    for source in sources:
        sha256 = fetched.get(source.name) or previous.get(source.name)
        resolved[source.name] = source
        if not sha256:
            continue
        try:
            resolved[source.name], note = recognize(source, sha256)
        except FetchError as exc:
            if source.name in fetched:
                refused[source.name] = _still_as_before(source, previous.get(source.name), str(exc), resolved)
            continue
        if source.name in fetched and resolved[source.name].layout is None:
            replaced = _replaced_release(source, sha256, previous.get(source.name), resolved)
            if replaced:
                refused[source.name] = replaced
                continue
        if note and source.name in fetched:
            notes.append(note)
    candidates = [resolved[s.name] for s in sources if s.name in fetched and s.name not in refused]
    return resolved, notes, refused | held_twice(candidates)


def _replaced_release(source: Source, sha256: str, before: str | None, resolved: dict[str, Source]) -> str | None:
    """A source known only by its name and url whose file was a release, and is now bytes no
    release has (a publisher replacing detainers-latest.parquet with its next release): read by
    its header, it would load with no window, trusted for every day, and fail a data test in
    every build beside another source. It stays the release it was, keeping its rows, and
    fails alone saying so, until its entry says what the new file is."""
    was = release_by_sha256().get(before) if before and before != sha256 else None
    if was is None:
        return None
    resolved[source.name], _ = recognize(source, before)
    return failure("release_replaced", source=source.name, release=was.id, sha256=sha256)


def _still_as_before(source: Source, before: str | None, error: str, resolved: dict[str, Source]) -> str:
    """A file refused now whose source held another before (a file replaced upstream under the
    same name: DDP replaces detainers-latest.parquet with each release): the source stays what
    its earlier file made it, so it keeps its rows and the other sources publish (resolved as
    it was, it lost its layout and its rows their source, and every build failed a data test).
    The error says what changed."""
    if not before:
        return error
    try:
        resolved[source.name], _ = recognize(source, before)
    except FetchError:
        return error
    was = resolved[source.name].catalog_id
    kept = f"release {was}" if was else f"the file of sha256 {before}"
    return f"source {source.name}: its file changed (it was {kept}, whose rows stay): " + error.removeprefix(f"source {source.name}: ")
