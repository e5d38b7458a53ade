"""The data dictionary: beside each model, sql/<schema>/<name>.toml describes it and its
columns (sql/marts/jurisdictions.toml for sql/marts/jurisdictions.sql); the tables the loader
writes and the reference tables have theirs in sql/raw/, sql/audit/ and sql/reference/. The
build writes them into the warehouse as COMMENT ON every table, view, column and macro, and
`detainers dictionary` writes docs/data_dictionary.md from the same files and the published
warehouse's columns: the comments and the page cannot disagree.

A file holds `description`, `[columns]` (each column's description) and, as they apply:
`key` (the columns that identify a mart's row; the build tests them unique and not null,
but for `key_may_be_null`; a table macro's on its example call; `key_tested = false` where a
test would compute every row of a view at each build), `when_empty` (why a mart may hold no rows: said in its comment
when it holds none), `example` (a table macro's call), `name` (for tables of one kind, one per
load: `detainer_rows_<load_key>` describes raw.detainer_rows_1, raw.detainer_rows_2...)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from detainers.paths import SQL_DIR

DEFAULT_PAGE = Path("docs") / "data_dictionary.md"  # relative to the working directory, as in a clone
# Every schema the warehouse holds, in the order a reader meets them (main.readme first).
SCHEMAS = ("main", "marts", "reference", "audit", "raw", "staging", "intermediate", "macros")
PLACEHOLDER = re.compile(r"<[a-z_]+>")
MACRO_KINDS = {"macro": "macro", "table_macro": "table macro"}
COMMENT_ON = {"table": "table", "view": "view", "macro": "macro", "table macro": "macro table"}  # DuckDB's words


@dataclass(frozen=True)
class Entry:
    """What one file says of a table, view or macro."""
    name: str  # schema.name
    path: Path
    description: str
    columns: dict[str, str] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    key_may_be_null: tuple[str, ...] = ()
    when_empty: str | None = None
    example: str | None = None
    key_tested: bool = True

    def comment(self, empty: bool = False) -> str:
        """Its comment in the warehouse: the description, and why it is empty when it is."""
        if empty and self.when_empty:
            return f"{self.description} Empty in this warehouse: {self.when_empty}"
        return self.description


@dataclass(frozen=True)
class Dictionary:
    entries: dict[str, Entry]

    def entry(self, name: str) -> Entry | None:
        """The entry that describes an object: its own, or the one whose <placeholder> it fills."""
        if name in self.entries:
            return self.entries[name]
        for key, entry in self.entries.items():
            if PLACEHOLDER.search(key) and re.fullmatch(PLACEHOLDER.sub("[0-9]+", re.escape(key)), name):
                return entry
        return None

    def entry_name(self, name: str) -> str:
        entry = self.entry(name)
        return entry.name if entry else name

    def table(self, name: str) -> str | None:
        entry = self.entry(name)
        return entry.description if entry else None

    def column(self, table: str, column: str) -> str | None:
        entry = self.entry(table)
        return entry.columns.get(column) if entry else None


def load_dictionary(sql_dir: Path = SQL_DIR) -> Dictionary:
    entries = {}
    for path in sorted(sql_dir.glob("*/*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        name = f"{path.parent.name}.{data.get('name', path.stem)}"
        entries[name] = Entry(name=name, path=path, description=data["description"], columns=data.get("columns", {}),
                              key=tuple(data.get("key", ())), key_may_be_null=tuple(data.get("key_may_be_null", ())),
                              when_empty=data.get("when_empty"), example=data.get("example"),
                              key_tested=data.get("key_tested", True))
    return Dictionary(entries)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _qualified(name: str) -> str:
    return ".".join(_ident(part) for part in name.split(".", 1))


def objects(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every table, view and macro of the warehouse: 'schema.name' -> table, view, macro or table macro."""
    rows = con.execute(
        """
        select schema_name || '.' || table_name, 'table' from duckdb_tables()
        where database_name = current_database() and schema_name in $schemas
        union all
        select schema_name || '.' || view_name, 'view' from duckdb_views()
        where database_name = current_database() and schema_name in $schemas and not internal
        union all
        select distinct schema_name || '.' || function_name, function_type from duckdb_functions()
        where database_name = current_database() and schema_name in $schemas and not internal
            and function_type in ('macro', 'table_macro')
        order by 1
        """,
        dict(schemas=list(SCHEMAS)),
    ).fetchall()
    return {name: MACRO_KINDS.get(kind, kind) for name, kind in rows}


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """'schema.table' -> [(column, type)] for every table and view."""
    rows = con.execute(
        """
        select schema_name || '.' || table_name, column_name, data_type
        from duckdb_columns()
        where database_name = current_database() and schema_name in $schemas
        order by schema_name, table_name, column_index
        """,
        dict(schemas=list(SCHEMAS)),
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def macro_columns(con: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> dict[str, list[tuple[str, str]]]:
    """'schema.macro' -> [(column, type)] of each table macro's rows, from its example call."""
    columns = {}
    for name, kind in objects(con).items():
        entry = dictionary.entry(name)
        if kind == "table macro" and entry and entry.example:
            columns[name] = [(row[0], row[1]) for row in con.execute(f"describe {entry.example}").fetchall()]
    return columns


def warehouse_columns(con: duckdb.DuckDBPyConnection, dictionary: Dictionary | None = None) -> dict[str, list[tuple[str, str]]]:
    """'schema.name' -> [(column, type)] for every table, view and table macro; tables of one
    kind (one per load) once, under their dictionary entry, with every column any holds."""
    dictionary = dictionary or load_dictionary()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, columns in (_columns(con) | macro_columns(con, dictionary)).items():
        entry = tables.setdefault(dictionary.entry_name(table), [])
        entry += [column for column in columns if column not in entry]
    return tables


def undescribed(con: duckdb.DuckDBPyConnection, dictionary: Dictionary | None = None) -> list[str]:
    """Tables, views, macros and columns of the warehouse the dictionary says nothing about."""
    dictionary = dictionary or load_dictionary()
    missing = sorted({dictionary.entry_name(name) for name in objects(con) if not dictionary.table(name)})
    for table, columns in warehouse_columns(con, dictionary).items():
        missing += [f"{table}.{column}" for column, _ in columns if dictionary.table(table) and not dictionary.column(table, column)]
    return missing


def is_empty(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return not con.execute(f"select exists (select 1 from {_qualified(name)})").fetchone()[0]


def comments(con: duckdb.DuckDBPyConnection, dictionary: Dictionary | None = None) -> dict[str, str]:
    """What each object's comment is to be: 'schema.name' -> text (emptiness read from the warehouse)."""
    dictionary = dictionary or load_dictionary()
    texts = {}
    for name, kind in objects(con).items():
        if entry := dictionary.entry(name):
            # only a table or view that says why it may be empty is counted
            texts[name] = entry.comment(empty=kind in ("table", "view") and bool(entry.when_empty) and is_empty(con, name))
    return texts


def apply_comments(con: duckdb.DuckDBPyConnection, dictionary: Dictionary | None = None) -> int:
    """COMMENT ON every table, view, macro and column the dictionary describes; return how many."""
    dictionary = dictionary or load_dictionary()
    kinds = objects(con)
    count = 0
    for name, text in comments(con, dictionary).items():
        con.execute(f"comment on {COMMENT_ON[kinds[name]]} {_qualified(name)} is {_literal(text)}")
        count += 1
    for table, columns in _columns(con).items():
        for column, _ in columns:
            if text := dictionary.column(table, column):
                con.execute(f"comment on column {_qualified(table)}.{_ident(column)} is {_literal(text)}")
                count += 1
    return count


def key_tests(dictionary: Dictionary | None = None) -> dict[str, str]:
    """A data test per key a file declares: 'key of schema.name' -> the key values that repeat,
    or are null where the key may not be (any row fails the build)."""
    dictionary = dictionary or load_dictionary()
    tests = {}
    for name, entry in dictionary.entries.items():
        if not entry.key or not entry.key_tested:
            continue
        relation = f"({entry.example})" if entry.example else _qualified(name)
        key = ", ".join(_ident(column) for column in entry.key)
        nulls = [f"{_ident(column)} is null" for column in entry.key if column not in entry.key_may_be_null]
        tests[f"key of {name}"] = (f"select {key}, count(*) as copies from {relation} as keyed group by {key}\n"
                                   f"having {' or '.join(['count(*) > 1', *nulls])}")
    return tests


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _signature(name: str, kind: str) -> str:
    """A macro's parameters as its file declares them, defaults included."""
    from detainers.warehouse.models import discover  # the runner imports this module

    model = discover().get(name)
    return f"{kind} {model.parameters}" if model else kind


def render_markdown(con: duckdb.DuckDBPyConnection, dictionary: Dictionary | None = None) -> str:
    dictionary = dictionary or load_dictionary()
    lines = [
        "# Data dictionary",
        "",
        "Generated by `detainers dictionary` from the description files beside the models",
        "(`sql/<schema>/<name>.toml`, the source of truth, also applied to the warehouse as",
        "`COMMENT ON`) and the columns of a built warehouse. Do not edit by hand: edit the",
        "`.toml` file and run `detainers dictionary`. Which schemas to query: `main.readme` and",
        "[the warehouse](warehouse.md).",
        "",
        "In DuckDB: `select * from duckdb_tables()`, `duckdb_views()`, `duckdb_columns()` and",
        "`duckdb_functions()`, each with its `comment`.",
        "",
    ]
    kinds = objects(con)
    texts = comments(con, dictionary)
    columns = warehouse_columns(con, dictionary)
    for schema in SCHEMAS:
        names = sorted({dictionary.entry_name(n) for n in kinds if n.split(".", 1)[0] == schema})
        if not names:
            continue
        lines += [f"## {schema}", ""]
        for name in names:
            actual = next(n for n in kinds if dictionary.entry_name(n) == name)
            entry = dictionary.entry(name)
            kind = kinds[actual]
            lines += [f"### `{name}`", "", f"*{_signature(name, kind) if 'macro' in kind else kind}*", "",
                      texts.get(actual, "**undescribed**"), ""]
            if entry and entry.key:
                nullable = set(entry.key_may_be_null)
                keys = ", ".join(f"`{k}`" + (" (may be null)" if k in nullable else "") for k in entry.key)
                lines += [f"Key: {keys}.", ""]
            if entry and entry.example:
                lines += ["```sql", entry.example, "```", ""]
            if name in columns:
                lines += ["| column | type | description |", "| --- | --- | --- |"]
                for column, data_type in columns[name]:
                    lines.append(f"| `{column}` | {data_type} | {_cell(dictionary.column(name, column) or '**undescribed**')} |")
                lines.append("")
    return "\n".join(lines)


def write_markdown(warehouse: Path, page: Path = DEFAULT_PAGE) -> Path:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        text = render_markdown(con)
    finally:
        con.close()
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    return page
