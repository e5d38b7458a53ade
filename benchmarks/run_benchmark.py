"""The pipeline as users run it, against DuckDB's and fastexcel's own speed.

    .venv/bin/python benchmarks/run_benchmark.py          # the full run: 10M CSV, 1M xlsx, 10M Parquet rows, 2 rounds
    .venv/bin/python benchmarks/run_benchmark.py --csv-rows 1000000 --xlsx-rows 0 --parquet-rows 0 --rounds 1
    .venv/bin/python benchmarks/run_benchmark.py --quick  # no-op run, usage errors: median of 5 against 0.5 s

Every measurement is a whole command in a process of its own (the installed `detainers`
entry point, no Prefect API configured): `detainers run` on a fresh warehouse of a
deterministic synthetic extract (benchmarks/make_extracts.py) against its baseline, the bare
reader's ingest of the same file: DuckDB's `create table t as select * from read_csv(file)`
(CSV) or `read_parquet(file)` (Parquet), fastexcel's read of every sheet to Arrow (xlsx;
python-calamine's parse measured beside it). Each round runs baseline, run, run, baseline
(b r r b), so a machine getting busier or quieter weighs on both alike; the ratio is of sums
(all runs' seconds over all baselines'), in wall time and in CPU time (user + system, from
os.wait4, which other work on the machine slows far less). The machine's load average is
printed at each measurement. Then the commands a user meets every night or at every mistake:
a run that finds nothing changed (bundled manifest) and argument or manifest errors.

The results table goes to docs/performance.md, between its markers (so the page's figures are
generated, never typed), and to benchmarks/results.md and results.json (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
DETAINERS = [str(Path(sys.executable).with_name("detainers"))]
WINDOW = ("2007-10-01", "2015-09-30")  # FY2008 .. FY2015: every generated prepare date
TARGETS = {"csv": 1.8, "xlsx": 1.5, "parquet": 1.4}  # issue 27: of the bare reader's ingest, wall and CPU
PEAK_TARGET_MB = {"csv": 1024}  # issue 27: the 10M-row CSV run under 1 GB
DOCS_PAGE = ROOT / "docs" / "performance.md"
START, END = "<!-- benchmark results: written by benchmarks/run_benchmark.py -->", "<!-- end of benchmark results -->"
DUCKDB_INGEST = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                 "con.execute('create table t as select * from read_csv(?)', [sys.argv[2]]); "
                 "print(con.execute('select count(*) from t').fetchone()[0])")
PARQUET_INGEST = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                  "con.execute('create table t as select * from read_parquet(?)', [sys.argv[2]]); "
                  "print(con.execute('select count(*) from t').fetchone()[0])")
FASTEXCEL_READ = ("import sys, fastexcel; wb = fastexcel.read_excel(sys.argv[2]); "
                  "print(sum(wb.load_sheet(name).to_arrow().num_rows for name in wb.sheet_names))")
CALAMINE_PARSE = ("import sys; from python_calamine import CalamineWorkbook; wb = CalamineWorkbook.from_path(sys.argv[2]); "
                  "print(sum(len(wb.get_sheet_by_index(i).to_python()) - 1 for i in range(len(wb.sheet_names))))")


def measure(args: list[str], cwd: Path) -> dict:
    """Run a command to its end: wall seconds, CPU seconds (user + system), its own peak
    resident MB (os.wait4 on it, the pipes drained meanwhile), the load average as it started,
    exit code, output. No Prefect API is configured for it."""
    load = os.getloadavg()[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {"PREFECT_HOME": str(cwd / "prefect-home")}
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with ThreadPoolExecutor(2) as pool:
        out, err = pool.submit(proc.stdout.read), pool.submit(proc.stderr.read)
        _, status, usage = os.wait4(proc.pid, 0)
        stdout, stderr = out.result(), err.result()
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "load": load,
            "code": proc.returncode, "stdout": stdout.decode(errors="replace"), "stderr": stderr.decode(errors="replace")}


BASELINES = {"csv": DUCKDB_INGEST, "xlsx": FASTEXCEL_READ, "parquet": PARQUET_INGEST}
BASELINE_NAMES = {"csv": "DuckDB `create table as select * from read_csv(file)`",
                  "xlsx": "fastexcel's read of every sheet to Arrow",
                  "parquet": "DuckDB `create table as select * from read_parquet(file)`"}
# Measured in the same pairs and shown beside the baseline, not as the target.
ALSO = {"xlsx": ("python-calamine parse of every sheet", CALAMINE_PARSE)}
LAYOUTS = {"csv": "lesa_stu", "xlsx": "lesa_stu", "parquet": "ddp_processed"}


def pipeline_run(extract: Path, work: Path, fmt: str) -> dict:
    manifest = work / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "bench"\nurl = "{extract}"\nlayout = "{LAYOUTS[fmt]}"\n'
                        f'release = "synthetic benchmark extract"\nwindow_start = {WINDOW[0]}\nwindow_end = {WINDOW[1]}\n')
    result = measure([*DETAINERS, "run", "--json", "--no-prefect"], work)
    if result["code"]:
        raise SystemExit(f"detainers run failed:\n{result['stderr'][-3000:]}")
    summary = json.loads(result["stdout"])
    (source,) = summary["sources"]
    return result | {"stages": summary["seconds"], "rows_loaded": source["rows_loaded"], "rows_rejected": source["rows_rejected"]}


def alternate(fmt: str, rows: int, rounds: int) -> dict:
    """`rounds` rounds of baseline, run, run, baseline (each in a fresh folder): the ratio of
    sums, in wall and in CPU seconds."""
    # Made in a process of its own: a child's peak resident size (os.wait4) starts from what its
    # parent held when it forked, so this process must stay small for the peaks to be the runs' own.
    made = subprocess.run([sys.executable, str(HERE / "make_extracts.py"), "--rows", str(rows), "--format", fmt],
                          check=True, capture_output=True, text=True)
    extract = Path(made.stdout.strip().splitlines()[-1])
    baseline_code = BASELINES[fmt]
    baselines, runs, also = [], [], []

    def baseline() -> None:
        with tempfile.TemporaryDirectory(prefix="bench-", dir=os.environ.get("BENCH_TMPDIR")) as scratch:
            baselines.append(measure([sys.executable, "-c", baseline_code, str(Path(scratch) / "bare.duckdb"), str(extract)], Path(scratch)))
            if fmt in ALSO:
                also.append(measure([sys.executable, "-c", ALSO[fmt][1], str(Path(scratch) / "bare.duckdb"), str(extract)], Path(scratch)))
        b = baselines[-1]
        print(f"  {fmt} b: {b['seconds']:6.2f} s wall, {b['cpu']:6.2f} s CPU (load {b['load']:.1f})", file=sys.stderr, flush=True)

    def run() -> None:
        with tempfile.TemporaryDirectory(prefix="bench-", dir=os.environ.get("BENCH_TMPDIR")) as scratch:
            runs.append(pipeline_run(extract, Path(scratch), fmt))
        r = runs[-1]
        print(f"  {fmt} r: {r['seconds']:6.2f} s wall, {r['cpu']:6.2f} s CPU (load {r['load']:.1f})", file=sys.stderr, flush=True)

    for _ in range(rounds):
        for step in (baseline, run, run, baseline):
            step()
    total = lambda items, key: sum(item[key] for item in items)  # noqa: E731
    stage_names = runs[0]["stages"]
    loads = [m["load"] for m in (*baselines, *runs)]
    return {
        "format": fmt, "rows": rows, "file_mb": extract.stat().st_size / 2**20, "rounds": rounds,
        "run": total(runs, "seconds"), "baseline": total(baselines, "seconds"),
        "run_cpu": total(runs, "cpu"), "baseline_cpu": total(baselines, "cpu"), "measurements": len(runs),
        "run_peak_mb": max(r["peak_mb"] for r in runs), "baseline_peak_mb": max(b["peak_mb"] for b in baselines),
        "stages": {k: statistics.median([r["stages"][k] for r in runs]) for k in stage_names},
        "rows_loaded": runs[0]["rows_loaded"], "rows_rejected": runs[0]["rows_rejected"],
        "load": (min(loads), max(loads)),
        "also": {"name": ALSO[fmt][0], "seconds": total(also, "seconds"), "cpu": total(also, "cpu")} if also else None,
    }


QUICK_TARGET = 0.5  # seconds, whole process: a run that finds nothing changed, and a usage error
QUICK = {  # what a user meets every night or at every mistake; expected exit code
    "detainers run (nothing changed)": (["run"], 0),
    "detainers run --no-such-option": (["run", "--no-such-option"], 2),
    "detainers report --by nonsense": (["report", "--by", "nonsense"], 2),
}


def quick(repeat: int) -> dict[str, float]:
    """--quick: the commands that must answer in under QUICK_TARGET s, whole process (median
    of `repeat`), after one `detainers run` publishes the bundled extract."""
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        work = Path(scratch)
        if measure([*DETAINERS, "run"], work)["code"]:
            raise SystemExit("detainers run on the bundled manifest failed")
        medians = {}
        for name, (args, code) in QUICK.items():
            results = [measure([*DETAINERS, *args], work) for _ in range(repeat)]
            assert all(r["code"] == code for r in results), results[0]["stderr"]
            if code == 0:
                assert all("nothing changed" in r["stdout"] for r in results), results[0]["stdout"]
            medians[name] = statistics.median(r["seconds"] for r in results)
    return medians


def quick_table(medians: dict[str, float]) -> str:
    lines = ["| command | whole process (median) | target |", "| --- | ---: | ---: |"]
    for name, seconds in medians.items():
        lines.append(f"| `{name}` | {seconds:.3f} s | {'<=' if seconds <= QUICK_TARGET else '**over**'} {QUICK_TARGET} s |")
    return "\n".join(lines)


def nightly_and_mistakes(repeat: int) -> dict:
    """A run of the bundled manifest that finds nothing changed, the interpreter's floor for the
    CLI (`detainers --version`), and usage errors; medians, with the bundled figures."""
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        work = Path(scratch)
        first = measure([*DETAINERS, "run", "--json"], work)
        summary = json.loads(first["stdout"])
        unchanged = [measure([*DETAINERS, "run"], work) for _ in range(repeat)]
        assert all("nothing changed" in r["stdout"] for r in unchanged), unchanged[0]["stdout"]
        report = json.loads(measure([*DETAINERS, "report", "--json"], work)["stdout"])
        floor = [measure([*DETAINERS, "--version"], work) for _ in range(repeat)]
        mistakes = {
            "detainers run --source nope": ["run", "--source", "nope"],
            "detainers backfill --start 2015-02-30 --end 2015-03-01": ["backfill", "--start", "2015-02-30", "--end", "2015-03-01"],
            "detainers run --manifest missing.toml": ["run", "--manifest", "missing.toml"],
        }
        errors = {}
        for name, args in mistakes.items():
            results = [measure([*DETAINERS, *args], work) for _ in range(repeat)]
            assert all(r["code"] == 2 for r in results), results[0]["stderr"]
            errors[name] = statistics.median(r["seconds"] for r in results)
    return {"unchanged": statistics.median(r["seconds"] for r in unchanged),
            "unchanged_peak_mb": max(r["peak_mb"] for r in unchanged),
            "floor": statistics.median(r["seconds"] for r in floor), "errors": errors,
            "bundled": {"loaded": summary["sources"][0]["rows_loaded"], "rejected": summary["sources"][0]["rows_rejected"],
                        "declined": report["declined_detainers"], "coverage_ratio": report["coverage_ratio"]}}


STAGES = (("fetch", "fetch"), ("read_validate", "read + validate (the write waits)"), ("write", "write"),
          ("models", "models + data tests"), ("publish", "publish + exports"))


def _verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "NOT met"


def table(results: list[dict], nightly: dict) -> str:
    lines = ["| what a user runs | `detainers run`, wall (CPU) | baseline, wall (CPU) | ratio wall | ratio CPU | target | peak memory |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        n, target = r["measurements"], TARGETS[r["format"]]
        wall, cpu = r["run"] / r["baseline"], r["run_cpu"] / r["baseline_cpu"]
        beside = (f"; {r['also']['name']}: {r['also']['seconds'] / n:.2f} s ({r['also']['cpu'] / n:.2f} s)"
                  if r.get("also") else "")
        peak_target = PEAK_TARGET_MB.get(r["format"])
        peak_note = f" (< {peak_target / 1024:.0f} GB, {'met' if r['run_peak_mb'] < peak_target else 'NOT met'})" if peak_target else ""
        lines.append(
            f"| `detainers run` on {r['rows']:,} {r['format']} rows, fresh warehouse | {r['run'] / n:.2f} s ({r['run_cpu'] / n:.2f} s) | "
            f"{BASELINE_NAMES[r['format']]}: {r['baseline'] / n:.2f} s ({r['baseline_cpu'] / n:.2f} s){beside} | "
            f"**{wall:.2f}x** ({_verdict(wall, target)}) | **{cpu:.2f}x** ({_verdict(cpu, target)}) | <= {target}x | "
            f"{r['run_peak_mb'] / 1024:.2f} GB{peak_note} (baseline {r['baseline_peak_mb'] / 1024:.2f} GB) |")
    unchanged_met = "met" if nightly["unchanged"] <= QUICK_TARGET else "NOT met"
    lines.append(f"| `detainers run`, nothing changed (bundled manifest, no Prefect server) | {nightly['unchanged']:.2f} s | "
                 f"`detainers --version` (the interpreter and CLI): {nightly['floor']:.2f} s | | | <= {QUICK_TARGET} s ({unchanged_met}) | "
                 f"{nightly['unchanged_peak_mb'] / 1024:.2f} GB |")
    for name, seconds in nightly["errors"].items():
        lines.append(f"| `{name}` (exit 2) | {seconds:.2f} s | | | | <= {QUICK_TARGET} s | |")
    lines += ["", "Seconds per run and baseline are the means of the sums the ratios divide; "
              "the load average is the machine's as each process started:", ""]
    lines += [f"- {r['rows']:,} {r['format']}: {r['measurements']} runs and {r['measurements']} baselines (b r r b x {r['rounds']}), "
              f"load average {r['load'][0]:.1f} to {r['load'][1]:.1f}" for r in results]
    lines += ["", "Stages of `detainers run` (median seconds, from `detainers run --json`):", "",
              "| extract | " + " | ".join(name for _, name in STAGES) + " |",
              "| --- |" + " ---: |" * len(STAGES)]
    for r in results:
        lines.append(f"| {r['rows']:,} {r['format']} ({r['file_mb']:.0f} MB) | " + " | ".join(f"{r['stages'][k]:.2f}" for k, _ in STAGES) + " |")
    b = nightly["bundled"]
    lines += ["", f"Bundled extract: {b['loaded']:,} loaded, {b['rejected']:,} rejected, {b['declined']:,} declined, "
              f"coverage ratio {b['coverage_ratio']}. Rows loaded: " + ", ".join(f"{r['rows_loaded']:,} of {r['rows']:,} {r['format']}" for r in results) + "."]
    return "\n".join(lines)


def write_into_page(text: str, page: Path = DOCS_PAGE) -> None:
    """The results between the page's markers; the rest of the page as it is."""
    content = page.read_text("utf-8")
    if START not in content or END not in content:
        raise SystemExit(f"{page}: the markers {START!r} and {END!r} are missing")
    before, rest = content.split(START, 1)
    after = rest.split(END, 1)[1]
    page.write_text(f"{before}{START}\n\n{text}\n\n{END}{after}", encoding="utf-8")


def compile_package() -> None:
    """Write the package's bytecode as a user's first run leaves it. An editable install is not
    compiled by pip, and with PYTHONDONTWRITEBYTECODE set (as on some CI machines) every timed
    process would compile its ~50 modules again, a cost no user's second run pays."""
    import compileall
    import importlib.util

    for package in ("detainers", "detainers.flows", "detainers.schemas"):
        for folder in importlib.util.find_spec(package).submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time `detainers run` as users run it, against the bare readers' own speed.")
    parser.add_argument("--csv-rows", type=int, default=10_000_000, help="rows of the CSV extract (0: none)")
    parser.add_argument("--xlsx-rows", type=int, default=1_000_000, help="rows of the xlsx extract (0: none)")
    parser.add_argument("--parquet-rows", type=int, default=10_000_000, help="rows of the Parquet extract (0: none)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of baseline, run, run, baseline per extract (default 2)")
    parser.add_argument("--repeat", type=int, default=5, help="with --quick, and for the nothing-changed run: runs of each command (medians)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--page", type=Path, default=DOCS_PAGE, help="the docs page whose results it rewrites (--no-page: none)")
    parser.add_argument("--no-page", action="store_true", help="leave docs/performance.md as it is")
    parser.add_argument("--quick", action="store_true",
                        help=f"only the no-op run and usage errors against their {QUICK_TARGET} s target (repeat: runs each, default 5)")
    args = parser.parse_args(argv)
    if not shutil.which(DETAINERS[0]):
        raise SystemExit(f"{DETAINERS[0]} not found: install the project (make run) first")
    compile_package()
    if args.quick:
        print(quick_table(quick(args.repeat)))
        return 0
    load_before = os.getloadavg()
    results = [alternate(fmt, rows, args.rounds) for fmt, rows in (("csv", args.csv_rows), ("xlsx", args.xlsx_rows),
                                                                     ("parquet", args.parquet_rows)) if rows]
    nightly = nightly_and_mistakes(args.repeat)
    load_after = os.getloadavg()
    command = " ".join(["benchmarks/run_benchmark.py", *(argv if argv is not None else sys.argv[1:])])
    header = (f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}; load average (1, 5, 15 min) "
              f"{', '.join(f'{x:.1f}' for x in load_before)} before, {', '.join(f'{x:.1f}' for x in load_after)} after; "
              f"{args.rounds} round(s) of b r r b per extract.\nCommand: `.venv/bin/python {command}`\n")
    text = header + "\n" + table(results, nightly)
    print(text)
    args.out.write_text("# Benchmark results\n\n" + text + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"results": results, "nightly": nightly}, indent=1, default=str))
    if not args.no_page:
        write_into_page(text, args.page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
