"""docs/commands.md cannot drift from the command line: its tables are what
docs/make_commands_page.py writes from the Typer app now (every command, every option, the exit
codes), and what its prose quotes (messages, examples, figures, variables) is checked here
against the code."""

from __future__ import annotations

import inspect
import re

import pytest
import typer

from detainers import launch
from detainers.arguments import check_schedule, date_asked
from detainers.cli import EXIT_CODES, USAGE, app
from detainers.errors import UsageError
from detainers.report.window import DEFAULT_START
from tests.conftest import ROOT
from tests.generated_parts import assert_current

PAGE = ROOT / "docs" / "commands.md"


def test_the_generated_parts_are_current():
    assert_current(PAGE, ROOT / "docs" / "make_commands_page.py")


def test_every_command_and_option_is_on_the_page():
    page = PAGE.read_text("utf-8")
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert f"\n## detainers {name}\n" in page and f"<!-- generated: command-{name} -->" in page
        section = page.split(f"<!-- generated: command-{name} -->")[1].split(f"<!-- end: command-{name} -->")[0]
        for param in command.params:
            assert re.search(rf"\| `{re.escape(param.opts[0])}[ `]", section), (name, param.opts[0])
    exits = page.split("<!-- generated: exit-codes -->")[1].split("<!-- end: exit-codes -->")[0]
    assert re.findall(r"^\| (\d+) \|", exits, re.M) == [str(code) for code in EXIT_CODES] == ["0", "1", "2", "130"]


def prose(page: str) -> str:
    """The page without its generated parts, code blocks and code spans."""
    body = re.sub(r"<!-- generated: ([\w-]+) -->.*?<!-- end: \1 -->", "", page, flags=re.S)
    return re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", body, flags=re.S))


def test_every_figure_of_the_prose_is_what_the_code_says():
    from detainers.flows import serve

    figures = set(re.findall(r"(?<![\w.-])\d[\d,.:]*\d(?![\w])|(?<![\w.-])\d(?![\w.])", prose(PAGE.read_text("utf-8"))))
    expected = {
        "2": USAGE == 2,  # a refused schedule's exit
        "127.0.0.1": '"--host", "127.0.0.1"' in inspect.getsource(serve.local_server),  # serve's own server
    }
    assert figures == set(expected) and all(expected.values())


def test_the_messages_and_examples_quoted_are_the_commands_own():
    from detainers.flows import serve

    page = PAGE.read_text("utf-8")
    with pytest.raises(UsageError) as bad_date:
        date_asked("2015-13-01", DEFAULT_START, "--start")
    assert "`--start 2015-13-01: month 13 does not exist`" in page and str(bad_date.value).startswith(
        "--start 2015-13-01: month 13 does not exist")
    with pytest.raises(UsageError, match="no day ever matches it"):
        check_schedule("0 3 30 2 *", "UTC")
    assert "(`0 3 30 2 *`: Prefect would accept it and never run)" in page
    assert 'detainers serve                                   # nightly at 03:00 UTC' in page
    assert serve.DEFAULT_CRON == "0 3 * * *" and serve.DEFAULT_TIMEZONE == "UTC"
    check_schedule("30 2 * * 1-5", "America/New_York")  # the page's example is one serve takes
    assert 'detainers serve --cron "30 2 * * 1-5" --timezone America/New_York --name weekdays' in page
    url = re.search(r"export PREFECT_API_URL=(\S+)`", page)[1]
    assert f"export PREFECT_API_URL={url}" in serve.START_ONE, "the server serve's own error names"


def test_the_variables_named_are_read_by_the_code():
    page = PAGE.read_text("utf-8")
    table = page.split("## Environment")[1]
    named = re.findall(r"^\| `([A-Z_]+)` \|", table, re.M)
    code = "".join(path.read_text("utf-8") for folder in ("detainers", "flows") for path in (ROOT / folder).rglob("*.py"))
    assert named and all(f'"{name}"' in code for name in named), named
    assert "(the environment, the active Prefect profile, `./prefect.toml`, `./.env`, or\n`[tool.prefect]` in " \
           "`./pyproject.toml`)" in page
    assert {"prefect.toml", ".env", "pyproject.toml", "tool.prefect"} <= set(
        re.findall(r'"([\w.]+)"', inspect.getsource(launch._prefect_settings_files)))
