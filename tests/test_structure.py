"""Structure of the package: no import cycles between realist's modules.

The graph is built from the source with :mod:`ast` (nothing is imported):
an edge A -> B when module A imports module B at module level.  Imports
inside functions (deliberately lazy) and under ``if TYPE_CHECKING:`` (types
only) do not run when A is imported, so they are not edges.  A strongly
connected component of more than one module is a cycle.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from support import REPO

PACKAGE = REPO / "realist"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run when the module is imported (function and class bodies excluded)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _module_level_imports(block)
        elif isinstance(node, ast.With):
            yield from _module_level_imports(node.body)


def _resolve(name: str, modules: set[str]) -> str | None:
    """The longest prefix of a dotted name that is one of ``modules``."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    files = {_module_name(p, package.parent): p for p in package.rglob("*.py")}
    modules = set(files)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package_parts = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        for node in _module_level_imports(tree.body):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = package_parts[: len(package_parts) - (node.level - 1)]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name`` imports mod.
                targets = [f"{origin}.{alias.name}" for alias in node.names]
            for target in targets:
                resolved = _resolve(target, modules)
                if resolved is not None and resolved != module:
                    graph[module].add(resolved)
    return graph


def strongly_connected_components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def test_cycle_finder_reports_a_cycle_between_two_modules(tmp_path):
    pkg = tmp_path / "realist"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("from .b import thing\n")
    (pkg / "sub" / "b.py").write_text("from realist.sub import a\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import x\n")
    (pkg / "d.py").write_text("def f():\n    from .c import y\nfrom . import c\n")
    graph = import_graph(pkg)
    cycles = [c for c in strongly_connected_components(graph) if len(c) > 1]
    assert cycles == [{"realist.sub.a", "realist.sub.b"}]


def test_realist_modules_import_each_other_without_cycles():
    graph = import_graph()
    cycles = [sorted(c) for c in strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"import cycles among realist's modules: {cycles}"


def test_alembic_revisions_do_not_import_the_live_models():
    # Anywhere in the file, functions included: an old revision must not change when the models do.
    revisions = sorted((PACKAGE / "store" / "migrations" / "versions").glob("*.py"))
    assert revisions, "no migration revisions found"
    offenders = []
    for path in revisions:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level or (node.module or "").startswith("realist"):
                    offenders.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("realist") for a in node.names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, f"migrations import realist's live code: {offenders}"


_LOCATES_SHARED = re.compile(r"""/ ["']shared["']|\bSHARED\s*=""")


def test_tests_find_the_shared_data_only_through_support():
    # One way to ../shared (support.SHARED, shared_path and the `shared` fixture): one skip, one marker.
    tests = REPO / "tests"
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        if path.name == "support.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#")[0]
            if _LOCATES_SHARED.search(code):
                offenders.append(f"{path.relative_to(tests)}:{number}")
    assert not offenders, f"tests that locate ../shared themselves (use support.shared_path): {offenders}"


def test_stage_tests_live_in_the_stage_folder():
    # tests/<stage>/ for realist/<stage>/; top-level test files for top-level modules and whole-package checks.
    stages = ("identify", "deduplicate", "screen", "appraise", "code", "synthesise", "report", "network")
    assert all((PACKAGE / stage / "__init__.py").exists() for stage in stages)
    top_level = {p.stem.removeprefix("test_") for p in (REPO / "tests").glob("test_*.py")}
    misplaced = sorted(
        name for name in top_level if any(part.startswith(stage) for part in name.split("_") for stage in stages)
    )
    assert not misplaced, f"top-level tests of a stage package (move them to tests/<stage>/): {misplaced}"
