"""`pip install .` works in any working directory: the wheel carries the SQL models, the
reference data, the bundled manifest and extract, and the commands' defaults are relative to
the working directory (./sources.toml if there is one, else the bundled manifest;
./warehouse/detainers.duckdb)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from detainers import paths
from tests.conftest import ROOT

# What a wheel is built from: the clone without its venv, caches and generated files.
TOP_LEVEL_NOT_SHIPPED = {".git", ".venv", ".venv-installed", ".pytest_cache", "build", "dist", "warehouse", "docs", "benchmarks", "tests"}


def not_shipped(folder: str, names: list[str]) -> set[str]:
    top = TOP_LEVEL_NOT_SHIPPED if Path(folder) == ROOT else set()
    return {n for n in names if n in top or n == "__pycache__" or n.endswith(".egg-info")}


def declared_packages() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"]


# Where each top-level folder of the repository lies in the one `detainers` namespace.
MAPPED = {"detainers": "detainers", "flows": "detainers/flows", "schemas": "detainers/schemas"}


def shipped_files() -> list[str]:
    """Where each data file a run reads lies in the wheel: schemas/ as detainers/schemas/, the
    clone's top-level files under detainers/_shipped/."""
    schemas = [p for p in (ROOT / "schemas").rglob("*") if p.suffix in (".csv", ".toml")]
    top = [ROOT / "sources.toml", *(ROOT / "sql").rglob("*.sql"), *(ROOT / "sql").rglob("*.toml"),
           *(ROOT / "data" / "foia").glob("*.xlsx")]
    return (["detainers/" + p.relative_to(ROOT).as_posix() for p in schemas]
            + ["detainers/_shipped/" + p.relative_to(ROOT).as_posix() for p in top])


def test_pyproject_lists_every_code_package_and_every_folder_of_shipped_files():
    code = {".".join((MAPPED[top], *p.parent.relative_to(ROOT / top).parts)).replace("/", ".")
            for top in MAPPED for p in (ROOT / top).rglob("__init__.py")}
    shipped = {"detainers._shipped", "detainers._shipped.data.foia"} | {
        ".".join(("detainers._shipped", *d.relative_to(ROOT).parts))
        for d in [ROOT / "sql", *(ROOT / "sql").rglob("*")] if d.is_dir() and d.name != "__pycache__"}
    assert sorted(declared_packages()) == sorted(code | shipped)


@pytest.mark.skipif(not Path(paths.__file__).resolve().is_relative_to(ROOT / "detainers"),
                    reason="the suite runs from an installed wheel (make test-installed): its files are inside the package")
def test_in_a_clone_the_projects_files_are_its_top_level_folders():
    assert paths.SQL_DIR == ROOT / "sql" and paths.BUNDLED_MANIFEST == ROOT / "sources.toml"
    assert not paths.DEFAULT_WAREHOUSE.is_absolute() and not paths.LOCAL_MANIFEST.is_absolute()


def test_the_manifest_is_the_working_directorys_if_it_has_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert paths.default_manifest() == paths.BUNDLED_MANIFEST
    (tmp_path / "sources.toml").write_text("")
    assert paths.default_manifest().resolve() == tmp_path / "sources.toml"


def test_a_built_wheel_runs_and_reports_from_an_empty_folder(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=not_shipped)  # the build writes build/ and *.egg-info beside the sources
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                 "-w", tmp_path / "dist", source)
    (built,) = (tmp_path / "dist").glob("detainers-*.whl")
    missing = sorted(set(shipped_files()) - set(zipfile.ZipFile(built).namelist()))
    assert missing == [], "pyproject.toml does not ship these (packages, package-data)"

    # A fresh environment with only the wheel installed; its dependencies are the project
    # venv's, added behind it by a .pth file once the wheel is in (pip never sees them).
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", built)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # One name in site-packages: the package and its record, nothing called flows or schemas.
    assert sorted(p.name for p in site.iterdir()) == ["detainers", built.name.split("-py3")[0] + ".dist-info"]
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    empty = tmp_path / "somewhere"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PREFECT_API_URL")}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    where = _run(python, "-c", "import detainers; print(detainers.__file__)", cwd=empty, env=env).stdout
    assert where.startswith(str(site)), f"detainers came from {where}, not the wheel"

    run = _run(venv / "bin" / "detainers", "run", cwd=empty, env=env, timeout=300)
    assert "79,053 detainers issued, 5,501 declined" in run.stdout, run.stdout + run.stderr
    report = json.loads(_run(venv / "bin" / "detainers", "report", "--json", cwd=empty, env=env).stdout)
    assert (report["detainers_issued"], report["declined_detainers"], report["coverage_ratio"]) == (79_053, 5_501, 0.2342)
    assert (empty / "warehouse" / "detainers.duckdb").is_file()

    # The flows, found through the wheel's entry points, run under Prefect's own temporary server.
    flow = _run(venv / "bin" / "detainers", "run", "--prefect", "--warehouse", "flow.duckdb", cwd=empty, env=env, timeout=600)
    assert "79,053 detainers issued, 5,501 declined" in flow.stdout, flow.stdout + flow.stderr
    assert flow.stderr.startswith("starting Prefect: its own temporary server"), "a line before seconds of silence"


def _run(*args, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, args))}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done
