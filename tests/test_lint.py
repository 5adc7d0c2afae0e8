"""Habits kept by tools: ruff's lint rules and its formatter (configured in
pyproject.toml) pass on the package, the tests, the benchmarks and the scripts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from support import REPO

PATHS = ["realist", "tests", "benchmarks", "scripts"]

needs_ruff = pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None, reason="ruff is not installed (pip install -e .[test])"
)


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    # From the repository root so that ruff reads [tool.ruff] in pyproject.toml.
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True)


@needs_ruff
def test_code_passes_the_ruff_lint_rules():
    result = _ruff("check", "--no-cache", *PATHS)
    assert result.returncode == 0, "ruff check found problems (ruff check --fix fixes many):\n" + result.stdout


@needs_ruff
def test_code_is_formatted_by_ruff():
    result = _ruff("format", "--check", "--no-cache", *PATHS)
    assert result.returncode == 0, "files need `ruff format`:\n" + result.stdout + result.stderr
