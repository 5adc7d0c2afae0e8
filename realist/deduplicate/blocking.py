"""Candidate pairs: only records that share a blocking key are compared.

Keys (a record gets every key it has material for):

* each identifier: DOI, PMID, PMCID, OpenAlex id;
* the first 30 and the last 30 letters/digits of the normalised title
  (a title changed at one end still shares the other);
* the four longest title words, sorted (catches changes at both ends);
* first author's surname + year;
* volume + first page, and first author's surname + first page.

A key shared by more than ``MAX_BLOCK`` records (``Anonymous 2010``, a
supplement DOI) is not compared all-against-all: its records are sorted by
title and each is compared with its ``WINDOW`` nearest neighbours, so the
work stays linear in the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from realist.deduplicate.normalise import Features

__all__ = ["candidate_pairs", "MAX_BLOCK", "WINDOW"]

MAX_BLOCK = 60
WINDOW = 12


def _keys(f: Features) -> Iterator[tuple[str, str]]:
    for name, value in (("d", f.doi), ("p", f.pmid), ("c", f.pmcid), ("o", f.openalex)):
        if value:
            yield name, value
    t = f.title_compact
    if len(t) >= 12:
        yield "t<", t[:30]
        yield "t>", t[-30:]
        longest = sorted(f.title.split(), key=lambda w: (-len(w), w))[:4]
        yield "tw", " ".join(sorted(longest))
    first = f.authors[0][0] if f.authors else ""
    if first and f.year is not None:
        yield "ay", f"{first}|{f.year}"
    if f.first_page:
        if f.volume:
            yield "vp", f"{f.volume}|{f.first_page}"
        if first:
            yield "ap", f"{first}|{f.first_page}"


def candidate_pairs(feats: Sequence[Features]) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, into ``feats`` worth comparing."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        for key in _keys(f):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        n = len(members)
        if n < 2:
            continue
        if n <= MAX_BLOCK:
            for x in range(n):
                mx = members[x]
                for y in range(x + 1, n):
                    my = members[y]
                    pairs.add((mx, my) if mx < my else (my, mx))
        else:
            ordered = sorted(members, key=lambda i: (feats[i].title_compact, feats[i].id))
            for x in range(n):
                for y in range(x + 1, min(n, x + WINDOW + 1)):
                    i, j = ordered[x], ordered[y]
                    pairs.add((i, j) if i < j else (j, i))
    return pairs
