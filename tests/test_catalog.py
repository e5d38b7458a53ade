"""Every public release, current (issue 26): the catalog of the 33 known files with their public
addresses, `detainers releases` (its JSON, its table at 80 columns, `--manifest` for any
window), a manifest's `mirror`, a run of a generated manifest, and a file whose header is more
than one layout's."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
import tomllib
from urllib.parse import unquote, urlsplit

import duckdb
import pytest
from rich.console import Console
from typer.testing import CliRunner

from detainers.schemas import reference
from detainers.cli import app
from detainers.extract.manifest import load_manifest
from detainers.extract.window_manifest import cover
from detainers.report.releases import catalog, print_catalog
from detainers.schemas.reference import releases
from tests.conftest import BUNDLED_EXTRACT
from tests.published_shapes import lesa_csv
from tests.release_shapes import icfo_2025_workbook, march_2026_workbook
from tests.test_releases import NPR_HEADER, NPR_ROWS, write_text

BUNDLED = "foia-15-87693-fy15ytd-xlsx"
OIG = ["--start", "2014-01-01", "--end", "2017-05-31"]
# RELEASES.md: the 15 files of the first table and the 18 found since, by our ids.
KNOWN = {
    BUNDLED, "npr-lea-fy15ytd-txt", "npr-lea-fy13-14-txt", "npr-lea-fy08-txt", "npr-detainers-fy09-csv", "npr-detainers-fy10-csv",
    "npr-detainers-fy11-csv", "npr-detainers-fy14-csv", "npr-detainers-fy16-csv", "npr-detainers-fy17-csv",
    "icfo-25-18038-fy17-xlsx", "icfo-25-18038-fy18-xlsx", "icfo-25-18038-fy24-xlsx", "ero-lesa-120125-xlsx",
    "ddp-detainers-latest-parquet",
    "npr-detainers-fy12-csv", "npr-detainers-fy13-csv", "npr-detainers-fy15-csv", "npr-lea-fy09-txt", "npr-lea-fy10-txt",
    "npr-lea-fy11-12-txt", "icfo-25-18038-fy19-xlsx", "icfo-25-18038-fy20-xlsx", "icfo-25-18038-fy21-xlsx",
    "icfo-25-18038-fy22-xlsx", "icfo-25-18038-fy23-xlsx", "icfo-25-18038-fy25ytd-xlsx", "icli-26-00005-fy23-xlsx",
    "icli-26-00005-fy24-xlsx", "icli-26-00005-fy25-xlsx", "icli-26-00005-fy26-xlsx", "ddp-detainers-historical-parquet",
    "npr-stack-2007-2015-csv",
}
# The commits RELEASES.md pins the addresses to.
PINNED = {"deportationdata/ice": {"b4edb51184c60c6bb08a60ea9cc7b27441c6f52e", "71fb6ae39e0aeff8a5c7ad2b071153a235c59797",
                                  "2875c3c7d94247da4a1271ef4a26081fb1f7df4e"},
          "nprapps/sanctuary-cities": {"d4a12c22544c5923d381c40dd2b7e455c35b61e2", "0bb16db80bd0f1d75a175209458cfb9d1ca80476"}}


def test_every_known_file_is_in_the_catalog_at_a_public_address_that_never_moves():
    assert set(releases()) == KNOWN and len(KNOWN) == 33
    for release in releases().values():
        parts = urlsplit(release.url)
        assert parts.scheme == "https" and parts.hostname in ("media.githubusercontent.com", "raw.githubusercontent.com")
        owner, repo, commit, *path = unquote(parts.path).removeprefix("/media").strip("/").split("/")
        assert commit in PINNED[f"{owner}/{repo}"], release.id
        assert path[-1] == release.file and "/".join(path[:-1]).endswith(release.published_in.split(" ", 1)[1].strip("/")), release.id
        assert re.fullmatch(r"[0-9a-f]{64}", release.sha256) and release.bytes > 0
    # a few facts of RELEASES.md, as written there
    fy15 = releases()["npr-detainers-fy15-csv"]
    assert (fy15.sha256[:8], fy15.bytes, fy15.window_start, fy15.window_end) == ("51c12384", 21995133, dt.date(2014, 10, 1),
                                                                                 dt.date(2015, 9, 30))
    assert "2026-ICLI-00005_Detainers_FY26_20260311_Redacted.xlsx" in releases()["icli-26-00005-fy26-xlsx"].url.replace("%20", " ")
    assert releases()["ddp-detainers-historical-parquet"].layout == "ddp_historical"
    assert releases()["npr-stack-2007-2015-csv"].layout == "npr_stack"


def test_releases_json_lists_every_file_with_its_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no warehouse built yet
    result = CliRunner().invoke(app, ["releases", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [r["id"] for r in listed] == list(releases()) and len(listed) == 33
    assert all(r["url"] == releases()[r["id"]].url and r["url"].startswith("https://") for r in listed)


def test_the_table_fits_80_columns_without_cutting_an_id_and_wide_shows_all():
    rows = catalog(BUNDLED_EXTRACT.parent / "no-warehouse.duckdb")
    for width, wide in [(80, False), (60, False), (80, True)]:
        console = Console(width=width, file=io.StringIO(), color_system=None)
        print_catalog(console, rows, BUNDLED_EXTRACT.parent / "no-warehouse.duckdb", wide=wide)
        text = console.file.getvalue()
        lines = text.splitlines()
        assert all(f"│ {r['id']} " in text for r in rows), "every id whole, on one line"
        if wide:
            assert "layout" in lines[2] and "MB" in lines[2] and max(map(len, lines)) > 80
        else:
            assert max(map(len, lines)) <= width
            assert f"(left out at {width} columns:" in " ".join(text.split()) and "--wide shows every column" in " ".join(text.split())
    console = Console(width=200, file=io.StringIO(), color_system=None)
    print_catalog(console, rows, BUNDLED_EXTRACT.parent / "no-warehouse.duckdb")
    assert "left out" not in console.file.getvalue(), "a wide terminal shows every column"


def manifest_of(args):
    result = CliRunner().invoke(app, ["releases", "--manifest", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_manifest_for_the_inspector_generals_window_lists_npr_fy2014_to_fy2017(tmp_path):
    text = manifest_of(OIG)
    entries = tomllib.loads(text)["source"]
    assert [e["release"] for e in entries] == [f"npr-detainers-fy{y}-csv" for y in (14, 15, 16, 17)]
    assert [e["name"] for e in entries] == [e["release"] for e in entries]
    assert all(set(e) == {"name", "release"} for e in entries), "the catalog gives address, sha256, layout and window"
    assert "# covers 2016-10-01 .. 2017-05-31 of the window; the catalog trusts it for 2016-10-01 .. 2017-06-17" in text
    assert releases()["npr-detainers-fy14-csv"].url in text
    path = tmp_path / "oig.toml"
    path.write_text(text)
    sources = load_manifest(path).sources
    assert [s.url for s in sources] == [releases()[e["release"]].url for e in entries]
    assert [(s.layout, s.window_start, s.window_end) for s in sources] == [
        ("lesa_stu", dt.date(2013, 10, 1), dt.date(2014, 9, 30)), ("lesa_stu", dt.date(2014, 10, 1), dt.date(2015, 9, 30)),
        ("lesa_stu", dt.date(2015, 10, 1), dt.date(2016, 9, 30)), ("lesa_stu", dt.date(2016, 10, 1), dt.date(2017, 6, 17))]


def test_fewest_releases_first_then_those_trusted_in_their_own_right_then_fewest_bytes():
    # FY2008 .. 2015-07-19 is one file, NPR's stack, where the fiscal years' own files are eight
    assert [e.release.id for e in cover(dt.date(2008, 1, 1), dt.date(2015, 7, 19)).entries] == ["npr-stack-2007-2015-csv"]
    # one more day needs a second file, trusted from where the stack ends: its entry narrows its window
    plan = cover(dt.date(2008, 1, 1), dt.date(2015, 7, 20))
    assert [(e.release.id, e.window_start, e.window_end) for e in plan.entries] == [
        ("npr-stack-2007-2015-csv", None, None), ("npr-detainers-fy15-csv", dt.date(2015, 7, 20), None)]
    # FY2014 is one file either way: the release of its own, not lea-detainers-FY13_14 (which stands in, and is smaller)
    assert [e.release.id for e in cover(dt.date(2014, 1, 1), dt.date(2014, 9, 30)).entries] == ["npr-detainers-fy14-csv"]
    assert releases()["npr-lea-fy13-14-txt"].bytes < releases()["npr-detainers-fy14-csv"].bytes


def test_days_no_release_holds_are_named(tmp_path):
    result = CliRunner().invoke(app, ["releases", "--manifest", "--start", "2006-01-01", "--end", "2008-06-30"])
    assert result.exit_code == 0
    assert "# No known release holds 2006-01-01 .. 2007-09-30: those days stay uncovered." in result.stdout
    assert "note: no known release holds 2006-01-01 .. 2007-09-30" in result.stderr
    assert [e["release"] for e in tomllib.loads(result.stdout)["source"]] == ["npr-lea-fy08-txt"]


@pytest.mark.parametrize("args, message", [
    (["--manifest", "--start", "2017-01-01", "--end", "2016-01-01"], "--start 2017-01-01 is after --end 2016-01-01"),
    (["--manifest", "--start", "2017-13-01"], "--start 2017-13-01: month 13 does not exist (01 to 12)"),
    (["--start", "2017-01-01"], "--start and --end choose the window of --manifest: add --manifest"),
])
def test_a_wrong_window_is_a_usage_error(args, message):
    result = CliRunner().invoke(app, ["releases", *args])
    assert result.exit_code == 2 and message in result.output


def run(manifest, warehouse):
    return CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)])


def test_a_mirror_serves_named_releases_and_a_file_of_other_bytes_fails_alone(httpserver, tmp_path):
    """Two releases named in a manifest with a mirror on 127.0.0.1: the bundled workbook under its
    published name, and an FY2014 file that is not NPR's. The workbook loads; the other fails in
    one line naming the file and both sha256s, and nothing of it lands."""
    fy14 = write_text(tmp_path / "detainersfy14_raw.csv", NPR_HEADER, NPR_ROWS, "\t", "\r\n").read_bytes()
    httpserver.expect_request(f"/copies/{releases()[BUNDLED].file}").respond_with_data(BUNDLED_EXTRACT.read_bytes())
    httpserver.expect_request("/copies/detainersfy14_raw.csv").respond_with_data(fy14)
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'mirror = "{httpserver.url_for("/copies/")}"\n\n[[source]]\nname = "fy2015"\nrelease = "{BUNDLED}"\n\n'
                        '[[source]]\nname = "fy2014"\nrelease = "npr-detainers-fy14-csv"\n')
    done = run(manifest, tmp_path / "w" / "detainers.duckdb")
    assert done.exit_code == 1
    failed = [line for line in done.output.splitlines() if line.startswith("error:")]
    assert failed == [f"error: 1 source(s) failed: source fy2014: http://localhost:{httpserver.port}/…/detainersfy14_raw.csv is "
                      f"not release npr-detainers-fy14-csv: its sha256 is {hashlib.sha256(fy14).hexdigest()}, the catalog's is "
                      f"{releases()['npr-detainers-fy14-csv'].sha256}; nothing of it was loaded. Fetch the release again (from "
                      "its publisher if this came from a mirror), or set `layout` in the entry to load these bytes as they are"]
    assert "79,053 detainers issued, 5,501 declined by 346 jurisdictions (1,272 declined with no known jurisdiction)" in done.output
    assert not list((tmp_path / "w" / "landing").glob("*.csv"))


def test_a_mirror_folder_is_read_by_published_name(tmp_path):
    copies = tmp_path / "downloads"
    copies.mkdir()
    shutil.copyfile(BUNDLED_EXTRACT, copies / releases()[BUNDLED].file)
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'mirror = "downloads"\n[[source]]\nname = "fy2015"\nrelease = "{BUNDLED}"\n')
    done = run(manifest, tmp_path / "w" / "detainers.duckdb")
    assert done.exit_code == 0, done.output
    with duckdb.connect(str(tmp_path / "w" / "detainers.duckdb"), read_only=True) as con:
        assert con.execute("select sources.url, sources.release, rows_loaded from audit.sources join audit.loads using (source)").fetchall() == [
            (str(copies / releases()[BUNDLED].file), BUNDLED, 79_053)]


@pytest.fixture
def small_catalog(tmp_path, monkeypatch):
    """A catalog of files made in the published shapes (their own sha256s), in place of the real one."""
    folder = tmp_path / "published"
    folder.mkdir()
    jail = dict(facility="COOK COUNTY JAIL", city="CHICAGO", state="ILLINOIS", lift_reason="Detainer Declined by LEA")
    files = {
        "t-npr-fy14": (write_text(folder / "detainersfy14_raw.csv", NPR_HEADER, NPR_ROWS, "\t", "\r\n"), "lesa_stu",
                       "2013-10-01", "2014-09-30", ""),
        "t-lea-fy15": (lesa_csv(folder / "lea-detainers-FY15YTD_raw.txt", [dict(jail, prepare=dt.date(2014, 10, 2))] * 2),
                       "lesa_stu", "2014-10-01", "2017-06-17", ""),
        "t-icfo-fy18": (icfo_2025_workbook(folder / "Redacted - FOIA  25-18038_TRAC ERO Detainers_FY18_raw.xlsx",
                                           {"FY2018": [dict(id="D1", prepare=dt.datetime(2018, 1, 2, 9), facility="COOK COUNTY JAIL",
                                                            person="P1", lift_reason="")]}),
                        "icfo_2025", "2017-06-18", "2025-03-15", "true"),
        "t-march-fy26": (march_2026_workbook(folder / "2026-ICLI-00005_Detainers_FY26_20260311_Redacted.xlsx", "FY2026",
                                             [dict(facility="HARRIS COUNTY JAIL", state="TEXAS", city="HOUSTON", person="A1",
                                                   prepare=dt.datetime(2025, 11, 2, 10), lift_reason="")]),
                         "ero_2023", "2025-03-16", "", ""),
    }
    lines = ["id,file,publisher,published_in,url,sha256,bytes,prepare_start,prepare_end,window_start,window_end,extracted_on,"
             "layout,has_lift_dates,same_records_as,shape"]
    for id_, (path, layout, start, end, lift) in files.items():
        data = path.read_bytes()
        lines.append(f'{id_},"{path.name}",test,tests,https://example.org/{id_},{hashlib.sha256(data).hexdigest()},{len(data)},'
                     f",,{start},{end},,{layout},{lift or 'false'},,test")
    (tmp_path / "releases.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(reference, "CATALOG", str(tmp_path / "releases.csv"))
    reference.releases.cache_clear()
    reference.release_by_sha256.cache_clear()
    yield folder
    reference.releases.cache_clear()
    reference.release_by_sha256.cache_clear()


def test_a_generated_manifest_fetches_and_loads_every_release_it_names(small_catalog, httpserver, tmp_path):
    """`releases --manifest` for a window, then `run --manifest` on it with a mirror: every file
    is fetched by its published name, checked against its sha256 and loaded with its catalog
    layout and window."""
    for path in small_catalog.iterdir():
        httpserver.expect_request(f"/mirror/{path.name}").respond_with_data(path.read_bytes())
    text = manifest_of(["--start", "2014-01-01", "--end", "2026-01-31"])
    assert [e["release"] for e in tomllib.loads(text)["source"]] == ["t-npr-fy14", "t-lea-fy15", "t-icfo-fy18", "t-march-fy26"]
    manifest = tmp_path / "generated.toml"
    manifest.write_text(f'mirror = "{httpserver.url_for("/mirror")}"\n' + text)
    warehouse = tmp_path / "w" / "detainers.duckdb"
    done = run(manifest, warehouse)
    assert done.exit_code == 0, done.output
    assert len(httpserver.log) == 4
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("""select source, layout, window_start, rows_loaded from audit.sources join audit.loads using (source)
                              order by window_start""").fetchall() == [
            ("t-npr-fy14", "lesa_stu", dt.date(2013, 10, 1), 3), ("t-lea-fy15", "lesa_stu", dt.date(2014, 10, 1), 2),
            ("t-icfo-fy18", "icfo_2025", dt.date(2017, 6, 18), 1), ("t-march-fy26", "ero_2023", dt.date(2025, 3, 16), 1)]


def test_a_file_with_the_header_of_two_layouts_fails_naming_them(tmp_path):
    """(layout_by_header_several) Both lesa_stu's six columns and NPR's cleaned six: which it is
    cannot be told, and the run says so rather than guess."""
    header = ["Prepare Date", "Detainer Type", "Detainer Detention Facility", "State", "City", "Detainer Lift Reason", "date",
              "lift_reason", "det_facility", "detainer_type"]
    path = write_text(tmp_path / "both.csv", header, [["10/01/14", "", "X", "TEXAS", "", "", "2014-10-01", "", "X", ""]], ",", "\n")
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "both"\nurl = "{path}"\n')
    done = run(manifest, tmp_path / "w" / "detainers.duckdb")
    assert done.exit_code == 1
    assert ("source both: both.csv is no known release and has the header of more than one layout (lesa_stu, npr_stack); "
            "nothing of it was loaded: set `layout` in its manifest entry to the one it is") in " ".join(done.output.split())
