"""Parquet files that ask more of the machine than their size says, and unusual types (issue 25,
items 1 and 5, for Parquet): memory is bounded by what a file expands to, checked before a
value is expanded; a file over a limit fails alone in one line naming the column; dates no
calendar holds quarantine their row; lists, maps, bytes and structs refuse their column. Each
hostile file is small, and each run's peak memory is measured on its own process (os.wait4),
not timed."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from detainers.schemas.reference import failure

PEAK_LIMIT_MB = 1536  # 1.5 GB: any run, whatever its input
# The CLI, telling at its exit its own peak resident memory since it started (VmHWM): a
# child's ru_maxrss from wait4 would count the test process's memory, kept across fork and exec.
CLI = [sys.executable, "-P", "-c", "import atexit, sys\n"
       "def peak():\n"
       "    line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
       "    print('PEAK_KB', line.split()[1], file=sys.__stderr__, flush=True)\n"
       "atexit.register(peak)\n"
       "from detainers.cli import main; main()"]
TRACEBACK = re.compile(r"Traceback|\bError\b|Exception|panicked")


def ddp(path, n: int, facility: pa.Array | None = None, prepare: pa.Array | None = None):
    """A file in DDP's processed shape (layout ddp_processed), n rows, one row group."""
    table = pa.table({
        "detainer_prepare_date": prepare if prepare is not None else pa.array([dt.date(2025, 4, 1)] * n, pa.date32()),
        "facility_state": pa.array(["TEXAS"] * n).dictionary_encode(),
        "detainer_facility": facility if facility is not None else pa.array(["HARRIS COUNTY JAIL"] * n).dictionary_encode(),
        "detainer_lift_reason": pa.array([None] * n, pa.string()),
    })
    pq.write_table(table, path, row_group_size=max(n, 1), compression="zstd")
    return path


def run(tmp_path, path, **settings) -> tuple[int, str, float]:
    """`detainers run` on the file in a process of its own: exit code, output, peak RSS in MB."""
    extra = "".join(f"{key} = {value}\n" for key, value in settings.items())
    (tmp_path / "sources.toml").write_text(f'[[source]]\nname = "h"\nurl = "{path}"\nlayout = "ddp_processed"\n{extra}')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "PREFECT_HOME": str(tmp_path / "prefect"), "COLUMNS": "80"}
    done = subprocess.run([*CLI, "run", "--no-prefect"], cwd=tmp_path, env=env, capture_output=True, text=True)
    (peak_kb,) = re.findall(r"^PEAK_KB (\d+)$", done.stderr, re.M)
    output = done.stdout + re.sub(r"^PEAK_KB \d+\n", "", done.stderr, flags=re.M)
    return done.returncode, output, int(peak_kb) / 1024


def one_line(output: str, name: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith("error:")]
    assert name in line and not TRACEBACK.search(output), output
    return line


def test_a_value_repeated_by_its_dictionary_fails_naming_the_column_without_expanding_it(tmp_path):
    """A few KB on disk, 20 GB once decoded: one 100,000-character facility in 200,000 rows."""
    repeated = pa.DictionaryArray.from_arrays(pa.array(np.zeros(200_000, np.int32)), pa.array(["X" * 100_000]))  # never expanded
    path = ddp(tmp_path / "bomb.parquet", 200_000, facility=repeated)
    assert path.stat().st_size < 200_000
    code, output, peak = run(tmp_path, path)
    assert code == 1 and peak < PEAK_LIMIT_MB, (peak, output)
    line = one_line(output, "bomb.parquet")
    assert "column 'detainer_facility' would hold 20,000,000,000 bytes once decoded" in line
    assert "max_decoded_column_bytes" in line


def test_a_batch_over_its_limit_names_its_largest_column(tmp_path):
    path = ddp(tmp_path / "wide.parquet", 1000, facility=pa.array(["Y" * 400] * 1000).dictionary_encode())
    code, output, peak = run(tmp_path, path, max_decoded_batch_bytes=100_000)
    assert code == 1 and peak < PEAK_LIMIT_MB
    line = one_line(output, "wide.parquet")
    assert "column 'detainer_facility' would hold" in line and "with the other columns read" in line
    assert "max_decoded_batch_bytes" in line


def test_too_many_distinct_facilities_fail_naming_the_column(tmp_path):
    """A facility column of more distinct names than a release holds (three million in one row
    group ran the models out of memory): refused at the first batch, before they are validated."""
    n = 250_000
    path = ddp(tmp_path / "many.parquet", n, facility=pa.array([f"FACILITY {i:07d} COUNTY JAIL" for i in range(n)]))
    code, output, peak = run(tmp_path, path)
    assert code == 1 and peak < PEAK_LIMIT_MB, (peak, output)
    line = one_line(output, "many.parquet")
    assert line.endswith(failure("too_many_values", file="many.parquet", column="detainer_facility", limit=200_000)
                         .split("many.parquet: ", 1)[1][:60]) or "holds more than 200,000 distinct values" in line


YEAR_57111 = int((np.datetime64("57111-03-04") - np.datetime64("1970-01-01")).astype(int))


@pytest.mark.parametrize("days", [2**31 - 1, YEAR_57111], ids=["int32 max (polars panicked)", "year 57111"])
def test_a_date_no_calendar_holds_quarantines_its_row(tmp_path, days):
    shown = str(np.datetime64(days, "D"))
    prepare = pa.array([20_000, days, 20_001], pa.int32()).cast(pa.date32())
    path = ddp(tmp_path / "dates.parquet", 3, prepare=prepare)
    code, output, peak = run(tmp_path, path, reject_stop_share=0.5, reject_warn_share=0.5)
    assert code == 0 and not TRACEBACK.search(output), output
    with duckdb.connect(str(tmp_path / "warehouse" / "detainers.duckdb"), read_only=True) as con:
        rejects = con.execute('select source_row, "column", "check", original from audit.rejects').fetchall()
        loaded = con.execute("select prepare_date from raw.detainers order by 1").fetchall()
    [(row, column, check, original)] = rejects
    assert (row, column) == (2, "prepare_date") and "not a date" in check
    assert json.loads(original)["detainer_prepare_date"].startswith(shown)
    assert loaded == [(dt.date(2024, 10, 4),), (dt.date(2024, 10, 5),)]


UNUSUAL = {
    "list": (pa.array([["A"], ["B"], None], pa.list_(pa.string())), "lists"),
    "map": (pa.array([[("a", "X")], [("b", "Y")], None], pa.map_(pa.string(), pa.string())), "a map"),
    "binary": (pa.array([b"HARRIS", b"\xff\xfe", None], pa.binary()), "binary data"),
    "struct": (pa.array([{"name": "HARRIS COUNTY JAIL"}, {"name": "X"}, None]), "a struct"),
}


@pytest.mark.parametrize("kind", list(UNUSUAL))
def test_a_column_of_lists_maps_bytes_or_structs_is_refused_in_one_line(tmp_path, kind):
    values, said = UNUSUAL[kind]
    path = ddp(tmp_path / f"{kind}.parquet", 3, facility=values)
    code, output, _ = run(tmp_path, path)
    assert code == 1
    line = one_line(output, f"{kind}.parquet")
    assert f"column 'detainer_facility' holds {said}" in line and "nothing of it was loaded" in line
    with duckdb.connect(str(tmp_path / "warehouse" / "detainers.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.detainer_values where field = 'facility' and value is not null").fetchall() == [(0,)]
