"""Writing what a network search found: one source, its records and their links.

Like :func:`realist.identify.import_records`, in one transaction with the
source's event, and using the same :func:`realist.identify.record_row`; it
also writes the :class:`~realist.store.models.CitationLink` rows that say
which seed each record came from and in which direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from ..identify import record_row
from ..records import RecordData
from ..review import ReviewHandle
from ..store.models import CitationLink, Record, Source

__all__ = ["Link", "store_found", "new_after_dedup"]


@dataclass(frozen=True)
class Link:
    """``found`` (an OpenAlex id) was found from ``seed`` in ``direction`` at ``depth``.

    ``seed_record_id`` is the review's record for the seed, when it has one.
    """

    found: str
    seed: str
    direction: str
    depth: int = 1
    seed_record_id: int | None = None


def store_found(
    review: ReviewHandle,
    records: Sequence[RecordData],
    links: Sequence[Link],
    *,
    name: str,
    kind: str,
    format: str,
    details: dict[str, Any],
) -> int:
    """Store records (and citation links) as one new source; returns the source id."""
    with review.session() as session:
        src = Source(
            review_id=review.review_id,
            name=name,
            kind=kind,
            format=format,
            record_count=len(records),
            imported_by=review.actor,
            details=details,
        )
        session.add(src)
        session.flush()
        rows = [record_row(review.review_id, src.id, i, r) for i, r in enumerate(records, 1)]
        for start in range(0, len(rows), 5000):
            session.execute(insert(Record), rows[start : start + 5000])
        new_ids = {
            oa: rid
            for rid, oa in session.execute(
                select(Record.id, Record.openalex_id).where(Record.source_id == src.id).order_by(Record.id)
            )
            if oa
        }
        link_rows = [
            {
                "review_id": review.review_id,
                "source_id": src.id,
                "record_id": new_ids[link.found],
                "seed_record_id": link.seed_record_id or new_ids.get(link.seed),
                "seed_openalex_id": link.seed,
                "direction": link.direction,
                "depth": link.depth,
            }
            for link in links
            if link.found in new_ids
        ]
        if link_rows:
            session.execute(insert(CitationLink), link_rows)
        review.log(
            session,
            "source.imported",
            entity="source",
            entity_id=src.id,
            name=name,
            kind=kind,
            format=format,
            file=None,
            sha256=None,
            records=len(rows),
            links=len(link_rows),
            details=details,
        )
        return src.id


def new_after_dedup(review: ReviewHandle, source_id: int) -> int:
    """Duplicate groups (or single records) made only of this source's records."""
    with review.session() as session:
        rows = session.execute(
            select(Record.id, Record.duplicate_of_id, Record.source_id).where(Record.review_id == review.review_id)
        ).all()
    groups: dict[int, set[int]] = {}
    for rid, dup_of, sid in rows:
        groups.setdefault(dup_of or rid, set()).add(sid)
    return sum(1 for sources in groups.values() if sources == {source_id})
