"""A nightly that never sticks (issue 25): each night the same `detainers run` on the same
manifest. A source whose file is replaced upstream under the same name fails alone, named,
keeping its rows, while the others publish; a release refused for its rejects is not read
again while it stays the same (its verdict stands, and is said every night); a manifest
setting that changes which rows load reloads the source it belongs to."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
from typer.testing import CliRunner

from detainers.cli import app
from tests.badfiles import HEADER, good_rows, row, write_csv, write_manifest
from detainers.schemas.reference import failure
from tests.conftest import BUNDLED_EXTRACT


def night(manifest: Path, warehouse: Path):
    """One nightly run, as cron would start it: exit code and output."""
    done = CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    return done.exit_code, done.output


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


ROWS_BY_SOURCE = "select source, count(*) from raw.detainers group by all order by 1"


def test_a_release_replaced_upstream_under_the_same_name_fails_alone_and_keeps_its_rows(tmp_path):
    """A source given only its name and url is the release its bytes are (here the bundled
    FY2015 workbook). When its file was replaced by other bytes, every run failed a data test
    (assert_raw_rows_match_audit: the source lost its layout, its rows their current load; read
    by its header instead, it is trusted for every day and fails
    assert_no_cell_trusted_from_two_sources beside the other source), so no source published
    and nothing said why. Now it fails alone, saying its file changed, and keeps its rows; the
    other source's new rows publish, night after night."""
    release = tmp_path / "detainers-latest.xlsx"
    shutil.copyfile(BUNDLED_EXTRACT, release)
    other = write_csv(tmp_path / "other.csv", [HEADER, *good_rows(2)])
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "latest"\nurl = "{release}"\n\n'
                        f'[[source]]\nname = "other"\nurl = "{other}"\nlayout = "lesa_stu"\n'
                        "window_start = 2014-01-01\nwindow_end = 2014-09-30\n")
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    assert night(manifest, warehouse)[0] == 0
    assert query(warehouse, ROWS_BY_SOURCE) == [("latest", 79_053), ("other", 2)]

    book = openpyxl.Workbook()  # the publisher's next file, in a shape of its own
    book.active.append(HEADER)
    book.active.append(row())
    book.save(release)
    write_csv(other, [HEADER, *good_rows(3)])
    for _ in range(2):
        code, output = night(manifest, warehouse)
        assert code == 1
        error = output.strip().splitlines()[-1]
        assert error == "error: 1 source(s) failed: " + failure("release_replaced", source="latest", release="foia-15-87693-fy15ytd-xlsx",
                                                                sha256=hashlib.sha256(release.read_bytes()).hexdigest())
        assert "data tests failed" not in output and "unexpected" not in output
        assert query(warehouse, ROWS_BY_SOURCE) == [("latest", 79_053), ("other", 3)]
    assert query(warehouse, "select count(*) from audit.runs") == [(2,)], "the first night and the other source's change"


def test_a_release_refused_for_its_rejects_is_not_read_again_while_it_stays_the_same(tmp_path):
    """Every row of the file is rejected (its dates are 99/99/99): it was read again every
    night, a minute per 100,000 rows, adding as many rows to audit.rejects. Now its verdict
    stands while neither the file nor the rules change: said every night (exit 1), read once,
    also on a night another source's change makes a build."""
    bad = write_csv(tmp_path / "bad.csv", [HEADER, *[row(date="99/99/99")] * 500])
    other = write_csv(tmp_path / "other.csv", [HEADER, *good_rows(2)])
    manifest = write_manifest(tmp_path / "sources.toml",
                              dict(name="bad", url=bad, layout="lesa_stu", window_start=date(2014, 1, 1), window_end=date(2014, 6, 30)),
                              dict(name="other", url=other, layout="lesa_stu", window_start=date(2014, 10, 1), window_end=date(2015, 6, 30)))
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    verdict = "source bad: 500 of 500 rows rejected (100.00%), over its stop level of 5.00%; see audit.rejects"
    code, output = night(manifest, warehouse)
    assert code == 1 and output.strip().splitlines()[-1] == f"error: 1 source(s) failed: {verdict}"
    (load_id,), = query(warehouse, "select load_id from audit.loads where source = 'bad'")
    standing = f"{verdict} (load {load_id}; its file and rules have not changed since, so it was not read again)"
    for change in (None, 3, None):  # a night with nothing new, one where the other source changed, another
        if change:
            write_csv(other, [HEADER, *good_rows(change)])
        code, output = night(manifest, warehouse)
        assert code == 1 and output.strip().splitlines()[-1] == f"error: 1 source(s) failed: {standing}"
        assert ("nothing changed" in output) == (change is None)
    assert query(warehouse, "select count(*) from audit.rejects") == [(500,)], "read once"
    assert query(warehouse, "select source, status from audit.loads order by load_key") == [
        ("bad", "failed_reject_threshold"), ("other", "loaded"), ("other", "loaded")]
    assert query(warehouse, ROWS_BY_SOURCE) == [("other", 3)]

    # A setting that changes the verdict's rules reads it again.
    manifest.write_text(manifest.read_text().replace('name = "bad"\n', 'name = "bad"\nreject_stop_share = 1\nreject_warn_share = 1\n'))
    code, output = night(manifest, warehouse)
    assert code == 0, output
    assert query(warehouse, "select count(*) from audit.rejects") == [(1000,)]
    assert query(warehouse, "select source, status from audit.loads order by load_key")[-1] == ("bad", "loaded")


def test_lowering_max_text_length_reloads_and_the_long_values_leave(tmp_path):
    """Lowering max_text_length said "nothing changed" and kept the long values published."""
    long_city = "LONG CITY " * 20  # 200 characters: under the default of 500
    extract = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(99), row(city=long_city)])
    manifest = tmp_path / "sources.toml"
    entry = f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n'
    manifest.write_text(entry)
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    assert night(manifest, warehouse)[0] == 0
    longest = "select max(length(city)) from raw.detainers"
    assert query(warehouse, longest) == [(len(long_city.strip()),)]

    manifest.write_text(entry + "max_text_length = 100\nreject_warn_share = 0.05\n")
    code, output = night(manifest, warehouse)
    assert code == 0 and "nothing changed" not in output, output
    assert query(warehouse, longest) == [(len("HOUSTON"),)]
    assert query(warehouse, 'select "check" from audit.rejects') == [
        ("city is 200 characters long, over the limit of 100 (max_text_length); audit.rejects keeps its first 200",)]
    assert night(manifest, warehouse)[0] == 0 and "nothing changed" in night(manifest, warehouse)[1]


def test_a_window_or_a_read_limit_changed_in_the_manifest_is_not_nothing(tmp_path):
    extract = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(10)])
    manifest = tmp_path / "sources.toml"
    entry = f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n'
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    for extra in ("", "window_start = 2014-10-05\n", "window_start = 2014-10-05\nmax_blank_rows = 10\n"):
        manifest.write_text(entry + extra)
        code, output = night(manifest, warehouse)
        assert code == 0 and "nothing changed" not in output and "published" in output, (extra, output)
        assert night(manifest, warehouse)[1].count("nothing changed") == 1
    assert query(warehouse, "select count(*) from marts.detainers") == [(6,)]  # 2014-10-05 .. 10-10
