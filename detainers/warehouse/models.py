"""Build the SQL models in sql/, in the order their declared inputs give, then run the data tests.

A model is a file, named for its folder and stem (sql/marts/jurisdictions.sql is
`marts.jurisdictions`; folders: staging, intermediate, marts, macros, main). Its header says what
it reads and how it is materialized:

    -- depends on: intermediate.detainer_counts, macros.coverage_ratio
    -- materialized: table | view | build table | table macro (start, end) | macro (x, y)

A `build table` is a table while the models build (each model that reads it reads the rows
once), left as a view of the same select when the build is done: the published file does not
keep a large intermediate table that no reader needs, and a reader who asks still gets its rows.
While building, its rows are a temporary table of the build's connection (memory, spilled if
need be) behind a view of the model's name: a table of the file, even one dropped before the
commit, would have its rows written to the file as they come.

The body is one select (a table, a view, a table macro) or one expression (a macro). The
runner orders models by their declared inputs, and refuses to build when a model reads a
relation it does not declare, declares one that is neither a model nor a table of the
warehouse, or when the declarations form a cycle. Objects of these schemas that no file
defines any more (a renamed model) are dropped, so the build holds exactly the files.

A data test (sql/tests/*.sql, and one per mart's key from its description file) returns the
rows that break its rule; any row fails the build.
"""

from __future__ import annotations

import graphlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from detainers.warehouse.dictionary import apply_comments, key_tests, load_dictionary, objects
from detainers.errors import DataTestError, DetainersError
from detainers.paths import SQL_DIR

# main holds main.readme, the view a reader opens first
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "macros", "main")
READABLE_SCHEMAS = ("raw", "audit", "reference", *MODEL_SCHEMAS)
REFERENCE = re.compile(r"\b(" + "|".join(READABLE_SCHEMAS) + r")\.([a-z_][a-z0-9_]*)\b")
STRING = re.compile(r"'(?:[^']|'')*'")
MATERIALIZED = re.compile(r"^(table|view|build table|table macro|macro)\s*(\(.*\))?$")


@dataclass(frozen=True)
class Model:
    name: str  # schema.stem
    path: Path
    sql: str
    depends_on: tuple[str, ...]
    kind: str  # table, view, build table, table macro, macro
    parameters: str  # "(a, b)" for macros

    @property
    def kept_as(self) -> str:
        """What the published warehouse holds of it: a build table is left as a view."""
        return "view" if self.kind == "build table" else self.kind

    @property
    def scratch(self) -> str:
        """Where a build table's rows are while the models build."""
        return "temp.main." + self.name.replace(".", "__")

    def statement(self) -> str:
        if self.kind == "build table":
            return (f"create or replace temp table {self.scratch.removeprefix('temp.main.')} as\n{self.sql};\n"
                    f"create or replace view {self.name} as select * from {self.scratch}")
        if self.kind in ("table", "view"):
            return f"create or replace {self.kind} {self.name} as\n{self.sql}"
        as_table = " table" if self.kind == "table macro" else ""
        return f"create or replace macro {self.name}{self.parameters} as{as_table}\n{self.sql}"


def parse_model(path: Path) -> Model:
    """A model file: its header's declarations, and the relations its body reads."""
    sql = path.read_text("utf-8")
    name = f"{path.parent.name}.{path.stem}"
    depends, kind, parameters, in_depends = [], "table", "", False
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        text = line[2:].strip()
        if text.startswith("depends on:"):
            depends += _names(text.removeprefix("depends on:"))
            in_depends = True
        elif text.startswith("materialized:"):
            match = MATERIALIZED.match(text.removeprefix("materialized:").strip())
            if not match:
                raise DetainersError(f"{path}: unknown materialization {text!r}")
            kind, parameters, in_depends = match.group(1), match.group(2) or "", False
        elif in_depends and _names(text) and all(REFERENCE.fullmatch(n) for n in _names(text)):
            depends += _names(text)  # the declaration goes on, on the next comment line
        else:
            in_depends = False
    if kind.endswith("macro") and not parameters:
        raise DetainersError(f"{path}: a macro declares its parameters, e.g. '-- materialized: macro (a, b)'")
    model = Model(name, path, sql, tuple(depends), kind, parameters)
    undeclared = sorted(reads(model) - set(depends) - {name})
    if undeclared:
        raise DetainersError(f"{path}: reads {', '.join(undeclared)} but does not declare it ('-- depends on: ...')")
    return model


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def reads(model: Model) -> set[str]:
    """The schema-qualified relations and macros the body names, comments and strings left out
    (main.readme's rows name the queries a reader starts with)."""
    code = "\n".join(line.split("--", 1)[0] for line in model.sql.splitlines())
    code = STRING.sub("''", code)
    return {f"{schema}.{name}" for schema, name in REFERENCE.findall(code)}


def discover(sql_dir: Path = SQL_DIR) -> dict[str, Model]:
    return {m.name: m for m in (parse_model(p) for schema in MODEL_SCHEMAS for p in sorted((sql_dir / schema).glob("*.sql")))}


def build_order(models: dict[str, Model], existing: set[str]) -> list[Model]:
    """Models in an order where each comes after every model it reads."""
    graph = graphlib.TopologicalSorter()
    for name in sorted(models):
        model = models[name]
        missing = [d for d in model.depends_on if d not in models and d not in existing]
        if missing:
            raise DetainersError(f"{model.path}: depends on {', '.join(missing)}, which is neither a model nor a table of the warehouse")
        graph.add(name, *[d for d in model.depends_on if d in models])
    try:
        return [models[name] for name in graph.static_order()]
    except graphlib.CycleError as exc:
        raise DetainersError(f"the SQL models' declared inputs form a cycle: {' -> '.join(exc.args[1])}") from None


def build_models(con: duckdb.DuckDBPyConnection, derived_reference: dict | None = None,
                 sql_dir: Path = SQL_DIR) -> dict[str, float]:
    """Load the reference data (and the pipeline's `derived_reference` frames), materialize
    every model in one transaction and run the data tests; return seconds per model."""
    from detainers.warehouse.reference import load_reference  # polars: imported when a build starts

    models = discover(sql_dir)
    timings = {}
    con.begin()
    try:
        load_reference(con, derived_reference)
        for schema in MODEL_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        _drop_undefined(con, models)
        for model in build_order(models, _existing(con)):
            started = time.perf_counter()
            _materialize(con, model)
            timings[model.name] = time.perf_counter() - started
        failures = run_data_tests(con, sql_dir)
        if failures:
            raise DataTestError("data tests failed, the build was not published:\n" + "\n".join(failures))
        for model in models.values():
            if model.kind == "build table":  # left as the view of its select; its rows never reach the file
                con.execute(f"create or replace view {model.name} as\n{model.sql}; drop table {model.scratch}")
        apply_comments(con)  # the description files (sql/<schema>/<name>.toml) as COMMENT ON
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return timings


def _existing(con: duckdb.DuckDBPyConnection) -> set[str]:
    return set(objects(con))


def _drop_undefined(con: duckdb.DuckDBPyConnection, models: dict[str, Model]) -> None:
    for name, kind in objects(con).items():
        if name.split(".", 1)[0] in MODEL_SCHEMAS and (name not in models or models[name].kept_as != kind):
            con.execute(f"drop {kind} {name}")


def _materialize(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    try:
        con.execute(model.statement())
    except duckdb.Error as exc:
        raise DetainersError(f"{model.path}: {str(exc).splitlines()[0]}") from None


def data_tests(sql_dir: Path = SQL_DIR) -> dict[str, str]:
    """Every data test, name -> select: the files of sql/tests, and one per mart's key as its
    description file gives it (dictionary.key_tests)."""
    tests = {path.stem: path.read_text("utf-8") for path in sorted((sql_dir / "tests").glob("*.sql"))}
    return tests | key_tests(load_dictionary(sql_dir))


def run_data_tests(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> list[str]:
    """Each failing test as 'name: N rows, e.g. (...)'."""
    failures = []
    for name, sql in data_tests(sql_dir).items():
        rows = con.execute(sql).fetchmany(3)
        if rows:
            count = con.execute(f"select count(*) from ({sql})").fetchone()[0]
            failures.append(f"{name}: {count} row(s), e.g. {rows[0]}")
    return failures


def model_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """The files that shape the models: every SQL file, every description file, the version."""
    return [*sorted(sql_dir.glob("**/*.sql")), *sorted(sql_dir.glob("**/*.toml"))]
