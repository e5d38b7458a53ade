"""The benchmark's synthetic extracts: deterministic, in the published layout, and loadable
like the bundled extract they are drawn from (every row passes validation). The fast paths
the benchmark led to give the same rows as the plain ones. No timing is asserted here."""

import hashlib
import sys
from pathlib import Path

import polars as pl
import pytest

from detainers.transform.normalize import canonical_values
from detainers.transform.values import Normalizer, to_canonical
from detainers.schemas.canonical import COLUMNS, PUBLISHED_FIELDS
from detainers.transform.validate import split_valid
from detainers.schemas.layouts import get_layout
from detainers.transform.info import ReadInfo
from detainers.transform.read import read_batches
from tests.conftest import BUNDLED_EXTRACT, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import make_extracts  # noqa: E402

LAYOUT = get_layout("lesa_stu")
HEADER = "Prepare Date,Detainer Type,Detainer Detention Facility,State,City,Detainer Lift Reason"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_same_rows_and_seed_make_the_same_extract(tmp_path, fmt):
    first = make_extracts.make_extract(500, fmt, cache=tmp_path / "a")
    second = make_extracts.make_extract(500, fmt, cache=tmp_path / "b")
    other_seed = make_extracts.make_extract(500, fmt, seed=7, cache=tmp_path / "c")
    assert digest(first) == digest(second) != digest(other_seed)
    batches = [pl.concat(list(read_batches(p, LAYOUT, ReadInfo()))) for p in (first, second, other_seed)]
    assert batches[0].equals(batches[1]) and not batches[0].equals(batches[2])


def test_the_csv_has_the_fy2008_fy2014_shape(tmp_path):
    path = make_extracts.make_extract(300, "csv", cache=tmp_path)
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == HEADER and len(lines) == 301
    dates = pl.Series([line.split(",")[0] for line in lines[1:]]).str.strptime(pl.Date, "%m/%d/%y")
    assert dates.null_count() == 0
    assert str(dates.min()) >= "2007-10-01" and str(dates.max()) <= "2014-09-30"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_generated_row_loads_and_values_come_from_the_bundled_extract(tmp_path, fmt):
    path = make_extracts.make_extract(2_000, fmt, cache=tmp_path)
    info = ReadInfo()
    published = pl.concat(list(read_batches(path, LAYOUT, info)))
    assert info.file_format == fmt and published.height == 2_000
    valid, reasons = split_valid(to_canonical(published, LAYOUT))
    assert (valid.height, reasons.height) == (2_000, 0)
    bundled = pl.concat(list(read_batches(BUNDLED_EXTRACT, LAYOUT, ReadInfo())))
    for column in ("Detainer Type", "Detainer Detention Facility", "City", "Detainer Lift Reason"):
        known = set(bundled[column].fill_null("").to_list())
        assert set(published[column].fill_null("").to_list()) <= known


def every_row(frame: pl.DataFrame) -> pl.DataFrame:
    """The canonical rows of a batch, each field derived from each row's own value (no tables)."""
    by_field = {field: name for name, field in LAYOUT.columns.items()}
    blank = pl.lit(None, dtype=pl.String)
    fields = [canonical_values(f, pl.col(by_field[f]) if f in by_field else blank,
                               frame.schema[by_field[f]] if f in by_field else pl.String, LAYOUT) for f in PUBLISHED_FIELDS]
    return frame.select(pl.col("_sheet").alias("sheet"), pl.col("_row").alias("source_row"), pl.lit(True).alias("read_whole"),
                        *[e for exprs in fields for e in exprs]).select(COLUMNS)


def test_normalizing_distinct_values_gives_what_normalizing_every_row_gives():
    """The transform derives each distinct value once and gathers it by code (values.py); the
    plain evaluation of every row must give the same canonical rows and the same verdicts, on
    real and odd values, across batches that share values."""
    bundled = pl.concat(list(read_batches(BUNDLED_EXTRACT, LAYOUT, ReadInfo())))
    odd = bundled.head(6).with_columns(
        pl.Series("State", ["ATLANTIS", None, "  texas ", "b(6), b(7)c", "", "TX"], dtype=pl.Categorical),
        pl.Series("Detainer Lift Reason", ["Vanished", None, "", "Lifted", "Lifted", None], dtype=pl.Categorical),
    )
    normalizer = Normalizer(LAYOUT)
    for frame in (bundled, odd, bundled.head(0), odd):
        positions, passes = normalizer.rows(frame)
        plain = every_row(frame)
        assert normalizer.canonical(positions).equals(plain)
        _, reasons = split_valid(plain)
        assert passes.to_list() == [i not in set(reasons["_index"]) for i in range(frame.height)]


def test_the_parquet_has_ddp_processed_shape_and_every_row_loads(tmp_path):
    layout = get_layout("ddp_processed")
    path = make_extracts.make_extract(2_000, "parquet", cache=tmp_path)
    assert digest(path) == digest(make_extracts.make_extract(2_000, "parquet", cache=tmp_path / "again"))
    info = ReadInfo()
    published = pl.concat(list(read_batches(path, layout, info)))
    assert info.file_format == "parquet" and published.height == 2_000
    assert published.schema["detainer_prepare_date"] == pl.Date
    assert info.extra_columns == ["file_original", "row_original", "sheet_original"]
    valid, reasons = split_valid(to_canonical(published, layout))
    assert (valid.height, reasons.height) == (2_000, 0)
