"""The import graph of the project's packages: no cycle (imports inside functions included), nothing
imports upward, the A/B statistics import no project code, and labelling does not run programs."""
from __future__ import annotations

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS = ("schemas", "sandboxes", "transforms", "pipelines")  # each may import only those before it


def _modules() -> dict[str, str]:
    found = {}
    for package in LAYERS:
        for folder, _, files in os.walk(os.path.join(ROOT, package)):
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    module = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".").removesuffix(".__init__")
                    found[module] = path
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for module, path in modules.items():
        imported = set()
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            imported |= {n for n in names if n in modules and n != module}
        graph[module] = imported
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[module] = 2
        path.pop()
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_no_import_cycle_and_nothing_imports_upward():
    graph = _graph()
    assert _cycle(graph) == []
    upward = [(a, b) for a, targets in graph.items() for b in targets
              if LAYERS.index(b.split(".")[0]) > LAYERS.index(a.split(".")[0])]
    assert upward == []


def test_the_ab_statistics_import_no_project_code_and_labelling_runs_no_programs():
    graph = _graph()
    assert graph["transforms.sequential_ab"] == set()
    for module in ("transforms.label", "transforms.label_rules", "transforms.label_config", "transforms.pair_selection"):
        assert not graph[module] & {"transforms.execute", "transforms.measure_pairs", "sandboxes"}, module


def test_each_sandbox_backend_builds_on_the_engine_not_on_the_other_backend():
    graph = _graph()
    assert "sandboxes.engine" in graph["sandboxes.process"] and "sandboxes.engine" in graph["sandboxes.docker"]
    assert "sandboxes.process" not in graph["sandboxes.docker"]
    assert "sandboxes.docker" not in graph["sandboxes.process"]
    assert not graph["sandboxes.engine"] & {"sandboxes.process", "sandboxes.docker", "sandboxes.parked",
                                            "sandboxes.cgroups", "sandboxes.images"}
