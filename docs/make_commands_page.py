"""Writes the generated parts of docs/commands.md from the command line itself (the Typer app
of detainers/cli.py: each command's description and options, as `--help` shows them, and the
exit codes), so that the page cannot drift from the commands: each part stands between
`<!-- generated: NAME -->` and `<!-- end: NAME -->`. tests/test_commands_page.py fails when a
part is not what this writes.

    .venv/bin/python docs/make_commands_page.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import typer  # noqa: E402

from detainers.cli import EXIT_CODES, app  # noqa: E402

PAGE = ROOT / "docs" / "commands.md"
BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S)


def _group():
    return typer.main.get_command(app)


def _paragraph(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _default(param) -> str:
    """The default as --help shows it: its own words where the option gives them, else its value."""
    if param.required:
        return "required"
    if isinstance(param.show_default, str):
        return _cell(param.show_default)
    if param.is_flag and not param.secondary_opts or param.default is None:
        return ""
    if param.secondary_opts:  # --x/--no-x: the one in force
        return f"`{param.opts[0] if param.default else param.secondary_opts[0]}`"
    return f"`{param.default}`"


def _option(param) -> str:
    names = " / ".join([*param.opts, *param.secondary_opts])
    return f"`{names}`" if param.is_flag else f"`{names} {_cell(param.metavar)}`"


def options_table(command) -> str:
    rows = ["| option | default | what it does |", "| --- | --- | --- |"]
    rows += [f"| {_option(p)} | {_default(p)} | {_cell(_paragraph(p.help or ''))} |" for p in command.params]
    rows.append("| `--help` | | Show the options and exit. |")
    return "\n".join(rows) + "\n"


def _first_sentence(text: str) -> str:
    return _paragraph(text).split(". ")[0].rstrip(".") + "."


def commands_table() -> str:
    rows = ["| command | what it does |", "| --- | --- |"]
    for name, command in _group().commands.items():
        rows.append(f"| [`detainers {name}`](#detainers-{name}) | {_cell(_first_sentence(command.help))} |")
    return "\n".join(rows) + "\n"


def command_block(name: str) -> str:
    """`detainers NAME --help`: its description and its options."""
    command = _group().commands[name]
    return f"`detainers {name} [OPTIONS]`: {_paragraph(command.help)}\n\n{options_table(command)}"


def exit_codes_table() -> str:
    rows = ["| exit code | meaning |", "| ---: | --- |"]
    rows += [f"| {code} | {_cell(meaning)} |" for code, meaning in EXIT_CODES.items()]
    return "\n".join(rows) + "\n"


BLOCKS = {"commands": commands_table, "exit-codes": exit_codes_table, "detainers": lambda: options_table(_group()),
          **{f"command-{name}": (lambda n=name: command_block(n)) for name in _group().commands}}


def render(page: str) -> str:
    """The page with every generated part as the command line makes it now."""
    return BLOCK.sub(lambda m: m.group(1) + BLOCKS[m.group("name")]() + m.group(4), page)


if __name__ == "__main__":
    PAGE.write_text(render(PAGE.read_text("utf-8")), "utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
