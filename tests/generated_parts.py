"""Doc pages with parts a script writes (`<!-- generated: NAME -->` .. `<!-- end: NAME -->`):
the check that each part is what its script writes now."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from tests.conftest import ROOT


def generator(script: Path):
    """The page's script (docs/make_*.py) as a module: its BLOCKS and render()."""
    spec = importlib.util.spec_from_file_location(script.stem, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_current(page: Path, script: Path) -> None:
    text, module = page.read_text("utf-8"), generator(script)
    assert set(re.findall(r"<!-- generated: ([\w-]+) -->", text)) == set(module.BLOCKS)
    assert module.render(text) == text, f"run .venv/bin/python {script.relative_to(ROOT)}"
