"""Whether a run goes through Prefect is decided by Prefect's own settings (its public
prefect.settings API), wherever Prefect finds PREFECT_API_URL, and a folder where Prefect would
find nothing but its defaults decides without importing Prefect (0.8 s a run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


ASK = ("import sys; from detainers.launch import prefect_api_configured; "
       "print(prefect_api_configured(), 'prefect' in sys.modules)")
URL = "http://127.0.0.1:9/api"  # never contacted: only read


def configured(cwd: Path, env: dict | None = None) -> tuple[bool, bool]:
    """(an API is configured, Prefect was imported to say so), in a process started in cwd."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    clean |= {"PREFECT_HOME": str(cwd / "prefect-home"), **(env or {})}
    done = subprocess.run([sys.executable, "-P", "-c", ASK], cwd=cwd, env=clean, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    api, imported = done.stdout.split()
    return api == "True", imported == "True"


@pytest.mark.parametrize("where", ["profile", "prefect.toml", ".env", "pyproject.toml"])
def test_an_api_url_is_found_wherever_prefect_finds_it(tmp_path, where):
    files = {
        "profile": ("prefect-home/profiles.toml", f'active = "work"\n[profiles.work]\nPREFECT_API_URL = "{URL}"\n'),
        "prefect.toml": ("prefect.toml", f'[api]\nurl = "{URL}"\n'),
        ".env": (".env", f"PREFECT_API_URL={URL}\n"),
        # read by Prefect, missed by the hand-written lookup this replaced
        "pyproject.toml": ("pyproject.toml", f'[project]\nname = "x"\n[tool.prefect.api]\nurl = "{URL}"\n'),
    }
    path, text = files[where]
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(text)
    assert configured(tmp_path) == (True, True)


def test_a_profile_other_than_the_active_one_configures_nothing(tmp_path):
    (tmp_path / "prefect-home").mkdir()
    (tmp_path / "prefect-home" / "profiles.toml").write_text(
        f'active = "local"\n[profiles.local]\n[profiles.work]\nPREFECT_API_URL = "{URL}"\n')
    assert configured(tmp_path) == (False, True)
    assert configured(tmp_path, {"PREFECT_PROFILE": "work"}) == (True, True)


def test_the_environment_decides_without_importing_prefect(tmp_path):
    assert configured(tmp_path, {"PREFECT_API_URL": URL}) == (True, False)


def test_with_nothing_for_prefect_to_read_no_api_and_no_prefect_import(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')  # a project's, with no [tool.prefect]
    assert configured(tmp_path) == (False, False)
