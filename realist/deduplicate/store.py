"""Deduplication against the review store.

The matcher (:func:`realist.deduplicate.find_duplicates`) proposes pairs;
this module keeps them as :class:`~realist.store.models.DuplicateLink` rows —
pairwise judgements with the fields that matched — and derives each record's
``duplicate_of`` from the links:

* ``merged`` links (automatic or confirmed by a person) join records into
  groups (connected components); the most complete record of a group is its
  canonical record and the others point at it;
* ``pending`` links wait for a person (``confirm`` / ``reject``);
* ``rejected`` and ``undone`` links are never merged automatically again;
* ``notice`` links join a notice — an erratum or corrigendum, a retraction
  notice, an expression of concern, a comment or a reply — to the article it
  concerns (``notice_of``).  For these ``record_id`` is the notice and
  ``other_id`` the article (for every other status the pair is ordered by
  id), and ``matched_fields`` starts with ``notice:<kind>``.  A notice link
  is never applied as a merge; a retraction flags the article (and every
  record of its duplicate group) as retracted wherever it is listed.

Nothing is deleted.  The same input gives the same groups.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ..errors import InvalidInput, NotFound
from ..records import NORMALISED_FIELDS, RecordData
from ..results import Result
from ..review import ReviewHandle
from ..store.models import DuplicateLink, Record, utcnow

__all__ = [
    "DedupSummary",
    "NoticeLink",
    "Merge",
    "RecordBrief",
    "DuplicatePair",
    "PairDecision",
    "MergeUndone",
    "run_dedup",
    "pending_pairs",
    "confirm_pair",
    "reject_pair",
    "undo_merge",
    "notice_links",
    "retracted_records",
]

APPLIED = "merged"
BLOCKING = ("rejected", "undone")
NOTICE = "notice"
# A record's own title that says it is retracted ("RETRACTED: ...", "Retracted article: ...").
_RETRACTED_TITLE = re.compile(
    r"^\s*\[?\s*(?:retracted|withdrawn)(?:\s+(?:article|paper|publication))?\s*[:\]\-]", re.IGNORECASE
)


@dataclass(frozen=True)
class Merge(Result):
    """A pair merged automatically by a run: the two records, the score and why."""

    record_id: int
    other_id: int
    score: float
    matched_fields: list[str]
    reason: str | None


@dataclass(frozen=True)
class NoticeLink(Result):
    """A notice (erratum, retraction, concern, comment or reply) linked to the article it concerns."""

    notice: int
    article: int
    kind: str
    reason: str | None


@dataclass(frozen=True)
class DedupSummary(Result):
    """What a deduplication run found (``realist dedup --json``)."""

    records: int
    groups: int
    duplicates: int
    new_merges: int
    pending: int
    dry_run: bool
    merges: list[Merge] = field(default_factory=list)
    #: notice links made by this run (errata, retractions... linked to their article, never merged)
    notices: list[NoticeLink] = field(default_factory=list)


@dataclass(frozen=True)
class RecordBrief(Result):
    """The fields a person needs to judge a duplicate pair."""

    id: int
    title: str | None
    authors: list[str]
    year: int | None
    journal: str | None
    doi: str | None


@dataclass(frozen=True)
class DuplicatePair(Result):
    """An uncertain pair that waits for a person (``realist dedup --pending --json``)."""

    pair: int
    score: float
    matched_fields: list[str]
    differing_fields: list[str]
    reason: str | None
    records: list[RecordBrief]


@dataclass(frozen=True)
class PairDecision(Result):
    """A person's confirm or reject of a pair: its new status and its two records."""

    pair: int
    status: str
    records: list[int]


@dataclass(frozen=True)
class MergeUndone(Result):
    """A record taken out of its duplicate group, and how many merged pairs were undone."""

    record: int
    undone_pairs: int


def _load(session: Session, review_id: int) -> dict[int, RecordData]:
    columns = [getattr(Record, name) for name in NORMALISED_FIELDS]
    rows = session.execute(
        select(Record.id, Record.source_record_id, *columns).where(Record.review_id == review_id).order_by(Record.id)
    )
    out: dict[int, RecordData] = {}
    for row in rows:
        values = dict(zip(NORMALISED_FIELDS, row[2:]))
        out[row[0]] = RecordData(source_record_id=row[1], **values)
    return out


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _links(session: Session, review_id: int) -> dict[tuple[int, int], DuplicateLink]:
    links = session.scalars(select(DuplicateLink).where(DuplicateLink.review_id == review_id))
    return {_pair(link.record_id, link.other_id): link for link in links}


def _components(pairs: list[tuple[int, int]]) -> list[list[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for node in parent:
        groups[find(node)].append(node)
    return sorted(sorted(g) for g in groups.values())


def _apply_groups(session: Session, review_id: int, records: dict[int, RecordData]) -> list[list[int]]:
    """Set every record's ``duplicate_of`` from the merged links."""
    merged = session.execute(
        select(DuplicateLink.record_id, DuplicateLink.other_id).where(
            DuplicateLink.review_id == review_id, DuplicateLink.status == APPLIED
        )
    ).all()
    from .groups import canonical_of  # imports the comparison rules (rapidfuzz)

    groups = _components([(a, b) for a, b in merged])
    target: dict[int, int] = {}
    for group in groups:
        canonical = canonical_of(group, records)
        for member in group:
            if member != canonical:
                target[member] = canonical
    current = dict(
        session.execute(
            select(Record.id, Record.duplicate_of_id).where(
                Record.review_id == review_id, Record.duplicate_of_id.is_not(None)
            )
        ).all()
    )
    changes = [
        {"id": rid, "duplicate_of_id": target.get(rid)}
        for rid in sorted(set(current) | set(target))
        if current.get(rid) != target.get(rid)
    ]
    if changes:
        # Clear first, then set: a record may switch from duplicate to canonical.
        session.execute(update(Record), [{"id": c["id"], "duplicate_of_id": None} for c in changes])
        session.execute(update(Record), [c for c in changes if c["duplicate_of_id"] is not None])
    return groups


def run_dedup(
    review: ReviewHandle,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DedupSummary:
    """Find duplicates among all records and merge the certain ones.

    With ``dry_run`` the same work is done and reported, then rolled back.
    """
    rid = review.review_id
    with review.session() as session:
        records = _load(session, rid)
        links = _links(session, rid)
        cannot = [frozenset(p) for p, link in links.items() if link.status in BLOCKING + (NOTICE,)]
        must = [frozenset(p) for p, link in links.items() if link.status == APPLIED]
        from .core import find_duplicates

        result = find_duplicates(sorted(records.items()), cannot_link=cannot, must_link=must, progress=progress)
        group_of = {m: i for i, g in enumerate(result.groups) for m in g}
        now = utcnow()
        new_links: list[dict[str, Any]] = []
        merges: list[Merge] = []
        for match in result.matches:
            key = _pair(match.a, match.b)
            if key in links:
                continue
            same_group = group_of.get(match.a) is not None and group_of.get(match.a) == group_of.get(match.b)
            matched = list(match.matched_fields)
            if match.verdict == "notice" and match.notice is not None:
                status = NOTICE
                key = (match.notice, match.b if match.notice == match.a else match.a)
                matched = [f"notice:{match.kind}"] + matched
            else:  # "duplicate" or "uncertain" (compare.Verdict)
                status = APPLIED if match.verdict == "duplicate" and same_group else "pending"
            row = {
                "review_id": rid,
                "record_id": key[0],
                "other_id": key[1],
                "score": float(match.score),
                "status": status,
                "method": "auto",
                "matched_fields": matched,
                "differing_fields": list(match.differing_fields),
                "reason": match.reason,
                "created_at": now,
            }
            new_links.append(row)
            if status == APPLIED:
                merges.append(Merge(key[0], key[1], float(match.score), list(match.matched_fields), match.reason))
        if new_links:
            session.execute(DuplicateLink.__table__.insert(), new_links)
        groups = _apply_groups(session, rid, records)
        pending = sum(1 for r in new_links if r["status"] == "pending") + sum(
            1 for link in links.values() if link.status == "pending"
        )
        summary = DedupSummary(
            records=len(records),
            groups=len(groups),
            duplicates=sum(len(g) - 1 for g in groups),
            new_merges=len(merges),
            pending=pending,
            dry_run=dry_run,
            merges=merges,
            notices=[
                NoticeLink(r["record_id"], r["other_id"], r["matched_fields"][0].removeprefix("notice:"), r["reason"])
                for r in new_links
                if r["status"] == NOTICE
            ],
        )
        review.log(
            session,
            "dedup.run",
            records=summary.records,
            groups=summary.groups,
            duplicates=summary.duplicates,
            new_merges=summary.new_merges,
            pending=summary.pending,
            merged_pairs=[[m.record_id, m.other_id] for m in merges],
            notice_links=[[n.notice, n.article, n.kind] for n in summary.notices],
        )
        if dry_run:
            session.rollback()
    return summary


def pending_pairs(review: ReviewHandle) -> list[DuplicatePair]:
    """Uncertain pairs waiting for a person, each with both records' key fields."""
    with review.session() as session:
        links = session.scalars(
            select(DuplicateLink)
            .where(DuplicateLink.review_id == review.review_id, DuplicateLink.status == "pending")
            .order_by(DuplicateLink.score.desc(), DuplicateLink.id)
        ).all()
        ids = {i for link in links for i in (link.record_id, link.other_id)}
        recs = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(ids)))}
        return [
            DuplicatePair(
                pair=link.id,
                score=round(link.score, 3),
                matched_fields=list(link.matched_fields or []),
                differing_fields=list(link.differing_fields or []),
                reason=link.reason,
                records=[_brief(recs[link.record_id]), _brief(recs[link.other_id])],
            )
            for link in links
        ]


def _brief(record: Record) -> RecordBrief:
    return RecordBrief(record.id, record.title, (record.authors or [])[:3], record.year, record.journal, record.doi)


def _get_link(session: Session, review: ReviewHandle, pair_id: int) -> DuplicateLink:
    link = session.get(DuplicateLink, pair_id)
    if link is None or link.review_id != review.review_id:
        raise NotFound(f"no duplicate pair {pair_id} in this review", key="no-such-pair")
    return link


def _decide(review: ReviewHandle, pair_id: int, status: str, note: str | None) -> PairDecision:
    with review.session() as session:
        link = _get_link(session, review, pair_id)
        if link.status != "pending":
            raise InvalidInput(f"pair {pair_id} is not pending (it is {link.status})")
        link.status = status
        link.method = "person"
        link.decided_by = review.actor
        link.decided_at = utcnow()
        review.log(
            session,
            "dedup.confirmed" if status == APPLIED else "dedup.rejected",
            entity="duplicate_link",
            entity_id=link.id,
            records=[link.record_id, link.other_id],
            note=note,
        )
        session.flush()
        _apply_groups(session, review.review_id, _load(session, review.review_id))
        return PairDecision(link.id, link.status, [link.record_id, link.other_id])


def confirm_pair(review: ReviewHandle, pair_id: int, *, note: str | None = None) -> PairDecision:
    """A person says the pending pair is one report: merge it."""
    return _decide(review, pair_id, APPLIED, note)


def reject_pair(review: ReviewHandle, pair_id: int, *, note: str | None = None) -> PairDecision:
    """A person says the pending pair differs: never merge it automatically."""
    return _decide(review, pair_id, "rejected", note)


def undo_merge(review: ReviewHandle, record_id: int, *, note: str | None = None) -> MergeUndone:
    """Take a record out of its duplicate group; the pairs are not merged again."""
    with review.session() as session:
        record = session.get(Record, record_id)
        if record is None or record.review_id != review.review_id:
            raise NotFound(f"no record {record_id} in this review")
        links = session.scalars(
            select(DuplicateLink).where(
                DuplicateLink.review_id == review.review_id,
                DuplicateLink.status == APPLIED,
                (DuplicateLink.record_id == record_id) | (DuplicateLink.other_id == record_id),
            )
        ).all()
        if not links:
            raise InvalidInput(f"record {record_id} is not merged with any other record")
        now = utcnow()
        for link in links:
            link.status = "undone"
            link.decided_by = review.actor
            link.decided_at = now
        review.log(
            session,
            "dedup.undone",
            entity="record",
            entity_id=record_id,
            pairs=[[link.record_id, link.other_id] for link in links],
            note=note,
        )
        session.flush()
        _apply_groups(session, review.review_id, _load(session, review.review_id))
        return MergeUndone(record_id, len(links))


def notice_link_rows(session: Session, review_id: int) -> list[DuplicateLink]:
    return list(
        session.scalars(
            select(DuplicateLink)
            .where(DuplicateLink.review_id == review_id, DuplicateLink.status == NOTICE)
            .order_by(DuplicateLink.other_id, DuplicateLink.record_id)
        )
    )


def link_kind(link: DuplicateLink) -> str:
    first = (link.matched_fields or [""])[0]
    return str(first).removeprefix("notice:") if str(first).startswith("notice:") else "notice"


def notice_links(review: ReviewHandle) -> list[NoticeLink]:
    """Every notice link (record ids; kind: erratum, retraction, concern,
    comment or reply), by article."""
    with review.session() as session:
        return [
            NoticeLink(link.record_id, link.other_id, link_kind(link), link.reason)
            for link in notice_link_rows(session, review.review_id)
        ]


def retracted_records(session: Session, review_id: int, ids: Collection[int] | None = None) -> dict[int, str]:
    """Records of retracted articles, each with a sentence that says why.

    A record is retracted when a retraction notice is linked to it or to a
    record of its duplicate group, or when its own title says so
    (``RETRACTED: ...``).  The notice itself is not listed.  With ``ids``,
    only the titles of those records' duplicate groups are read (the answer
    is right for them; other records may be missing from it), instead of
    every title of the review.
    """
    out: dict[int, str] = {}
    canonical_of_id: dict[int, int] = {
        rid: canon
        for rid, canon in session.execute(
            select(Record.id, Record.duplicate_of_id).where(
                Record.review_id == review_id, Record.duplicate_of_id.is_not(None)
            )
        )
        if canon is not None
    }
    members: dict[int, list[int]] = defaultdict(list)
    for rid, canon in canonical_of_id.items():
        members[canon].append(rid)
    for link in notice_link_rows(session, review_id):
        if link_kind(link) != "retraction":
            continue
        root = canonical_of_id.get(link.other_id, link.other_id)
        why = f"retraction notice: record {link.record_id}"
        for rid in [root, *members.get(root, [])]:
            out.setdefault(rid, why)
    titled = select(Record.id, Record.title).where(
        Record.review_id == review_id,
        or_(func.lower(Record.title).like("%retract%"), func.lower(Record.title).like("%withdrawn%")),
    )
    if ids is not None:
        groups: set[int] = set()
        for rid in ids:
            root = canonical_of_id.get(rid, rid)
            groups.update([root, *members.get(root, [])])
        titled = titled.where(Record.id.in_(sorted(groups)))
    for rid, title in session.execute(titled):
        if title and _RETRACTED_TITLE.match(title):
            root = canonical_of_id.get(rid, rid)
            for other in [root, *members.get(root, [])]:
                out.setdefault(other, f"record {rid}'s title says it is retracted")
    return out
