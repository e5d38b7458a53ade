"""A local file lands without a second full copy where the file system allows (issue 27): a
reflink, else a hard link, its sha256 computed from the landed file as a copy's would be; a
copy where neither can be made. A hard-linked source edited in place lands anew, and the
landed file of its earlier bytes (which it changed with) goes."""

from __future__ import annotations

import errno
import hashlib
import os

from detainers.extract import link
from detainers.extract.fetch import PreviousFetch, fetch
from tests.badfiles import HEADER, good_rows, write_csv


def test_a_local_file_lands_as_a_link_to_its_bytes_with_its_sha256(tmp_path):
    source = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(500)])
    data = source.read_bytes()
    landed = fetch("s", str(source), tmp_path / "landing", ("csv",))
    assert landed.sha256 == hashlib.sha256(data).hexdigest() and landed.size == len(data)
    assert landed.path.name == f"{landed.sha256}.csv" and landed.path.read_bytes() == data
    # same device here: a hard link (ext4) or a reflink (btrfs, XFS), never a byte-by-byte copy
    shared = os.path.samefile(landed.path, source)
    assert shared or _reflinks_here(tmp_path)
    assert [p.name for p in (tmp_path / "landing").iterdir() if p.name.startswith(".partial")] == []


def test_a_hard_linked_source_edited_in_place_lands_anew(tmp_path):
    source = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(50)])
    first = fetch("s", str(source), tmp_path / "landing", ("csv",))
    if not os.path.samefile(first.path, source):
        return  # a reflink: the landed file keeps its bytes whatever happens to the source
    with open(source, "r+b") as fh:  # in place, as `>>` or a careless script would
        fh.seek(0, os.SEEK_END)
        fh.write(b"10/02/14,I247D,X,TEXAS,HOUSTON,Lifted\n")
    second = fetch("s", str(source), tmp_path / "landing", ("csv",), previous=PreviousFetch(first.sha256))
    assert second.status == "fetched" and second.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert not first.path.exists(), "the landed file of the earlier bytes no longer held them"
    assert [p.name for p in (tmp_path / "landing").iterdir() if not p.name.startswith(".")] == [second.path.name]


def test_where_no_link_can_be_made_the_file_is_copied(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EXDEV, "another file system")

    monkeypatch.setattr(link.os, "link", refuse)
    monkeypatch.setattr(link.fcntl, "ioctl", refuse)
    source = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(50)])
    landed = fetch("s", str(source), tmp_path / "landing", ("csv",))
    assert not os.path.samefile(landed.path, source)
    assert landed.path.read_bytes() == source.read_bytes()
    assert landed.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert oct(landed.path.stat().st_mode & 0o777) == oct(0o600)


def _reflinks_here(tmp_path) -> bool:
    probe, clone = tmp_path / "probe", tmp_path / "clone"
    probe.write_bytes(b"x")
    with open(probe, "rb") as fh:
        made = link._reflink(fh, clone)
    return made == "reflink"


def test_landing_a_file_already_landed_under_its_name_leaves_no_partial(tmp_path):
    """A rename onto another name of the same file does nothing (POSIX): the partial must go."""
    source = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(50)])
    first = fetch("s", str(source), tmp_path / "landing", ("csv",))
    again = fetch("s", str(source), tmp_path / "landing", ("csv",))  # no previous fetch known: lands again
    assert again.path == first.path and again.sha256 == first.sha256
    assert sorted(p.name for p in (tmp_path / "landing").iterdir()) == [first.path.name]
