"""The canonical row has one definition (schemas/canonical.py): what a layout may map, what
normalization fills and what raw.detainers holds all follow from it."""

from pathlib import Path

import duckdb

from detainers.warehouse.ddl import LOAD_COLUMNS, apply_ddl
from detainers.transform.values import to_canonical
from detainers.schemas.canonical import COLUMNS, FIELDS, PUBLISHED_FIELDS, TEXT_FIELDS, derived_from, value_id
from detainers.schemas.layouts import known_layouts
from detainers.schemas.stored import row_columns
from tests.test_schemas import LAYOUT, published


def test_raw_detainers_holds_the_load_provenance_and_every_canonical_field():
    con = duckdb.connect()
    apply_ddl(con)

    def columns(table):
        return dict(con.execute("select column_name, is_nullable from duckdb_columns() where schema_name = 'raw' "
                                "and table_name = ? order by column_index", [table]).fetchall())

    assert list(columns("detainers")) == [*LOAD_COLUMNS, *COLUMNS]  # the view: the canonical row, as loaded
    # raw.detainer_rows is a view of one table per load (schemas/stored.py), each holding the
    # columns that vary in its load, declared as row_columns() says
    assert list(columns("detainer_rows")) == list(row_columns())
    stored = {name: "not null" not in definition for name, definition in row_columns().items()}
    assert {value_id(f) for f in TEXT_FIELDS} <= set(stored)  # text by value id
    for name in ("sheet", "source_row", "prepare_date", "prepared_at", "lift_date"):
        assert stored[name] == FIELDS[name].nullable
    assert set(columns("detainer_values")) >= {name for f in TEXT_FIELDS for name in derived_from(f)}


def test_normalization_fills_exactly_the_canonical_columns():
    assert to_canonical(published({}), LAYOUT).columns == COLUMNS


def test_layouts_map_published_columns_onto_published_canonical_fields_only():
    for layout in known_layouts().values():
        assert set(layout.columns.values()) <= set(PUBLISHED_FIELDS)
    assert "state_code" not in PUBLISHED_FIELDS and "state" in PUBLISHED_FIELDS


def test_the_derivation_fingerprint_covers_every_schemas_module_the_transform_runs():
    """An edit to a check in schemas/ must derive every source again: each schemas module the
    transform imports (layouts and reference data are fingerprinted as data) is in its code."""
    import ast
    import importlib.util

    from detainers.transform.batches import CODE

    root = Path(__file__).resolve().parent.parent
    imported = {
        node.module
        for path in (root / "detainers" / "transform").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("detainers.schemas.")
    }
    modules = imported - {"detainers.schemas.layouts", "detainers.schemas.reference"}
    assert modules >= {"detainers.schemas.canonical", "detainers.schemas.canonical_model", "detainers.schemas.published"}
    # where each module is imported from: the clone's schemas/, or the installed detainers/schemas/
    files = {Path(importlib.util.find_spec(module).origin).resolve() for module in modules}
    assert files <= {path.resolve() for path in CODE}
