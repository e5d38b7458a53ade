"""URLs as they may be shown: in a message, a log (urllib3's too), the warehouse, Prefect.

A URL can carry a secret in its user info, its query string, a path parameter
(`;jsessionid=...`) or a path segment that is itself a token (`/t0kenAbCdEf0123456789/f.csv`).
What is kept is what a reader recognises a file by: scheme, host, port, the words and dates
of its path, and its file name.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

CUT = "…"
DATA_SUFFIXES = (".csv", ".xlsx", ".xls", ".zip")  # a last segment ending so is a file's name: kept
# A segment looks like a secret when it holds a run of 16+ letters and digits (both) with no
# separator, as random tokens and digests do and words, dates and release names do not; or a UUID.
SECRET_LOOKING = (
    re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16,}"),
    re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"),
)


def redact_url(url: str) -> str:
    """The URL without user info, query string, path parameters or secret-looking segments."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, redact_path(parts.path), CUT if parts.query else "", ""))


def redact_path(path: str) -> str:
    """A URL's path with path parameters cut to `;…` and secret-looking segments to `…`."""
    segments = path.split("/")
    shown = []
    for number, segment in enumerate(segments, start=1):
        name, params = segment.split(";", 1) if ";" in segment else (segment, None)
        is_file_name = number == len(segments) and name.lower().endswith(DATA_SUFFIXES)
        if not is_file_name and any(pattern.search(name) for pattern in SECRET_LOOKING):
            name = CUT
        shown.append(name if params is None else f"{name};{CUT}")
    return "/".join(shown)


def redact_target(target: str) -> str:
    """A request target (path and query, as urllib3 logs it) redacted like a URL's."""
    path, has_query, _ = target.partition("?")
    return redact_path(path) + (f"?{CUT}" if has_query else "")


class _RedactTargets(logging.Filter):
    """urllib3 logs each request's path and query at DEBUG: redact them like any URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_target(a) if isinstance(a, str) and a.startswith("/") else a for a in record.args)
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactTargets())
