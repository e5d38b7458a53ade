"""The data dictionary (sql/<schema>/<name>.toml, a file beside each model) describes every
table, view, column and macro the build makes, in the warehouse (COMMENT ON) and in
docs/data_dictionary.md, so they cannot drift apart."""

import duckdb
from typer.testing import CliRunner

from detainers.cli import app
from detainers.warehouse.dictionary import (DEFAULT_PAGE as PAGE_IN_A_CLONE, SCHEMAS, load_dictionary, render_markdown,
                                            undescribed, warehouse_columns)
from detainers.warehouse.models import discover
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
            "where database_name = current_database() and schema_name in $s and coalesce(comment, '') = ''", dict(s=list(SCHEMAS))).fetchall()
        blank_columns = con.execute(
            "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name in $s and coalesce(comment, '') = ''", dict(s=list(SCHEMAS))).fetchall()
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


# The warehouse's own objects, read from DuckDB's catalog as an analyst would (not through the
# code that writes the comments).
OBJECTS = """
    select 'table', schema_name || '.' || table_name, comment, estimated_size = 0 from duckdb_tables()
    where database_name = current_database()
    union all
    select 'view', schema_name || '.' || view_name, comment, null from duckdb_views()
    where database_name = current_database() and not internal
    union all
    select distinct function_type, schema_name || '.' || function_name, comment, null from duckdb_functions()
    where database_name = current_database() and function_type in ('macro', 'table_macro') and not internal
"""


def test_every_table_view_column_and_macro_has_the_comment_its_file_gives(bundled_run):
    warehouse, _ = bundled_run
    dictionary = load_dictionary()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        objects = con.execute(OBJECTS).fetchall()
        columns = con.execute("select schema_name || '.' || table_name, column_name, comment from duckdb_columns() "
                              "where database_name = current_database()").fetchall()
        empty = {name for kind, name, _, _ in objects if kind in ("table", "view")
                 and con.execute(f"select count(*) = 0 from {name}").fetchone()[0]}
    kinds = {kind for kind, *_ in objects}
    assert {"table", "view", "macro", "table_macro"} <= kinds and {n.split(".")[0] for _, n, *_ in objects} >= set(SCHEMAS)
    assert [name for _, name, comment, _ in objects if not comment] == []
    assert [f"{t}.{c}" for t, c, comment in columns if not comment] == []
    for _, name, comment, _ in objects:
        assert comment == dictionary.entry(name).comment(empty=name in empty), name
    for table, column, comment in columns:
        assert comment == dictionary.column(table, column), f"{table}.{column}"


def test_empty_marts_say_why_and_full_ones_do_not(bundled_run):
    warehouse, _ = bundled_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        said = dict(con.execute("select table_name, comment like '%Empty in this warehouse: %' from duckdb_tables() "
                                "where schema_name = 'marts'").fetchall())
    assert {name for name, says in said.items() if says} == {
        "daily_declines_by_jurisdiction", "weekly_declines_by_decline_date", "source_overlaps"}


def test_the_readme_view_says_which_schemas_to_query(bundled_run):
    warehouse, _ = bundled_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select schema_name, audience, start_with from main.readme order by position").fetchall()
        for _, _, query in rows:
            if query:
                con.execute(query).fetchmany(1)  # each first query runs
    assert [(s, a) for s, a, _ in rows] == [("marts", "query"), ("reference", "query"), ("audit", "query"), ("raw", "build"),
                                            ("staging", "build"), ("intermediate", "build"), ("macros", "build")]


def test_each_file_describes_what_the_warehouse_holds_and_nothing_else(bundled_run):
    """A file names a model of the warehouse, and each column it describes is one the model has
    (a table macro's: the columns its example call returns)."""
    warehouse, _ = bundled_run
    dictionary = load_dictionary()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = warehouse_columns(con, dictionary)
    assert set(dictionary.entries) == set(columns) | {n for n in discover() if n.startswith("macros.")}
    for name, entry in dictionary.entries.items():
        if name in columns and "<" not in name:  # a load's table holds some of the columns its file lists
            assert list(entry.columns) == [column for column, _ in columns[name]], name
        assert set(entry.key) <= set(entry.columns) and set(entry.key_may_be_null) <= set(entry.key), name


def test_every_mart_names_its_key_and_every_model_has_its_file():
    dictionary = load_dictionary()
    models = discover()
    assert set(models) <= set(dictionary.entries)
    assert [name for name in models if name.startswith("marts.") and not dictionary.entries[name].key] == []
    assert all(dictionary.entries[name].path.with_suffix(".sql") == models[name].path for name in models)


def test_the_committed_page_is_the_page_the_warehouse_makes(bundled_run):
    warehouse, _ = bundled_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        page = render_markdown(con)
    assert DEFAULT_PAGE.read_text("utf-8") == page, f"{DEFAULT_PAGE} is stale: run `detainers dictionary`"
