"""Writes the generated parts of docs/warehouse.md from the SQL models and their description
files (sql/<schema>/<name>.sql and .toml, sql/main/readme.sql), so the page's lists of
schemas, marts, table macros and exports cannot drift from what a build makes: each part stands
between `<!-- generated: NAME -->` and `<!-- end: NAME -->`. tests/test_warehouse_page.py
fails when a part is not what this writes. No warehouse is needed.

    .venv/bin/python docs/make_warehouse_page.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detainers.paths import SQL_DIR  # noqa: E402
from detainers.schemas.reference import csv_exports  # noqa: E402
from detainers.warehouse.dictionary import load_dictionary  # noqa: E402
from detainers.warehouse.models import discover  # noqa: E402

PAGE = ROOT / "docs" / "warehouse.md"
BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S)
SENTENCE = re.compile(r"(?<!e\.g)(?<!\bi\.e)(?<!U\.S)\.(\s|$)")  # the end of a sentence, not of e.g. or U.S.


def _first_sentence(text: str) -> str:
    return SENTENCE.split(text, maxsplit=1)[0].replace("|", "\\|") + "."


def _kind(name: str) -> str:
    model = discover().get(name)
    return model.kept_as if model else "table"


def schemas_table() -> str:
    """main.readme's rows: its select runs on its own (a list of values)."""
    rows = duckdb.connect().execute((SQL_DIR / "main" / "readme.sql").read_text("utf-8")).fetchall()
    lines = ["| schema | for | what it holds | start with |", "| --- | --- | --- | --- |"]
    for _, schema, audience, holds, start in rows:
        lines.append(f"| `{schema}` | {audience} | {holds} | {f'`{start}`' if start else ''} |")
    return "\n".join(lines) + "\n"


def _objects_table(schema: str, kinds: tuple[str, ...]) -> str:
    dictionary = load_dictionary()
    lines = ["| name | kind | what it holds |", "| --- | --- | --- |"]
    for name, entry in dictionary.entries.items():
        if name.split(".")[0] == schema and _kind(name) in kinds:
            lines.append(f"| `{name}` | {_kind(name)} | {_first_sentence(entry.description)} |")
    return "\n".join(lines) + "\n"


def marts_table() -> str:
    return _objects_table("marts", ("table", "view"))


def reference_table() -> str:
    return _objects_table("reference", ("table",))


def audit_table() -> str:
    return _objects_table("audit", ("table",))


def table_macros() -> str:
    """Each table macro of marts: its parameters, what it gives, an example call."""
    dictionary, models = load_dictionary(), discover()
    parts = []
    for name, model in sorted(models.items()):
        if model.kind == "table macro" and name.startswith("marts."):
            entry = dictionary.entries[name]
            parts.append(f"- `{name}{model.parameters}`: {_first_sentence(entry.description)}\n\n"
                         f"  ```sql\n  {entry.example}\n  ```\n")
    return "\n".join(parts)


def exports_table() -> str:
    csv = csv_exports()
    lines = ["| mart | files |", "| --- | --- |"]
    for name, model in sorted(discover().items()):
        if name.startswith("marts.") and model.kept_as == "table":
            stem = name.split(".", 1)[1]
            files = f"`{stem}.parquet`" + (f", `{stem}.csv`" if stem in csv else "")
            lines.append(f"| `{name}` | {files} |")
    return "\n".join(lines) + "\n"


BLOCKS = {"schemas": schemas_table, "marts": marts_table, "table-macros": table_macros, "reference": reference_table,
          "audit": audit_table, "exports": exports_table}


def render(page: str) -> str:
    """The page with every generated part as the models and their files make it now."""
    return BLOCK.sub(lambda m: m.group(1) + BLOCKS[m.group("name")]() + m.group(4), page)


if __name__ == "__main__":
    PAGE.write_text(render(PAGE.read_text("utf-8")), "utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
