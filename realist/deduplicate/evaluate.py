"""Score duplicate groups against gold groups, and read the labelled sets.

Pairwise scores: a *pair* is two records put in one group.  Precision is
the share of predicted pairs that the gold also pairs, recall the share of
gold pairs found.  Two counts a reviewer cares about more:

* ``missed``: duplicates left in, Σ over gold groups of (number of predicted
  groups it is spread over − 1);
* ``wrongly_merged``: studies lost, Σ over predicted groups of (number of
  gold groups it joins − 1).

The readers turn the CSV files in ``shared/data/dedup`` (ASySD diabetes with
groups; the Rathbone sets curated by bib-dedupe) into ``(id, RecordData)``
pairs and gold groups.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from realist.records import RecordData, normalise_doi

__all__ = [
    "Scores",
    "score_groups",
    "linked_recall",
    "read_diabetes",
    "read_rathbone",
    "read_bibtex_csv",
    "LabelledSet",
]

LabelledSet = tuple[list[tuple[int, RecordData]], list[set[int]]]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    true_pairs: int
    predicted_pairs: int
    gold_pairs: int
    missed: int
    wrongly_merged: int
    wrong_pairs: list[tuple[int, int]]


def _pairs(groups: Iterable[Iterable[int]]) -> set[tuple[int, int]]:
    return {(a, b) for g in groups for a, b in combinations(sorted(g), 2)}


def score_groups(predicted: Sequence[Iterable[int]], gold: Sequence[Iterable[int]]) -> Scores:
    """Pairwise precision/recall, missed duplicates and wrongly merged studies."""
    gold_of = {i: n for n, g in enumerate(gold) for i in g}
    pred_of = {i: n for n, g in enumerate(predicted) for i in g}
    p, g = _pairs(predicted), _pairs(gold)
    tp = len(p & g)
    missed = sum(len({pred_of.get(i, ("solo", i)) for i in grp}) - 1 for grp in gold)
    wrong = sum(len({gold_of.get(i, ("solo", i)) for i in grp}) - 1 for grp in predicted)
    return Scores(
        precision=tp / len(p) if p else 1.0,
        recall=tp / len(g) if g else 1.0,
        true_pairs=tp,
        predicted_pairs=len(p),
        gold_pairs=len(g),
        missed=missed,
        wrongly_merged=wrong,
        wrong_pairs=sorted(p - g),
    )


def linked_recall(
    predicted: Sequence[Iterable[int]], links: Iterable[tuple[int, int]], gold: Sequence[Iterable[int]]
) -> float:
    """Recall that also counts a gold pair a *notice link* connects (an erratum
    or a reply joined by some gold labels to the article it concerns: realist
    links such pairs and does not merge them, so the reviewer still sees them
    together).  Pairs within a predicted group count as in :func:`score_groups`."""
    group_of = {i: n for n, g in enumerate(predicted) for i in g}
    linked = {frozenset((group_of.get(a, ("solo", a)), group_of.get(b, ("solo", b)))) for a, b in links}
    g = _pairs(gold)
    if not g:
        return 1.0
    found = 0
    for a, b in g:
        ga, gb = group_of.get(a, ("solo", a)), group_of.get(b, ("solo", b))
        if ga == gb or frozenset((ga, gb)) in linked:
            found += 1
    return found / len(g)


def _na(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "NA") else value


def _year(value: str | None) -> int | None:
    match = re.search(r"\d{4}", value or "")
    return int(match.group(0)) if match else None


def _read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return list(csv.DictReader(text.splitlines(keepends=True)))


_CONCAT_AUTHORS = re.compile(r"(?<=\.)(?=[A-Z])")


def _diabetes_authors(value: str | None) -> list[str]:
    """'Adeli K.Lewis G. F.' → ['Adeli, K.', 'Lewis, G. F.']."""
    out = []
    for name in _CONCAT_AUTHORS.split(value or ""):
        parts = name.split()
        initials = [p for p in parts if re.fullmatch(r"[A-Z][a-z]?\.|[A-Z]\.-[A-Z]\.", p)]
        family = " ".join(p for p in parts if p not in initials)
        if family:
            out.append(f"{family}, {' '.join(initials)}".rstrip(", "))
    return out


def read_diabetes(path: Path) -> LabelledSet:
    """ASySD diabetes records with bib-dedupe's curated groups (``dup_group``)."""
    records, groups = [], defaultdict(set)
    for row in _read_csv(path):
        rid = int(row["record_id"])
        records.append(
            (
                rid,
                RecordData(
                    raw=dict(row),
                    title=_na(row["title"]),
                    abstract=_na(row["abstract"]),
                    authors=_diabetes_authors(_na(row["author"])),
                    year=_year(row["year"]),
                    journal=_na(row["journal"]),
                    volume=_na(row["volume"]),
                    issue=_na(row["number"]),
                    pages=_na(row["pages"]),
                    doi=normalise_doi(_na(row["doi"])),
                ),
            )
        )
        groups[row["dup_group"]].add(rid)
    return records, [g for g in groups.values() if len(g) > 1]


def read_rathbone(folder: Path) -> LabelledSet:
    """``records_pre_merged.csv`` + ``merged_record_ids.csv`` of one set."""
    records = []
    for row in _read_csv(folder / "records_pre_merged.csv"):
        rid = int(row["ID"].removeprefix("id_"))
        doi = normalise_doi(_na(row.get("doi"))) or normalise_doi(_na(row.get("note")))
        authors = [a.strip() for a in (_na(row.get("author")) or "").split(" and ") if a.strip()]
        records.append(
            (
                rid,
                RecordData(
                    raw=dict(row),
                    title=_na(row.get("title")),
                    abstract=_na(row.get("abstract")),
                    authors=authors,
                    year=_year(row.get("year")),
                    journal=_na(row.get("journal")) or _na(row.get("booktitle")),
                    volume=_na(row.get("volume")),
                    issue=_na(row.get("number") or row.get("issue")),
                    pages=_na(row.get("pages")),
                    doi=doi,
                ),
            )
        )
    groups = [
        {int(x.removeprefix("id_")) for x in row["merged_ids"].split(";")}
        for row in _read_csv(folder / "merged_record_ids.csv")
    ]
    return records, groups


def read_bibtex_csv(folder: Path) -> LabelledSet:
    """A CoLRev / bib-dedupe style labelled set: ``records_pre_merged.csv``
    (BibTeX field names: ``ID``, ``ENTRYTYPE``, ``journal`` or ``booktitle``,
    ``number``; authors joined by `` and `` or run together as
    ``Adeli K.Lewis G. F.``) and ``merged_record_ids.csv`` (one gold group per
    row, ids joined by ``;``).  Ids are any strings; records get the numbers
    1, 2, … in file order.  Gold groups are cut to the records present (a
    sample of a larger set keeps the gold pairs among its own records)."""
    number: dict[str, int] = {}
    records = []
    for n, row in enumerate(_read_csv(folder / "records_pre_merged.csv"), start=1):
        key = row.get("ID") or f"row{n}"
        number[key] = n
        value = _na(row.get("author")) or ""
        if " and " in value or "," in value:
            authors = [a.strip() for a in value.split(" and ") if a.strip()]
        else:
            authors = _diabetes_authors(value)
        records.append(
            (
                n,
                RecordData(
                    raw=dict(row),
                    source_record_id=key,
                    title=_na(row.get("title")),
                    abstract=_na(row.get("abstract")),
                    authors=authors,
                    year=_year(row.get("year")),
                    journal=_na(row.get("journal")) or _na(row.get("booktitle")),
                    volume=_na(row.get("volume")),
                    issue=_na(row.get("number") or row.get("issue")),
                    pages=_na(row.get("pages")),
                    doi=normalise_doi(_na(row.get("doi"))),
                    publication_type=_na(row.get("ENTRYTYPE")),
                ),
            )
        )
    groups = []
    for row in _read_csv(folder / "merged_record_ids.csv"):
        group = {number[x] for x in row["merged_ids"].split(";") if x in number}
        if len(group) > 1:
            groups.append(group)
    return records, groups
