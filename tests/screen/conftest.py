"""Fixtures for screening tests: a toy corpus and the SYNERGY folder (when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import shared_path

RELEVANT_WORDS = ["peer", "navigator", "harm", "reduction", "hiv", "outreach", "needle", "syringe"]
OTHER_WORDS = [
    "wheat",
    "soil",
    "yield",
    "crop",
    "rainfall",
    "tractor",
    "fertiliser",
    "harvest",
    "bridge",
    "steel",
    "concrete",
    "load",
    "beam",
    "corrosion",
    "welding",
    "girder",
    "galaxy",
    "telescope",
    "spectrum",
    "redshift",
    "quasar",
    "orbit",
    "comet",
    "nebula",
]


def make_corpus(n: int = 120, n_relevant: int = 12, seed: int = 7) -> list[dict]:
    """Relevant records talk about peer harm-reduction work; the rest do not."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        relevant = i % (n // n_relevant) == 0
        vocab = RELEVANT_WORDS if relevant else OTHER_WORDS
        words = list(rng.choice(vocab, 12)) + list(rng.choice(OTHER_WORDS, 4))
        rows.append(
            {
                "openalex_id": f"W{1000 + i}",
                "title": " ".join(words[:5]),
                "abstract": " ".join(words[5:]),
                "label_included": "1" if relevant else "0",
                "referenced_works": "",
            }
        )
    return rows


@pytest.fixture
def toy_rows() -> list[dict]:
    return make_corpus()


@pytest.fixture
def synergy(shared: Path) -> Path:
    """The SYNERGY labelled screening sets (../shared/data/synergy)."""
    return shared_path("data", "synergy")
