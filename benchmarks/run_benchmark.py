"""The pipeline against DuckDB's and calamine's own speed, on synthetic extracts of N rows.

    .venv/bin/python benchmarks/run_benchmark.py --rows 1000000 --format both

For each format it makes (or reuses) a deterministic extract (benchmarks/make_extracts.py),
then, each measurement in a fresh process so every peak memory is its own:

- bare:   DuckDB's own ingest, `create table t as select * from read_csv(file)` into a new
          database file; for xlsx also python-calamine's parse alone (every sheet to_python).
- stages: the pipeline as plain Python (run_pipeline), by stage: fetch (hash + land),
          read + validate, write (load), models, publish, and the headline query
          (`detainers report`) on the published file.
          The loader reads and validates the next batch while DuckDB writes this one, so
          "read + validate" is only the time the write waited for rows.
- flow:   the whole Prefect flow `flows.pipeline.run_flow` on a one-source manifest; then
          the same run again with nothing changed, and an empty Prefect flow in the same
          process, so the nightly no-change cost is the difference of the two.

Each is run --repeat times and the best is kept. It prints a table of seconds and ratios
(absolute times vary between machines: the ratios are the result) and writes it as markdown
to benchmarks/results.md (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

WINDOW = ("2007-10-01", "2015-09-30")  # FY2008 .. FY2015: every generated prepare date


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_manifest(folder: Path, extract: Path) -> Path:
    manifest = folder / "sources.toml"
    manifest.write_text(
        f"""[[source]]
name = "bench"
url = "{extract.resolve()}"
layout = "lesa_stu"
release = "synthetic benchmark extract"
window_start = {WINDOW[0]}
window_end = {WINDOW[1]}
""",
        encoding="utf-8",
    )
    return manifest


# ---- measurements, each run in its own process (python run_benchmark.py --child KIND FILE) ----

def child_duckdb(extract: Path, work: Path) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(work / "bare.duckdb"))
    con.execute("create table t as select * from read_csv(?)", [str(extract)])
    rows = con.execute("select count(*) from t").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mb": peak_mb()}


def child_calamine(extract: Path, work: Path) -> dict:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(str(extract))
    rows = 0
    for i in range(len(workbook.sheet_names)):
        rows += len(workbook.get_sheet_by_index(i).to_python()) - 1
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mb": peak_mb()}


def child_stages(extract: Path, work: Path) -> dict:
    """The pipeline as plain Python (detainers.pipeline.run_pipeline, no Prefect), by stage."""
    import duckdb

    from detainers.pipeline import plan_run, run_pipeline
    from detainers.report.headline import DEFAULT_END, DEFAULT_START, headline

    warehouse = work / "warehouse" / "detainers.duckdb"
    summary = run_pipeline(plan_run(write_manifest(work, extract)), warehouse)
    (outcome,) = summary.sources
    seconds = dict(summary.seconds)
    seconds["total"] = sum(seconds[k] for k in ("fetch", "load_total", "models", "publish"))
    peak = peak_mb()

    # `detainers report`: a fresh read-only connection, then the headline query; best of 5
    con = duckdb.connect(str(warehouse), read_only=True)
    queries = []
    for _ in range(5):
        clock = time.perf_counter()
        head = headline(con, DEFAULT_START, DEFAULT_END)
        queries.append(time.perf_counter() - clock)
    con.close()
    seconds["report_query"] = min(queries)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = con.execute("select count(*) from raw.detainers").fetchone()[0]
        rejected = con.execute("select count(*) from audit.rejects").fetchone()[0]
    return {"seconds": seconds, "rows_read": outcome.rows_read, "rows_loaded": counts, "rows_rejected": rejected,
            "headline": head, "peak_mb": peak, "warehouse_mb": warehouse.stat().st_size / 2**20}


def child_flow(extract: Path, work: Path) -> dict:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    import flows  # noqa: F401  (offline-safe Prefect defaults)
    from prefect import flow

    from flows.pipeline import run_flow

    @flow(name="empty")
    def empty_flow() -> None:
        return None

    manifest = write_manifest(work, extract)
    warehouse = work / "warehouse" / "detainers.duckdb"
    clock = time.perf_counter()
    empty_flow()  # starts Prefect's server (if ephemeral) outside the measured runs
    first_empty = time.perf_counter() - clock

    clock = time.perf_counter()
    summary = run_flow(manifest=manifest, warehouse=warehouse)
    full = time.perf_counter() - clock
    peak = peak_mb()
    (outcome,) = summary.sources

    nochange, empty = [], []
    for _ in range(3):
        clock = time.perf_counter()
        again = run_flow(manifest=manifest, warehouse=warehouse)
        nochange.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        empty_flow()
        empty.append(time.perf_counter() - clock)
    return {"seconds": {"flow": full, "nochange": min(nochange), "empty_flow": min(empty), "first_empty": first_empty,
                        **{f"flow_{k}": v for k, v in summary.seconds.items()}},
            "rows_read": outcome.rows_read, "rows_loaded": outcome.rows_loaded, "rows_rejected": outcome.rows_rejected,
            "second_run": [o.load for o in again.sources], "published_again": again.published, "peak_mb": peak}


CHILDREN = {"duckdb": child_duckdb, "calamine": child_calamine, "stages": child_stages, "flow": child_flow}


def measure(kind: str, extract: Path, repeat: int) -> dict:
    """The best (fastest) of `repeat` runs of a measurement, each in a fresh process."""
    best = None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-", dir=os.environ.get("BENCH_TMPDIR")) as work:
            env = dict(os.environ, PREFECT_HOME=str(Path(work) / "prefect-home"))
            proc = subprocess.run([sys.executable, __file__, "--child", kind, str(extract), work], env=env,
                                  capture_output=True, text=True, cwd=ROOT)
            if proc.returncode:
                sys.stderr.write(proc.stdout + proc.stderr)
                raise SystemExit(f"{kind} measurement failed")
            out = json.loads(proc.stdout.strip().splitlines()[-1])
        key = out["seconds"]["total"] if kind == "stages" else out["seconds"]["flow"] if kind == "flow" else out["seconds"]
        best_key = None if best is None else (best["seconds"]["total"] if kind == "stages" else best["seconds"]["flow"]
                                             if kind == "flow" else best["seconds"])
        if best is None or key < best_key:
            best = out
        print(f"  {kind}: {key:.2f}s, peak {out['peak_mb']:.0f} MB", file=sys.stderr)
    return best


def bench_format(fmt: str, rows: int, repeat: int, skip_flow: bool) -> dict:
    from make_extracts import make_extract

    clock = time.perf_counter()
    extract = make_extract(rows, fmt)
    print(f"{fmt}: {extract.name} ({extract.stat().st_size / 2**20:.0f} MB, ready in {time.perf_counter() - clock:.1f}s)",
          file=sys.stderr)
    out = {"format": fmt, "rows": rows, "file_mb": extract.stat().st_size / 2**20}
    if fmt == "csv":
        out["duckdb"] = measure("duckdb", extract, repeat)
    else:  # DuckDB reads no xlsx offline (its excel extension is downloaded at run time)
        out["calamine"] = measure("calamine", extract, repeat)
    out["stages"] = measure("stages", extract, repeat)
    if not skip_flow:
        out["flow"] = measure("flow", extract, repeat)
    return out


def table(results: list[dict]) -> str:
    lines = []
    for r in results:
        s = r["stages"]["seconds"]
        base_name, base = ("python-calamine parse", r["calamine"]["seconds"]) if r["format"] == "xlsx" else (
            "DuckDB bare ingest", r["duckdb"]["seconds"])
        lines += [f"### {r['rows']:,} rows, {r['format']} ({r['file_mb']:.0f} MB)", "",
                  "| measurement | seconds | × baseline | peak MB |", "| --- | ---: | ---: | ---: |"]

        def row(name, sec, peak=""):
            lines.append(f"| {name} | {sec:.2f} | {sec / base:.2f} | {peak} |")

        row("**baseline: " + base_name + "**", base,
            f"{(r['calamine'] if r['format'] == 'xlsx' else r['duckdb'])['peak_mb']:.0f}")
        for key, name in (("fetch", "stage: fetch (sha256 + land)"), ("read_validate", "stage: read + validate (what the write waits for)"),
                          ("write", "stage: write (load into DuckDB)"), ("models", "stage: models + data tests"),
                          ("publish", "stage: publish")):
            row(name, s[key])
        row("**stages total**", s["total"], f"{r['stages']['peak_mb']:.0f}")
        if "flow" in r:
            f = r["flow"]["seconds"]
            row("**whole Prefect flow (`run_flow`)**", f["flow"], f"{r['flow']['peak_mb']:.0f}")
            lines.append(f"| nightly run, nothing changed | {f['nochange']:.2f} | | |")
            lines.append(f"| empty Prefect flow | {f['empty_flow']:.2f} | | |")
            lines.append(f"| **nightly run beyond the empty flow** | {f['nochange'] - f['empty_flow']:.2f} | | |")
        lines.append(f"| `detainers report` headline query | {s['report_query']:.3f} | | |")
        lines.append("")
        lines.append(f"rows read {r['stages']['rows_read']:,}, loaded {r['stages']['rows_loaded']:,}, "
                     f"rejected {r['stages']['rows_rejected']:,}; warehouse {r['stages']['warehouse_mb']:.0f} MB.")
        lines.append("")
    return "\n".join(line for line in lines if line is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the pipeline against DuckDB's and calamine's own speed.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the best is kept")
    parser.add_argument("--skip-flow", action="store_true", help="time the stage functions only")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, extract, work = args.child
        print(json.dumps(CHILDREN[kind](Path(extract), Path(work)), default=str))
        return 0
    if args.rows > 10_000_000:
        parser.error("--rows: at most 10,000,000")
    results = [bench_format(fmt, args.rows, args.repeat, args.skip_flow)
               for fmt in (("csv", "xlsx") if args.format == "both" else (args.format,))]
    load = os.getloadavg()[0]
    header = (f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}; load average at the end {load:.1f}; best of {args.repeat}.\n"
              f"Command: `.venv/bin/python benchmarks/run_benchmark.py --rows {args.rows} --format {args.format}"
              f"{f' --repeat {args.repeat}' if args.repeat != 2 else ''}{' --skip-flow' if args.skip_flow else ''}"
              f"{f' --out {args.out}' if args.out.resolve() != HERE / 'results.md' else ''}`\n")
    text = header + "\n" + table(results)
    print(text)
    args.out.write_text("# Benchmark results\n\n" + text, encoding="utf-8")
    (args.out.with_name(f"results-{args.rows}-{args.format}.json")).write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
