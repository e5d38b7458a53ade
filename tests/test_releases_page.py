"""docs/releases-and-layouts.md cannot drift: its tables and its manifest are what
docs/make_releases_page.py writes from the catalog and the layouts now, and every other figure
it quotes (outside dates, years and names) is checked here against the code or the data."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import re
import tomllib

from detainers.extract.fetch import RETRY_STATUS, RetryPolicy
from detainers.extract.window_manifest import cover
from detainers.plan import FETCH_CONCURRENCY
from detainers.progress import LineReporter
from detainers.report.window import DEFAULT_END, DEFAULT_START
from detainers.schemas.layouts import get_layout
from detainers.schemas.reference import REFERENCE_DIR, releases
from tests.conftest import ROOT
from tests.generated_parts import assert_current
from tests.published_shapes import ERO_COLUMNS

PAGE = ROOT / "docs" / "releases-and-layouts.md"


def test_the_generated_parts_are_current():
    assert_current(PAGE, ROOT / "docs" / "make_releases_page.py")


def figures_outside_generated_parts() -> set[str]:
    """Every number the page's prose quotes: not in a generated part, a code block or span, a
    link, a date, or a name (FY2014, OIG-18-36, 15-87693, b(6))."""
    body = re.sub(r"<!-- generated: ([\w-]+) -->.*?<!-- end: \1 -->", "", PAGE.read_text("utf-8"), flags=re.S)
    body = re.sub(r"```.*?```", "", body, flags=re.S)
    body = re.sub(r"`[^`]*`", "", body)
    body = re.sub(r"\]\([^)]*\)", "]", body)
    body = re.sub(r"\b\d{4}-\d{2}-\d{2}\b|\b\d+ (January|October|May) \d{4}\b|\b(January|May) \d{4}\b", "", body)
    body = re.sub(r"\b\d+-\d+\b|[A-Za-z][\w()./-]*\d[\w()./-]*|\d+[-/][\w-]*[A-Za-z][\w-]*", "", body)
    found = set(re.findall(r"\d[\d,.]*\d%?|\d%?", body))
    return {f for f in found if not (re.fullmatch(r"20[0-2]\d", f) and 2003 <= int(f) <= dt.date.today().year)}  # years


def test_every_figure_of_the_prose_is_what_the_code_and_data_say():
    known = list(releases().values())
    oig = cover(DEFAULT_START, DEFAULT_END)
    with open(REFERENCE_DIR / "published_figures.csv", newline="") as fh:
        published = {r["figure_id"]: int(r["value"]) for r in csv.DictReader(fh)}
    real_rows = sum(sum(1 for _ in open(p)) - 1 for p in (ROOT / "tests" / "data" / "real").glob("*.csv") if "_by_year" not in p.name)
    seams = tomllib.loads((REFERENCE_DIR / "seams.toml").read_text())
    every = inspect.signature(LineReporter).parameters["every"].default
    expected = {
        "33": len(known),  # files in the catalog
        "2": int(min(r.bytes for r in known) / 1e6), "125": int(max(r.bytes for r in known) / 1e6),  # "2 to 125 MB"
        "4": RetryPolicy().attempts, "5": every,
        **{str(code): code for code in RETRY_STATUS},
        "100": round(sum(e.release.bytes for e in oig.entries) / 1e6),  # "about 100 MB" for the OIG's four files
        "100.0%": sum((e.covers_end - e.covers_start).days + 1 for e in oig.entries) / ((DEFAULT_END - DEFAULT_START).days + 1),
        "29,269": published["oig-18-36-declined"], "675": published["oig-18-36-jurisdictions"],
        "2,539": real_rows,
        "110": "about 110 columns" in get_layout("icfo_2025").description,
        "7": get_layout("ero_2023").header_row, "65": len(ERO_COLUMNS), "64": len(ERO_COLUMNS) - 1,
        "1%": seams["max_difference_share"],
    }
    assert figures_outside_generated_parts() == set(expected)
    assert expected == {
        "33": 33, "2": 2, "125": 125, "4": 4, "5": 5.0, "408": 408, "429": 429, "500": 500, "502": 502, "503": 503, "504": 504,
        "100": 100, "100.0%": 1.0, "29,269": 29_269, "675": 675, "2,539": 2_539, "110": True, "7": 7, "65": 65, "64": 64,
        "1%": 0.01,
    }
    assert FETCH_CONCURRENCY == 4 and "at most 4 at once" in PAGE.read_text("utf-8")
    assert len(oig.entries) == 4 and "fetch the four files" in PAGE.read_text("utf-8")
