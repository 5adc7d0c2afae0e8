"""Network search: citation chasing, hand searching and enrichment through OpenAlex.

Online through :class:`OpenAlexClient` (cached, so reruns are free and work
offline), or from saved OpenAlex JSON through :class:`OfflineWorks`.
Everything found is stored with its provenance: a source of kind
``citation`` or ``hand_search`` (PRISMA "other methods") and, for chases,
one citation link per seed and direction.
"""

from __future__ import annotations

from .chase import DIRECTIONS, ChaseResult, NothingFound, Seed, chase, included_record_ids, resolve_seeds
from .enrich import ENRICH_FIELDS, EnrichResult, enrich
from .handsearch import HandSearchResult, Journal, handsearch, resolve_journal
from .offline import OfflineWorks, read_works
from .openalex import (
    OpenAlexClient,
    OpenAlexError,
    OpenAlexSettings,
    OpenAlexUnavailable,
    parse_identifier,
)
from .provenance import identification_counts, record_provenance, seed_contributions
from .works import OnlineWorks, WorkSource

__all__ = [
    "DIRECTIONS", "ChaseResult", "NothingFound", "Seed", "chase", "included_record_ids", "resolve_seeds",
    "ENRICH_FIELDS", "EnrichResult", "enrich",
    "HandSearchResult", "Journal", "handsearch", "resolve_journal",
    "OfflineWorks", "read_works",
    "OpenAlexClient", "OpenAlexError", "OpenAlexSettings", "OpenAlexUnavailable", "parse_identifier",
    "identification_counts", "record_provenance", "seed_contributions",
    "OnlineWorks", "WorkSource",
]
