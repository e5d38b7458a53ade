"""The warehouse's tables: sql/ddl/warehouse.sql (audit and the schemas), and the loaded rows,
made from the canonical row's definition (schemas/canonical.py) so they cannot drift from
what validation checks:

- raw.detainer_rows: one row per valid published row: its load (audit.loads.load_key), sheet
  and row, its dates, and for each text field the id of its value in the load's dictionary; a
  view of one table per load that holds only the columns varying in it (schemas/stored.py);
- raw.detainer_values: each load's dictionary: per text field and value id, the value as
  published (cleaned) and the canonical fields derived from it;
- raw.detainers: a view of both with the load's provenance: the canonical row, as loaded.

Writing a few integer ids per row instead of two dozen text columns is what makes a load as
fast as DuckDB's own ingest of the file, and the models count by integers. A warehouse made by an older version is brought up to
date: a column added since is added; the earlier one-table raw.detainers is replaced (its
sources are derived again from their landing files, their rules fingerprint having changed).
"""

from __future__ import annotations


import duckdb

from detainers.paths import SQL_DIR
from detainers.schemas.canonical import COLUMNS, FIELDS, TEXT_FIELDS, derived_from, value_id
from detainers.schemas.stored import SQL_TYPES, create_constants, refresh_rows_view, row_columns

DDL = SQL_DIR / "ddl" / "warehouse.sql"
# Who wrote a row: the load; its source, release and file come from audit.loads.
LOAD_COLUMNS = ("load_id", "source", "release", "file_sha256")


def _type(field: str) -> str:
    return SQL_TYPES[FIELDS[field].type]


def value_columns() -> dict[str, str]:
    """raw.detainer_values: per load, text field and value id, the value and what it gives."""
    derived = {name: _type(name) for field in TEXT_FIELDS for name in derived_from(field)}
    return {"load_key": "integer not null", "field": "varchar not null", "value_id": "uinteger not null",
            "value": "varchar", **derived}


def detainers_view() -> str:
    """raw.detainers: every canonical column, in the model's order, after the load's provenance."""
    select = [f"loads.{column}" for column in LOAD_COLUMNS]
    joins = []
    stored = row_columns()
    for name in COLUMNS:
        if name in TEXT_FIELDS:
            select.append(f"{name}.value as {name}")
            joins.append(f"left join raw.detainer_values as {name} on {name}.load_key = rows.load_key "
                         f"and {name}.field = '{name}' and {name}.value_id = rows.{value_id(name)}")
        elif name in stored:
            select.append(f"rows.{name}")
        else:  # derived from a text field: from that field's dictionary
            select.append(f"{FIELDS[name].source}.{name}")
    return ("create or replace view raw.detainers as\nselect\n    " + ",\n    ".join(select) +
            "\nfrom raw.detainer_rows as rows\nleft join audit.loads as loads on loads.load_key = rows.load_key\n" + "\n".join(joins))


def apply_ddl(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL.read_text("utf-8"))
    _replace_one_table_raw(con)
    _replace_rows_table(con)
    columns = value_columns()
    con.execute(f"create table if not exists raw.detainer_values ({', '.join(f'{n} {t}' for n, t in columns.items())})")
    present = _columns(con, "detainer_values")
    for name, definition in columns.items():
        if name not in present:  # added since the warehouse was made
            con.execute(f"alter table raw.detainer_values add column {name} {definition.replace(' not null', '')}")
    create_constants(con)
    refresh_rows_view(con)  # a column added to the canonical row since: its missing value in every load
    con.execute(detainers_view())


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {name for (name,) in con.execute(
        "select column_name from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = ?", [table]).fetchall()}


def _replace_rows_table(con: duckdb.DuckDBPyConnection) -> None:
    """raw.detainer_rows as one table of every load's rows, as versions before one table per
    load kept it: dropped, and its sources loaded again from their landing files."""
    if _is_table(con, "detainer_rows"):
        con.execute("drop view if exists raw.detainers")
        con.execute("drop table raw.detainer_rows")
        con.execute("update audit.sources set current_load_id = null")


def _is_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("select 1 from duckdb_tables() where database_name = current_database() "
                       "and schema_name = 'raw' and table_name = ?", [name]).fetchone() is not None


def _replace_one_table_raw(con: duckdb.DuckDBPyConnection) -> None:
    if _is_table(con, "detainers"):
        con.execute("drop table raw.detainers")
        con.execute("update audit.sources set current_load_id = null")  # their rows are gone: load again
