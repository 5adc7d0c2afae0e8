"""Paths shared by tests (imported as ``support``; conftest modules are not importable by name)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "realist" / "data" / "sample"
PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL")

# Every store test runs on each backend: SQLite always, PostgreSQL when configured.
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
