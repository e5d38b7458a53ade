"""Landing a local file without a second full copy of its bytes.

Where the file system allows, the landed file shares the source's storage: a reflink (a
copy-on-write clone, btrfs, XFS: the landed file stays as it was whatever later happens to the
source) or else a hard link (ext4 and most others: the same file under a second name). Either
way its sha256 is computed from the landed file itself, every byte read and counted on the
download's meter, as a copy's would be. Where neither can be made (another file system, a
file of another owner under protected_hardlinks, a platform without them), the caller copies.

A hard link is the source file itself: were the source later edited in place (rather than
replaced, as editors, downloads and `cp` do), the landed file would change with it. The next
run hashes the source again, sees other bytes and lands them anew; the landed file of the
earlier bytes, no longer holding what its name says, is removed (fetch.py).
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from typing import BinaryIO

from detainers.extract.landing import partial_path
from detainers.extract.meter import Meter
from detainers.extract.transfer import metered, read_chunks, sha256_of

FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
# Errors that only say this way of sharing the bytes is not available here: copy instead.
NOT_HERE = {errno.EXDEV, errno.EPERM, errno.EACCES, errno.EOPNOTSUPP, errno.ENOTTY, errno.EINVAL, errno.ENOSYS,
            errno.EMLINK, errno.EBADF, errno.ENOENT}


def land_shared(source: BinaryIO, landing: Path, meter: Meter) -> tuple[Path, str, str] | None:
    """The open local file landed as a reflink or a hard link: (the .partial-* file, its
    sha256, "reflink" or "hard link"); None where neither can be made."""
    partial = partial_path(landing)
    how = _reflink(source, partial) or _hard_link(source, partial)
    if how is None:
        return None
    try:
        with open(partial, "rb", buffering=0) as landed:
            digest = sha256_of(metered(read_chunks(landed), meter))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial, digest, how


def _reflink(source: BinaryIO, partial: Path) -> str | None:
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    try:
        fcntl.ioctl(fd, FICLONE, source.fileno())
        return "reflink"
    except OSError as exc:
        if exc.errno not in NOT_HERE:
            raise
        partial.unlink(missing_ok=True)
        return None
    finally:
        os.close(fd)


def _hard_link(source: BinaryIO, partial: Path) -> str | None:
    """A second name for the very file opened: linked by its path, then checked to be the file
    the descriptor holds (a file swapped in at the path since it was opened is never kept)."""
    opened = os.fstat(source.fileno())
    try:  # where the kernel says the opened file is now (no /proc: no link)
        os.link(os.readlink(f"/proc/self/fd/{source.fileno()}"), partial, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in NOT_HERE:
            raise
        return None
    linked = os.stat(partial, follow_symlinks=False)
    if (linked.st_dev, linked.st_ino) != (opened.st_dev, opened.st_ino):
        partial.unlink(missing_ok=True)
        return None
    return "hard link"
