"""Opening a manifest's local path: regular files only, never a kernel or device file.

A manifest entry (or a symlink it names) may point anywhere on the machine. Kernel and
device files are never data and may hold secrets (/proc/self/environ holds the run's
environment), so a path that resolves into SYSTEM_ROOTS, or to anything but a regular file
(a directory, a named pipe, a device, a socket), is refused before a byte is read. The check
is made on the path before opening it (opening a device can have effects, opening a pipe
blocks) and again on the file actually opened, so a path swapped in between is caught.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from detainers.errors import FetchError

SYSTEM_ROOTS = ("/proc", "/sys", "/dev")
NOT_REGULAR = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a device",
               stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


@contextmanager
def open_local(source: str, path: str) -> Iterator[tuple[BinaryIO, int]]:
    """The file at `path`, open for reading, and the size its file system claims for it."""
    try:
        _refuse_unless_data(source, path, os.path.realpath(path), os.stat(path))
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # should a pipe be swapped in, it cannot block the run
    except (FileNotFoundError, NotADirectoryError):
        raise FetchError(f"source {source}: no file at {path}") from None
    except PermissionError:
        raise FetchError(f"source {source}: cannot read {path} (permission denied)") from None
    with open(fd, "rb", buffering=0) as fh:
        info = os.fstat(fd)
        _refuse_unless_data(source, path, _opened_path(fd, path), info)
        yield fh, info.st_size


def _refuse_unless_data(source: str, path: str, real: str, info: os.stat_result) -> None:
    under = next((root for root in SYSTEM_ROOTS if real == root or real.startswith(root + "/")), None)
    if under:
        reason = f"it is under {under}"
    elif not stat.S_ISREG(info.st_mode):
        reason = NOT_REGULAR.get(stat.S_IFMT(info.st_mode), "an unusual file")
    else:
        return
    raise FetchError(f"source {source}: {path} is not a regular data file ({reason}); "
                     f"only regular files outside {', '.join(SYSTEM_ROOTS)} are fetched")


def _opened_path(fd: int, path: str) -> str:
    """Where the open file really is (after every symlink), from the kernel where it can say."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return os.path.realpath(path)
