"""Deduplicate: find records that report the same item.

Pure functions, no database: :func:`find_duplicates` takes ``(id, record)``
pairs and returns judged pairs and duplicate groups; :func:`canonical_of`
picks the record a group keeps.  The store applies the result.

Pipeline: :mod:`.normalise` (comparison keys per record) → :mod:`.blocking`
(candidate pairs) → :mod:`.compare` (rules per pair) → :mod:`.groups`
(groups with a guard against chaining).  :mod:`.evaluate` scores a result
against gold duplicate groups.

Against a review (:mod:`.store`): :func:`run_dedup` merges certain pairs and
keeps uncertain ones for a person; :func:`pending_pairs`,
:func:`confirm_pair`, :func:`reject_pair` and :func:`undo_merge`.  Names load
lazily (rapidfuzz only when records are compared).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .compare import Match as Match
    from .core import DedupResult as DedupResult
    from .core import find_duplicates as find_duplicates
    from .groups import canonical_of as canonical_of
    from .store import DedupSummary as DedupSummary
    from .store import DuplicatePair as DuplicatePair
    from .store import Merge as Merge
    from .store import MergeUndone as MergeUndone
    from .store import PairDecision as PairDecision
    from .store import RecordBrief as RecordBrief
    from .store import confirm_pair as confirm_pair
    from .store import pending_pairs as pending_pairs
    from .store import reject_pair as reject_pair
    from .store import run_dedup as run_dedup
    from .store import undo_merge as undo_merge

_EXPORTS = {
    "Match": ".compare",
    "DedupResult": ".core",
    "find_duplicates": ".core",
    "canonical_of": ".groups",
    "DedupSummary": ".store",
    "DuplicatePair": ".store",
    "Merge": ".store",
    "MergeUndone": ".store",
    "PairDecision": ".store",
    "RecordBrief": ".store",
    "confirm_pair": ".store",
    "pending_pairs": ".store",
    "reject_pair": ".store",
    "run_dedup": ".store",
    "undo_merge": ".store",
}
__all__ = [
    "DedupResult",
    "DedupSummary",
    "DuplicatePair",
    "Match",
    "Merge",
    "MergeUndone",
    "PairDecision",
    "RecordBrief",
    "canonical_of",
    "confirm_pair",
    "find_duplicates",
    "pending_pairs",
    "reject_pair",
    "run_dedup",
    "undo_merge",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
