"""The landing zone: every fetched file, named by its sha256, written once and never edited.
The warehouse can be rebuilt from these files.

The zone is its owner's alone (directory 0700, files 0600): a source may hold what others on
the machine should not read, and a manifest entry may point at a file only its owner can.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from detainers.errors import FetchError
from detainers.extract.redact import redact_url
from detainers.paths import PARTIAL_PREFIX
from detainers.schemas.reference import failure

DIRECTORY_MODE, FILE_MODE = 0o700, 0o600


def prepare_landing(landing: Path) -> None:
    """Create the landing zone, or make one an older version created readable by others private."""
    landing.mkdir(parents=True, exist_ok=True)
    os.chmod(landing, DIRECTORY_MODE)


def partial_path(landing: Path) -> Path:
    """Where a file is written until it is whole; the next lock holder removes leftovers."""
    return landing / f"{PARTIAL_PREFIX}{uuid.uuid4().hex}"


def create_private(path: Path) -> BinaryIO:
    """A new file (never an existing one) that only its owner can read, whatever the umask."""
    return open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb")


def landed_path(landing: Path, sha256: str) -> Path | None:
    for candidate in landing.glob(f"{sha256}*"):
        return candidate
    return None


# A file's kind from its first bytes, whatever its name says: (magic, kind). Anything else is text.
MAGIC = ((b"PK\x03\x04", "xlsx"), (b"\xd0\xcf\x11\xe0", "ole"), (b"PAR1", "parquet"))


def file_kind(head: bytes) -> str:
    """xlsx, ole (a legacy .xls, or an encrypted xlsx), parquet, or csv (any text)."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), "csv")


def check_kind(name: str, shown: str, path: Path, formats: tuple[str, ...]) -> None:
    """An HTML page or an empty body where a data file was expected is an error, not data; so
    is a file of a kind its layout is not published as."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    kind = file_kind(head)
    problem = None
    if not head:
        path.unlink(missing_ok=True)
        raise FetchError(failure("empty_file", source=name, file=shown))
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().lower().startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        problem = "is an HTML page (an error or login page?), not a data file"
    elif kind == "xlsx" and "xlsx" not in formats:
        problem = f"is an xlsx workbook, but the layout is published as {', '.join(formats)}"
    elif kind == "parquet" and "parquet" not in formats:
        problem = f"is a Parquet file, but the layout is published as {', '.join(formats)}"
    elif kind == "csv" and "csv" not in formats:
        problem = f"is not {' or '.join(f for f in formats)} (it reads as text), which the layout expects"
    if problem:
        path.unlink(missing_ok=True)
        raise FetchError(f"source {name}: {shown} {problem}")


def published_name(url: str, landed: Path) -> str:
    """The file as its publisher named it (the last part of its URL or path, redacted like the
    URL); the landing name is only a sha256, which tells a reader of an error nothing."""
    return Path(urlsplit(redact_url(url)).path).name or landed.name
