"""Issue 28 item 9, the small frictions a newcomer meets: --help shows flags as flags, one
exit code (and one line) for one mistake in every command, a line when `report --html` makes a folder, a
line before Prefect's seconds of start-up. (A date's bad part: test_cli; a quiet nothing-
changed run: test_cli; the line as the wheel runs it: test_packaging.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from detainers import launch
from detainers.cli import app
from tests.conftest import ROOT

COMMANDS = sorted(typer.main.get_command(app).commands)


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["detainers", *COMMANDS])
def test_help_at_80_columns_shows_flags_as_flags(command):
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run([sys.executable, "-P", "-c", "from detainers.cli import main; main()", *command, "--help"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    assert max(map(len, lines)) <= 80
    assert not re.search(r"<\w[^>]*>", done.stdout), "no '<bool>', '<str>': a flag takes no value, a value is named"
    for flag in ("--help", "--json", "--wide", "--version", "--prefect"):
        row = next((line for line in lines if re.match(rf"│ {flag}\b", line)), None)
        if row is not None:  # the flag's name, then (--no-prefect) its other name, then at once its help
            assert re.match(rf"│ {flag}(\s+--no-prefect)?\s+[A-Z]", row), row


@pytest.mark.parametrize("command", ["report", "releases", "dictionary"])
def test_a_warehouse_that_is_not_there_is_the_same_mistake_in_every_command(tmp_path, command):
    result = CliRunner().invoke(app, [command, "--warehouse", str(tmp_path / "typo" / "w.duckdb")])
    assert result.exit_code == 1
    assert result.output == f"error: no warehouse at {tmp_path / 'typo' / 'w.duckdb'}: run `detainers run` first\n"


@pytest.mark.parametrize("command", ["run", "backfill", "report", "releases", "dictionary", "serve"])
def test_a_folder_for_the_warehouse_is_a_usage_mistake_in_every_command(tmp_path, command):
    dates = ["--start", "2015-01-01", "--end", "2015-02-01"] if command == "backfill" else []
    result = CliRunner().invoke(app, [command, *dates, "--warehouse", str(tmp_path)])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"error: Invalid value for '--warehouse': file '{tmp_path}' is a directory.")


@pytest.mark.parametrize("args, says", [
    (["report", "--nope"], "No such option: --nope (see `root report --help`)"),
    (["nope"], "No such command 'nope'. (see `root --help`)"),
    (["backfill", "--start", "2015-01-01"], "Missing option '--end'. (see `root backfill --help`)"),
    (["report", "--start"], "Option '--start' requires an argument. (see `root report --help`)"),
    (["run", "--json=yes"], "Option '--json' does not take a value. (see `root run --help`)"),
])
def test_a_mistake_typer_finds_is_one_line_and_exit_2_as_the_commands_own(args, says):
    result = CliRunner().invoke(app, args)  # CliRunner names the program 'root'
    assert (result.exit_code, result.output) == (2, f"error: {says}\n")


@pytest.mark.parametrize("command", ["run", "backfill", "serve"])
def test_a_missing_manifest_is_a_usage_mistake_in_every_command(tmp_path, command):
    dates = ["--start", "2015-01-01", "--end", "2015-02-01"] if command == "backfill" else []
    result = CliRunner().invoke(app, [command, *dates, "--manifest", str(tmp_path / "typo.toml"),
                                      "--warehouse", str(tmp_path / "w.duckdb")])
    assert (result.exit_code, result.output) == (2, f"error: manifest not found: {tmp_path / 'typo.toml'}\n")


def test_releases_with_no_warehouse_yet_lists_the_catalog(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default warehouse, not built yet: not a mistake
    result = CliRunner().invoke(app, ["releases"])
    assert result.exit_code == 0 and "(not built yet) holds 0 of 33 known releases" in result.output


@pytest.mark.parametrize("by", [[], ["--by", "county"]], ids=["headline", "by-county"])
def test_html_into_a_missing_folder_says_it_made_the_folder(bundled_run, tmp_path, by):
    page = tmp_path / "pages" / "2015" / "report.html"
    result = CliRunner().invoke(app, ["report", *by, "--warehouse", str(bundled_run[0]), "--html", str(page)])
    assert result.exit_code == 0 and page.is_file()
    assert result.output.splitlines()[-1] == f"wrote {page} (made the folder {page.parent})"
    again = CliRunner().invoke(app, ["report", *by, "--warehouse", str(bundled_run[0]), "--html", str(page)])
    assert again.output.splitlines()[-1] == f"wrote {page}"


def test_the_dictionary_into_a_missing_folder_says_it_made_the_folder(bundled_run, tmp_path):
    page = tmp_path / "docs" / "dictionary.md"
    result = CliRunner().invoke(app, ["dictionary", "--warehouse", str(bundled_run[0]), "--output", str(page)])
    assert result.exit_code == 0 and page.is_file(), result.output
    assert result.output.splitlines()[-1] == f"wrote {page} (made the folder {page.parent})"


@pytest.mark.parametrize("configured", [False, True])
def test_a_line_is_said_before_prefect_starts(monkeypatch, configured):
    said = []

    def flow(**parameters):
        said.append("flow")
        raise SystemExit  # started: that is all this test watches

    monkeypatch.setattr(launch, "check_prefect_home", lambda: None)
    monkeypatch.setattr(launch, "prefect_api_configured", lambda: configured)
    monkeypatch.setattr(launch, "prefect_entry", lambda name: (said.append("import"), flow)[1])
    with pytest.raises(SystemExit):
        launch.run("run_flow", True, None, ROOT / "unused.duckdb", 0.0, said.append)
    assert said == [launch.PREFECT_STARTING[configured], "import", "flow"]
    assert said[0].startswith("running as a Prefect flow" if configured else "starting Prefect: its own temporary server")
