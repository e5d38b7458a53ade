"""Values too long to keep (issue 19): a published value over max_text_length (limits.toml,
or the source's own in the manifest) quarantines its row before anything is stored; the row
is in audit.rejects with the column, the length and the limit, its value cut. The run goes on,
and nothing long reaches the warehouse's tables, its marts, the exports or the HTML report."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from detainers.cli import app
from detainers.paths import exports_dir
from tests.badfiles import HEADER, good_rows, row, write_csv
from tests.test_bad_inputs import land_and_load, query

CITY = 5_000_000  # characters: big enough to matter, quick to read
FACILITY = 1 << 20


def test_a_5_mb_city_and_a_1_mb_facility_are_quarantined_and_not_stored(tmp_path):
    rows = [HEADER, *good_rows(300), row(city="X" * CITY), row(facility="F" * FACILITY)]
    extract = write_csv(tmp_path / "long.csv", rows)
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "long"\nurl = "{extract}"\nlayout = "lesa_stu"\nreject_warn_share = 0.01\n')
    small = tmp_path / "small"
    small.mkdir()
    write_csv(small / "long.csv", rows[:-2])
    (small / "sources.toml").write_text((tmp_path / "sources.toml").read_text().replace(str(extract), str(small / "long.csv")))

    runner = CliRunner()
    for folder in (tmp_path, small):
        done = runner.invoke(app, ["run", "--no-prefect", "--manifest", str(folder / "sources.toml"),
                                   "--warehouse", str(folder / "w.duckdb")])
        assert done.exit_code == 0, done.output
        assert "X" * 300 not in done.output and "F" * 300 not in done.output
    warehouse = tmp_path / "w.duckdb"
    # the 6 MB of text are not kept: the file is the size of the same run without those two rows
    assert warehouse.stat().st_size < (small / "w.duckdb").stat().st_size + 1_000_000

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rejects = con.execute('select source_row, "column", "check", original from audit.rejects order by source_row').fetchall()
        assert con.execute("select rows_loaded, rows_rejected from audit.loads").fetchall() == [(300, 2)]
        longest = con.execute("select max(length(value)) from raw.detainer_values").fetchone()[0]
    assert longest < 100
    (city_row, city, city_reason, city_values), (facility_row, facility, facility_reason, facility_values) = rejects
    assert (city_row, city, facility_row, facility) == (302, "city", 303, "facility")
    assert city_reason == ("city is 5,000,000 characters long, over the limit of 500 (max_text_length); "
                           "audit.rejects keeps its first 200")
    assert facility_reason.startswith("facility is 1,048,576 characters long, over the limit of 500")
    kept = json.loads(city_values)["City"]
    assert kept.startswith("X" * 200 + "… [cut: 5,000,000 characters, sha256 ") and len(kept) < 400
    assert json.loads(city_values)["State"] == "TEXAS"  # the other values as published
    assert len(json.loads(facility_values)["Detainer Detention Facility"]) < 400

    html = tmp_path / "report.html"
    done = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--html", str(html)])
    assert done.exit_code == 0, done.output
    assert html.stat().st_size < 2_000_000 and "XXXXXXXXXX" not in html.read_text()
    exported = [p for p in exports_dir(warehouse).rglob("*") if p.is_file()]  # w.duckdb's own: w.duckdb.exports/
    assert exported and all(p.stat().st_size < 1_000_000 for p in exported)


def test_a_source_may_set_its_own_max_text_length(tmp_path):
    extract = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(99), row(city="C" * 80)])
    result = land_and_load(tmp_path, extract, max_text_length=70)
    assert (result.rows_loaded, result.rows_rejected) == (99, 1)
    assert query(tmp_path, 'select "check" from audit.rejects') == [
        ("city is 80 characters long, over the limit of 70 (max_text_length); audit.rejects keeps its first 200",)]


@pytest.mark.parametrize("limit", [0, -1])
def test_max_text_length_must_be_positive(tmp_path, limit):
    from detainers.errors import ManifestError
    from detainers.extract.manifest import load_manifest

    (tmp_path / "sources.toml").write_text(f'[defaults]\nmax_text_length = {limit}\n[[source]]\nname = "a"\nurl = "f.csv"\nlayout = "lesa_stu"\n')
    with pytest.raises(ManifestError, match="max_text_length"):
        load_manifest(tmp_path / "sources.toml")


def test_a_long_value_in_a_last_row_cut_short_is_still_one_reject(tmp_path):
    """Python's csv refuses fields over 128 KiB; the last row is read by it to tell whether
    the file was cut off in the middle of it."""
    extract = tmp_path / "cut.csv"
    write_csv(extract, [HEADER, *good_rows(99)])
    extract.write_bytes(extract.read_bytes() + b"10/01/14,I247D,JAIL,TEXAS," + b"C" * 300_000)
    result = land_and_load(tmp_path, extract)
    assert (result.rows_loaded, result.rows_rejected) == (99, 1)
    ((reason,),) = query(tmp_path, 'select "check" from audit.rejects')
    assert "city is 300,000 characters long" in reason and "fewer fields than the header" in reason
