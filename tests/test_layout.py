"""The code's layout is its design: each layer imports only the layers below it, so a row's
way reads in flow order (flow -> pipeline -> extract -> transform -> load -> build -> report)
with no call back up; schemas/ (what data must look like) imports nothing of the pipeline."""

import ast
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
    "schemas": {"schemas"},
    "bottom": {"bottom"},
    "detainers.extract": {"schemas", "bottom", "detainers.extract"},
    "detainers.transform": {"schemas", "bottom", "detainers.extract", "detainers.transform"},
    "detainers.load": {"schemas", "bottom", "detainers.extract", "detainers.transform", "detainers.load"},
    "detainers.build": {"schemas", "bottom", "detainers.build"},
    "detainers.report": {"schemas", "bottom", "detainers.report"},
    "detainers.pipeline": {"schemas", "bottom", "detainers.extract", "detainers.transform", "detainers.load",
                           "detainers.build", "detainers.report", "command"},
    "command": {"schemas", "bottom", "detainers.extract", "detainers.report", "detainers.pipeline", "command", "flows"},
    "detainers.cli": {"schemas", "bottom", "detainers.extract", "detainers.report", "detainers.build", "detainers.pipeline",
                      "command", "flows"},
    "flows": {"bottom", "detainers.pipeline", "command", "flows"},
}


def layer_of(module: str) -> str:
    if module.split(".")[0] in ("schemas", "flows"):
        return module.split(".")[0]
    if module in ("detainers", "detainers.__version__") or any(module == b or module.startswith(b + ".") for b in BOTTOM):
        return "bottom"
    if any(module == c or module.startswith(c + ".") for c in COMMAND):
        return "command"
    return ".".join(module.split(".")[:2])


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m.split(".")[0] in ("detainers", "schemas", "flows")}


def modules():
    for folder in ("detainers", "schemas", "flows"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            yield name, path


def test_every_layer_imports_only_the_layers_below_it():
    wrong = []
    for name, path in modules():
        allowed = ALLOWED[layer_of(name)]
        for target in imports(path):
            if layer_of(target) not in allowed:
                wrong.append(f"{name} imports {target}")
    assert wrong == []

