"""The warehouse's tables: sql/ddl/warehouse.sql (audit and the schemas), and the loaded rows,
made from the canonical row's definition (schemas/canonical.py) so they cannot drift from
what validation checks:

- raw.detainer_rows: one row per valid published row: its load (audit.loads.load_key), sheet
  and row, its dates, and for each text field the id of its value in the load's dictionary;
- raw.detainer_values: each load's dictionary: per text field and value id, the value as
  published (cleaned) and the canonical fields derived from it;
- raw.detainers: a view of both with the load's provenance: the canonical row, as loaded.

Writing a few integer ids per row instead of two dozen text columns is what makes a load as
fast as DuckDB's own ingest of the file, and the models count by integers. A warehouse made by an older version is brought up to
date: a column added since is added; the earlier one-table raw.detainers is replaced (its
sources are derived again from their landing files, their rules fingerprint having changed).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from detainers.paths import SQL_DIR
from schemas.canonical import COLUMNS, FIELDS, PROVENANCE, TEXT_FIELDS, derived_from, value_id

DDL = SQL_DIR / "ddl" / "warehouse.sql"
SQL_TYPES = {str: "varchar", int: "bigint", dt.date: "date", dt.datetime: "timestamp", bool: "boolean"}
# Who wrote a row: the load; its source, release and file come from audit.loads.
LOAD_COLUMNS = ("load_id", "source", "release", "file_sha256")


def _type(field: str) -> str:
    return SQL_TYPES[FIELDS[field].type]


def row_columns() -> dict[str, str]:
    """raw.detainer_rows: the load, provenance and dates as they are, text fields by value id."""
    columns = {"load_key": "integer not null"}
    for name in COLUMNS:
        origin = FIELDS[name].origin
        if name in TEXT_FIELDS:
            columns[value_id(name)] = "uinteger not null default 0"  # 0: missing (or a field the layout lacks)
        elif origin == PROVENANCE or _type(name) in ("date", "timestamp"):
            columns[name] = _type(name) + ("" if FIELDS[name].nullable else " not null")
    return columns


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
    for table, columns in (("detainer_rows", row_columns()), ("detainer_values", value_columns())):
        con.execute(f"create table if not exists raw.{table} ({', '.join(f'{n} {t}' for n, t in columns.items())})")
        present = _columns(con, table)
        for name, definition in columns.items():
            if name not in present:  # added since the warehouse was made
                con.execute(f"alter table raw.{table} add column {name} {definition.replace(' not null', '')}")
    con.execute(detainers_view())


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {name for (name,) in con.execute(
        "select column_name from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = ?", [table]).fetchall()}


def _replace_one_table_raw(con: duckdb.DuckDBPyConnection) -> None:
    legacy = con.execute("select 1 from duckdb_tables() where database_name = current_database() "
                         "and schema_name = 'raw' and table_name = 'detainers'").fetchone()
    if legacy:
        con.execute("drop table raw.detainers")
        con.execute("update audit.sources set current_load_id = null")  # their rows are gone: load again
