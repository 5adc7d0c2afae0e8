"""Duplicate groups from pairwise verdicts, and the canonical record of a group.

Groups are built greedily from the strongest *duplicate* match down (ties by
ids), after the people's ``must_link`` pairs.  Two groups are joined only
when every member of one is *compatible* with every member of the other,
which stops a chain A~B~C from joining two different studies A and C through
a middle record that resembles both:

* no ``cannot_link`` pair across the two groups;
* no two different DOIs; years at most one apart; no clashing first pages
  or volumes; the same title numbers (Part I / II) and notice status unless
  the two are the same physical item (same authors, volume, first page);
* a notice (erratum, retraction, comment ...) and the article it names are
  never compatible (they are linked, not merged); two records under a
  generic heading are compatible only when their DOI, or issue and first
  page, agree;
* the same DOI with alike titles (online first and print), or the same
  title, authors, journal and volume on other pages, are compatible (see
  :mod:`.compare`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from realist.deduplicate.compare import (
    Match,
    _pages,
    _volumes,
    dois_clash,
    generic_pair_agrees,
    notice_of,
    same_doi_online_first,
    same_physical_item,
    same_work_elsewhere,
)
from realist.deduplicate.normalise import Features
from realist.records import RecordData

__all__ = ["build_groups", "canonical_of", "compatible"]

# Weights of the normalised fields in "how complete is this record".
_WEIGHTS: dict[str, float] = {
    "title": 3,
    "abstract": 3,
    "authors": 2,
    "doi": 3,
    "year": 1,
    "journal": 1,
    "volume": 1,
    "issue": 1,
    "pages": 1,
    "pmid": 1,
    "pmcid": 1,
    "openalex_id": 1,
    "issn": 0.5,
    "keywords": 0.5,
    "language": 0.25,
    "publication_type": 0.25,
    "url": 0.25,
    "referenced_works": 0.5,
}


def compatible(x: Features, y: Features) -> bool:
    """False when two records cannot be the same item, whatever links them."""
    if notice_of(x, y) or notice_of(y, x):
        return False
    if x.title and y.title and (x.generic or y.generic):
        return x.title_compact == y.title_compact and generic_pair_agrees(x, y)
    if same_doi_online_first(x, y) or same_work_elsewhere(x, y):
        return True
    if dois_clash(x, y):
        return False
    if x.year is not None and y.year is not None and abs(x.year - y.year) > 1:
        return False
    if _pages(x, y) == "conflict":
        return False
    if _volumes(x, y) == "conflict":
        return False
    if x.title and y.title and (x.title_numbers != y.title_numbers or x.is_notice != y.is_notice):
        return same_physical_item(x, y)
    return True


def build_groups(
    matches: Iterable[Match],
    feats: Mapping[int, Features],
    *,
    cannot_link: Collection[frozenset[int]] = (),
    must_link: Collection[frozenset[int]] = (),
) -> list[list[int]]:
    """Sorted groups (size >= 2) of record ids; see the module docstring."""
    forbidden = {frozenset(p) for p in cannot_link if len(p) == 2}
    group_of: dict[int, list[int]] = {}

    def join(a: int, b: int, check: bool) -> None:
        ga = group_of.get(a, [a])
        gb = group_of.get(b, [b])
        if ga is gb:
            return
        for x in ga:
            for y in gb:
                if frozenset((x, y)) in forbidden:
                    return
                if check and not compatible(feats[x], feats[y]):
                    return
        merged = ga + gb
        for member in merged:
            group_of[member] = merged

    for link in sorted(sorted(p) for p in must_link):
        ids = [i for i in link if i in feats]
        for other in ids[1:]:
            join(ids[0], other, check=False)
    dups = sorted((m for m in matches if m.verdict == "duplicate"), key=lambda m: (-m.score, m.a, m.b))
    for m in dups:
        join(m.a, m.b, check=True)
    unique = {id(g): g for g in group_of.values()}
    return sorted(sorted(g) for g in unique.values() if len(g) >= 2)


def _completeness(rec: RecordData) -> float:
    total = 0.0
    for name, weight in _WEIGHTS.items():
        value = getattr(rec, name)
        if value not in (None, "", [], ()):
            total += weight
    return total


def canonical_of(group: Iterable[int], records: Mapping[int, RecordData] | Sequence[tuple[int, RecordData]]) -> int:
    """The most complete record of ``group`` (weighted field count; ties: lowest id)."""
    lookup = records if isinstance(records, Mapping) else dict(records)
    return min(group, key=lambda i: (-_completeness(lookup[i]), i))
