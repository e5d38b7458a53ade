"""Known releases, recognized by their bytes: a fetched file whose sha256 is a catalog entry's
(schemas/reference/releases.csv) loads with that release's layout, window and extraction
date, wherever it came from and whatever it is named; a manifest entry's own keys win.

A source that names a release (`release = "<id>"`) but whose file has other bytes is told so
in one line; it loads only if its entry sets its layout itself. A source with no layout whose
file is no known release cannot be read, and fails alone.
"""

from __future__ import annotations

from detainers.errors import FetchError
from detainers.extract.manifest import Source
from schemas.reference import release_by_sha256, releases


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
        if source.layout is None:
            raise FetchError(f"source {source.name}: its file (sha256 {sha256}) is no known release (`detainers releases` "
                             "lists them): set `layout` in its manifest entry")
        return source, None
    if named:
        return source, None  # the bytes the catalog says: nothing to tell
    try:
        recognized = source.as_release(found)
    except ValueError as exc:  # the entry's own window cannot stand beside the release's dates
        raise FetchError(f"source {source.name}: its file is release {found.id}, but {exc}; nothing of it was loaded") from None
    return recognized, f"source {source.name}: recognized release {found.id} ({found.file}) by its sha256"


def held_twice(sources: list[Source]) -> dict[str, str]:
    """Sources of one manifest that hold the same release, or releases the catalog says hold
    the same records, each trusted for its whole catalog window: every one after the first,
    with why it cannot load beside it (its days would be trusted from two sources)."""
    first: dict[str, Source] = {}
    refused = {}
    for source in sources:
        if not source.catalog_id or source.sets("window_start") or source.sets("window_end"):
            continue
        release = releases()[source.catalog_id]
        key = release.same_records_as or release.id
        if key in first:
            other = first[key]
            refused[source.name] = (f"source {source.name}: release {release.id} holds the same records as release "
                                    f"{other.catalog_id} of source {other.name}: hold one of them, or give each its own "
                                    "window_start and window_end")
        else:
            first[key] = source
    return refused


def recognize_all(sources: tuple[Source, ...], fetched: dict[str, str], previous: dict[str, str]
                  ) -> tuple[dict[str, Source], list[str], dict[str, str]]:
    """Each source as its file's bytes show it: by the sha256 fetched this run, else by the one
    its last fetch saw. Returns the sources by name, the lines to tell the user of those fetched,
    and the fetched sources refused (by name, with why): a file that cannot be read as it stands
    (no layout and no known release; a release named with other bytes), or one holding the same
    release as a source before it."""
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
        if note and source.name in fetched:
            notes.append(note)
    candidates = [resolved[s.name] for s in sources if s.name in fetched and s.name not in refused]
    return resolved, notes, refused | held_twice(candidates)


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
