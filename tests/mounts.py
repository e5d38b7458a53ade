"""Real faults of the file system for tests, even as root: a command run in a mount namespace
of its own (`unshare --user --map-root-user --mount`, Linux) where some folders are a small
tmpfs (a full disk) or bound read-only (a read-only folder: root writes through permission
bits, never through a read-only mount). Nothing outside the command sees the mounts, and they
go with its process."""

from __future__ import annotations

import functools
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CLI = "from detainers.cli import main; main()"


@functools.cache
def namespaces_work() -> bool:
    try:
        return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_namespaces = pytest.mark.skipif(not namespaces_work(), reason="needs unshare and unprivileged user namespaces (Linux)")


def mount_commands(mounts: dict[Path, str]) -> str:
    """Shell commands making each folder: "ro" its present content bound read-only; any other
    value the options of an empty tmpfs there ("size=64k": a disk that is full at 64 KiB)."""
    lines = []
    for folder, how in mounts.items():
        f = shlex.quote(str(folder))
        if how == "ro":
            lines.append(f"mount --bind {f} {f} && mount -o remount,bind,ro {f}")
        else:
            lines.append(f"mkdir -p {f} && mount -t tmpfs -o {shlex.quote(how)} tmpfs {f}")
    return " && ".join(lines) or "true"


def detainers_with_mounts(mounts: dict[Path, str], *args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """`detainers *args` (the CLI entry point, in its own process) with `mounts` in place."""
    script = mount_commands(mounts) + ' && exec "$@"'
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh", sys.executable, "-P", "-c", CLI, *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def python_with_mounts(mounts: dict[Path, str], *scripts: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Python scripts (each [code, *args]) run one after the other with `mounts` in place, in
    one namespace, so the later ones see what the earlier wrote on them; stops at a failure."""
    commands = " && ".join(" ".join(shlex.quote(part) for part in [sys.executable, "-P", "-c", *script]) for script in scripts)
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount_commands(mounts) + " && " + commands],
                          cwd=cwd, capture_output=True, text=True, timeout=300)
