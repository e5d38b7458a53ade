"""NPR's real rows (tests/data/real: 2,539 detainers of FY2008-FY2015 in NPR's cleaned six-column
shape, one lift reason per file) loaded with nothing but a name and a path: no layout, no
window. Each file is read with the layout its header shows (npr_stack), and its detainers per
calendar year, as `marts.headline` counts them, equal NPR's own counts of the same rows."""

from __future__ import annotations

import csv

import duckdb
import pytest

from detainers.pipeline import plan_run, run_pipeline
from tests.conftest import ROOT

REAL = ROOT / "tests" / "data" / "real"


@pytest.mark.parametrize("name, rows", [("us_citizen_interviewed", 693), ("not_subject_to_deportation", 1_846)])
def test_real_rows_load_with_no_layout_and_count_as_npr_counted_them(tmp_path, name, rows):
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "real"\nurl = "{REAL / (name + ".csv")}"\n')
    warehouse = tmp_path / "w" / "detainers.duckdb"
    summary = run_pipeline(plan_run(manifest), warehouse)
    (outcome,) = summary.sources
    assert summary.published and (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (rows, rows, 0)
    assert summary.notes == [f"source real: {name}.csv is no known release; read with layout npr_stack, the one whose header "
                             "it has"]
    with open(REAL / f"{name}_by_year.csv", newline="") as fh:
        npr = {int(r["year"]): int(r["count"]) for r in csv.DictReader(fh)}
    assert sum(npr.values()) == rows
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ours = {year: con.execute(f"select detainers_issued from marts.headline(date '{year}-01-01', date '{year}-12-31')")
                .fetchone()[0] for year in npr}
        assert con.execute("select distinct layout from audit.sources").fetchall() == [("npr_stack",)]
        assert con.execute("select count(*) from raw.detainers where prepared_at is not null").fetchone() == (0,), \
            "NPR's 00:00:00 is no time of day"
    assert ours == npr
