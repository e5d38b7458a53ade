"""The command line as a user meets it, in processes of its own: a mistake in the arguments or
the manifest is one line and exit 2 before anything slow starts (no Prefect, no DuckDB
work); --version; with no Prefect API configured a run is plain Python and starts no Prefect
server; a file that is not a warehouse is one line, not a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from detainers import __version__
from tests.conftest import ROOT

CLI = "from detainers.cli import main; main()"


def detainers(*args: str, cwd: Path, env: dict | None = None, importtime: bool = False,
              unprivileged: bool = False) -> subprocess.CompletedProcess:
    """`detainers ARGS` in a process of its own, with no Prefect API configured. `unprivileged`:
    as root, in a user namespace of its own (`unshare --user`), where root keeps its files but
    loses the power to write what their modes forbid, as any user would meet them."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    clean |= {"PREFECT_HOME": str(cwd / "prefect-home"), **(env or {})}
    flags = ["-X", "importtime"] if importtime else []
    wrapper = ["unshare", "--user"] if unprivileged and os.geteuid() == 0 else []
    return subprocess.run([*wrapper, sys.executable, "-P", *flags, "-c", CLI, *args], cwd=cwd, env=clean,
                          capture_output=True, text=True, timeout=300)


def imported(stderr: str) -> set[str]:
    """Top-level packages a process imported, from python -X importtime's lines."""
    return {line.split("|")[-1].strip().split(".")[0] for line in stderr.splitlines() if line.startswith("import time:")}


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


@pytest.mark.parametrize("args, message", [
    (["backfill", "--start", "2015-02-30", "--end", "2015-03-01"], "--start 2015-02-30: day 30 does not exist in February 2015 (01 to 28)"),
    (["report", "--start", "2015-13-01"], "--start 2015-13-01: month 13 does not exist (01 to 12)"),
    (["report", "--end", "2015-1-1"], "--end must be a date as YYYY-MM-DD, not '2015-1-1'"),
    (["backfill", "--start", "2015-03-02", "--end", "2015-03-01"], "--start 2015-03-02 is after --end 2015-03-01"),
    (["report", "--start", "2016-01-01", "--end", "2015-01-01"], "--start 2016-01-01 is after --end 2015-01-01"),
    (["report", "--basis", "lift"], "--basis must be one of prepare, decline, not 'lift'"),
    (["run", "--source", "lesa-stu-fy2016"], "no source named 'lesa-stu-fy2016' (did you mean 'lesa-stu-fy2015'?)"),
    (["run", "--manifest", "nowhere.toml"], "manifest not found: nowhere.toml"),
    (["serve", "--timezone", "Mars/Olympus"], "cannot schedule '0 3 * * *' in 'Mars/Olympus': not an IANA time zone"),
    (["serve", "--cron", "every night"], "cannot schedule 'every night': not a cron expression"),
])
def test_a_usage_mistake_is_one_line_and_exit_2_before_anything_slow(tmp_path, args, message):
    result = detainers(*args, cwd=tmp_path, importtime=True)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0] and result.stdout == ""
    slow = {"polars", "pandera", "pyarrow"} | ({"prefect"} if args[0] != "serve" else set())
    assert not imported(result.stderr) & slow, "nothing slow was started"
    assert not (tmp_path / "warehouse").exists()


def test_version():
    result = subprocess.run([sys.executable, "-P", "-c", CLI, "--version"], capture_output=True, text=True, cwd=ROOT)
    assert (result.returncode, result.stdout.strip()) == (0, f"detainers {__version__}")


def test_with_no_prefect_api_a_run_is_plain_python_and_starts_no_prefect_server(tmp_path):
    first = detainers("run", "--json", cwd=tmp_path, importtime=True)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "prefect" not in imported(first.stderr) and not (tmp_path / "prefect-home").exists()
    assert '"published": true' in first.stdout and '"rows_loaded": 79053' in first.stdout
    again = detainers("run", cwd=tmp_path)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    assert "5,501 declined" in again.stdout, "a run that finds nothing changed still prints the published headline"
    assert again.stderr == ""
    assert not [line for line in again.stdout.splitlines() if line.startswith(("download", "load "))], \
        "a run that finds nothing changed shows no download or load"


@pytest.mark.parametrize("content", [b"", b"DUCK" * 1000], ids=["empty", "not-a-database"])
def test_report_on_a_file_that_is_not_a_warehouse_is_one_line(tmp_path, content):
    (tmp_path / "w.duckdb").write_bytes(content)
    result = detainers("report", "--warehouse", "w.duckdb", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(error_lines(result.stderr)) == 1 and "w.duckdb" in result.stderr


@pytest.mark.parametrize("make, message", [
    (lambda home: home.write_text("a file"), "is a file, not a folder"),
    (lambda home: (home.mkdir(), home.chmod(0o500)), "is not writable"),
    (lambda home: (home.mkdir(), (home / "prefect.db").write_bytes(b"\x00garbage" * 100)), "database .* is damaged"),
], ids=["file", "read-only", "damaged-database"])
def test_a_broken_prefect_home_is_one_line_that_says_what_to_do(tmp_path, make, message):
    home = tmp_path / "prefect-home"
    make(home)
    result = detainers("run", "--prefect", cwd=tmp_path, unprivileged=True)  # root would write a read-only folder
    assert result.returncode == 1 and len(error_lines(result.stderr)) == 1, result.stderr[-3000:]
    assert re.search(message, result.stderr)
