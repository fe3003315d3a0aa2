"""What `pip install mlops-jupyter` promises: every module the package imports is declared.

The package's own source is parsed (never imported), so an import that only runs on
one path (``performance()`` importing scikit-learn, an alert rule importing nbclient)
counts as much as a top-level one.
"""

from __future__ import annotations

import ast
import functools
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mlops_jupyter"
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}

# Declared although no module imports them, and why.
RUN_BY_NAME = {
    "ipykernel": "the python3 kernel that retraining notebooks (alerts/retrain.py) run in",
    "anywidget": "plotly's FigureWidget (the widgets' charts) raises ImportError without it",
}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _declared() -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in _project()["dependencies"]}


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)


def _imports(path: Path) -> list[tuple[str, int, str | None]]:
    """(top-level module, line, source of the ImportError handler or None) per import."""
    source = path.read_text()
    tree = ast.parse(source)
    guarded: dict[int, str] = {}  # id(import node) -> the handler that makes it optional
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            handlers = [h for h in node.handlers if _catches_import_error(h)]
            if handlers:
                text = "\n".join(ast.get_source_segment(source, h) or "" for h in handlers)
                for stmt in node.body:
                    for inner in ast.walk(stmt):
                        guarded[id(inner)] = text
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            found.append((name.split(".")[0], node.lineno, guarded.get(id(node))))
    return found


def _third_party_imports() -> dict[str, list[tuple[str, str | None]]]:
    """Top-level third-party module -> [(file:line, optional-import handler or None)]."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for module, line, handler in _imports(path):
            if module in sys.stdlib_module_names or module in ("__future__", "mlops_jupyter"):
                continue
            out.setdefault(module, []).append((f"{path.relative_to(ROOT)}:{line}", handler))
    return out


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


def _distribution(module: str) -> str:
    dists = _distributions().get(module)
    return canonicalize_name(dists[0]) if dists else canonicalize_name(module)


def test_every_runtime_import_is_a_declared_dependency():
    # Given the package's source and the dependencies pyproject.toml declares
    declared = _declared()
    undeclared = []
    for module, places in _third_party_imports().items():
        dist = _distribution(module)
        if dist in declared:
            continue
        # When an import is not declared, it must be optional: guarded by an
        # ImportError handler whose message names what to install.
        for where, handler in places:
            if handler is None or dist not in handler.lower():
                undeclared.append(f"{where}: {module} (distribution {dist})")
    # Then nothing that runs on some path is missing from a plain `pip install`.
    assert not undeclared, ("imported but not declared in [project.dependencies], nor "
                            "optional with a message naming the package:\n"
                            + "\n".join(undeclared))


def test_every_declared_dependency_is_used():
    imported = {_distribution(m) for m in _third_party_imports()}
    unused = _declared() - imported - set(RUN_BY_NAME)
    assert not unused, f"declared but never imported by mlops_jupyter: {sorted(unused)}"


@pytest.mark.parametrize("module", ["sklearn", "nbformat", "nbclient", "tornado"])
def test_the_imports_that_were_missing_are_declared(module):
    # scikit-learn (performance metrics), nbformat/nbclient (retraining notebooks) and
    # tornado (every REST handler) were imported but only arrived through other packages
    # or the test extras.
    assert _distribution(module) in _declared()


def test_optional_imports_are_recognised():
    # skops is optional: its import is guarded and the error names the package.
    places = _third_party_imports()["skops"]
    assert places and all(h is not None and "skops" in h for _, h in places)


def test_postgresql_without_its_driver_names_the_extra(monkeypatch):
    import mlops_jupyter as mj

    # Given the psycopg driver cannot be imported (a plain `pip install mlops-jupyter`)
    monkeypatch.setitem(sys.modules, "psycopg", None)
    # When a client is opened on a PostgreSQL URI
    with pytest.raises(mj.InvalidInput) as e:
        mj.Client("postgresql://me@127.0.0.1:1/mlops")
    # Then the error says which extra to install
    assert 'pip install "mlops-jupyter[postgres]"' in str(e.value)
    assert "psycopg" in str(e.value)
