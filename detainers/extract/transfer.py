"""Bytes into the landing zone: a source's bytes become a .partial-* file and its sha256, the
hash always of exactly the bytes in that file (never of a path opened again), every byte
counted on the download's meter as it is read.
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from detainers.extract.landing import create_private, partial_path
from detainers.extract.meter import Meter

CHUNK = 1 << 20
# Kernel copies in pieces of 8 MiB (1 MiB pieces took 0.8 s for 1.2 GB here, 8 MiB 0.3 s); each
# piece is counted on the meter, so a stop or a cap still takes effect within one piece.
COPY_CHUNK = 8 << 20
HASH_CHUNK = 4 << 20
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


class Download:
    """A download landing in a new .partial-* file, hashed as it is written (exactly the bytes
    written), that a cut connection can resume: the bytes so far stay, and the rest is appended."""

    def __init__(self, landing: Path) -> None:
        self.partial = partial_path(landing)
        self._out = create_private(self.partial)
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, chunks: Iterable[bytes | memoryview]) -> None:
        for chunk in chunks:
            self._out.write(chunk)
            self._digest.update(chunk)
            self.size += len(chunk)

    def restart(self) -> None:
        """From the first byte again (the server sent the whole file, or another version)."""
        self._out.seek(0)
        self._out.truncate()
        self._digest, self.size = hashlib.sha256(), 0

    def finish(self) -> str:
        """The file is whole: close it, and its sha256."""
        self._out.close()
        return self._digest.hexdigest()

    def discard(self) -> None:
        self._out.close()
        self.partial.unlink(missing_ok=True)


def land_copy(source: BinaryIO, landing: Path, meter: Meter) -> tuple[Path, str]:
    """Copy an open local file to a new .partial-* file and hash that file: the source is read
    once, and the sha256 is of exactly the bytes that land. The kernel copies (no byte passes
    through Python) while a thread hashes the copy just behind it, from the page cache: the
    fetch takes as long as the slower of the two (hashing, about 1.3 GB/s), not their sum."""
    partial = partial_path(landing)
    try:
        with create_private(partial) as out, open(partial, "rb", buffering=0) as written:
            follower = _Follower(written)
            hashing = threading.Thread(target=follower.run, name="hash-landing", daemon=True)
            hashing.start()
            try:
                _copy(source, out, meter, follower.advance)
            finally:
                follower.finish()
                hashing.join()
            return partial, follower.result()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class _Follower:
    """Hashes a file as it is written, never past the bytes the writer says are in it."""

    def __init__(self, written: BinaryIO) -> None:
        self._file, self._digest = written, hashlib.sha256()
        self._ready, self._done, self._error = 0, False, None
        self._changed = threading.Condition()

    def advance(self, size: int) -> None:
        with self._changed:
            self._ready = size
            self._changed.notify()

    def finish(self) -> None:
        with self._changed:
            self._done = True
            self._changed.notify()

    def run(self) -> None:
        buffer, hashed = memoryview(bytearray(HASH_CHUNK)), 0
        try:
            while True:
                with self._changed:
                    while self._ready == hashed and not self._done:
                        self._changed.wait()
                    ready, done = self._ready, self._done
                while hashed < ready:
                    n = self._file.readinto(buffer[:min(HASH_CHUNK, ready - hashed)])
                    if not n:
                        raise OSError(f"{self._file.name}: shorter than the bytes written to it")
                    self._digest.update(buffer[:n])
                    hashed += n
                if done and hashed == self._ready:
                    return
        except BaseException as exc:  # handed to the copying thread by result()
            self._error = exc

    def result(self) -> str:
        if self._error is not None:
            raise self._error
        return self._digest.hexdigest()


def _copy(source: BinaryIO, out: BinaryIO, meter: Meter, copied: Callable[[int], None]) -> None:
    """Copy source to out, telling `copied` how many bytes out holds after each piece."""
    size = 0
    while True:
        try:
            n = os.sendfile(out.fileno(), source.fileno(), None, COPY_CHUNK)  # from the source's current offset
        except OSError as exc:
            if exc.errno not in NO_KERNEL_COPY:
                raise
            for chunk in metered(read_chunks(source), meter):
                out.write(chunk)
                out.flush()
                size += len(chunk)
                copied(size)
            return
        if not n:
            return
        meter.add(n)
        size += n
        copied(size)
