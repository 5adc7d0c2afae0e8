"""A typed public surface (STYLE.md habit 14): mypy passes on the package
with the strict configuration in pyproject.toml, and every public module
says what it exports."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import subprocess
import sys

import pytest

from support import REPO


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install -e .[test])")
def test_package_type_checks_under_the_strict_mypy_configuration():
    # From the repository root so that mypy reads [tool.mypy] in pyproject.toml.
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, "mypy found problems:\n" + result.stdout + result.stderr


def _public_modules() -> list[str]:
    out = []
    for path in sorted((REPO / "realist").rglob("*.py")):
        rel = path.relative_to(REPO).with_suffix("")
        parts = rel.parts
        if "migrations" in parts:  # Alembic revisions, loaded by Alembic only
            continue
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        out.append(str(rel))
    return out


@pytest.mark.parametrize("module", _public_modules())
def test_every_public_module_is_documented_and_its_all_names_real_objects(module):
    tree = ast.parse((REPO / f"{module}.py").read_text(encoding="utf-8"))
    names = {
        target.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    assert "__all__" in names, f"{module}.py has no __all__"
    name = module.replace("/", ".").removesuffix(".__init__")
    imported = importlib.import_module(name)
    assert (imported.__doc__ or "").strip(), f"{name} has no module docstring"
    exported = imported.__all__
    assert all(isinstance(n, str) for n in exported), f"{name}.__all__ holds a non-string"
    duplicates = sorted({n for n in exported if list(exported).count(n) > 1})
    assert not duplicates, f"{name}.__all__ lists {duplicates} twice"
    absent = [n for n in exported if not hasattr(imported, n)]
    assert not absent, f"{name}.__all__ names what the module does not define: {absent}"
