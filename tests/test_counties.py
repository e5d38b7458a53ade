"""Jurisdictions placed in counties (5-digit FIPS) and spellings of one facility folded (issue
17): the SQL models on known facility -> county pairs, and on the bundled extract."""

from __future__ import annotations

import json

import duckdb
from typer.testing import CliRunner

from detainers.warehouse.models import discover
from detainers.warehouse.reference import load_reference
from detainers.cli import app

MODELS = ("staging.stg_detainer_values", "macros.field_values", "macros.jurisdiction_id", "macros.spelled_name", "macros.folded_facility_name",
          "intermediate.jurisdiction_variants", "intermediate.jurisdiction_counties")


def placed(rows: list[tuple[str, str, str | None]]) -> dict[str, tuple]:
    """Run the folding and placement models on (facility, state, city) rows, one detainer each
    (a row listed twice is two): {spelling: (jurisdiction_id, county_fips, placement, name_variants)}."""
    con = duckdb.connect()
    load_reference(con)
    con.execute("create schema raw; create schema staging; create schema intermediate; create schema macros")
    values = [("facility", i, None, name, False, None) for i, (name, _, _) in enumerate(rows)]
    values += [("state", i, None, None, None, state) for i, (_, state, _) in enumerate(rows)]
    values += [("city", i, city, None, None, None) for i, (_, _, city) in enumerate(rows)]
    con.execute("create table raw.detainer_values (load_key int, field varchar, value_id int, value varchar, "
                "detainer_form varchar, facility_name varchar, facility_is_placeholder boolean, state_code varchar, outcome varchar)")
    con.executemany("insert into raw.detainer_values by name select 1 as load_key, ?::varchar as field, ?::int as value_id, "
                    "?::varchar as value, ?::varchar as facility_name, ?::boolean as facility_is_placeholder, "
                    "?::varchar as state_code", values)
    con.execute("create table intermediate.detainer_key_counts as select 1 as load_key, i as facility_id, "
                "i as state_id, i as city_id, 1 as detainers from range(?) t(i)", [len(rows)])
    models = discover()
    for name in MODELS:
        con.execute(models[name].statement())
    result = con.execute("""
        select variants.facility_name, counties.jurisdiction_id, counties.county_fips, counties.placement, counties.name_variants
        from intermediate.jurisdiction_variants as variants
        inner join intermediate.jurisdiction_counties as counties using (jurisdiction_id)""").fetchall()
    return {name: tuple(rest) for name, *rest in result}


def test_known_facilities_are_placed_in_their_counties():
    got = placed([
        ("DAUPHIN CNTY JAIL, PA", "PA", "HARRISBURG"),
        ("DELAWARE CO JAIL", "PA", "THORNTON"),
        ("SANTA CLARA CO MAIN JAIL/", "CA", "SAN JOSE"),
        ("INDIO JAIL - RIVERSIDE COUNTY", "CA", "INDIO"),
        ("EL PASO COUNTY JAIL (CO)", "CO", "COLORADO SPRINGS"),
        ("HARRIS COUNTY JAIL", "TX", "HOUSTON"),
        ("LOS ANGELES CITY JAIL", "CA", "LOS ANGELES"),
        ("VENTURA COUNTY JAIL", "CA", "VENTURA"),
    ])
    assert {name: (fips, how) for name, (_, fips, how, _) in got.items()} == {
        "DAUPHIN CNTY JAIL, PA": ("42043", "facility_name"),
        "DELAWARE CO JAIL": ("42045", "facility_name"),
        "SANTA CLARA CO MAIN JAIL/": ("06085", "facility_name"),
        "INDIO JAIL - RIVERSIDE COUNTY": ("06065", "facility_name"),
        "EL PASO COUNTY JAIL (CO)": ("08041", "facility_name"),  # not El Paso County, Texas
        "HARRIS COUNTY JAIL": ("48201", "facility_name"),  # Houston lies in two counties; the name says which
        "LOS ANGELES CITY JAIL": ("06037", "city"),  # no county named: its city lies in one
        "VENTURA COUNTY JAIL": ("06111", "facility_name"),
    }


def test_a_city_in_two_counties_is_unplaced_unless_overridden():
    got = placed([
        ("AURORA POLICE DEPT", "CO", "AURORA"),  # Aurora lies in Adams, Arapahoe and Douglas counties
        ("AURORA CITY JAIL", "CO", "AURORA"),  # reviewed since issue 24: its jail is in the Arapahoe part
        ("HOUSTON POLICE DEPT", "TX", "HOUSTON"),  # Harris and Fort Bend
        ("DENVER JUSTICE CENTER", "CO", "DENVER"),  # Denver's ZIP codes reach four counties: reviewed override
    ])
    assert got["AURORA POLICE DEPT"][1:3] == (None, "unplaced")
    assert got["AURORA CITY JAIL"][1:3] == ("08005", "override")
    assert got["HOUSTON POLICE DEPT"][1:3] == (None, "unplaced")
    assert got["DENVER JUSTICE CENTER"][1:3] == ("08031", "override")


def test_a_county_named_in_the_facility_wins_over_its_city():
    got = placed([("MARIN CO. JAIL", "CA", "SAN FRANCISCO"), ("SAN FRANCISCO CO JAIL", "CA", "SAN FRANCISCO")])
    assert got["MARIN CO. JAIL"][1:3] == ("06041", "facility_name")  # San Francisco alone would say 06075
    assert got["SAN FRANCISCO CO JAIL"][1:3] == ("06075", "facility_name")


def test_independent_cities_and_territories_have_their_own_fips():
    got = placed([
        ("RICHMOND CITY JAIL", "VA", "RICHMOND"),
        ("BALT CITY CENTRAL", "MD", "BALTIMORE"),
        ("BALTIMORE COUNTY DET. CENTER", "MD", "TOWSON"),
        ("ST. LOUIS CITY JUSTICE CENTER", "MO", "ST. LOUIS"),
        ("ST LOUIS COUNTY JAIL", "MO", "CLAYTON"),
        ("GUAM DEPT OF CORRECTIONS", "GU", "HAGATNA"),
        ("SAN JUAN POLICE", "PR", "SAN JUAN"),
        ("VI BUREAU OF CORRECTIONS", "VI", "ST THOMAS"),
    ])
    assert {name: fips for name, (_, fips, _, _) in got.items()} == {
        "RICHMOND CITY JAIL": "51760",  # not Richmond County, 51159
        "BALT CITY CENTRAL": "24510",
        "BALTIMORE COUNTY DET. CENTER": "24005",
        "ST. LOUIS CITY JUSTICE CENTER": "29510",
        "ST LOUIS COUNTY JAIL": "29189",
        "GUAM DEPT OF CORRECTIONS": "66010",
        "SAN JUAN POLICE": "72127",
        "VI BUREAU OF CORRECTIONS": "78030",
    }


def test_spellings_of_one_facility_fold_and_two_jails_of_one_city_stay_two():
    got = placed([
        ("DAUPHIN COUNTY JAIL", "PA", "HARRISBURG"),
        ("DAUPHIN COUNTY JAIL", "PA", "HARRISBURG"),
        ("DAUPHIN CNTY JAIL, PA", "PA", "HARRISBURG"),
        ("SANTA ANA CITY JAIL", "CA", "SANTA ANA"),
        ("SANTA ANA COUNTY JAIL", "CA", "SANTA ANA"),
        ("PHILADELPHIA 15TH POLICE DIST", "PA", "PHILADELPHIA"),
        ("PHILADELPHIA 18TH POLICE DIST", "PA", "PHILADELPHIA"),
        ("WASHINGTON COUNTY JAIL", "OR", "HILLSBORO"),
        ("WASHINGTON CO JAIL", "AR", "FAYETTEVILLE"),
    ])
    dauphin = got["DAUPHIN CNTY JAIL, PA"]
    assert dauphin[0] == got["DAUPHIN COUNTY JAIL"][0] == "DAUPHIN COUNTY JAIL | PA"  # the commoner spelling names it
    assert dauphin[3] == ["DAUPHIN COUNTY JAIL", "DAUPHIN CNTY JAIL, PA"]
    assert got["SANTA ANA CITY JAIL"][0] != got["SANTA ANA COUNTY JAIL"][0]
    assert got["PHILADELPHIA 15TH POLICE DIST"][0] != got["PHILADELPHIA 18TH POLICE DIST"][0]
    assert got["WASHINGTON COUNTY JAIL"][1] == "41067" and got["WASHINGTON CO JAIL"][1] == "05143"  # one name, two states


def _query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


DECLINES_2015 = """
    select
        coalesce(sum(monthly.declined_detainers) filter (where jurisdictions.placement <> 'unplaced'), 0),
        sum(monthly.declined_detainers),
    from marts.jurisdiction_declines_monthly as monthly
    inner join marts.jurisdictions as jurisdictions using (jurisdiction_id)
    where year(monthly.prepare_month) = 2015
"""


def test_most_of_2015s_declines_at_known_jurisdictions_are_placed(bundled_run):
    warehouse, _ = bundled_run
    (placed_declines, known_declines), = _query(warehouse, DECLINES_2015)
    staged = _query(warehouse, """select count(*) from marts.detainers
                                  where is_declined and jurisdiction_id is not null and year(prepare_date) = 2015""")
    assert known_declines == staged[0][0] > 0
    assert placed_declines / known_declines >= 0.9


def test_counties_add_up_to_the_headline(bundled_run):
    warehouse, _ = bundled_run
    window = "date '2014-01-01', date '2017-05-31'"
    (issued, declined, jurisdictions, without), = _query(
        warehouse, f"select detainers_issued, declined_detainers, declining_jurisdictions, declined_without_jurisdiction "
                   f"from marts.headline({window})")
    assert (issued, declined) == (79_053, 5_501)
    totals = _query(warehouse, f"""select sum(detainers_issued), sum(declined_detainers), sum(declining_facilities),
        sum(declined_detainers) filter (where kind = 'without_jurisdiction') from marts.county_headline({window})""")
    assert totals == [(issued, declined, jurisdictions, without)]
    # folding leaves no two jurisdictions of one folded name, state and city
    assert _query(warehouse, """select count(*) from (select state_code, city_key, folded_name
        from intermediate.jurisdiction_variants group by all having count(distinct jurisdiction_id) > 1)""") == [(0,)]


def test_npr_facilities_still_match_one_by_one(bundled_run):
    warehouse, _ = bundled_run
    assert _query(warehouse, """select count(*) filter (where status = 'match'), count(*)
        from marts.facility_reconciliation where year = 2015""") == [(246, 246)]


def test_report_by_county_json(bundled_run):
    warehouse, _ = bundled_run
    result = CliRunner().invoke(app, ["report", "--by", "county", "--state", "PA", "--start", "2015-01-01",
                                      "--end", "2015-12-31", "--warehouse", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert list(got) == ["window_start", "window_end", "coverage_start", "coverage_end", "figures_cover", "counties",
                         "unplaced", "without_jurisdiction"]
    assert (got["coverage_start"], got["coverage_end"]) == ("2015-01-01", "2015-07-19")  # the data's own days
    assert list(got["counties"][0]) == ["county_fips", "county", "state_code", "detainers_issued", "declined_detainers",
                                        "declining_facilities", "coverage_ratio"]
    assert {c["state_code"] for c in got["counties"]} == {"PA"}
    (issued, declined), = _query(warehouse, """select detainers_issued, declined_detainers
        from marts.headline(date '2015-01-01', date '2015-12-31', states := ['PA'])""")
    parts = [*got["counties"], got["unplaced"], got["without_jurisdiction"]]
    assert sum(p["detainers_issued"] for p in parts) == issued
    assert sum(p["declined_detainers"] for p in parts) == declined
    top = got["counties"][0]
    assert (top["county_fips"], top["county"]) == ("42101", "Philadelphia County")
    text = CliRunner().invoke(app, ["report", "--by", "county", "--warehouse", str(warehouse)])
    assert text.exit_code == 0 and "Ventura County" in text.stdout and "spellings of facility names folded" in text.stdout
    wrong = CliRunner().invoke(app, ["report", "--by", "city", "--warehouse", str(warehouse)])
    assert wrong.exit_code == 2 and "unknown --by 'city'" in wrong.output


def test_place_names_with_an_apostrophe_are_placed():
    """Issue 25: the ZIP table spells O'FALLON as O FALLON, and apostrophes were dropped
    (OFALLON): O'FALLON, COEUR D'ALENE and LAND O'LAKES got no county. A single letter's
    elision is a space now, any other apostrophe dropped as before (O'BRIEN COUNTY is also
    OBRIEN COUNTY; SHERIFF'S is SHERIFFS)."""
    got = placed([
        ("O'FALLON POLICE DEPT", "MO", "O'FALLON"),
        ("O'FALLON POLICE DEPARTMENT", "IL", "O'FALLON"),
        ("COEUR D'ALENE POLICE", "ID", "COEUR D'ALENE"),
        ("LAND O'LAKES JAIL", "WI", "LAND O'LAKES"),
        ("PASCO SHERIFF'S OFFICE", "FL", "LAND O'LAKES"),  # Pasco County's sheriff sits there
        ("O'BRIEN COUNTY JAIL", "IA", "PRIMGHAR"),
        ("OBRIEN CO JAIL", "IA", None),
        ("BOIS D'ARC CITY JAIL", "MO", "BOIS D'ARC"),
    ])
    assert {name: (fips, how) for name, (_, fips, how, _) in got.items()} == {
        "O'FALLON POLICE DEPT": ("29183", "city"),  # St. Charles County, Missouri
        "O'FALLON POLICE DEPARTMENT": ("17163", "city"),  # St. Clair County, Illinois
        "COEUR D'ALENE POLICE": ("16055", "city"),  # Kootenai County
        "LAND O'LAKES JAIL": ("55125", "city"),  # Vilas County, Wisconsin
        "PASCO SHERIFF'S OFFICE": ("12101", "city"),
        "O'BRIEN COUNTY JAIL": ("19141", "facility_name"),
        "OBRIEN CO JAIL": ("19141", "facility_name"),
        "BOIS D'ARC CITY JAIL": ("29077", "city"),  # Greene County, Missouri
    }


def test_a_typographic_apostrophe_loads_and_places_like_the_plain_one(tmp_path):
    """Issue 25: ’ (and ´, ʼ) quarantined its row as "unexpected characters"; now every
    apostrophe is the plain one before anything compares names, so the three spellings are one
    jurisdiction, placed in its county."""
    from tests.badfiles import HEADER, row, write_csv

    rows = [row(facility=f"O{mark}FALLON POLICE DEPT", state="MISSOURI", city=f"O{mark}FALLON") for mark in ("'", "’", "´", "ʼ")]
    extract = write_csv(tmp_path / "f.csv", [HEADER, *rows])
    (tmp_path / "sources.toml").write_text(f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n')
    warehouse = tmp_path / "w.duckdb"
    done = CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(tmp_path / "sources.toml"), "--warehouse", str(warehouse)])
    assert done.exit_code == 0, done.output
    assert _query(warehouse, "select count(*), count(distinct city) from raw.detainers") == [(4, 1)]
    assert _query(warehouse, "select count(*) from audit.rejects") == [(0,)]
    assert _query(warehouse, "select facility_name, county_fips, placement from marts.jurisdictions") == [
        ("O'FALLON POLICE DEPT", "29183", "city")]
