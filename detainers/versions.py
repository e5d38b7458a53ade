"""The warehouse's version: the shape `report`, `dictionary` and `releases` rely on (the
marts' columns, the macros' signatures), as sql/version.toml gives it. Each build stamps it in
audit.build_info; readers check the stamp before anything else (report/headline.py:
check_version). A run (load/identity.py: published_state) rebuilds a warehouse of an older version, and refuses one of a newer
version, leaving it as it is: this code cannot know what a newer one holds (a column it
requires, a table it renamed). Below every layer: the build writes it, the load and the
report read it."""

from __future__ import annotations

import functools
import tomllib

import duckdb

from detainers.paths import SQL_DIR

VERSION_FILE = SQL_DIR / "version.toml"


@functools.cache
def warehouse_version() -> int:
    """The shape of warehouse this code writes and reads (sql/version.toml says when it changes)."""
    return tomllib.loads(VERSION_FILE.read_text("utf-8"))["warehouse_version"]


def stamped_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version a warehouse was built as (1: built before builds were stamped)."""
    row = con.execute("select value from audit.build_info where key = 'warehouse_version'").fetchone()
    return int(row[0]) if row else 1

