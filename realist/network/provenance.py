"""Reading provenance back: where a record was found, and counts by source kind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..review import ReviewHandle
from ..store.models import CitationLink, Record, Source

__all__ = ["record_provenance", "identification_counts", "seed_contributions", "network_searches"]

_PHRASE = {"backward": "from the reference list of", "forward": "cites"}


def record_provenance(review: ReviewHandle, record_id: int) -> list[dict[str, Any]]:
    """How a record was found: its source, and for a chase each seed with a sentence."""
    with review.session() as session:
        rec = session.get(Record, record_id)
        if rec is None or rec.review_id != review.review_id:
            from ..errors import NotFound

            raise NotFound(f"no record {record_id} in this review")
        src = session.get(Source, rec.source_id)
        assert src is not None
        links = session.scalars(
            select(CitationLink).where(CitationLink.record_id == record_id).order_by(CitationLink.id)
        ).all()
        out = []
        for link in links:
            seed = session.get(Record, link.seed_record_id) if link.seed_record_id else None
            seed_name = f"record {seed.id} ({seed.title})" if seed else link.seed_openalex_id
            out.append(
                {
                    "source_id": src.id,
                    "source": src.name,
                    "kind": src.kind,
                    "direction": link.direction,
                    "depth": link.depth,
                    "seed_openalex_id": link.seed_openalex_id,
                    "seed_record_id": link.seed_record_id,
                    "text": f"{_PHRASE[link.direction]} {seed_name}",
                }
            )
        if not out:
            out.append(
                {
                    "source_id": src.id,
                    "source": src.name,
                    "kind": src.kind,
                    "text": f"imported from {src.name} ({src.kind})",
                }
            )
        return out


def identification_counts(review: ReviewHandle) -> dict[str, Any]:
    """Records identified per PRISMA column: databases vs other methods (by source kind)."""
    with review.session() as session:
        rows = session.execute(
            select(Source.kind, func.count(Record.id))
            .join(Record, Record.source_id == Source.id)
            .where(Source.review_id == review.review_id)
            .group_by(Source.kind)
        ).all()
    by_kind = {kind: n for kind, n in rows}
    other = {k: n for k, n in sorted(by_kind.items()) if k != "database"}
    return {"databases": by_kind.get("database", 0), "other_methods": other, "other_methods_total": sum(other.values())}


def seed_contributions(review: ReviewHandle) -> list[dict[str, Any]]:
    """How many records each seed contributed, per direction (the report's identification).

    One dict per (seed, direction): ``seed_openalex_id``, ``seed_record_id``,
    ``seed_title`` (when the seed is a record of the review), ``direction``
    and ``records`` (distinct records found that way; a record found from
    several seeds counts for each).  Ordered by seed, backward before forward.
    """
    link = CitationLink
    with review.session() as session:
        rows = session.execute(
            select(
                link.seed_openalex_id,
                link.direction,
                func.min(link.seed_record_id),
                func.count(func.distinct(link.record_id)),
            )
            .where(link.review_id == review.review_id)
            .group_by(link.seed_openalex_id, link.direction)
        ).all()
        seed_ids = {rid for _, _, rid, _ in rows if rid is not None}
        titles = (
            dict(session.execute(select(Record.id, Record.title).where(Record.id.in_(seed_ids))).all())
            if seed_ids
            else {}
        )
    out = [
        {
            "seed_openalex_id": seed,
            "seed_record_id": rid,
            "seed_title": titles.get(rid) if rid else None,
            "direction": direction,
            "records": int(n),
        }
        for seed, direction, rid, n in rows
    ]
    out.sort(
        key=lambda r: (
            r["seed_record_id"] is None,
            r["seed_record_id"] or 0,
            r["seed_openalex_id"],
            r["direction"] != "backward",
        )
    )
    return out


def network_searches(review: ReviewHandle) -> list[dict[str, Any]]:
    """The review's chases and hand searches (sources of kind ``citation`` or ``hand_search``), oldest first.

    One dict per source: ``id``, ``name``, ``kind``, ``records`` (records it
    holds), ``imported_at`` and ``details`` (what the chase or search stored:
    direction, depth, seeds, journal, terms, dates, where the works came
    from, counts).
    """
    with review.session() as session:
        rows = session.execute(
            select(Source.id, Source.name, Source.kind, Source.imported_at, Source.details, func.count(Record.id))
            .join(Record, Record.source_id == Source.id, isouter=True)
            .where(Source.review_id == review.review_id, Source.kind.in_(("citation", "hand_search")))
            .group_by(Source.id)
            .order_by(Source.id)
        ).all()
    return [
        {
            "id": sid,
            "name": name,
            "kind": kind,
            "imported_at": at.isoformat(timespec="seconds") if at else None,
            "details": dict(details or {}),
            "records": int(n),
        }
        for sid, name, kind, at, details, n in rows
    ]
