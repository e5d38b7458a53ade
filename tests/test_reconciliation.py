"""Published figures against the warehouse's own (marts.reconciliation), and the marts
exported as files beside the warehouse."""

import csv
import json

import duckdb
from typer.testing import CliRunner

from detainers.cli import app
from detainers.schemas.reference import PUBLISHED_FIGURES, reconciliation_statuses
from tests.conftest import published_counts


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def figures() -> dict[str, dict]:
    with open(PUBLISHED_FIGURES, newline="") as fh:
        return {row["figure_id"]: row for row in csv.DictReader(fh)}


def test_published_figures_carry_every_npr_count_and_the_oig_and_trac_figures():
    table = figures()
    for year, count in published_counts("detainers_by_year.csv", "year").items():
        assert table[f"npr-issued-{year}"]["value"] == str(count)
    for month, count in published_counts("detainers_by_month.csv", "year_month").items():
        assert table[f"npr-issued-{month}"]["value"] == str(count)
    assert table["oig-18-36-declined"]["value"] == "29269"
    assert table["oig-18-36-jurisdictions"]["value"] == "675"
    assert (table["oig-18-36-declined"]["window_start"], table["oig-18-36-declined"]["window_end"]) == ("2014-01-01", "2017-05-31")
    trac = {fid: (row["window_start"], row["window_end"], int(row["value"])) for fid, row in table.items() if fid.startswith("trac-")}
    assert trac == {
        f"trac-issued-fy{fy}": (f"{fy - 1}-10-01", f"{fy}-09-30", value)
        for fy, value in zip(range(2012, 2018), (276_181, 209_208, 159_210, 97_045, 85_720, 142_474))
    }


def test_reconciliation_matches_npr_where_the_extract_covers_and_explains_every_other_gap(bundled_run):
    warehouse, _ = bundled_run
    rows = {r[0]: r[1:] for r in query(warehouse, """
        select figure_id, status, published_value, warehouse_value, difference from marts.reconciliation""")}
    states = set(rows) - set(figures())  # issue 24: and NPR's state figures, from its facility counts
    assert set(figures()) <= set(rows) and states and all(f[-3] == "-" and f[-2:].isalpha() for f in states)
    matches = {fid for fid, (status, *_) in rows.items() if status == "match" and fid in figures()}
    months = {f"npr-issued-2014-{m}" for m in ("10", "11", "12")} | {f"npr-issued-2015-{m:02d}" for m in range(1, 8)}
    # npr-issued-2014 is compared on the 3 months of it the data holds (issue 24)
    assert matches == months | {"npr-issued-2015", "npr-declined-2015", "npr-issued-2014"}
    assert rows["npr-issued-2014"] == ("match", 29_400, 29_400, 0)
    assert {status for status, *_ in rows.values()} <= set(reconciliation_statuses())
    assert all(status != "disagree" for status, *_ in rows.values())
    # issue 24: a figure the data covers in part, with no breakdown of the part held, is not comparable, never a pass
    assert rows["oig-18-36-declined"] == ("not_comparable", 29_269, None, None)
    assert rows["oig-18-36-jurisdictions"][0] == "not_comparable"
    assert rows["trac-issued-fy2015"] == ("not_comparable", 97_045, None, None)
    for status, published, ours, difference in rows.values():
        assert (status == "not_comparable") == (ours is None)
        assert ours is None or difference == ours - published


def test_a_figure_the_warehouse_contradicts_is_a_disagreement(copied_warehouse):
    with duckdb.connect(str(copied_warehouse)) as con:
        con.execute("update reference.published_figures set value = 11_000 where figure_id = 'npr-issued-2014-10'")
        con.execute("update reference.published_figures set value = 10 where figure_id = 'trac-issued-fy2015'")
        con.execute(f"create or replace table marts.reconciliation as {open('sql/marts/reconciliation.sql').read()}")
        rows = dict(con.execute("select figure_id, status from marts.reconciliation where figure_id in ('npr-issued-2014-10', 'trac-issued-fy2015')").fetchall())
    # October 2014 is held whole: ours higher than published disagrees. TRAC's FY2015 is held in part and TRAC
    # gives no breakdown: it is not comparable, whatever its value (issue 24: it was a "disagreement")
    assert rows == {"npr-issued-2014-10": "disagree", "trac-issued-fy2015": "not_comparable"}


def test_report_shows_the_reconciliation_and_json_keeps_its_keys(bundled_run):
    warehouse, _ = bundled_run
    runner = CliRunner()
    text = runner.invoke(app, ["report", "--warehouse", str(warehouse)], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "published national figures against the warehouse" in text.stdout
    assert "oig-18-36-declined" in text.stdout and "not_comparable" in text.stdout
    assert "13 match" in text.stdout and "0 disagree" in text.stdout and "16 not comparable" in text.stdout
    as_json = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--json"])
    nine = {"window_start", "window_end", "detainers_issued", "declined_detainers", "declining_jurisdictions",
            "declined_without_jurisdiction", "coverage_start", "coverage_end", "coverage_ratio"}
    held = {"data_start", "data_end", "days_covered", "days_in_window", "states_covered", "state_count",
            "fully_covered_start", "fully_covered_end", "figures_cover"}
    # issue 10 added two, issue 19 one, issue 24 what the data holds of the window and the reconciliation
    assert set(json.loads(as_json.stdout)) == nine | {"states", "outcome_pending_share", "coverage_stretches"} | held | {"reconciliation"}


def test_every_mart_is_exported_as_parquet_and_csv_with_the_same_rows(bundled_run):
    """Every mart as Parquet; as CSV too where schemas/reference/exports.toml asks (issue 27:
    not the large daily marts, whose CSV files were most of a publish at millions of rows)."""
    from detainers.schemas.reference import csv_exports

    warehouse, _ = bundled_run
    exports = warehouse.parent / "exports"
    marts = [r[0] for r in query(warehouse, "select table_name from duckdb_tables() where schema_name = 'marts'")]
    assert "reconciliation" in marts and csv_exports() <= set(marts)
    assert "daily_detainers_by_jurisdiction" in marts and "daily_detainers_by_jurisdiction" not in csv_exports()
    formats = {t: ("csv", "parquet") if t in csv_exports() else ("parquet",) for t in marts}
    assert sorted(p.name for p in exports.iterdir()) == sorted(f"{t}.{ext}" for t in marts for ext in formats[t])
    for table in marts:
        expected = query(warehouse, f"select count(*) from marts.{table}")
        for ext in formats[table]:
            assert query(warehouse, f"select count(*) from '{exports / f'{table}.{ext}'}'") == expected
    assert not list(warehouse.parent.glob(".exports-*"))


def test_exports_replace_files_and_drop_stale_ones(copied_warehouse):
    from detainers.warehouse.exports import write_exports

    exports = copied_warehouse.parent / "exports"
    exports.mkdir()
    (exports / "dropped_mart.parquet").write_text("old")
    (exports / "notes.txt").write_text("a file someone keeps here")
    (exports / "jurisdictions.csv").write_text("stale")
    placed = write_exports(copied_warehouse)
    assert not (exports / "dropped_mart.parquet").exists()
    assert (exports / "notes.txt").exists()
    assert (exports / "jurisdictions.csv").read_text().startswith("jurisdiction_id")
    assert all(p.parent == exports for p in placed)


def test_csv_exports_open_as_data_never_as_formulas(copied_warehouse):
    """A text cell a spreadsheet would run (=, +, -, @, tab, carriage return first) is prefixed
    with ' in the CSV export (OWASP's rule); Parquet, read by programs, keeps it exact."""
    from detainers.warehouse.exports import write_exports

    names = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "PLAIN COUNTY JAIL"]
    with duckdb.connect(str(copied_warehouse)) as con:
        con.execute("delete from marts.jurisdictions")
        con.executemany("insert into marts.jurisdictions (jurisdiction_id, facility_name, state_code, detainers, "
                        "declined_detainers) values (?, ?, 'TX', -1, 0)", [[f"j{i}", name] for i, name in enumerate(names)])
    write_exports(copied_warehouse)
    exports = copied_warehouse.parent / "exports"
    with open(exports / "jurisdictions.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["facility_name"] for r in rows] == [f"'{n}" for n in names[:-1]] + [names[-1]]
    assert {r["detainers"] for r in rows} == {"-1"}, "numbers are numbers, not text to neutralise"
    assert list(rows[0]) == [c for (c,) in query(copied_warehouse, "select column_name from duckdb_columns() where "
                                                 "table_name = 'jurisdictions' and schema_name = 'marts' order by column_index")]
    parquet = query(copied_warehouse, f"select facility_name from '{exports / 'jurisdictions.parquet'}'")
    assert [name for (name,) in parquet] == names
