"""Peak memory of `detainers run` on workbooks that expand once decoded (issue 25): the
hostile one (cells sharing one 100,000-character string) and the largest a source's default
limits let through. Each run is the installed CLI in a process of its own, its address space
capped (a file past the bound fails the run, not the machine), its peak resident memory as
the kernel counted it for that process (os.wait4), and its wall time.

    .venv/bin/python benchmarks/memory_bounds.py            # writes benchmarks/memory_bounds.md

The table is written here and into docs/reliability.md, between its `memory-bounds` markers.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detainers.transform import decoded  # noqa: E402
from detainers.schemas.reference import limits  # noqa: E402
from tests.badfiles import GOOD, write_shared_strings_xlsx  # noqa: E402

BUNDLED = ROOT / "data" / "foia" / "lesa-stu-fy2015-foia-15-87693.xlsx"

CAP = 6 << 30
DOCS = ROOT / "docs" / "reliability.md"
OUT = Path(__file__).resolve().parent / "memory_bounds.md"
START, END = "<!-- memory-bounds: written by benchmarks/memory_bounds.py -->", "<!-- /memory-bounds -->"


def measured(manifest: Path, warehouse: Path) -> tuple[int, str, int, float]:
    """(exit code, last line of output, peak resident bytes, seconds) of `detainers run`."""
    def capped():
        resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))

    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from detainers.cli import main; main()", "run", "--no-prefect",
                             "--manifest", str(manifest), "--warehouse", str(warehouse)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=capped)
    output = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, output.strip().splitlines()[-1], usage.ru_maxrss * 1024, time.perf_counter() - started


def extra_width(rows: int, extra: int, budget: int) -> int:
    """How long the strings of `extra` further columns may be, beside the layout's six columns
    of GOOD values, for a sheet of `rows` rows to decode (as decoded.Decoded.batch_bytes counts
    it, each shared string by its <si> element) to just under `budget` bytes."""
    columns = len(GOOD) + extra
    cells = (rows + 1) * columns
    markup = len("<si><t></t></si>")
    good = sum(len(v.encode()) + markup + decoded.TEXT_CELL_BYTES for v in GOOD)
    room = budget - cells * decoded.CELL_BYTES - rows * good - (rows + 1) * 64
    return room // (rows * extra) - markup - decoded.TEXT_CELL_BYTES - 8


def sheet_bytes(path: Path) -> int:
    """What its first sheet decodes to, counted cell by cell (decoded.Decoded.batch_bytes)."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        shared = decoded.shared_strings(book, book.infolist())
        return decoded.exact(book, book.getinfo("xl/worksheets/sheet1.xml"), shared, limits()["max_decoded_value_bytes"]).batch_bytes


BENCH_XLSX = ROOT / "benchmarks" / ".cache" / "lesa-stu-xlsx-1000000-seed20180118.xlsx"
REJECTED_ROWS = 100_000


def sheet_size(path: Path) -> int:
    import zipfile

    with zipfile.ZipFile(path) as book:
        return sum(p.file_size for p in book.infolist() if p.filename.startswith("xl/worksheets/"))


def counting_seconds(path: Path) -> float:
    from detainers.transform.limits import ReadLimits
    from detainers.transform.workbook import check_workbook

    times = []
    for _ in range(3):
        started = time.perf_counter()
        check_workbook(path, ReadLimits.of())
        times.append(time.perf_counter() - started)
    return min(times)


def refusing_seconds() -> float:
    from tests.badfiles import HEADER, row, write_csv

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        extract = write_csv(folder / "rejected.csv", [HEADER, *[row(date="99/99/99")] * REJECTED_ROWS])
        manifest = folder / "sources.toml"
        manifest.write_text(f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n')
        code, last, _, seconds = measured(manifest, folder / "w" / "detainers.duckdb")
        assert code == 1 and "rows rejected" in last, last
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    budget = limits()["max_decoded_batch_bytes"]
    cases = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        hostile = write_shared_strings_xlsx(folder / "shared.xlsx", [*GOOD, "X" * 100_000], [0, 1, 6, 3, 4, 5], 190_000)
        cases.append(("the bundled FY2015 workbook (79,053 rows x 6 columns, 2.5 MB)", BUNDLED))
        cases.append(("190,000 rows sharing one 100,000-character string (3.8 MB file)", hostile))
        # a release's sheet: the layout's columns among more (ero_2023 has 64), text-heavy, then cell-heavy
        for rows, extra in ((200_000, 18), (600_000, 6)):
            width = extra_width(rows, extra, budget)
            strings = [*GOOD, *(f"{i:03d} " + "Y" * (width - 4) for i in range(extra))]
            near = write_shared_strings_xlsx(folder / f"near-{rows}.xlsx", strings, list(range(len(strings))), rows)
            cases.append((f"{rows:,} rows x {len(strings)} columns ({extra} of {width}-byte strings): just under "
                          "max_decoded_batch_bytes", near))
        lines = ["| workbook | file | decodes to (bytes, as counted) | outcome | peak memory | time |",
                 "| --- | ---: | ---: | --- | ---: | ---: |"]
        for label, path in cases:
            manifest = folder / "sources.toml"
            manifest.write_text(f'[[source]]\nname = "s"\nurl = "{path}"\nlayout = "lesa_stu"\n')
            code, last, peak, seconds = measured(manifest, folder / f"{path.stem}" / "detainers.duckdb")
            outcome = ("refused: " + re.sub(r".*\((max_\w+)\).*", r"over \1", last)) if code else "read and published"
            lines.append(f"| {label} | {path.stat().st_size / 1e6:.1f} MB | {sheet_bytes(path):,} | {outcome} "
                         f"| {peak / 1e9:.2f} GB | {seconds:.1f} s |")
    lines += ["", "What counting a workbook costs (`check_workbook`, best of 3, in this process) and what refusing a release "
              "of wholly rejected rows takes (`detainers run`, whole process):", "",
              "| what | size | seconds |", "| --- | ---: | ---: |"]
    for label, path in (("the bundled FY2015 workbook: counted", BUNDLED), ("a 1,000,000-row benchmark workbook "
                        "(benchmarks/make_extracts.py): counted", BENCH_XLSX)):
        if path.exists():
            lines.append(f"| {label} | {sheet_size(path) / 1e6:.0f} MB of sheet XML | {counting_seconds(path):.2f} |")
    lines.append(f"| 100,000 rows, every one rejected: refused | {REJECTED_ROWS:,} rows | {refusing_seconds():.1f} |")
    table = "\n".join(lines)
    when = time.strftime("%Y-%m-%d")
    OUT.write_text(f"Measured by `benchmarks/memory_bounds.py` on {when} ({os.cpu_count()} cores, load average "
                   f"{os.getloadavg()[0]:.1f}; limits: max_decoded_batch_bytes {budget:,}, max_decoded_column_bytes "
                   f"{limits()['max_decoded_column_bytes']:,}, max_decoded_value_bytes {limits()['max_decoded_value_bytes']:,}):\n\n{table}\n")
    page = DOCS.read_text("utf-8")
    start, end = page.index(START) + len(START), page.index(END)
    DOCS.write_text(page[:start] + "\n" + OUT.read_text() + page[end:])
    print(OUT.read_text())


if __name__ == "__main__":
    main()
