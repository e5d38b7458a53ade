"""How loaded rows are stored: raw.detainer_rows, a view of one table per load.

A load's rows go into a table of their own, raw.detainer_rows_<load_key>, holding only the
columns that vary in it: a release of six columns fills 7 of the 18 columns of the canonical
row's storage (schemas/canonical.py), and writing the other 11 for every row (the same 0 or
null each time) cost more than twice the write of those that vary. What is constant for the
load is stored once, in raw.detainer_constants (column and value); a column the load's rows
never give holds its missing value (id 0, null; a whole row). The view raw.detainer_rows puts
them together again, every load with every column, so nothing that reads it changes.

Plain Python over a DuckDB connection (the loader and the warehouse's DDL share it); the
canonical row's definition decides the columns and their types.
"""

from __future__ import annotations

import datetime as dt
import re

from detainers.schemas.canonical import COLUMNS, FIELDS, PROVENANCE, TEXT_FIELDS, value_id

SQL_TYPES = {str: "varchar", int: "bigint", dt.date: "date", dt.datetime: "timestamp", bool: "boolean"}
ROWS_VIEW = "raw.detainer_rows"
CONSTANTS = "raw.detainer_constants"
LOAD_TABLE = re.compile(r"detainer_rows_([0-9]+)")


def load_table(load_key: int) -> str:
    return f"raw.detainer_rows_{int(load_key)}"


def row_columns() -> dict[str, str]:
    """raw.detainer_rows: the load, provenance and dates as they are, text fields by value id."""
    columns = {"load_key": "integer not null"}
    for name in COLUMNS:
        field = FIELDS[name]
        if name in TEXT_FIELDS:
            columns[value_id(name)] = "uinteger not null"  # 0: missing (or a field the layout lacks)
        elif field.origin == PROVENANCE or SQL_TYPES[field.type] in ("date", "timestamp"):
            columns[name] = SQL_TYPES[field.type] + ("" if field.nullable else " not null")
    return columns


def missing_value(column: str) -> str:
    """What a column a load's rows never give holds, as SQL: a text field's missing id, a row
    read whole (only whole rows are stored), the first sheet of a text file, else null."""
    return {"read_whole": "true", "sheet": "''"}.get(column, "0" if column.endswith("_id") else "null")


def literal(value) -> str:
    """A constant of a load as SQL (the view casts it to its column's type)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def load_tables(con) -> dict[int, set[str]]:
    """Each load's rows table in the warehouse: load key -> the columns it holds."""
    tables: dict[int, set[str]] = {}
    for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'raw' and regexp_full_match(table_name, 'detainer_rows_[0-9]+')").fetchall():
        tables.setdefault(int(LOAD_TABLE.fullmatch(table).group(1)), set()).add(column)
    return tables


def create_constants(con) -> None:
    con.execute(f'create table if not exists {CONSTANTS} (load_key integer not null, "column" varchar not null, value varchar)')


def refresh_rows_view(con) -> None:
    """(Re)make the view raw.detainer_rows over every load's table, in load order."""
    columns = row_columns()
    constants: dict[int, dict[str, str | None]] = {}
    for key, column, value in con.execute(f'select load_key, "column", value from {CONSTANTS}').fetchall():
        constants.setdefault(key, {})[column] = value
    types = {name: definition.removesuffix(" not null") for name, definition in columns.items()}
    parts = ["select " + ", ".join(f"cast(null as {types[c]}) as {c}" for c in columns) + " where false"]
    for key, held in sorted(load_tables(con).items()):
        given = constants.get(key, {})
        select = [f"cast({key} as integer) as load_key"]
        for column in list(columns)[1:]:
            if column in held:
                select.append(column)
            else:
                value = literal(given[column]) if column in given else missing_value(column)
                select.append(f"cast({value} as {types[column]}) as {column}")
        parts.append("select " + ", ".join(select) + f" from {load_table(key)}")
    con.execute(f"create or replace view {ROWS_VIEW} as\n" + "\nunion all\n".join(parts))
