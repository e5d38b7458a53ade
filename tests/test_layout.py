"""The code's layout is its design: each layer imports only the layers below it, so a row's
way reads in flow order (flows -> pipeline -> extract -> transform -> load -> warehouse ->
report) with no call back up; detainers.schemas (what data must look like, the repository's
schemas/) imports nothing of the pipeline; the Prefect layer (detainers.flows, the repository's
flows/) depends on detainers, and nothing of detainers names it, not even in a string. One
namespace: no module imports `schemas` or `flows` as top-level packages."""

import ast
import re
import tomllib
from pathlib import Path

from tests.conftest import ROOT

# Each layer and the layers it may import. Later stages may use the types earlier stages
# hand them (a Source, a Landed file, a batch), never the other way round.
BOTTOM = {"detainers.errors", "detainers.paths", "detainers.progress", "detainers.pause", "detainers.summary", "detainers.stop",
          "detainers.versions"}
# What a command runs, decided before anything slow: the plan from the manifest, the
# arguments, and whether to run under Prefect.
COMMAND = {"detainers.plan", "detainers.arguments", "detainers.launch"}
ALLOWED = {
    "detainers.schemas": {"detainers.schemas"},
    "bottom": {"bottom"},
    "detainers.extract": {"detainers.schemas", "bottom", "detainers.extract"},
    "detainers.transform": {"detainers.schemas", "bottom", "detainers.extract", "detainers.transform"},
    "detainers.load": {"detainers.schemas", "bottom", "detainers.extract", "detainers.transform", "detainers.load"},
    "detainers.warehouse": {"detainers.schemas", "bottom", "detainers.warehouse"},
    "detainers.report": {"detainers.schemas", "bottom", "detainers.report"},
    "detainers.pipeline": {"detainers.schemas", "bottom", "detainers.extract", "detainers.transform", "detainers.load",
                           "detainers.warehouse", "detainers.report", "command"},
    "command": {"detainers.schemas", "bottom", "detainers.extract", "detainers.report", "detainers.pipeline", "command"},
    "detainers.cli": {"detainers.schemas", "bottom", "detainers.extract", "detainers.report", "detainers.warehouse",
                      "detainers.pipeline", "command"},
    "detainers.flows": {"bottom", "detainers.pipeline", "command", "detainers.flows"},
}
# Where each package of the namespace lives in the repository (pyproject.toml's package-dir).
FOLDERS = {"detainers": "detainers", "detainers.flows": "flows", "detainers.schemas": "schemas"}
# A module named in a string: importlib.import_module("x.y"), an entry point "x.y:obj", a patch target.
NAMED = re.compile(r"^(detainers|schemas|flows)(\.[a-z_][a-z0-9_]*)+(:[A-Za-z_][\w.]*)?$")


def layer_of(module: str) -> str:
    for package in ("detainers.schemas", "detainers.flows"):
        if module == package or module.startswith(package + "."):
            return package
    if module in ("detainers", "detainers.__version__") or any(module == b or module.startswith(b + ".") for b in BOTTOM):
        return "bottom"
    if any(module == c or module.startswith(c + ".") for c in COMMAND):
        return "command"
    return ".".join(module.split(".")[:2])


def imports(path: Path) -> set[str]:
    """What a module imports: its import statements and the module paths its strings name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and NAMED.match(node.value):
            named = node.value.split(":")[0]
            if named in KNOWN or f"detainers.{named}" in KNOWN:  # not a logger's or a file's name
                found.add(named)
    return {m for m in found if m.split(".")[0] in ("detainers", "schemas", "flows")}


def _modules():
    for package, folder in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            yield ".".join((package, *parts)).removesuffix(".__init__"), path


def modules():
    return list(_modules())


KNOWN = {name for name, _ in _modules()}


def test_every_layer_imports_only_the_layers_below_it():
    wrong = []
    for name, path in modules():
        allowed = ALLOWED[layer_of(name)] | {layer_of(name)}
        for target in imports(path):
            if layer_of(target) not in allowed:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_one_namespace_nothing_imports_schemas_or_flows_at_the_top_level():
    files = [*(p for _, p in modules()), *ROOT.glob("tests/*.py"), *ROOT.glob("benchmarks/*.py"), *ROOT.glob("docs/*.py")]
    top_level = {f"{path.relative_to(ROOT)}: {target}" for path in files for target in imports(path)
                 if target.split(".")[0] in ("schemas", "flows")}
    assert top_level == set()


def test_the_string_imports_are_seen(tmp_path):
    """The check above reads the module paths strings name, as the entry points do."""
    probe = tmp_path / "probe.py"
    probe.write_text('import importlib\nimportlib.import_module("detainers.flows.pipeline")\n')
    assert imports(probe) == {"detainers.flows.pipeline"}
    entry_points = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["detainers.prefect"]
    assert {layer_of(target.split(":")[0]) for target in entry_points.values()} == {"detainers.flows"}
