"""Extract: fetch a source (http(s) URL or local path) into the landing zone.

A landed file is written once, named by its sha256, and never edited. Transient faults
(timeouts, dropped connections, 5xx, a body cut short) are retried with backoff; a 4xx is
final at once. What arrives is checked for being the kind of file the layout expects.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from detainers import progress
from detainers.errors import FetchError
from detainers.extract.landing import CHUNK, check_kind, landed_path, partial_path, sha256_of
from detainers.extract.redact import redact_url

MAX_BYTES = 4 << 30  # the default size cap (manifest: max_bytes): no release so far is a tenth of this
RETRY_STATUS = {408, 429, 500, 502, 503, 504}


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
class RetryPolicy:
    attempts: int = 4
    backoff_seconds: float = 0.5  # doubled after each failed attempt
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_bytes: int = MAX_BYTES


def fetch(
    source_name: str,
    url: str,
    landing: Path,
    expected_formats: tuple[str, ...],
    previous: PreviousFetch | None = None,
    policy: RetryPolicy = RetryPolicy(),
    session: requests.Session | None = None,
) -> Landed:
    """Land the source's current file; reuse the landed copy when nothing has changed."""
    landing.mkdir(parents=True, exist_ok=True)
    if urlsplit(url).scheme in ("http", "https"):
        return _fetch_http(source_name, url, landing, expected_formats, previous, policy, session or requests.Session())
    return _fetch_local(source_name, Path(url), landing, expected_formats, previous, policy)


def check_pinned(source_name: str, landed: Landed, pinned: str | None) -> None:
    """A manifest entry may pin its file's sha256: any other content is an error, not data."""
    if pinned and landed.sha256 != pinned:
        raise FetchError(f"source {source_name}: the file's sha256 is {landed.sha256}, "
                         f"but the manifest pins {pinned}; nothing of it was loaded")


def _fetch_local(name, path: Path, landing, formats, previous, policy) -> Landed:
    if not path.is_file():
        raise FetchError(f"source {name}: no file at {path}")
    size = path.stat().st_size
    if size > policy.max_bytes:
        raise FetchError(f"source {name}: {path} is {size:,} bytes, over the cap of {policy.max_bytes:,}")
    digest = sha256_of(path)
    target = landing / f"{digest}{path.suffix.lower()}"
    status = "unchanged" if previous and previous.sha256 == digest else "fetched"
    if not target.exists():
        partial = partial_path(landing)
        shutil.copyfile(path, partial)
        check_kind(name, str(path), partial, formats)
        os.replace(partial, target)
    else:
        check_kind(name, str(path), target, formats)
    progress.advance_bytes(name, size, size)
    return Landed(name, target, digest, size, status)


def _fetch_http(name, url, landing, formats, previous, policy, session) -> Landed:
    shown = redact_url(url)
    headers = {}
    previous_path = landed_path(landing, previous.sha256) if previous else None
    if previous and previous_path:
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    last_error = ""
    for attempt in range(policy.attempts):
        if attempt:
            time.sleep(policy.backoff_seconds * 2 ** (attempt - 1))
        try:
            response = session.get(url, headers=headers, stream=True, timeout=(policy.connect_timeout, policy.read_timeout))
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
                partial, digest, size = _stream_to_partial(response, landing, policy.max_bytes, name, shown)
            except _Transient as exc:
                last_error = str(exc)
                continue
        check_kind(name, shown, partial, formats)
        target = landing / f"{digest}{_suffix(response, url)}"
        os.replace(partial, target)
        status = "unchanged" if previous and previous.sha256 == digest else "fetched"
        return Landed(name, target, digest, size, status, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    raise FetchError(f"source {name}: gave up on {shown} after {policy.attempts} attempts (last: {last_error})")


class _Transient(Exception):
    pass


def _stream_to_partial(response, landing: Path, max_bytes: int, name: str, shown: str) -> tuple[Path, str, int]:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"source {name}: {shown} is {int(declared):,} bytes, over the cap of {max_bytes:,}")
    partial = partial_path(landing)
    digest, size = hashlib.sha256(), 0
    try:
        with open(partial, "wb") as out:
            expected = int(declared) if declared and declared.isdigit() else None
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"source {name}: {shown} is over the cap of {max_bytes:,} bytes")
                digest.update(chunk)
                out.write(chunk)
                progress.advance_bytes(name, len(chunk), expected)
        if declared and declared.isdigit() and size < int(declared) and not response.headers.get("Content-Encoding"):
            raise _Transient(f"body cut short: {size:,} of {int(declared):,} bytes")
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as exc:
        partial.unlink(missing_ok=True)
        raise _Transient(f"{type(exc).__name__} while reading the body") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial, digest.hexdigest(), size


def _suffix(response, url: str) -> str:
    """A safe suffix (.xlsx or .csv) only: names from a server never choose the path."""
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if suffix in (".xlsx", ".csv") else ""
