"""Extract: fetch a source (http(s) URL or local path) into the landing zone.

A landed file is written once, named by the sha256 of the very bytes written (never of a
path opened again), and never edited. Transient faults (timeouts, dropped connections, 408,
429, 5xx) are retried by urllib3's `Retry` through requests' adapter, waiting what a
Retry-After asks (else a backoff); a body cut short is resumed where it stopped (HTTP Range,
If-Range) rather than started again. A 4xx is final at once, and so is a download over its
size cap, past its deadline or under its minimum rate (meter.py). A file that must be a known
release (the entry names one) is hashed as it lands and refused at once if its bytes are
other. What arrives is checked for being the kind of file the layout expects.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from detainers import stop
from detainers.errors import FetchError
from detainers.extract.landing import check_kind, landed_path, prepare_landing
from detainers.extract.link import land_shared
from detainers.extract.local import open_local
from detainers.extract.meter import Limits, Meter, deadline_passed
from detainers.extract.redact import redact_url
from detainers.schemas.reference import failure
from detainers.extract.transfer import CHUNK, Download, land_copy, metered, read_chunks, sha256_of

# requests and urllib3 are imported by a fetch over HTTP only: a local file's run never pays for them.
__all__ = ["Expected", "Landed", "PreviousFetch", "RetryPolicy", "check_pinned", "fetch", "redact_url"]
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
class Expected:
    """The bytes a fetched file must be: a known release's (the manifest entry names it)."""

    release: str  # its id
    sha256: str
    bytes: int


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
    public: bool = False,
    expected: Expected | None = None,
) -> Landed:
    """Land the source's current file; reuse the landed copy when nothing has changed. With
    `expected`, a file of other bytes fails, naming its sha256 and the release's."""
    prepare_landing(landing)
    deadline = time.monotonic() + policy.max_seconds
    if urlsplit(url).scheme in ("http", "https"):
        return _fetch_http(source_name, url, landing, expected_formats, previous, policy, deadline, redact_url(url, public),
                           expected)
    landed = _fetch_local(source_name, url, landing, expected_formats, previous, policy, deadline, expected)
    _check_expected(source_name, url, landed.sha256, expected)
    return landed


def check_pinned(source_name: str, landed: Landed, pinned: str | None) -> None:
    """A manifest entry may pin its file's sha256: any other content is an error, not data."""
    if pinned and landed.sha256 != pinned:
        raise FetchError(f"source {source_name}: the file's sha256 is {landed.sha256}, "
                         f"but the manifest pins {pinned}; nothing of it was loaded")


def _fetch_local(name, path: str, landing, formats, previous, policy, deadline, expected: Expected | None = None) -> Landed:
    known = landed_path(landing, previous.sha256) if previous else None
    with open_local(name, path) as (source, claimed):
        if claimed > policy.max_bytes:  # refused at once; a file claiming less is counted as it is read
            raise FetchError(f"source {name}: {path} is {claimed:,} bytes, over the cap of {policy.max_bytes:,}")
        if known:  # the usual nightly case, the same file as last time: hash it, copy nothing
            # unreported: a run that finds nothing changed prints no download (a changed file's
            # bytes are shown as it lands)
            meter = Meter(name, path, policy, deadline, claimed or None, report=False)
            if sha256_of(metered(read_chunks(source), meter)) == previous.sha256:
                check_kind(name, path, known, formats)
                return Landed(name, known, previous.sha256, meter.size, "unchanged")
            source.seek(0)  # it changed: land it, and name it by its own hash
            _drop_if_linked(known, source)
        meter = Meter(name, path, policy, deadline, claimed or None)
        shared = land_shared(source, landing, meter)  # no second copy where the file system allows
        if shared is None:
            meter = Meter(name, path, policy, deadline, claimed or None)
            partial, digest = land_copy(source, landing, meter)
        else:
            partial, digest, _ = shared
    _check_expected(name, path, digest, expected, partial)
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


def _fetch_http(name, url, landing, formats, previous, policy, deadline, shown: str, expected: Expected | None) -> Landed:
    """Connecting and answers worth retrying are urllib3's `Retry` (_Retry: it honours
    Retry-After); a body cut short is resumed where it stopped (HTTP Range), within the same
    number of attempts."""
    headers = {}
    previous_path = landed_path(landing, previous.sha256) if previous else None
    if previous_path:
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    left, last_error = policy.attempts, ""
    download: Download | None = None
    meter = validator = None
    try:
        while left > 0:
            asked = headers if download is None else _resume_headers(download, validator, expected)
            response, used = _get(name, url, shown, asked, policy, deadline, left)
            left -= used
            with response:
                if response.status_code == 304 and previous_path and download is None:
                    landed = Landed(name, previous_path, previous.sha256, previous_path.stat().st_size, "not_modified",
                                    previous.etag, previous.last_modified)
                    _check_expected(name, shown, landed.sha256, expected)
                    return landed
                if response.status_code in RETRY_STATUS:  # what urllib3 retried until the attempts ran out
                    raise FetchError(f"source {name}: gave up on {shown} after {policy.attempts} attempts "
                                     f"(last: HTTP {response.status_code})")
                if response.status_code >= 400 and response.status_code != 416:
                    raise FetchError(f"source {name}: HTTP {response.status_code} {response.reason} fetching {shown}")
                if download is None:
                    download = Download(landing)
                total = _total(response, expected, name, shown, policy)
                if download.size and _resumed_at(response) != download.size:  # a whole body (or another part): start again
                    meter.rewind(download.size)
                    download.restart()
                if not download.size:
                    validator = _validator(response)
                    meter = meter or Meter(name, shown, policy, deadline, total)
                    meter.expected = total
                if response.status_code == 416:
                    last_error = "the server could not resume the download"
                    continue
                try:
                    _stream(response, download, meter, name, shown)
                except _Transient as exc:
                    last_error = str(exc)
                    continue
            digest = download.finish()
            _check_expected(name, shown, digest, expected, download.partial)
            return _place(name, shown, download.partial, digest, download.size, landing / f"{digest}{_suffix(url)}", formats,
                          previous, response.headers.get("ETag"), response.headers.get("Last-Modified"))
        raise FetchError(f"source {name}: gave up on {shown} after {policy.attempts} attempts (last: {last_error})")
    except BaseException:
        if download is not None:
            download.discard()
        raise


class _Transient(Exception):
    pass


class _PastDeadline(Exception):
    def __init__(self, wait: float) -> None:
        self.wait = wait


def pause(seconds: float) -> None:
    """Wait between two attempts, ending at once when a stop is asked (Ctrl-C, SIGTERM)."""
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        stop.check()
        time.sleep(min(left, 0.25))
    stop.check()


def _retry_class():
    from urllib3.exceptions import InvalidHeader
    from urllib3.util.retry import Retry

    class _Retry(Retry):
        """urllib3's Retry, waiting what the server's Retry-After asks (else its backoff) through
        `pause`, and never past the fetch's deadline."""

        deadline = float("inf")

        def new(self, **kwargs):
            retry = super().new(**kwargs)
            retry.deadline = self.deadline
            return retry

        def get_retry_after(self, response):
            try:
                return super().get_retry_after(response)
            except InvalidHeader:  # a Retry-After that is neither seconds nor a date: the backoff instead
                return None

        def sleep(self, response=None) -> None:
            wait = self.get_retry_after(response) if response is not None and self.respect_retry_after_header else None
            wait = self.get_backoff_time() if wait is None else wait
            if time.monotonic() + wait > self.deadline:
                raise _PastDeadline(wait)
            if wait > 0:
                pause(wait)

    return _Retry


def _get(name: str, url: str, shown: str, headers: dict, policy: RetryPolicy, deadline: float, attempts: int):
    """One request, retried by urllib3 within `attempts`: (the response, the attempts it took)."""
    import requests
    from requests.adapters import HTTPAdapter

    left = deadline - time.monotonic()
    if left <= 0:
        raise deadline_passed(name, shown, policy)
    retry = _retry_class()(total=attempts - 1, status_forcelist=sorted(RETRY_STATUS), backoff_factor=policy.backoff_seconds,
                           backoff_max=max(policy.backoff_seconds * 8, 0), raise_on_status=False,
                           respect_retry_after_header=True, retry_after_max=sys.maxsize)
    retry.deadline = deadline
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        response = session.get(url, headers=headers, stream=True,
                               timeout=(min(policy.connect_timeout, left), min(policy.read_timeout, left)))
    except _PastDeadline as exc:
        raise FetchError(f"source {name}: {shown} did not finish within {policy.max_seconds:g} s "
                         f"(the server asked to wait {exc.wait:g} s more)") from None
    except requests.TooManyRedirects:
        raise FetchError(f"source {name}: too many redirects fetching {shown}") from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise FetchError(f"source {name}: gave up on {shown} after {policy.attempts} attempts (last: {_fault(exc)})") from None
    except requests.RequestException as exc:  # e.g. a redirect to a scheme other than http(s)
        # requests' own message repeats the URL with its secrets: name only the kind of fault
        raise FetchError(f"source {name}: cannot fetch {shown} ({type(exc).__name__})") from None
    finally:
        session.close()  # the response keeps its own connection until it is read
    history = getattr(getattr(response.raw, "retries", None), "history", ())
    return response, 1 + len(history)


def _fault(exc: Exception) -> str:
    """The kind of fault that ended the last attempt, as requests names it (its text holds the URL)."""
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, ReadTimeoutError

    reason = exc.args[0].reason if exc.args and isinstance(exc.args[0], MaxRetryError) else None
    if isinstance(reason, ReadTimeoutError):
        return "ReadTimeout"
    if isinstance(reason, ConnectTimeoutError):
        return "ConnectTimeout"
    return type(exc).__name__


def _resume_headers(download: Download, validator: str | None, expected: Expected | None) -> dict:
    """Ask for the rest of the file, if the same file can be told from another: by its ETag or
    Last-Modified (If-Range: a changed file comes whole), or by the sha256 it must have."""
    if download.size and (validator or expected):
        return {"Range": f"bytes={download.size}-", **({"If-Range": validator} if validator else {}),
                "Accept-Encoding": "identity"}
    return {}


def _validator(response) -> str | None:
    """What identifies this version of the file for a resumed request; none for an encoded body
    (a range of gzip is not a range of the file)."""
    if response.headers.get("Content-Encoding", "identity") != "identity":
        return None
    etag = response.headers.get("ETag")
    return etag if etag and not etag.startswith("W/") else response.headers.get("Last-Modified")


def _resumed_at(response) -> int:
    """Where the body starts in the file: a 206's Content-Range, else 0 (the whole file)."""
    if response.status_code != 206:
        return 0
    match = re.match(r"bytes (\d+)-\d+/(\d+|\*)", response.headers.get("Content-Range", ""))
    return int(match.group(1)) if match else -1


def _total(response, expected: Expected | None, name: str, shown: str, limits: Limits) -> int | None:
    """The whole file's size, as the answer declares it (or the catalog knows it); over the cap: refused."""
    declared = None
    if response.status_code == 206:
        match = re.match(r"bytes \d+-\d+/(\d+)", response.headers.get("Content-Range", ""))
        declared = int(match.group(1)) if match else None
    elif not response.headers.get("Content-Encoding"):
        length = response.headers.get("Content-Length")
        declared = int(length) if length and length.isdigit() else None
    if declared is not None and declared > limits.max_bytes:
        raise FetchError(f"source {name}: {shown} is {declared:,} bytes, over the cap of {limits.max_bytes:,}")
    return expected.bytes if expected else declared


def _stream(response, download: Download, meter: Meter, name: str, shown: str) -> None:
    """The body onto the download, counted on the meter; a body cut short is a _Transient."""
    import requests

    start = download.size
    length = response.headers.get("Content-Length")
    length = int(length) if length and length.isdigit() and not response.headers.get("Content-Encoding") else None
    try:
        download.write(metered(_body(response), meter))
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as exc:
        raise _Transient(f"{type(exc).__name__} while reading the body") from None
    except requests.exceptions.ContentDecodingError:  # the server's fault, every time: not retried
        raise FetchError(failure("gzip_not_gzip", source=name, url=shown,
                                 encoding=response.headers.get("Content-Encoding", "gzip"))) from None
    if length is not None and download.size - start < length:
        raise _Transient(f"body cut short: {download.size:,} of {start + length:,} bytes")


def _check_expected(name: str, shown: str, digest: str, expected: Expected | None, partial: Path | None = None) -> None:
    """The bytes must be the release's the entry names: anything else fails, naming both hashes."""
    if expected is None or digest == expected.sha256:
        return
    if partial is not None:
        partial.unlink(missing_ok=True)
    raise FetchError(failure("release_other_bytes", source=name, file=shown, sha256=digest, release=expected.release,
                             expected=expected.sha256))


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
