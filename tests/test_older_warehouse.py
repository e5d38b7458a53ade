"""A warehouse built by an older version of detainers (issue 19): `report`, `dictionary` and
`releases` say so in one line, and that `detainers run` rebuilds it, through one check
(detainers/report/headline.py: check_version), instead of a binder error of a macro whose
signature changed; and `detainers run` does rebuild it, even with nothing else changed."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from detainers.versions import warehouse_version
from detainers.cli import app
from tests.badfiles import HEADER, good_rows, write_csv

COMMANDS = (["report"], ["dictionary", "--output", "{tmp}/dictionary.md"], ["releases"])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("older")
    extract = write_csv(folder / "f.csv", [HEADER, *good_rows(20)])
    (folder / "sources.toml").write_text(f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n')
    done = run(folder)
    assert done.exit_code == 0, done.output
    return folder


def run(folder):
    return CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(folder / "sources.toml"),
                                    "--warehouse", str(folder / "wh" / "detainers.duckdb")])


def made_older(built, tmp_path, stamp: str | None):
    """A copy of the built warehouse as an older version left it: its stamp (None: none, as
    before stamps) and marts.headline with the signature it had before `basis` and `states`."""
    shutil.copytree(built, tmp_path / "copy")
    warehouse = tmp_path / "copy" / "wh" / "detainers.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from audit.build_info where key = 'warehouse_version'")
        if stamp is not None:
            con.execute("insert into audit.build_info values ('warehouse_version', ?)", [stamp])
        con.execute("create or replace macro marts.headline(start_date, end_date) as table select 1 as detainers_issued")
    return warehouse


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
@pytest.mark.parametrize("stamp", [None, "1"], ids=["unstamped", "stamped-1"])
def test_an_older_warehouse_is_one_line_saying_run_rebuilds_it(built, tmp_path, command, stamp):
    warehouse = made_older(built, tmp_path, stamp)
    args = [a.format(tmp=tmp_path) for a in command]
    done = CliRunner().invoke(app, [*args, "--warehouse", str(warehouse)])
    assert done.exit_code == 1
    assert done.output == (f"error: {warehouse} was built by an older version of detainers (warehouse version 1, "
                           f"this is {warehouse_version()}); `detainers run` rebuilds it\n")
    assert "Traceback" not in done.output and "Binder" not in done.output


def test_a_newer_warehouse_is_one_line_too(built, tmp_path):
    warehouse = made_older(built, tmp_path, str(warehouse_version() + 1))
    done = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse)])
    assert done.exit_code == 1 and done.output.count("\n") == 1
    assert "was built by a newer version of detainers" in done.output


def test_detainers_run_rebuilds_an_older_warehouse(built, tmp_path):
    warehouse = made_older(built, tmp_path, None)
    done = run(tmp_path / "copy")  # the file and the rules are as they were: only the version differs
    assert done.exit_code == 0, done.output
    assert "published" in done.output
    report = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse)])
    assert report.exit_code == 0 and "20 detainers issued" in report.output, report.output


def test_a_run_rebuilds_an_older_warehouse_whose_tables_have_an_older_shape(built, tmp_path):
    """Warehouse version 3's audit.sources had no load_settings: a run took it for a damaged file
    ("cannot be read (Binder Error ...)"). Its stamp is read first: it is rebuilt from the landing
    files, saying which version built it."""
    warehouse = made_older(built, tmp_path, str(warehouse_version() - 1))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table audit.sources drop column load_settings")
    done = run(tmp_path / "copy")
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert (f"{warehouse} was built by an older version of detainers (warehouse version {warehouse_version() - 1}, "
            f"this is {warehouse_version()}): rebuilding it from the landing files") in said, done.output
    assert "cannot be read" not in said and "Binder" not in said
    report = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse)])
    assert report.exit_code == 0 and "20 detainers issued" in report.output, report.output


def test_detainers_run_refuses_a_newer_warehouse_and_leaves_it_as_it_is(built, tmp_path):
    """Issue 25: `run` restamped a newer warehouse older, and a newer table's NOT NULL column
    then failed every load ("unexpected ConstraintException"). Now one line, exit 1, and the
    file, its exports and its landing zone are byte for byte as they were."""
    import hashlib

    from detainers.schemas.reference import failure

    warehouse = made_older(built, tmp_path, str(warehouse_version() + 1))
    with duckdb.connect(str(warehouse)) as con:  # what a newer version might add
        con.execute("alter table audit.loads add column reviewed_by varchar default 'nobody'")
        con.execute("alter table audit.loads alter column reviewed_by set not null")
    folder = warehouse.parent

    def files():
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}

    before = files()
    done = run(tmp_path / "copy")  # another version's stamp alone made `run` rebuild it
    assert done.exit_code == 1
    assert done.output == "error: " + failure("newer_warehouse", warehouse=warehouse, found=warehouse_version() + 1,
                                              current=warehouse_version()) + "\n"
    assert files() == before
