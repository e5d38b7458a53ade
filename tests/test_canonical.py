"""The canonical row has one definition (schemas/canonical.py): what a layout may map, what
normalization fills and what raw.detainers holds all follow from it."""

import duckdb

from detainers.build.ddl import LOAD_COLUMNS, apply_ddl
from detainers.transform.normalize import to_canonical
from schemas.canonical import COLUMNS, PUBLISHED_FIELDS, SCHEMA
from schemas.layouts import known_layouts
from tests.test_schemas import LAYOUT, published


def test_raw_detainers_holds_the_load_provenance_and_every_canonical_field_with_its_nullability():
    con = duckdb.connect()
    apply_ddl(con)
    columns = con.execute("select column_name, is_nullable from duckdb_columns() "
                          "where schema_name = 'raw' and table_name = 'detainers' order by column_index").fetchall()
    assert [name for name, _ in columns] == [*LOAD_COLUMNS, *COLUMNS]
    nullable = dict(columns)
    assert all(nullable[name] == SCHEMA.columns[name].nullable for name in COLUMNS)


def test_normalization_fills_exactly_the_canonical_columns():
    assert to_canonical(published({}), LAYOUT).columns == COLUMNS


def test_layouts_map_published_columns_onto_published_canonical_fields_only():
    for layout in known_layouts().values():
        assert set(layout.columns.values()) <= set(PUBLISHED_FIELDS)
    assert "state_code" not in PUBLISHED_FIELDS and "state" in PUBLISHED_FIELDS
