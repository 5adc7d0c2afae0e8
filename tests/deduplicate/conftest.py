"""Fixtures for the deduplication tests: a record builder and the shared sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from realist.records import RecordData

from support import shared_path


def rec(**fields: Any) -> RecordData:
    """A record with sensible defaults for the fields a test does not name."""
    base: dict[str, Any] = {
        "title": "Peer navigation and HIV viral suppression among people who inject drugs",
        "authors": ["Smith, John", "Okafor, Ada", "Nguyen, Van"],
        "year": 2019,
        "journal": "Journal of the International AIDS Society",
        "volume": "22",
        "issue": "4",
        "pages": "e25201",
        "doi": None,
    }
    base.update(fields)
    return RecordData(**base)


@pytest.fixture
def shared_dedup(shared: Path) -> Path:
    """The labelled duplicate sets (../shared/data/dedup)."""
    return shared_path("data", "dedup")
