"""The same file, loaded twice, writes the same audit.rejects byte for byte (issue 27): a row
failing several checks lists its columns and reasons in one fixed order, whatever order the
validator found them in."""

from __future__ import annotations

import duckdb

from detainers.warehouse.database import connect
from detainers.extract.fetch import fetch
from detainers.extract.manifest import Source
from detainers.pipeline import load_landed
from detainers.transform.validate import split_valid
from detainers.transform.values import to_canonical
from detainers.schemas.layouts import get_layout
from tests.badfiles import GOOD, HEADER, good_rows, row, write_csv

LAYOUT = get_layout("lesa_stu")
# Rows failing several checks at once, in one column and across columns.
BAD = [
    row(state="ATLANT\x00IS", lift="Vanished", type="Form 42"),
    row(date="01/01/2099", state="ЅТАТЕ", city="HOUST\x01ON"),
    row(date="", facility="JAIL\x00", lift="Vanished"),
    row(date="01/01/1999", state="ATLANTIS", type="Form 42", lift="Gone"),
]


def _rejects_bytes(tmp_path, name: str, path) -> bytes:
    """audit.rejects of a fresh warehouse loaded with `path`, as CSV bytes (every column but the
    load's id, which names the attempt), in the order the rows were written."""
    spec = Source(name="same", url=str(path), layout="lesa_stu", reject_warn_share=1.0, reject_stop_share=1.0)
    landed = fetch(spec.name, spec.url, tmp_path / name / "landing", LAYOUT.formats)
    con = connect(tmp_path / name / "w.duckdb")
    try:
        load_landed(con, spec, landed, "run-test")
        out = tmp_path / name / "rejects.csv"
        con.execute(f"copy (select * exclude (load_id) from audit.rejects) to '{out}' (format csv, header true)")
    finally:
        con.close()
    return out.read_bytes()


def test_the_same_file_loaded_twice_gives_byte_identical_rejects(tmp_path):
    path = write_csv(tmp_path / "several.csv", [HEADER, GOOD, *BAD * 50, *good_rows(20)])
    first = _rejects_bytes(tmp_path, "first", path)
    second = _rejects_bytes(tmp_path, "second", path)
    assert first == second
    with duckdb.connect() as con:
        checks = con.execute(f"select \"column\", \"check\" from read_csv('{tmp_path / 'first' / 'rejects.csv'}') "
                             "where source_row = 3").fetchall()
    # columns in order, then reasons in order, within each row
    [(columns, reasons)] = checks
    assert columns.split("; ") == sorted(columns.split("; ")) and len(columns.split("; ")) >= 2


def test_reasons_come_in_one_order_whatever_the_order_of_the_rows():
    canonical = to_canonical(_published(BAD), LAYOUT)
    _, forward = split_valid(canonical)
    _, backward = split_valid(canonical.reverse())
    n = canonical.height
    backward = backward.with_columns((n - 1 - backward["_index"]).alias("_index")).sort("_index")
    assert forward.sort("_index").equals(backward)


def _published(rows):
    import polars as pl

    frame = pl.DataFrame([[v or None for v in r] for r in rows], schema=HEADER, orient="row")
    return frame.with_columns(pl.lit("").alias("_sheet"), pl.int_range(2, 2 + frame.height, dtype=pl.Int64).alias("_row"))
