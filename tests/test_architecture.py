"""The import direction of ARCHITECTURE.md: a layer imports only from itself and below.

The layers, bottom to top: the vocabulary (schema, policy, money, period and the
checkers), the methods a lesson teaches, reading the data, the outputs, the course
runner, and the command line. A method module that imported the reader or the report
would tie a formula to a file format; the test reads every module's imports (at the top
and inside functions alike) and names any that points up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "custlib"

#: layer of every module, bottom (0) to top; a wing (a sub-package such as ``io``) is in
#: one layer with all its modules. A module not listed fails the test.
LAYERS = {
    "vocabulary": ["schema", "labels", "policy", "money", "period", "_validate", "_pandas",
                   "_extras", "_share", "_outdir"],
    "methods": ["value", "pyramid", "lifecycle", "segmentation", "keyaccount", "grading",
                "funnel", "migration", "predict", "summary", "rollups"],
    "reading": ["io"],
    "output": ["report", "plotting"],
    "course": ["course", "synth"],
    "command line": ["cli"],
}
_LEVEL = {m: i for i, (_, mods) in enumerate(LAYERS.items()) for m in mods}
NAMES = list(LAYERS)


class _Levels(dict):
    """The layer of a module: its own entry, else its wing's (``io.files`` -> ``io``)."""

    def __missing__(self, name):
        return _LEVEL[name.split(".")[0]]

    def __contains__(self, name):
        return name in _LEVEL or name.split(".")[0] in _LEVEL


LEVEL = _Levels(_LEVEL)


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__") or "__init__"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "custlib":
                found |= {a.name for a in node.names if a.name != "__version__"}
            elif node.module.startswith("custlib."):
                found.add(node.module.removeprefix("custlib."))
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("custlib.") for a in node.names
                      if a.name.startswith("custlib.")}
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    missing = sorted(m for m in {_module(p) for p in MODULES} - {"__init__"} if m not in LEVEL)
    assert not missing, f"add these modules to a layer of LAYERS (and ARCHITECTURE.md): {missing}"


@pytest.mark.parametrize("path", MODULES, ids=_module)
def test_imports_point_down_or_sideways(path):
    me = _module(path)
    if me == "__init__":
        return
    up = sorted(d for d in _imports(path) if d in LEVEL and LEVEL[d] > LEVEL[me])
    assert not up, (f"custlib.{me} ({NAMES[LEVEL[me]]}) imports "
                    + ", ".join(f"custlib.{d} ({NAMES[LEVEL[d]]})" for d in up)
                    + ": a layer may import only from itself and below (ARCHITECTURE.md)")


def test_the_layers_are_those_of_architecture_md():
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for layer, modules in LAYERS.items():
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| {layer} |")), None)
        assert line is not None, f"ARCHITECTURE.md has no row for the layer {layer!r}"
        for m in modules:
            assert f"`{m}`" in line, f"ARCHITECTURE.md: `{m}` is missing from the {layer} row"


def test_an_import_pointing_up_is_named(tmp_path):
    # what the check reads: imports at the top and inside functions, ``from custlib import x``
    f = tmp_path / "pyramid.py"
    f.write_text("from custlib import money, report\nfrom custlib.policy import PYRAMID\n\n"
                 "def f():\n    import custlib.course\n    from custlib.io import load\n")
    assert _imports(f) == {"money", "report", "policy", "course", "io"}
    up = sorted(d for d in _imports(f) if LEVEL[d] > LEVEL["pyramid"])
    assert up == ["course", "io", "report"]
