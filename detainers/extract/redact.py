"""URLs as they may be shown: in a message, a log (urllib3's too), the warehouse, Prefect.

One rule, no guess at what looks secret: a URL is shown as its scheme, host (and port) and
file name, `https://host/…/extract.csv`, unless the manifest marks its source's URL public
(`url_public = true`). User info, the folders of its path, path parameters and the query
string may each carry a token, and a heuristic would one day miss one; the full URL lives only
in the manifest. The file name is the last segment of the path when it ends like a data file
(DATA_SUFFIXES): `https://host/download/<token>` shows as `https://host/…`.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

CUT = "…"
DATA_SUFFIXES = (".csv", ".xlsx", ".xls", ".zip", ".parquet", ".txt", ".tsv")


def redact_url(url: str, public: bool = False) -> str:
    """The URL as it may be shown: scheme, host and file name (all of it when `public`; a
    local path as it is)."""
    parts = urlsplit(url)
    if public or parts.scheme not in ("http", "https"):
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, redact_path(parts.path), "", ""))


def redact_path(path: str) -> str:
    """A URL's path as shown: `/name.csv`, `/…/name.csv`, `/…` (no file name), or `/`."""
    *folders, last = path.split("/")
    name = last.split(";", 1)[0]  # path parameters (`;jsessionid=...`) are not the name
    if not name.lower().endswith(DATA_SUFFIXES):
        return f"/{CUT}" if path.strip("/") else "/"
    return f"/{CUT}/{name}" if any(folders[1:]) else f"/{name}"


def redact_target(target: str) -> str:
    """A request target (path and query, as urllib3 logs it) shown like a URL's path."""
    return redact_path(target.partition("?")[0])


class _RedactTargets(logging.Filter):
    """urllib3 logs each request's path and query at DEBUG: show them like any URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_target(a) if isinstance(a, str) and a.startswith("/") else a for a in record.args)
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactTargets())
