"""The benchmark's synthetic extracts: deterministic, in the published layout, and loadable
like the bundled extract they are drawn from (every row passes validation). The fast paths
the benchmark led to give the same rows as the plain ones. No timing is asserted here."""

import hashlib
import sys
from pathlib import Path

import polars as pl
import pytest

from detainers.transform import normalize
from detainers.transform.validate import split_valid
from schemas.layouts import get_layout
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
    valid, reasons = split_valid(normalize.to_canonical(published, LAYOUT))
    assert (valid.height, reasons.height) == (2_000, 0)
    bundled = pl.concat(list(read_batches(BUNDLED_EXTRACT, LAYOUT, ReadInfo())))
    for column in ("Detainer Type", "Detainer Detention Facility", "City", "Detainer Lift Reason"):
        known = set(bundled[column].fill_null("").to_list())
        assert set(published[column].fill_null("").to_list()) <= known


def test_evaluating_on_distinct_values_gives_what_evaluating_every_row_gives(monkeypatch):
    """to_canonical runs each column's normalization on its distinct values and joins them
    back; the plain select over every row must give the same frame, on real and odd values."""
    bundled = pl.concat(list(read_batches(BUNDLED_EXTRACT, LAYOUT, ReadInfo())))
    odd = bundled.head(6).with_columns(
        pl.Series("State", ["ATLANTIS", None, "  texas ", "b(6), b(7)c", "", "TX"]),
        pl.Series("Detainer Lift Reason", ["Vanished", None, "", "Lifted", "Lifted", None]),
    )
    for frame in (bundled, odd, bundled.head(0)):
        fast = normalize.to_canonical(frame, LAYOUT)
        with monkeypatch.context() as m:
            m.setattr(normalize, "evaluate_per_value", lambda f, exprs: f.select(exprs))
            plain = normalize.to_canonical(frame, LAYOUT)
        assert fast.schema == plain.schema
        assert fast.equals(plain)
