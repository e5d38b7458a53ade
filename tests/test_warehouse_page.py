"""docs/warehouse.md cannot drift: its lists of schemas, marts, table macros, reference and audit
tables and exports are what docs/make_warehouse_page.py writes from the models and their
description files now, and every query the page shows runs on the bundled warehouse."""

from __future__ import annotations

import re

import duckdb

from detainers.warehouse.models import discover
from tests.conftest import ROOT
from tests.generated_parts import assert_current

PAGE = ROOT / "docs" / "warehouse.md"


def test_the_generated_parts_are_current():
    assert_current(PAGE, ROOT / "docs" / "make_warehouse_page.py")


def test_every_mart_and_table_macro_is_on_the_page():
    page = PAGE.read_text("utf-8")
    marts = [name for name in discover() if name.startswith("marts.")]
    assert len(marts) > 15 and [name for name in marts if f"`{name}" not in page] == []
    macros = [name for name, model in discover().items() if model.kind == "table macro" and name.startswith("marts.")]
    assert [name for name in macros if not re.search(rf"```sql\n  select \* from {re.escape(name)}\(", page)] == []


def test_every_query_the_page_shows_runs(bundled_run):
    warehouse, _ = bundled_run
    page = PAGE.read_text("utf-8")
    queries = [q.strip() for block in re.findall(r"```sql\n(.*?)```", page, re.S) for q in block.split(";") if q.strip()]
    queries += re.findall(r'(?:con\.sql|dbGetQuery)\((?:con, )?"(select [^"]*)"\)', page)
    queries += re.findall(r"`(select [^`]*)`", page)
    assert len(queries) > 10
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for query in queries:
            con.execute(query).fetchmany(1)
