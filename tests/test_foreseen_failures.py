"""Failures foreseen and unforeseen (issue 19). Every failure that can be named is worded in
schemas/reference/failures.toml: one message naming the file and what to do. "unexpected" is
left to the few places that catch what nobody foresaw. Each foreseen case runs end to end
(`detainers run` on such a file, or a URL served from 127.0.0.1) and must print its message,
name the file, and say neither "unexpected" nor the name of a Python exception. CR-only and
mixed line ends are not failures: they are read as lines."""

from __future__ import annotations

import datetime as dt
import errno
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

import pyarrow as pa
import pytest
from typer.testing import CliRunner
from werkzeug import Response

from detainers.cli import app
from detainers.transform.header import NOT_QUOTED
from detainers.schemas.reference import failure, failures, os_failure
from tests.badfiles import GOOD, HEADER, good_rows, write_csv, write_xlsx
from tests.conftest import BUNDLED_EXTRACT, ROOT
from tests.mounts import CLI, detainers_with_mounts, namespaces_work, needs_namespaces, python_with_mounts
from tests.test_bad_inputs import land_and_load, query
from tests.test_releases import ddp_parquet

# Where "unexpected" may still be said: the catch-alls for what nobody foresaw.
UNEXPECTED = {"detainers/cli.py": 1, "detainers/pipeline.py": 2}
# Foreseen failures whose end-to-end test lives elsewhere.
ELSEWHERE = {"older_warehouse": "tests/test_older_warehouse.py", "newer_warehouse": "tests/test_older_warehouse.py",
             "layout_by_header_none": "tests/test_releases.py", "layout_by_header_several": "tests/test_catalog.py",
             "release_other_bytes": "tests/test_catalog.py",
             "parquet_column_type": "tests/test_parquet_limits.py", "decoded_too_large": "tests/test_parquet_limits.py",
             "too_many_values": "tests/test_parquet_limits.py",
             "manifest_not_utf8": "tests/test_manifest.py", "toml_too_deep": "tests/test_manifest.py",
             "integer_too_large": "tests/test_manifest.py", "sheet_decodes_too_large": "tests/test_hostile_inputs.py",
             "release_replaced": "tests/test_nightly.py",
             # below in this file
             "read_only": "test_a_read_only_warehouse_folder_is_named_with_what_to_do, test_html_into_a_folder_it_cannot_write_is_one_line",
             "disk_full": "test_a_full_disk_under_the_landing_zone_fails_the_source_in_words, the build, --html",
             "under_a_file": "test_html_into_a_folder_it_cannot_write_is_one_line",
             "exports_not_a_folder": "test_exports_that_are_a_file_are_named_and_nothing_is_published"}
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


# ---- faults of the file system (issue 25): real ones, in a mount namespace (tests/mounts.py) ----

def _published(tmp_path) -> tuple[Path, Path]:
    """A warehouse published from a small extract, and its manifest; then the extract changes,
    so the next run has something to build and publish."""
    extract = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(5)])
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n')
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    done = CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    assert done.exit_code == 0, done.output
    write_csv(extract, [HEADER, *good_rows(6)])
    return manifest, warehouse


def _one_line(done) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "unexpected" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert not EXCEPTION_NAME.search(done.stderr), done.stderr
    return lines[0]


@needs_namespaces
def test_a_read_only_warehouse_folder_is_named_with_what_to_do(tmp_path):
    """As root too: the folder is bound read-only (EROFS), which permission bits cannot show."""
    manifest, warehouse = _published(tmp_path)
    before = warehouse.read_bytes()
    done = detainers_with_mounts({warehouse.parent: "ro"}, "run", "--no-prefect", "--manifest", str(manifest),
                                 "--warehouse", str(warehouse))
    assert done.returncode == 1
    lock = warehouse.with_name(warehouse.name + ".lock")
    assert _one_line(done) == "error: " + os_failure(OSError(errno.EROFS, "", str(lock)))
    assert warehouse.read_bytes() == before


@needs_namespaces
def test_a_full_disk_under_the_landing_zone_fails_the_source_in_words(tmp_path):
    """landing/ on a disk of 64 KiB: the changed 2.4 MB extract cannot land. The source fails
    naming the file and saying to free space; the published warehouse keeps its rows."""
    manifest, warehouse = _published(tmp_path)
    shutil.copyfile(BUNDLED_EXTRACT, tmp_path / "f.csv")  # 2.4 MB (an xlsx: it will never be read)
    before = warehouse.read_bytes()
    landing = warehouse.parent / "landing"
    done = detainers_with_mounts({landing: "size=64k"}, "run", "--no-prefect", "--manifest", str(manifest),
                                 "--warehouse", str(warehouse))
    assert done.returncode == 1
    line = _one_line(done)
    prefix = f"error: 1 source(s) failed: source s: {landing}: "
    assert line.startswith(prefix) and line.endswith(os_failure(OSError(errno.ENOSPC, ""), "F").removeprefix("F")), line
    assert warehouse.read_bytes() == before


@needs_namespaces
def test_a_full_disk_under_the_build_publishes_nothing_in_words(tmp_path):
    """The warehouse's folder on a disk of 3 MiB: the extract lands, its build does not fit."""
    extract = tmp_path / "extract.xlsx"
    shutil.copyfile(BUNDLED_EXTRACT, extract)
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n')
    folder = tmp_path / "disk"
    done = detainers_with_mounts({folder: "size=3m"}, "run", "--no-prefect", "--manifest", str(manifest),
                                 "--warehouse", str(folder / "detainers.duckdb"))
    assert done.returncode == 1
    line = _one_line(done)
    assert line.startswith(f"error: {folder / '.build'}/detainers-"), line
    assert line.endswith(os_failure(OSError(errno.ENOSPC, ""), "F").removeprefix("F")), line


@needs_namespaces
def test_exports_on_another_file_system_are_updated(tmp_path):
    """Issue 25: exports/ mounted from another file system failed every run after publishing
    ("unexpected OSError [Errno 18] Invalid cross-device link") and never updated. They are
    prepared inside exports/ now, so moving them in is a rename on its own file system."""
    manifest, warehouse = _published(tmp_path)
    exports = warehouse.parent / "exports"
    total = "import duckdb, sys; print(duckdb.connect().execute(f\"select sum(detainers) from '{sys.argv[1]}'\").fetchone()[0])"
    done = python_with_mounts({exports: "size=16m"},
                              [CLI, "run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)],
                              [total, str(exports / "daily_detainers_by_state.parquet")])
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"published {warehouse}" in done.stdout and done.stdout.splitlines()[-1] == "6", done.stdout[-2000:]


def test_exports_that_are_a_file_are_named_and_nothing_is_published(tmp_path):
    manifest, warehouse = _published(tmp_path)
    before = warehouse.read_bytes()
    exports = warehouse.parent / "exports"
    shutil.rmtree(exports)
    exports.write_text("someone's notes")
    done = CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    assert done.exit_code == 1
    assert done.output.splitlines()[-1] == "error: " + failure("exports_not_a_folder", exports=exports, warehouse="detainers.duckdb")
    assert warehouse.read_bytes() == before and exports.read_text() == "someone's notes"


def test_a_fault_placing_the_exports_after_the_publish_is_repaired_by_the_next_run(tmp_path, monkeypatch):
    """Injected at the OS boundary (a full disk as place_exports renames the files in): the
    warehouse is published, the run says the exports are behind it, and the next run, with
    nothing else changed, writes them again."""
    import detainers.pipeline
    from detainers.warehouse.exports import place_exports
    from detainers.pipeline import plan_run, run_pipeline

    manifest, warehouse = _published(tmp_path)
    calls = []

    def full_once(scratch, target):
        calls.append(scratch)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device", str(warehouse.parent / "exports" / "jurisdictions.csv"))
        return place_exports(scratch, target)

    monkeypatch.setattr(detainers.pipeline, "place_exports", full_once)
    first = run_pipeline(plan_run(manifest), warehouse)
    assert first.published and not first.failed
    assert first.notes == [f"published, but the exports are behind it: {warehouse.parent / 'exports' / 'jurisdictions.csv'}: "
                           "cannot be written, the disk holding it is full (no space left on device); free some space "
                           "there and run the command again; the next run writes them again"]
    monkeypatch.undo()
    second = run_pipeline(plan_run(manifest), warehouse)
    assert not second.published and second.notes == [
        "the exports were behind the published warehouse (a run stopped while publishing): rewritten"]
    with duckdb.connect() as con:
        assert con.execute(f"select sum(detainers) from '{warehouse.parent / 'exports' / 'daily_detainers_by_state.parquet'}'"
                           ).fetchone() == (6,)


@pytest.mark.parametrize("where", ["read-only", "under-a-file", "full"])
def test_html_into_a_folder_it_cannot_write_is_one_line(tmp_path, where, bundled_run):
    warehouse, _ = bundled_run
    if where == "under-a-file":
        (tmp_path / "notes.txt").write_text("x")
        page = tmp_path / "notes.txt" / "report.html"
        done = subprocess.run([sys.executable, "-P", "-c", CLI, "report", "--warehouse", str(warehouse), "--html", str(page)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        expected = os_failure(FileExistsError(errno.EEXIST, "", str(tmp_path / "notes.txt")))
    else:
        if not namespaces_work():
            pytest.skip("needs unshare and unprivileged user namespaces (Linux)")
        folder = tmp_path / "pages"
        folder.mkdir()
        page = folder / "report.html"
        done = detainers_with_mounts({folder: "ro" if where == "read-only" else "size=4k"}, "report", "--warehouse",
                                     str(warehouse), "--html", str(page))
        expected = os_failure(OSError(errno.EROFS if where == "read-only" else errno.ENOSPC, "", str(page)))
    assert done.returncode == 1
    assert _one_line(done) == f"error: --html: {expected}"
    assert not page.exists() and not list(page.parent.glob(".*.tmp")) if page.parent.is_dir() else True
