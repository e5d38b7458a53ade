"""The SQL models keep their layers: only staging reads what the loader writes (raw, audit);
intermediate models, marts and macros read staging, intermediate, reference and each other.
Every staging view feeds a model, and one macro (macros.field_values) turns the id a row
holds into its value. Read from the files, as the runner reads them."""

import re
from pathlib import Path

from detainers.warehouse.models import STRING, discover
from tests.test_models import write

# Schemas the loader writes; the layer that reads them is staging.
LOADED = re.compile(r"\b(raw|audit)\.[a-z_]")


def _code(sql: str) -> str:
    """The SQL without its comments and strings: a comment may name what a model no longer
    reads, and main.readme's strings name the schemas a reader queries."""
    return STRING.sub("''", "\n".join(line.split("--", 1)[0] for line in sql.splitlines()))


def loaded_reads(sql_dir: Path | None = None) -> list[str]:
    """Models outside staging that name a raw or audit relation, as 'model: raw.x'."""
    models = discover(sql_dir) if sql_dir else discover()
    return [f"{name}: {match.group(0)}..." for name, model in sorted(models.items())
            if not name.startswith("staging.") for match in LOADED.finditer(_code(model.sql))]


def test_only_staging_reads_raw_and_audit():
    assert loaded_reads() == []


def test_a_mart_or_intermediate_model_naming_raw_or_audit_is_caught(tmp_path):
    write(tmp_path, "staging/stg_rows.sql", "-- depends on: raw.detainers\n-- materialized: view\nselect * from raw.detainers\n")
    write(tmp_path, "marts/loads.sql", "-- depends on: audit.loads\n-- read audit.loads only here\nselect * from audit.loads\n")
    write(tmp_path, "intermediate/rows.sql", "-- depends on: raw.detainer_rows\nselect * from raw.detainer_rows\n")
    assert loaded_reads(tmp_path) == ["intermediate.rows: raw.d...", "marts.loads: audit.l..."]


def test_every_staging_view_feeds_a_model():
    models = discover()
    read = {dependency for model in models.values() for dependency in model.depends_on}
    staging = {name for name in models if name.startswith("staging.")}
    assert staging and staging - read == set()


def test_one_macro_looks_up_a_fields_values():
    """The per-field lookup (a load's dictionary, by field and value id) is written once."""
    models = discover()
    readers = {name for name, model in models.items() if "staging.stg_detainer_values" in model.depends_on}
    assert readers == {"macros.field_values"}
    users = {name for name, model in models.items() if "macros.field_values" in model.depends_on}
    assert {"intermediate.detainer_counts", "intermediate.place_ids", "intermediate.jurisdiction_variants",
            "marts.source_overlaps"} <= users
    assert not [name for name, model in models.items() if re.search(r"\.field\s*=\s*'", _code(model.sql))]
