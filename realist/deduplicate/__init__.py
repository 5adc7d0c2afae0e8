"""Deduplicate: find records that report the same item.

Pure functions, no database: :func:`find_duplicates` takes ``(id, record)``
pairs and returns judged pairs and duplicate groups; :func:`canonical_of`
picks the record a group keeps.  The store applies the result.

Pipeline: :mod:`.normalise` (comparison keys per record) → :mod:`.blocking`
(candidate pairs) → :mod:`.compare` (rules per pair) → :mod:`.groups`
(groups with a guard against chaining).  :mod:`.evaluate` scores a result
against gold duplicate groups.
"""

from realist.deduplicate.compare import Match
from realist.deduplicate.core import DedupResult, find_duplicates
from realist.deduplicate.groups import canonical_of

__all__ = ["DedupResult", "Match", "canonical_of", "find_duplicates"]
