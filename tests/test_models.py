"""The SQL model runner: models build in the order their declared inputs give, whatever their
names; a cycle, an input that exists nowhere, or a read left undeclared stops the build with
the file named; a model whose file is gone is dropped. Plain functions on DuckDB in memory."""

import duckdb
import pytest

from detainers.warehouse.models import build_order, discover, parse_model, reads
from detainers.errors import DetainersError
from detainers.paths import SQL_DIR


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_models_build_after_what_they_read_whatever_their_names(tmp_path):
    write(tmp_path, "marts/a_total.sql", "-- depends on: staging.z_rows\nselect count(*) as n from staging.z_rows\n")
    write(tmp_path, "staging/z_rows.sql", "-- depends on: raw.detainers\n-- materialized: view\nselect * from raw.detainers\n")
    write(tmp_path, "macros/twice.sql", "-- materialized: macro (x)\nx * 2\n")
    write(tmp_path, "marts/b_double.sql", "-- depends on: marts.a_total, macros.twice\nselect macros.twice(n) as n2 from marts.a_total\n")
    order = [m.name for m in build_order(discover(tmp_path), existing={"raw.detainers"})]
    assert order.index("staging.z_rows") < order.index("marts.a_total") < order.index("marts.b_double")
    assert order.index("macros.twice") < order.index("marts.b_double")


def test_a_cycle_is_refused_and_named(tmp_path):
    write(tmp_path, "marts/a.sql", "-- depends on: marts.b\nselect * from marts.b\n")
    write(tmp_path, "marts/b.sql", "-- depends on: marts.a\nselect * from marts.a\n")
    with pytest.raises(DetainersError, match=r"form a cycle: marts\.(a|b) -> marts\.(a|b) -> marts\.(a|b)"):
        build_order(discover(tmp_path), existing=set())


def test_an_input_that_exists_nowhere_is_refused(tmp_path):
    path = write(tmp_path, "marts/a.sql", "-- depends on: staging.gone\nselect * from staging.gone\n")
    with pytest.raises(DetainersError, match=f"{path}: depends on staging.gone, which is neither a model nor a table"):
        build_order(discover(tmp_path), existing=set())


def test_a_read_left_undeclared_is_refused(tmp_path):
    path = write(tmp_path, "marts/a.sql", "-- depends on: staging.x\nselect * from staging.x join audit.sources using (source)\n")
    with pytest.raises(DetainersError, match=f"{path}: reads audit.sources but does not declare it"):
        parse_model(path)


def test_a_declaration_may_go_on_over_several_comment_lines(tmp_path):
    path = write(tmp_path, "marts/a.sql", "-- what it holds\n-- depends on: staging.x,\n--   staging.y\n-- materialized: view\n"
                                          "select * from staging.x, staging.y -- staging.z in a comment is not a read\n")
    model = parse_model(path)
    assert (model.depends_on, model.kind, reads(model)) == (("staging.x", "staging.y"), "view", {"staging.x", "staging.y"})


def test_every_model_of_the_project_declares_what_it_reads():
    models = discover(SQL_DIR)
    assert {"staging.stg_detainer_rows", "intermediate.detainer_counts", "marts.headline", "macros.coverage_ratio"} <= set(models)
    for model in models.values():
        assert reads(model) <= set(model.depends_on), model.name


def test_a_model_whose_file_is_gone_is_dropped(tmp_path):
    from detainers.warehouse import models

    write(tmp_path, "marts/kept.sql", "select 1 as one\n")
    con = duckdb.connect()
    con.execute("create schema marts; create table marts.renamed_away as select 1 as one")
    models._drop_undefined(con, discover(tmp_path))
    assert con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall() == []


def test_a_name_inside_a_string_is_not_a_read(tmp_path):
    """main.readme's rows name the queries a reader starts with: text, not inputs."""
    path = write(tmp_path, "main/readme.sql", "-- materialized: view\nselect 'select * from raw.detainers' as start_with\n")
    assert reads(parse_model(path)) == set()
    path = write(tmp_path, "marts/a.sql", "select 'it''s' as x, * from raw.detainers\n")
    with pytest.raises(DetainersError, match="reads raw.detainers but does not declare it"):
        parse_model(path)
