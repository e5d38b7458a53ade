"""Extract: fetch a source (http(s) URL or local path) into the landing zone.

A landed file is written once, named by the sha256 of the very bytes written (never of a
path opened again), and never edited. Transient faults (timeouts, dropped connections, 5xx,
a body cut short) are retried with backoff; a 4xx is final at once, and so is a download
over its size cap, past its deadline or under its minimum rate (meter.py). What arrives is
checked for being the kind of file the layout expects.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from detainers.errors import FetchError
from detainers.extract.landing import check_kind, landed_path, prepare_landing
from detainers.extract.link import land_shared
from detainers.extract.local import open_local
from detainers.extract.meter import Limits, Meter, deadline_passed
from detainers.extract.redact import redact_url
from schemas.reference import failure
from detainers.extract.transfer import CHUNK, land_chunks, land_copy, metered, read_chunks, sha256_of

__all__ = ["Landed", "PreviousFetch", "RetryPolicy", "check_pinned", "fetch", "redact_url"]
RETRY_STATUS = {408, 429, 500, 502, 503, 504}

if TYPE_CHECKING:  # requests is imported by a fetch over HTTP only: a local file's run never pays for it
    import requests


@dataclass(frozen=True)
class Landed:
    """A source's file in the landing zone, and how it got there."""

    source: str
    path: Path
    sha256: str
    size: int
    status: str  # "fetched", "not_modified" (HTTP 304) or "unchanged" (same content as before)
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class PreviousFetch:
    """What the last successful fetch of a source saw, for conditional requests."""

    sha256: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class RetryPolicy(Limits):
    """How a fetch retries, within its limits (size cap, deadline, minimum rate)."""

    attempts: int = 4
    backoff_seconds: float = 0.5  # doubled after each failed attempt
    connect_timeout: float = 10.0
    read_timeout: float = 60.0


def fetch(
    source_name: str,
    url: str,
    landing: Path,
    expected_formats: tuple[str, ...],
    previous: PreviousFetch | None = None,
    policy: RetryPolicy = RetryPolicy(),
    session: requests.Session | None = None,
    public: bool = False,
) -> Landed:
    """Land the source's current file; reuse the landed copy when nothing has changed."""
    prepare_landing(landing)
    deadline = time.monotonic() + policy.max_seconds
    if urlsplit(url).scheme in ("http", "https"):
        import requests

        return _fetch_http(source_name, url, landing, expected_formats, previous, policy, deadline,
                           session or requests.Session(), redact_url(url, public))
    return _fetch_local(source_name, url, landing, expected_formats, previous, policy, deadline)


def check_pinned(source_name: str, landed: Landed, pinned: str | None) -> None:
    """A manifest entry may pin its file's sha256: any other content is an error, not data."""
    if pinned and landed.sha256 != pinned:
        raise FetchError(f"source {source_name}: the file's sha256 is {landed.sha256}, "
                         f"but the manifest pins {pinned}; nothing of it was loaded")


def _fetch_local(name, path: str, landing, formats, previous, policy, deadline) -> Landed:
    known = landed_path(landing, previous.sha256) if previous else None
    with open_local(name, path) as (source, claimed):
        if claimed > policy.max_bytes:  # refused at once; a file claiming less is counted as it is read
            raise FetchError(f"source {name}: {path} is {claimed:,} bytes, over the cap of {policy.max_bytes:,}")
        if known:  # the usual nightly case, the same file as last time: hash it, copy nothing
            meter = Meter(name, path, policy, deadline, claimed or None)
            if sha256_of(metered(read_chunks(source), meter)) == previous.sha256:
                check_kind(name, path, known, formats)
                return Landed(name, known, previous.sha256, meter.size, "unchanged")
            source.seek(0)  # it changed: land it, and name it by its own hash
            _drop_if_linked(known, source)
        meter = Meter(name, path, policy, deadline, claimed or None, report=not known)
        shared = land_shared(source, landing, meter)  # no second copy where the file system allows
        if shared is None:
            meter = Meter(name, path, policy, deadline, claimed or None, report=not known)
            partial, digest = land_copy(source, landing, meter)
        else:
            partial, digest, _ = shared
    target = landing / f"{digest}{_suffix(path)}"
    if shared is not None and target.exists() and os.path.samefile(partial, target):
        partial.unlink()  # the same file landed before under its name: a rename onto it would do nothing
        partial = target
    return _place(name, path, partial, digest, meter.size, target, formats, previous)


def _drop_if_linked(landed: Path, source) -> None:
    """A landed file that is the source itself (a hard link) and whose source was edited in
    place holds other bytes than its name says: it is no record of anything, and goes."""
    try:
        mine, theirs = landed.stat(), os.fstat(source.fileno())
    except OSError:
        return
    if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino):
        landed.unlink(missing_ok=True)


def _place(name, shown, partial: Path, digest: str, size: int, target: Path, formats, previous,
           etag: str | None = None, last_modified: str | None = None) -> Landed:
    """Check what landed is the kind of file expected, then give it its sha256 name."""
    check_kind(name, shown, partial, formats)
    os.replace(partial, target)
    status = "unchanged" if previous and previous.sha256 == digest else "fetched"
    return Landed(name, target, digest, size, status, etag, last_modified)


def _fetch_http(name, url, landing, formats, previous, policy, deadline, session, shown: str) -> Landed:
    import requests

    headers = {}
    previous_path = landed_path(landing, previous.sha256) if previous else None
    if previous_path:
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    last_error = ""
    for attempt in range(policy.attempts):
        if attempt:
            time.sleep(min(policy.backoff_seconds * 2 ** (attempt - 1), max(deadline - time.monotonic(), 0)))
        left = deadline - time.monotonic()
        if left <= 0:
            raise deadline_passed(name, shown, policy)
        try:
            response = session.get(url, headers=headers, stream=True,
                                   timeout=(min(policy.connect_timeout, left), min(policy.read_timeout, left)))
        except requests.TooManyRedirects:
            raise FetchError(f"source {name}: too many redirects fetching {shown}") from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            last_error = f"{type(exc).__name__}"
            continue
        except requests.RequestException as exc:  # e.g. a redirect to a scheme other than http(s)
            # requests' own message repeats the URL with its secrets: name only the kind of fault
            raise FetchError(f"source {name}: cannot fetch {shown} ({type(exc).__name__})") from None
        with response:
            if response.status_code == 304 and previous_path:
                return Landed(name, previous_path, previous.sha256, previous_path.stat().st_size, "not_modified",
                              previous.etag, previous.last_modified)
            if response.status_code in RETRY_STATUS:
                last_error = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise FetchError(f"source {name}: HTTP {response.status_code} {response.reason} fetching {shown}")
            try:
                partial, digest, size = _stream_to_partial(response, landing, policy, deadline, name, shown)
            except _Transient as exc:
                last_error = str(exc)
                continue
        return _place(name, shown, partial, digest, size, landing / f"{digest}{_suffix(url)}", formats, previous,
                      response.headers.get("ETag"), response.headers.get("Last-Modified"))
    raise FetchError(f"source {name}: gave up on {shown} after {policy.attempts} attempts (last: {last_error})")


class _Transient(Exception):
    pass


def _stream_to_partial(response, landing: Path, limits: Limits, deadline: float, name: str, shown: str) -> tuple[Path, str, int]:
    import requests

    declared = response.headers.get("Content-Length")
    declared = int(declared) if declared and declared.isdigit() else None
    if declared is not None and declared > limits.max_bytes:
        raise FetchError(f"source {name}: {shown} is {declared:,} bytes, over the cap of {limits.max_bytes:,}")
    meter = Meter(name, shown, limits, deadline, declared)
    try:
        partial, digest = land_chunks(metered(_body(response), meter), landing)
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as exc:
        raise _Transient(f"{type(exc).__name__} while reading the body") from None
    except requests.exceptions.ContentDecodingError:  # the server's fault, every time: not retried
        raise FetchError(failure("gzip_not_gzip", source=name, url=shown,
                                 encoding=response.headers.get("Content-Encoding", "gzip"))) from None
    if declared is not None and meter.size < declared and not response.headers.get("Content-Encoding"):
        partial.unlink()
        raise _Transient(f"body cut short: {meter.size:,} of {declared:,} bytes")
    return partial, digest, meter.size


def _body(response) -> Iterator[bytes]:
    """The body as it arrives: read1 returns what the connection has (up to CHUNK) at once, so
    the meter sees a trickle byte by byte; iter_content would wait for a whole CHUNK. urllib3's
    errors become the ones requests' iter_content raises, so a fault reads the same either way."""
    import requests
    from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError

    try:
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            yield chunk
    except ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    except DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from None
    except ReadTimeoutError as exc:
        raise requests.ConnectionError(exc) from None
    except SSLError as exc:
        raise requests.exceptions.SSLError(exc) from None


def _suffix(url: str) -> str:
    """A safe suffix (.xlsx, .csv or .parquet) only: names from a server, a URL or a manifest
    never choose the path, nor make a landed file look like something else."""
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if suffix in (".xlsx", ".csv", ".parquet") else ""
