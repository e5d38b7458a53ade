"""Bytes into the landing zone: a source's bytes become a .partial-* file and its sha256, the
hash always of exactly the bytes in that file (never of a path opened again), every byte
counted on the download's meter as it is read.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from detainers.extract.landing import create_private, partial_path
from detainers.extract.meter import Meter

CHUNK = 1 << 20
# Where the kernel cannot copy file to file (another platform, an odd file system): copy in Python.
NO_KERNEL_COPY = {errno.EINVAL, errno.ENOSYS, errno.ENOTSOCK, errno.EOPNOTSUPP}


def read_chunks(source: BinaryIO) -> Iterator[memoryview]:
    """The file in CHUNK pieces, read into one buffer: each piece is used before the next is
    read, and a fresh 1 MiB object per read would cost a page fault every 4 KiB."""
    buffer = memoryview(bytearray(CHUNK))
    while n := source.readinto(buffer):
        yield buffer[:n]


def metered(chunks: Iterable[bytes | memoryview], meter: Meter) -> Iterator[bytes | memoryview]:
    for chunk in chunks:
        meter.add(len(chunk))
        yield chunk


def sha256_of(chunks: Iterable[bytes | memoryview]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def land_chunks(chunks: Iterable[bytes | memoryview], landing: Path) -> tuple[Path, str]:
    """Write the chunks (a download) to a new .partial-* file, hashing exactly the bytes
    written: (the partial file, its sha256). Any failure removes it."""
    partial = partial_path(landing)
    digest = hashlib.sha256()
    try:
        with create_private(partial) as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial, digest.hexdigest()


def land_copy(source: BinaryIO, landing: Path, meter: Meter) -> tuple[Path, str]:
    """Copy an open local file to a new .partial-* file, then hash that file: the source is
    read once, and the sha256 is of exactly the bytes that land. The kernel copies (no byte
    passes through Python), which keeps a 1.2 GB file as fast as a plain copy; reading the
    copy back to hash it comes from the page cache."""
    partial = partial_path(landing)
    try:
        with create_private(partial) as out:
            _copy(source, out, meter)
        with open(partial, "rb", buffering=0) as written:
            return partial, sha256_of(read_chunks(written))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _copy(source: BinaryIO, out: BinaryIO, meter: Meter) -> None:
    while True:
        try:
            n = os.sendfile(out.fileno(), source.fileno(), None, CHUNK)  # from the source's current offset
        except OSError as exc:
            if exc.errno not in NO_KERNEL_COPY:
                raise
            for chunk in metered(read_chunks(source), meter):
                out.write(chunk)
            return
        if not n:
            return
        meter.add(n)
