"""Paths shared by tests (imported as ``support``; conftest modules are not importable by name).

Data in ``../shared`` is found through :func:`shared_path` only (or the
``shared`` fixture and the fixtures built on it): a test whose data is absent
is skipped with a message naming what is missing, and every test that uses
the ``shared`` fixture is marked ``shared`` (``-m "not shared"`` leaves them
out).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "realist" / "data" / "sample"
PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL")

# Every store test runs on each backend: SQLite always, PostgreSQL when configured.
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def shared_path(*parts: str) -> Path:
    """``../shared/<parts>``, or a clean skip of the calling test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} is absent" if parts else "../shared is absent")
    return path
