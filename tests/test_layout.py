"""The package's layout: one sub-package per stage, imports that run one way, no circle, no oversized module.

Every import inside the package is read from the source (module level and inside functions alike), so a lazy
import that climbs back up is caught as surely as one at the top of a file."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from alsreview.data.paths import PACKAGE_DIR

STAGES = ["data", "synthesis", "living", "document", "pipeline", "cli"]  # bottom to top
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def internal_imports(path: Path) -> set[str]:
    """The package modules one file imports, resolved to module names (a name imported from a package counts as
    its submodule when one of that name exists)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "alsreview"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").split(".")[0] == "alsreview":
                target = node.module
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return {m for m in found if m in MODULES and m != name}


MODULES = {module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}
GRAPH = {name: internal_imports(path) for name, path in MODULES.items()}


def stage_of(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle as a list of modules (first repeated last), or [] when there is none."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_import_circle_in_the_package():
    assert find_cycle(GRAPH) == []


def test_the_cycle_finder_sees_a_circle():
    """The check above can fail: a circle of three, like the one load, validate and schema once made, is found."""
    graph = {"load": {"validate"}, "validate": {"schema"}, "schema": {"load"}, "cli": {"load"}}
    assert find_cycle(graph) == ["load", "validate", "schema", "load"]


def test_imports_run_from_the_top_stage_down():
    upward = [f"{module} imports {target}" for module, targets in GRAPH.items() for target in sorted(targets)
              if stage_of(module) is not None and stage_of(target) is not None and stage_of(target) > stage_of(module)]
    assert upward == []


def test_every_module_belongs_to_a_stage():
    loose = [m for m in MODULES if m != "alsreview" and stage_of(m) is None]
    assert loose == []


@pytest.mark.parametrize("package", STAGES[:-1])
def test_each_stage_says_what_it_owns_and_may_import(package):
    doc = ast.get_docstring(ast.parse((PACKAGE_DIR / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and ("May import" in doc or "imports nothing from the other stages" in doc)


def test_no_module_over_the_line_limit():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_descriptor_is_read_once_per_build(monkeypatch, tmp_path):
    """`alsreview build` reads data/datapackage.json once in its own process and hands the descriptor down (the
    notebooks, in kernels of their own, read it again)."""
    from alsreview import cli
    from alsreview.data import schema

    calls = []
    original = schema.DataPackage.__init__

    def counting(self, *args, **kwargs):
        calls.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(schema.DataPackage, "__init__", counting)
    from alsreview.pipeline import build as build_module

    monkeypatch.setattr(build_module, "run_notebook", lambda *a, **k: ("ran", 0.0))
    monkeypatch.setattr(build_module, "assemble", lambda caches, staging, studies: staging.mkdir(parents=True))
    assert cli.main(["build", "--build-dir", str(tmp_path / "build"), "--quiet"]) == 0
    assert len(calls) == 1
