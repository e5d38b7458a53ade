"""docs/reliability.md cannot drift: every test it names exists, the defaults it quotes are
limits.toml's, and its memory table is the one benchmarks/memory_bounds.py wrote, whose peaks
keep the page's promise (under 1.5 GB whatever the input)."""

from __future__ import annotations

import ast
import re

from detainers.schemas.reference import limits
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "reliability.md"
START, END = "<!-- memory-bounds: written by benchmarks/memory_bounds.py -->", "<!-- /memory-bounds -->"


def test_every_test_the_page_names_exists():
    named = set(re.findall(r"`(tests/\w+\.py)::(\w+)`", PAGE.read_text("utf-8")))
    assert len(named) >= 25
    missing = []
    for path, name in sorted(named):
        tree = ast.parse((ROOT / path).read_text("utf-8"))
        if name not in {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}:
            missing.append(f"{path}::{name}")
    assert missing == []


def test_the_defaults_quoted_are_limits_toml():
    page = PAGE.read_text("utf-8")
    quoted = dict(re.findall(r"^\| `(max_\w+_bytes)` \| ([\d,]+) \|", page, flags=re.M))
    assert quoted == {key: f"{limits()[key]:,}" for key in ("max_decoded_value_bytes", "max_decoded_column_bytes", "max_decoded_batch_bytes")}


def test_the_memory_table_is_the_measured_one_and_keeps_the_promise():
    page = PAGE.read_text("utf-8")
    block = page[page.index(START) + len(START):page.index(END)].strip()
    assert block == (ROOT / "benchmarks" / "memory_bounds.md").read_text("utf-8").strip()
    header = block.splitlines()[0]
    for key in ("max_decoded_batch_bytes", "max_decoded_column_bytes", "max_decoded_value_bytes"):
        assert f"{key} {limits()[key]:,}" in header, "measured with today's limits"
    peaks = [float(p) for p in re.findall(r"\| ([\d.]+) GB \|", block)]
    assert len(peaks) == 4 and max(peaks) < 1.5
    assert re.search(r"\| 190,000 rows sharing one 100,000-character string \(3\.8 MB file\) \| 3\.8 MB \| [\d,]+ \| refused: "
                     r"over max_decoded_column_bytes \|", block)
    assert len(re.findall(r"just under max_decoded_batch_bytes \| [\d.]+ MB \| [\d,]+ \| read and published \|", block)) == 2
    under = [int(v.replace(",", "")) for v in re.findall(r"just under max_decoded_batch_bytes \| [\d.]+ MB \| ([\d,]+) \|", block)]
    assert all(0.9 * limits()["max_decoded_batch_bytes"] < v <= limits()["max_decoded_batch_bytes"] for v in under), "near the limit, within it"


def test_the_messages_quoted_are_the_ones_given():
    from detainers.versions import warehouse_version
    from detainers.schemas.reference import failure

    page = " ".join(PAGE.read_text("utf-8").split())
    version = warehouse_version()
    newer = failure("newer_warehouse", warehouse="…", found=version + 1, current=version).removeprefix("… ")
    assert newer in page
    assert failure("release_replaced", source="latest", release="foia-15-87693-fy15ytd-xlsx", sha256="…") in page
    assert failure("exports_not_a_folder", exports="…/exports", warehouse="detainers.duckdb") in page
