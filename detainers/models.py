"""Build the SQL models in sql/: staging, then marts, then macros over them, then the data tests.

Each model file is one select; it is materialized as a table named for the file in the
schema named for its folder (sql/marts/jurisdictions.sql -> marts.jurisdictions). A data
test returns the rows that break its rule; any row fails the build.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import duckdb

from detainers.dictionary import apply_comments
from detainers.errors import DataTestError
from detainers.paths import SQL_DIR
from detainers.reconciliation import PUBLISHED_FIGURES, load_published_figures

LAYERS = ("staging", "marts")


def model_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    return [path for layer in LAYERS for path in sorted((sql_dir / layer).glob("*.sql"))]


def build_models(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> dict[str, float]:
    """Materialize every model in one transaction (a table, or a view where the file says
    so); return seconds per model."""
    timings = {}
    con.begin()
    try:
        load_published_figures(con)  # reference.published_figures, read by marts.reconciliation
        for path in model_files(sql_dir):
            started = time.perf_counter()
            name = f"{path.parent.name}.{path.stem}"
            _materialize(con, path.parent.name, path.stem, path.read_text("utf-8"))
            timings[name] = time.perf_counter() - started
        for path in sorted((sql_dir / "macros").glob("*.sql")):  # bound to the marts above
            con.execute(path.read_text("utf-8"))
        apply_comments(con)  # the data dictionary (sql/dictionary.toml) as COMMENT ON
        failures = run_data_tests(con, sql_dir)
        if failures:
            raise DataTestError("data tests failed, the build was not published:\n" + "\n".join(failures))
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return timings


VIEW_MARKER = "-- materialized: view"


def _materialize(con: duckdb.DuckDBPyConnection, schema: str, name: str, sql: str) -> None:
    """A table named for the file, or a view where the file says `-- materialized: view`
    (a model read once, by the next: at millions of rows each full copy costs about as much
    as DuckDB's own ingest of the file). An object of the other kind left by an older build
    is dropped first."""
    kind = "view" if VIEW_MARKER in sql else "table"
    other = con.execute(
        """
        select 'table' from duckdb_tables() where database_name = current_database() and schema_name = $s and table_name = $n
        union all
        select 'view' from duckdb_views() where database_name = current_database() and schema_name = $s and view_name = $n
        """,
        dict(s=schema, n=name),
    ).fetchone()
    if other and other[0] != kind:
        con.execute(f"drop {other[0]} {schema}.{name}")
    con.execute(f"create or replace {kind} {schema}.{name} as\n{sql}")


def run_data_tests(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> list[str]:
    """Each failing test as 'name: N rows, e.g. (...)'."""
    failures = []
    for path in sorted((sql_dir / "tests").glob("*.sql")):
        rows = con.execute(path.read_text("utf-8")).fetchmany(3)
        if rows:
            count = con.execute(f"select count(*) from ({path.read_text('utf-8')})").fetchone()[0]
            failures.append(f"{path.stem}: {count} row(s), e.g. {rows[0]}")
    return failures




def code_fingerprint() -> str:
    """A hash of everything that shapes the warehouse besides the data: SQL, layouts, rules.
    When it changes, the next run rebuilds even if no source did."""
    from schemas.layouts import LAYOUT_DIR
    from schemas.reference import REFERENCE_DIR

    digest = hashlib.sha256()
    for folder, pattern in ((SQL_DIR, "**/*.sql"), (LAYOUT_DIR, "*.toml"), (REFERENCE_DIR, "*.*")):
        for path in sorted(folder.glob(pattern)):
            if path.suffix != ".py":
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in (PUBLISHED_FIGURES, SQL_DIR / "dictionary.toml"):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
