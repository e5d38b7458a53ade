"""Deterministic synthetic extracts of N rows in the published LESA-STU layouts, for the benchmark.

Values follow the bundled real extract (data/foia/lesa-stu-fy2015-foia-15-87693.xlsx): each
row draws, with a fixed seed, a prepare date, a detainer type, a (facility, state, city)
triple and a lift reason from that file's own rows, so every value and its frequency is one
ICE published, and every generated row passes validation like the bundled ones do.

- csv: the FY2008-FY2014 shape: header `Prepare Date,Detainer Type,...`, dates MM/DD/YY,
  prepare dates moved back 1 to 7 whole years (FY2008-FY2014).
- xlsx: the FY2015 workbook shape: dates stored as dates, sheet `FOIA 15-06333 Detail`
  (a further sheet per 1,048,575 rows, as Excel holds no more on one sheet).
- parquet: DDP's processed shape (layout ddp_processed): snake_case columns, the prepare date
  a DATE column, blanks null, and DDP's provenance columns; a row group per 1,000,000 rows.

Rows are made in blocks of 1,000,000, block k seeded by (seed, k): the same N and seed give
the same bytes, and an extract of k million rows is the head of any bigger one.

    python benchmarks/make_extracts.py --rows 1000000 --format both
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "foia" / "lesa-stu-fy2015-foia-15-87693.xlsx"
CACHE = Path(__file__).resolve().parent / ".cache"
COLUMNS = ["Prepare Date", "Detainer Type", "Detainer Detention Facility", "State", "City", "Detainer Lift Reason"]
SHEET = "FOIA 15-06333 Detail"
BLOCK_ROWS = 1_000_000
XLSX_MAX_ROWS = 1_048_575  # data rows under one header row
DEFAULT_SEED = 20180118  # the day OIG-18-36 was published


@functools.cache
def distributions() -> dict[str, pl.DataFrame]:
    """The bundled extract's columns, each kept as the list of its rows' values (so sampling a
    row index draws a value with its published frequency)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(BUNDLED)).get_sheet_by_index(0).to_python()
    frame = pl.DataFrame(rows[1:], schema=COLUMNS, orient="row")
    return {
        "dates": frame.select("Prepare Date"),
        "types": frame.select("Detainer Type"),
        "places": frame.select("Detainer Detention Facility", "State", "City"),
        "lifts": frame.select("Detainer Lift Reason"),
    }


def block(k: int, n: int, fmt: str, seed: int = DEFAULT_SEED) -> pl.DataFrame:
    """Rows k*BLOCK_ROWS .. k*BLOCK_ROWS+n-1 of an extract (n <= BLOCK_ROWS), published columns."""
    dist = distributions()
    rng = np.random.Generator(np.random.PCG64([seed, k]))
    pick = {name: rng.integers(0, frame.height, n) for name, frame in dist.items()}
    years_back = rng.integers(1, 8, n) if fmt == "csv" else np.zeros(n, dtype=np.int64)
    dates = dist["dates"][pick["dates"]].to_series()
    frame = pl.concat(
        [
            pl.DataFrame({"Prepare Date": dates, "_back": years_back}),
            dist["types"][pick["types"]],
            dist["places"][pick["places"]],
            dist["lifts"][pick["lifts"]],
        ],
        how="horizontal",
    )
    # whole years back, day and month kept (the FY2015 dates hold no 29 February)
    shifted = pl.date(pl.col("Prepare Date").dt.year() - pl.col("_back"), pl.col("Prepare Date").dt.month(),
                      pl.col("Prepare Date").dt.day())
    return frame.with_columns(shifted.alias("Prepare Date")).select(COLUMNS)


def blocks(rows: int, fmt: str, seed: int = DEFAULT_SEED) -> Iterator[pl.DataFrame]:
    for k, start in enumerate(range(0, rows, BLOCK_ROWS)):
        yield block(k, min(BLOCK_ROWS, rows - start), fmt, seed)


def extract_path(rows: int, fmt: str, seed: int = DEFAULT_SEED, cache: Path = CACHE) -> Path:
    return cache / f"lesa-stu-{fmt}-{rows}-seed{seed}.{fmt}"


def make_extract(rows: int, fmt: str, seed: int = DEFAULT_SEED, cache: Path = CACHE, force: bool = False) -> Path:
    """The path of the extract, written first unless already in the cache."""
    path = extract_path(rows, fmt, seed, cache)
    if path.exists() and not force:
        return path
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{os.getpid()}-{path.name}")
    WRITERS[fmt](rows, partial, seed)
    os.replace(partial, path)
    return path


def write_csv(rows: int, path: Path, seed: int = DEFAULT_SEED) -> None:
    with open(path, "wb") as fh:
        for k, frame in enumerate(blocks(rows, "csv", seed)):
            blank_as_empty = [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in COLUMNS[1:]]
            frame.with_columns(pl.col("Prepare Date").dt.strftime("%m/%d/%y"), *blank_as_empty).write_csv(
                fh, include_header=k == 0, line_terminator="\r\n")


def write_xlsx(rows: int, path: Path, seed: int = DEFAULT_SEED) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    workbook.set_properties({"created": dt.datetime(2015, 7, 26)})  # fixed, so the same rows give the same bytes
    date_format = workbook.add_format({"num_format": "m/d/yyyy"})
    sheet, sheet_rows, sheets = None, XLSX_MAX_ROWS, 0
    excel_epoch = np.datetime64("1899-12-30", "D")
    for frame in blocks(rows, "xlsx", seed):
        serials = ((frame["Prepare Date"].to_numpy().astype("datetime64[D]") - excel_epoch).astype(np.int64)).tolist()
        texts = frame.select(COLUMNS[1:]).rows()
        for serial, text in zip(serials, texts):
            if sheet_rows == XLSX_MAX_ROWS:
                sheets += 1
                sheet = workbook.add_worksheet(SHEET if sheets == 1 else f"{SHEET} ({sheets})")
                sheet.write_row(0, 0, COLUMNS)
                sheet_rows = 0
            sheet_rows += 1
            sheet.write_number(sheet_rows, 0, serial, date_format)
            for col, value in enumerate(text, start=1):
                if value:
                    sheet.write_string(sheet_rows, col, value)
    if sheet is None:
        workbook.add_worksheet(SHEET).write_row(0, 0, COLUMNS)
    workbook.close()


# DDP's processed names of the LESA-STU fields (layout ddp_processed)
PARQUET_NAMES = {"Prepare Date": "detainer_prepare_date", "Detainer Type": "detainer_type",
                 "Detainer Detention Facility": "detainer_facility", "State": "facility_state", "City": "facility_city",
                 "Detainer Lift Reason": "detainer_lift_reason"}


def write_parquet(rows: int, path: Path, seed: int = DEFAULT_SEED) -> None:
    import pyarrow.parquet as pq

    writer = None
    for k, frame in enumerate(blocks(rows, "parquet", seed)):
        blank_as_null = [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in COLUMNS[1:]]
        frame = frame.with_columns(*blank_as_null).rename(PARQUET_NAMES).with_columns(
            pl.lit("ERO Detainers_LESA-STU_FINAL Release_raw.xlsx").alias("file_original"),
            pl.lit("Sheet1").alias("sheet_original"),
            pl.int_range(k * BLOCK_ROWS + 8, k * BLOCK_ROWS + 8 + frame.height, dtype=pl.Int64).alias("row_original"))
        table = frame.to_arrow()
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=BLOCK_ROWS)
    writer.close()


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "parquet": write_parquet}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "parquet", "all"], default="csv")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="write again even if cached")
    args = parser.parse_args(argv)
    for fmt in tuple(WRITERS) if args.format == "all" else (args.format,):
        print(make_extract(args.rows, fmt, args.seed, force=args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
