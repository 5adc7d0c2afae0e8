"""Network search: citation chasing, hand searching and enrichment through OpenAlex.

Online through :class:`OpenAlexClient` (cached, so reruns are free and work
offline), or from saved OpenAlex JSON through :class:`OfflineWorks`;
:func:`works_source` picks one the way the command line does.  Everything
found is stored with its provenance: a source of kind ``citation`` or
``hand_search`` (PRISMA "other methods") and, for chases, one citation link
per seed and direction.  Names load lazily (httpx only when OpenAlex is
asked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

# Bound now, not lazily: each shares its name with its module (realist.network.chase ...),
# which importing the module would otherwise leave in its place.  Both are light.
from .chase import chase
from .enrich import enrich
from .handsearch import handsearch

if TYPE_CHECKING:
    from .chase import (
        DIRECTIONS as DIRECTIONS,
    )
    from .chase import (
        ChaseResult as ChaseResult,
    )
    from .chase import (
        NothingFound as NothingFound,
    )
    from .chase import (
        Seed as Seed,
    )
    from .chase import (
        included_record_ids as included_record_ids,
    )
    from .chase import (
        resolve_seeds as resolve_seeds,
    )
    from .enrich import (
        ENRICH_FIELDS as ENRICH_FIELDS,
    )
    from .enrich import (
        EnrichResult as EnrichResult,
    )
    from .handsearch import (
        HandSearchResult as HandSearchResult,
    )
    from .handsearch import (
        Journal as Journal,
    )
    from .handsearch import (
        resolve_journal as resolve_journal,
    )
    from .offline import (
        OfflineWorks as OfflineWorks,
    )
    from .offline import (
        read_works as read_works,
    )
    from .openalex import (
        OpenAlexClient as OpenAlexClient,
    )
    from .openalex import (
        OpenAlexError as OpenAlexError,
    )
    from .openalex import (
        OpenAlexSettings as OpenAlexSettings,
    )
    from .openalex import (
        OpenAlexUnavailable as OpenAlexUnavailable,
    )
    from .openalex import (
        parse_identifier as parse_identifier,
    )
    from .provenance import (
        identification_counts as identification_counts,
    )
    from .provenance import (
        network_searches as network_searches,
    )
    from .provenance import (
        record_provenance as record_provenance,
    )
    from .provenance import (
        seed_contributions as seed_contributions,
    )
    from .sources import (
        close_source as close_source,
    )
    from .sources import (
        default_cache_dir as default_cache_dir,
    )
    from .sources import (
        openalex_settings as openalex_settings,
    )
    from .sources import (
        search_source as search_source,
    )
    from .sources import (
        works_source as works_source,
    )
    from .works import (
        OnlineWorks as OnlineWorks,
    )
    from .works import (
        WorkSource as WorkSource,
    )

_EXPORTS = {
    "ChaseResult": ".chase",
    "DIRECTIONS": ".chase",
    "NothingFound": ".chase",
    "Seed": ".chase",
    "included_record_ids": ".chase",
    "resolve_seeds": ".chase",
    "ENRICH_FIELDS": ".enrich",
    "EnrichResult": ".enrich",
    "HandSearchResult": ".handsearch",
    "Journal": ".handsearch",
    "resolve_journal": ".handsearch",
    "OfflineWorks": ".offline",
    "read_works": ".offline",
    "OpenAlexClient": ".openalex",
    "OpenAlexError": ".openalex",
    "OpenAlexSettings": ".openalex",
    "OpenAlexUnavailable": ".openalex",
    "parse_identifier": ".openalex",
    "identification_counts": ".provenance",
    "network_searches": ".provenance",
    "record_provenance": ".provenance",
    "seed_contributions": ".provenance",
    "OnlineWorks": ".works",
    "close_source": ".sources",
    "default_cache_dir": ".sources",
    "openalex_settings": ".sources",
    "search_source": ".sources",
    "works_source": ".sources",
    "WorkSource": ".works",
}
__all__ = [
    "ChaseResult",
    "DIRECTIONS",
    "ENRICH_FIELDS",
    "EnrichResult",
    "HandSearchResult",
    "Journal",
    "NothingFound",
    "OfflineWorks",
    "OnlineWorks",
    "OpenAlexClient",
    "OpenAlexError",
    "OpenAlexSettings",
    "OpenAlexUnavailable",
    "Seed",
    "WorkSource",
    "chase",
    "close_source",
    "default_cache_dir",
    "enrich",
    "handsearch",
    "identification_counts",
    "included_record_ids",
    "openalex_settings",
    "parse_identifier",
    "network_searches",
    "read_works",
    "record_provenance",
    "seed_contributions",
    "resolve_journal",
    "resolve_seeds",
    "search_source",
    "works_source",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
