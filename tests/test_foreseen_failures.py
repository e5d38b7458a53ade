"""Failures foreseen and unforeseen (issue 19). Every failure that can be named is worded in
schemas/reference/failures.toml: one message naming the file and what to do. "unexpected" is
left to the few places that catch what nobody foresaw. Each foreseen case runs end to end
(`detainers run` on such a file, or a URL served from 127.0.0.1) and must print its message,
name the file, and say neither "unexpected" nor the name of a Python exception. CR-only and
mixed line ends are not failures: they are read as lines."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner
from werkzeug import Response

from detainers.cli import app
from detainers.transform.header import NOT_QUOTED
from schemas.reference import failure, failures
from tests.badfiles import GOOD, HEADER, good_rows, write_csv, write_xlsx
from tests.conftest import ROOT
from tests.test_bad_inputs import land_and_load, query
from tests.test_releases import ddp_parquet

# Where "unexpected" may still be said: the catch-alls for what nobody foresaw.
UNEXPECTED = {"detainers/cli.py": 1, "detainers/pipeline.py": 2}
# Foreseen failures whose end-to-end test lives elsewhere.
ELSEWHERE = {"older_warehouse": "tests/test_older_warehouse.py", "newer_warehouse": "tests/test_older_warehouse.py",
             "layout_by_header_none": "tests/test_releases.py", "layout_by_header_several": "tests/test_catalog.py",
             "release_other_bytes": "tests/test_catalog.py",
             "parquet_column_type": "tests/test_parquet_limits.py", "decoded_too_large": "tests/test_parquet_limits.py",
             "too_many_values": "tests/test_parquet_limits.py"}
EXCEPTION_NAME = re.compile(r"\b\w*(Error|Exception|BadZipFile|Invalid)\b")
CSV = "".join(",".join(r) + "\n" for r in [HEADER, *good_rows(5)]).encode()


def _gzip_not_gzip(tmp_path, httpserver):
    httpserver.expect_request("/dl/extract.csv").respond_with_response(Response(CSV, headers={"Content-Encoding": "gzip"}))
    url = httpserver.url_for("/dl/extract.csv")
    shown = f"http://{url.split('/')[2]}/…/extract.csv"
    return url, "lesa_stu", failure("gzip_not_gzip", source="s", url=shown, encoding="gzip"), "extract.csv"


def _not_text(tmp_path, httpserver):
    path = tmp_path / "odd.csv"
    path.write_bytes(CSV + b"10/01/14,I247D,JAIL \x81\x8d,TEXAS,HOUSTON,x\n")
    return str(path), "lesa_stu", failure("not_text", file="odd.csv", offset=len(CSV) + 20, byte=0x81), "odd.csv"


def _no_header(tmp_path, httpserver):
    path = write_csv(tmp_path / "other.csv", [["Name", "Amount"], ["A", "1"]])
    layout = ["Prepare Date", "Detainer Type", "Detainer Detention Facility", "State", "City", "Detainer Lift Reason"]
    message = failure("no_header", where="other.csv", missing=layout, expected=layout,
                      found=NOT_QUOTED)
    return str(path), "lesa_stu", message, "other.csv"


def _truncated_xlsx(tmp_path, httpserver):
    path = write_xlsx(tmp_path / "cut.xlsx", [HEADER, *good_rows(50)])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return str(path), "lesa_stu", failure("truncated_xlsx", file="cut.xlsx"), "cut.xlsx"


def _truncated_parquet(tmp_path, httpserver):
    path = ddp_parquet(tmp_path / "cut.parquet", pa.array([dt.date(2025, 4, 1)] * 3, pa.date32()))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return str(path), "ddp_processed", failure("truncated_parquet", file="cut.parquet", past=""), "cut.parquet"


def _empty_file(tmp_path, httpserver):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    return str(path), "lesa_stu", failure("empty_file", source="s", file=str(path)), "empty.csv"


CASES = {"gzip_not_gzip": _gzip_not_gzip, "not_text": _not_text, "no_header": _no_header,
         "truncated_xlsx": _truncated_xlsx, "truncated_parquet": _truncated_parquet, "empty_file": _empty_file}


def test_every_foreseen_failure_is_tested_and_unexpected_is_said_only_where_nobody_foresaw():
    assert set(failures()) == set(CASES) | set(ELSEWHERE)
    said = {str(p.relative_to(ROOT)): len(re.findall(r"unexpected \{", p.read_text()))
            for folder in ("detainers", "flows") for p in (ROOT / folder).rglob("*.py")}
    assert {path: n for path, n in said.items() if n} == UNEXPECTED


@pytest.mark.parametrize("key", list(CASES))
def test_a_foreseen_failure_names_the_file_and_what_to_do(tmp_path, httpserver, key):
    url, layout, message, name = CASES[key](tmp_path, httpserver)
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "s"\nurl = "{url}"\nlayout = "{layout}"\n')
    done = CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(tmp_path / "w.duckdb")])
    assert done.exit_code == 1
    output = " ".join(done.output.split())
    assert " ".join(message.split()) in output, done.output
    assert name in message and "nothing of it was loaded" in message
    assert "unexpected" not in output and not EXCEPTION_NAME.search(output), done.output


@pytest.mark.parametrize("size", ["small", "over 1 MiB"])
@pytest.mark.parametrize("ends", [["\r"], ["\r", "\n", "\r\n"]], ids=["cr-only", "mixed"])
def test_cr_only_and_mixed_line_ends_are_lines(tmp_path, ends, size):
    rows = [HEADER, *good_rows(20_000 if size != "small" else 30)]
    text = "".join(",".join(r) + ends[i % len(ends)] for i, r in enumerate(rows))
    path = tmp_path / "mac.csv"
    path.write_bytes(text.encode("cp1252" if len(ends) > 1 else "utf-8"))
    assert (path.stat().st_size > 1 << 20) == (size != "small")
    result = land_and_load(tmp_path, path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (len(rows) - 1, len(rows) - 1, 0)
    assert query(tmp_path, "select distinct city from raw.detainers") == [(GOOD[4],)]
