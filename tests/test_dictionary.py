"""The data dictionary (sql/dictionary.toml) describes every table and column the build
makes, in the warehouse (COMMENT ON) and in docs/data_dictionary.md, so it cannot drift."""

import duckdb
from typer.testing import CliRunner

from detainers.cli import app
from detainers.warehouse.dictionary import DEFAULT_PAGE as PAGE_IN_A_CLONE, SCHEMAS, load_dictionary, undescribed, warehouse_columns
from tests.conftest import ROOT

DEFAULT_PAGE = ROOT / PAGE_IN_A_CLONE  # the default is relative to the working directory: the clone's top level


def test_every_table_and_column_of_a_built_warehouse_is_described(bundled_run):
    warehouse, _ = bundled_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert undescribed(con) == []
        tables = warehouse_columns(con)
        assert {t.split(".")[0] for t in tables} >= {"raw", "staging", "marts", "reference", "audit"}
        blank_tables = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where schema_name in $s and coalesce(comment, '') = ''", dict(s=list(SCHEMAS))).fetchall()
        blank_columns = con.execute(
            "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns() "
            "where schema_name in $s and coalesce(comment, '') = ''", dict(s=list(SCHEMAS))).fetchall()
    assert blank_tables == [] and blank_columns == []


def test_comments_come_from_the_dictionary(bundled_run):
    warehouse, _ = bundled_run
    dictionary = load_dictionary()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (table,) = con.execute("select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'reconciliation'").fetchone()
        (column,) = con.execute("select comment from duckdb_columns() where schema_name = 'audit' and table_name = 'rejects' and column_name = 'check'").fetchone()
    assert table == dictionary.table("marts.reconciliation")
    assert column == dictionary.column("audit.rejects", "check")


def test_the_committed_page_documents_every_column(bundled_run):
    warehouse, _ = bundled_run
    page = DEFAULT_PAGE.read_text("utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, columns in warehouse_columns(con).items():
            section = page.split(f"### `{table}`", 1)
            assert len(section) == 2, f"{table} is missing from {DEFAULT_PAGE}: run `detainers dictionary`"
            body = section[1].split("\n### ", 1)[0]
            for column, _ in columns:
                assert f"| `{column}` |" in body, f"{table}.{column} is missing from {DEFAULT_PAGE}: run `detainers dictionary`"
    assert "**undescribed**" not in page


def test_the_dictionary_command_writes_the_page(bundled_run, tmp_path):
    warehouse, _ = bundled_run
    result = CliRunner().invoke(app, ["dictionary", "--warehouse", str(warehouse), "--output", str(tmp_path / "dd.md")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "dd.md").read_text()
    assert "### `marts.reconciliation`" in text and "| `status` |" in text
