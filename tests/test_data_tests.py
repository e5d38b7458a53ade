"""The data tests of the build: the files of sql/tests and one per mart's key (unique, and not
null but where its description file says a part may be), generated from the key each mart's
.toml declares. Each can fail: a warehouse with a repeated or null key fails them."""

import duckdb

from detainers.warehouse.dictionary import key_tests, load_dictionary
from detainers.warehouse.models import data_tests, discover, run_data_tests


def test_every_mart_has_a_key_test_beside_the_files():
    dictionary = load_dictionary()
    marts = {name for name in discover() if name.startswith("marts.")}
    untested = {name for name in marts if not dictionary.entries[name].key_tested}
    assert untested == {"marts.detainers"}  # a view of every row: its key is checked below, on the bundled data
    assert set(key_tests()) == {f"key of {name}" for name in marts - untested}
    tests = data_tests()
    assert "assert_raw_rows_match_audit" in tests and set(key_tests()) <= set(tests)


def test_the_bundled_warehouse_passes_every_data_test(bundled_run):
    warehouse, _ = bundled_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert run_data_tests(con) == []
        (repeated,) = con.execute("select count(*) - count(distinct detainer_key) + count(*) filter (where detainer_key is null) "
                                  "from marts.detainers").fetchone()
    assert repeated == 0


def test_a_repeated_key_fails_its_data_test(copied_warehouse):
    with duckdb.connect(str(copied_warehouse)) as con:
        con.execute("insert into marts.jurisdictions select * from marts.jurisdictions order by jurisdiction_id limit 1")
        failures = run_data_tests(con)
    assert len(failures) == 1 and failures[0].startswith("key of marts.jurisdictions: 1 row(s), e.g. (")


def test_a_null_key_fails_unless_the_key_may_be_null(copied_warehouse):
    with duckdb.connect(str(copied_warehouse)) as con:
        # state_code may be null (detainers of no known state: 2015-07-19 has none yet); the day may not
        con.execute("update marts.daily_coverage set day = null where (day, state_code) in "
                    "(select (day, state_code) from marts.daily_coverage order by day, state_code limit 2)")
        con.execute("update marts.daily_detainers_by_state set state_code = null where prepare_date = date '2015-07-19' "
                    "and state_code = (select min(state_code) from marts.daily_detainers_by_state "
                    "where prepare_date = date '2015-07-19')")
        failures = run_data_tests(con)
    assert [f.split(":")[0] for f in failures] == ["key of marts.daily_coverage"]
    assert failures[0].startswith("key of marts.daily_coverage: 2 row(s)")
