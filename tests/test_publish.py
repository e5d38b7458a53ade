"""Publishing: only the database file is renamed, so nothing may be left in its WAL."""

import subprocess
import sys

import duckdb

from detainers.warehouse import database as wh

READ = "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True).execute('select answer from t').fetchall())"


def test_changes_still_in_the_builds_wal_are_in_the_published_file(tmp_path):
    warehouse = tmp_path / "detainers.duckdb"
    build = wh.start_build(warehouse)
    con = duckdb.connect(str(build))  # left open, as a forgotten connection would be
    try:
        con.execute("create table t as select 42 as answer")
        wal = build.with_name(build.name + ".wal")
        assert wal.exists() and wal.stat().st_size, "the change is only in the WAL so far"
        wh.publish(build, warehouse)
        # A reader in another process, while the forgotten connection is still open.
        seen = subprocess.run([sys.executable, "-P", "-c", READ, str(warehouse)], capture_output=True, text=True)
        assert seen.stdout.strip() == "[(42,)]", seen.stderr
    finally:
        con.close()
    assert not (tmp_path / ".build").exists()
