"""``find_duplicates``: normalise, block, compare, group."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from realist.deduplicate.blocking import candidate_pairs
from realist.deduplicate.compare import Match, compare
from realist.deduplicate.groups import build_groups
from realist.deduplicate.normalise import features_of
from realist.errors import InvalidInput
from realist.records import RecordData

__all__ = ["DedupResult", "find_duplicates"]


@dataclass
class DedupResult:
    """Judged pairs (``duplicate``, ``uncertain`` and ``notice``, sorted by
    ids) and the duplicate groups (sorted lists of ids, each of size >= 2,
    sorted).  A ``notice`` pair links a notice (erratum, retraction, ...) to
    its article; it is never in a group."""

    matches: list[Match] = field(default_factory=list)
    groups: list[list[int]] = field(default_factory=list)

    @property
    def uncertain(self) -> list[Match]:
        return [m for m in self.matches if m.verdict == "uncertain"]

    @property
    def notices(self) -> list[Match]:
        return [m for m in self.matches if m.verdict == "notice"]


def find_duplicates(
    records: Sequence[tuple[int, RecordData]],
    *,
    cannot_link: Collection[frozenset[int]] = (),
    must_link: Collection[frozenset[int]] = (),
    progress: Callable[[int, int], None] | None = None,
) -> DedupResult:
    """Find duplicate records among ``(id, record)`` pairs.

    Pure: reads nothing and writes nothing.  The same input (in any order)
    gives the same result.  ``cannot_link`` / ``must_link`` are pairs that a
    person has already judged; they are never contradicted (a pair that is in
    both is treated as cannot-link).  ``progress(done, total)`` is called as
    candidate pairs are compared.
    """
    ids = [rid for rid, _ in records]
    if len(set(ids)) != len(ids):
        raise InvalidInput("find_duplicates: record ids must be unique")
    ordered = sorted(records, key=lambda item: item[0])
    feats = [features_of(rid, rec) for rid, rec in ordered]
    pairs = sorted(candidate_pairs(feats))
    total = len(pairs)
    forbidden = {frozenset(p) for p in cannot_link}
    matches: list[Match] = []
    step = max(1, total // 100)
    for n, (i, j) in enumerate(pairs, 1):
        m = compare(feats[i], feats[j])
        if m is not None and frozenset((m.a, m.b)) not in forbidden:
            matches.append(m)
        if progress is not None and (n % step == 0 or n == total):
            progress(n, total)
    if progress is not None and total == 0:
        progress(0, 0)
    matches.sort(key=lambda m: (m.a, m.b))
    by_id = {f.id: f for f in feats}
    groups = build_groups(matches, by_id, cannot_link=cannot_link, must_link=must_link)
    return DedupResult(matches=matches, groups=groups)
