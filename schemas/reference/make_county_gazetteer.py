"""Write the county gazetteer the placement of jurisdictions reads (counties.csv and
city_counties.csv beside this file) from two packages' offline data, once; the CSVs are
committed, so a build needs neither package. Run again after upgrading either package:

    .venv/bin/pip install -c constraints.txt '.[gazetteer]'
    .venv/bin/python schemas/reference/make_county_gazetteer.py

- counties.csv: every county and county-equivalent (independent cities of Virginia, St. Louis
  city, Baltimore city, Carson City, Alaska's boroughs and census areas, Louisiana's parishes,
  Puerto Rico's municipios, the island districts of the territories) with its 5-digit FIPS, from
  addfips (data/counties_2020.csv: the Census Bureau's 2020 county list, with the older names
  of its 2000-2015 lists as aliases). `name_key` is the name as placement compares it: upper
  case, punctuation as spaces, the generic word (County, Parish, Borough, Census Area,
  Municipio, Municipality, District, Island District) dropped, `city` kept (Richmond city is
  RICHMOND CITY, Richmond County is RICHMOND), St. and Ste. spelled SAINT and SAINTE, accents
  dropped (Doña Ana is DONA ANA); a name of several words is also listed without its spaces
  (LASALLE for La Salle), as the ZIP table and the records spell some of them so.
- city_counties.csv: one row per state, city and county that city's ZIP codes lie in, from
  zipcodes (its ZIP table: primary city name and county of every active, non-military ZIP
  code), counties named as addfips names them. A city in several counties has several rows,
  and placement leaves it unplaced. Guam is one county-equivalent (66010): its cities are in
  it. The zipcodes table gives no county for the Virgin Islands: their towns are put in their
  island's district here (St. Thomas 78030, St. John 78020, St. Croix's towns 78010).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
GENERIC = re.compile(r"\s+(COUNTY|PARISH|BOROUGH|CENSUS AREA|MUNICIPIO|MUNICIPALITY|ISLAND DISTRICT|DISTRICT)$")
# The city abbreviations the records' names are spelled out by (ST: SAINT, FT: FORT, ...), so
# both sides of a comparison are spelled alike.
with open(HERE / "name_abbreviations.csv", newline="") as fh:
    SPELLED = {r["abbreviation"]: r["expansion"] for r in csv.DictReader(fh) if r["applies_to"] == "city"}
VIRGIN_ISLANDS = {"SAINT THOMAS": "78030", "SAINT JOHN": "78020", "CHRISTIANSTED": "78010",
                  "FREDERIKSTED": "78010", "KINGSHILL": "78010"}


def key(name: str) -> str:
    """A place name as placement compares it: the steps macros.spelled_name applies to the
    records' names (accents dropped, punctuation as spaces, abbreviations spelled out)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()  # Doña: DONA
    text = re.sub(r"[^A-Z0-9]+", " ", without_apostrophes(plain.upper())).strip()
    return " ".join(SPELLED.get(token, token) for token in text.split())


def without_apostrophes(text: str) -> str:
    """A letter's elision is a space (O'FALLON is O FALLON, COEUR D'ALENE is COEUR D ALENE, as
    the ZIP table spells them), any other apostrophe is dropped (SHERIFF'S is SHERIFFS)."""
    return re.sub(r"(^|[^A-Z0-9])([A-Z])'", r"\1\2 ", text).replace("'", "")


def county_key(name: str) -> str:
    return GENERIC.sub("", key(name)) or key(name)


def main() -> None:
    import addfips
    import zipcodes

    data = Path(addfips.__file__).parent / "data"
    postal = {r["fips"]: r["postal"] for r in csv.DictReader(open(data / "states.csv", newline=""))}
    names: dict[str, str] = {}
    keys: dict[tuple[str, str], str] = {}  # (state, name_key) -> fips, aliases of older lists too
    for year in ("2020", "2015", "2010", "2000"):
        for r in csv.DictReader(open(data / f"counties_{year}.csv", newline="")):
            fips = r["statefp"] + r["countyfp"]
            state = postal.get(r["statefp"])
            if state is None:
                continue
            names.setdefault(fips, r["name"])
            for name_key in (county_key(r["name"]), county_key(r["name"]).replace(" ", "")):  # LA SALLE, LASALLE
                keys.setdefault((state, name_key), fips)
    with open(HERE / "counties.csv", "w", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["county_fips", "state_code", "county_name", "name_key"])
        for (state, name_key), fips in sorted(keys.items(), key=lambda kv: (kv[1], kv[0][1])):
            out.writerow([fips, state, names[fips], name_key])

    located: dict[tuple[str, str], set[str]] = defaultdict(set)
    for z in zipcodes.list_all():
        if not z["active"] or z["zip_code_type"] == "MILITARY":
            continue
        state, city = z["state"], key(z["city"])
        if state == "GU":
            located[state, city].add("66010")
        elif state == "VI" and city in VIRGIN_ISLANDS:
            located[state, city].add(VIRGIN_ISLANDS[city])
        elif z["county"] and (fips := keys.get((state, county_key(z["county"])))):
            located[state, city].add(fips)
    with open(HERE / "city_counties.csv", "w", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["state_code", "city_key", "county_fips"])
        for (state, city), counties in sorted(located.items()):
            for fips in sorted(counties):
                out.writerow([state, city, fips])


if __name__ == "__main__":
    main()
