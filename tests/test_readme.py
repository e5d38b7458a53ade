"""The README and the docs cannot drift (issue 28): the README's example is the command's own
output (tests/test_docs_figures.py runs it), every number the README quotes is checked here
against where it comes from, the README stays short, and every link and repository path the
README and docs/ name exists."""

from __future__ import annotations

import csv
import re
import tomllib

import pytest

from detainers.report.window import DEFAULT_END, DEFAULT_START
from detainers.schemas.reference import REFERENCE_DIR, releases
from detainers.warehouse.database import STORAGE_VERSION
from tests.conftest import ROOT

README = ROOT / "README.md"
EXAMPLE = re.compile(r"<!-- bundled: report -->\n```\n.*?```", re.S)
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
NUMBER = re.compile(r"(?<![\w.-])\d[\d,.]*\d(?![\w])|(?<![\w.-])\d(?![\w.])")


def published(figure_id: str) -> int:
    with open(REFERENCE_DIR / "published_figures.csv", newline="", encoding="utf-8") as fh:
        (row,) = [r for r in csv.DictReader(fh) if r["figure_id"] == figure_id]
    return int(row["value"])


def oig_manifest_releases() -> list:
    from detainers.extract.window_manifest import cover

    covered = cover(DEFAULT_START, DEFAULT_END)
    assert covered.gaps == ()
    return [entry.release for entry in covered.entries]


def checked_numbers() -> dict[str, bool]:
    """Each number the README may quote outside its checked example, and whether it holds."""
    oig = oig_manifest_releases()
    bundled = releases()["foia-15-87693-fy15ytd-xlsx"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    return {
        # the inspector general's figures, quoted as its report words them
        "675": published("oig-18-36-jurisdictions") == 675,
        "29,269": published("oig-18-36-declined") == 29_269,
        # the report's date and window, in its quoted words ("January 2018", "January 2014 through May 2017")
        "2018": True, "2014": DEFAULT_START.year == 2014, "2017": DEFAULT_END.year == 2017,
        # the bundled extract: FOIA 15-87693, the fiscal year 2015 file
        "15": bundled.id.startswith("foia-15-87693"), "2015": bundled.prepare_end.year == 2015,
        "3.11": requires == ">=3.11",
        "1.1": STORAGE_VERSION == "v1.1.0",  # the storage format, readable by DuckDB 1.1 on
        "100": len(oig) == 4 and round(sum(r.bytes for r in oig) / 1e6) == 100,
        # exit codes: usage 2, a failed source 1, interrupted 130 (tests/test_cli.py, test_interrupts.py)
        "2": True, "1": True, "130": True,
        "10": True,  # `limit 10` in the SQL example
        "127.0.0.1": True,  # the test server's address
    }


def test_every_number_the_readme_quotes_is_checked():
    text = EXAMPLE.sub("", README.read_text("utf-8"))  # the example: test_docs_figures runs it
    dates = set(DATE.findall(text))
    assert dates <= {DEFAULT_START.isoformat(), DEFAULT_END.isoformat()}
    numbers = set(NUMBER.findall(DATE.sub("", text)))
    checks = checked_numbers()
    assert numbers - set(checks) == set(), "numbers the README quotes that no check covers"
    assert [n for n in numbers if not checks[n]] == []


def test_the_readme_is_read_in_ten_minutes():
    assert len(README.read_text("utf-8").splitlines()) <= 250


def pages():
    return [README, ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "warehouse" / "README.md"]


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_path_a_page_names_exists(page):
    text = page.read_text("utf-8")
    missing = []
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if not re.match(r"https?://", target) and not (page.parent / target).exists():
            missing.append(target)
    # repository paths in backticks: a code folder of the project, then a file or folder (not
    # data/: the pages also name paths in the publishers' repositories); generated folders
    # (hidden ones, and the wheel's detainers/_shipped/) are made by running, not kept
    for path in re.findall(r"`((?:detainers|flows|schemas|sql|tests|benchmarks|docs)/[\w./-]*)`", text):
        generated = "/." in path or path.startswith("detainers/_shipped")
        if "<" not in path and "*" not in path and not generated and not (ROOT / path).exists():
            missing.append(path)
    assert missing == []


def test_the_readmes_python_runs_on_a_published_warehouse(bundled_run, capsys):
    """The README's Python example, as a reader pastes it, on the bundled run's warehouse: it
    runs, and shows the headline and the facility with the most declines."""
    (block,) = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.S)
    assert '"warehouse/detainers.duckdb"' in block
    exec(block.replace('"warehouse/detainers.duckdb"', repr(str(bundled_run[0]))), {})
    shown = capsys.readouterr().out
    assert "79053" in shown.replace(",", "") and "VENTURA COUNTY JAIL" in shown
