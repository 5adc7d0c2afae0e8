"""What is in a review: record listings and per-source / per-stage counts.

``list_records`` is the documented, stable interface behind
``realist records --json``: one dict per record with ``id``, ``source``,
``source_record_id``, every normalised field, ``duplicate_of`` and
``provenance``: how a chased record was found, a list (a record can be found
from several seeds) of ``{"direction", "depth", "seed_openalex_id",
"seed_record_id"}``, empty for records imported from a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select

from .errors import InvalidInput
from .records import NORMALISED_FIELDS, RecordData
from .review import ReviewHandle
from .store.models import CitationLink, DuplicateLink, Record, Source

__all__ = ["RECORD_KEYS", "list_records", "record_dict", "review_status", "ReviewStatus", "to_record_data"]

RECORD_KEYS: tuple[str, ...] = ("id", "source", "source_kind", "source_record_id", *NORMALISED_FIELDS, "duplicate_of")

DUPLICATE_FILTERS = ("include", "exclude", "only")


def record_dict(record: Record, source: Source) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record.id,
        "source": source.name,
        "source_kind": source.kind,
        "source_record_id": record.source_record_id,
    }
    for name in NORMALISED_FIELDS:
        out[name] = getattr(record, name)
    out["duplicate_of"] = record.duplicate_of_id
    return out


def to_record_data(record: Record) -> RecordData:
    """A stored record as the plain object importers and exporters use."""
    values = {name: getattr(record, name) for name in NORMALISED_FIELDS}
    return RecordData(
        raw=dict(record.raw or {}),
        source_record_id=record.source_record_id,
        labels=dict(record.labels or {}),
        **values,
    )


def list_records(
    review: ReviewHandle,
    *,
    source: str | None = None,
    duplicates: str = "include",
    search: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    ids: list[int] | None = None,
    limit: int | None = None,
    seed: str | None = None,
) -> list[dict[str, Any]]:
    """Records of the review, oldest first, filtered.

    ``duplicates``: ``include`` (all records), ``exclude`` (canonical and
    unique records only) or ``only`` (records that point at a canonical).
    ``search`` matches title, abstract or authors, case-insensitively.
    ``seed``: only records found by citation chasing from this seed, named
    by its OpenAlex id (``W123``, any URL form) or its record id in the review.
    """
    if duplicates not in DUPLICATE_FILTERS:
        raise InvalidInput(f"--duplicates must be one of {', '.join(DUPLICATE_FILTERS)}")
    query = (
        select(Record, Source)
        .join(Source, Record.source_id == Source.id)
        .where(Record.review_id == review.review_id)
    )
    if source is not None:
        query = query.where(or_(Source.name == source, Source.id == _as_int(source)))
    if duplicates == "exclude":
        query = query.where(Record.duplicate_of_id.is_(None))
    elif duplicates == "only":
        query = query.where(Record.duplicate_of_id.is_not(None))
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(
                func.lower(Record.title).like(pattern),
                func.lower(Record.abstract).like(pattern),
            )
        )
    if year_from is not None:
        query = query.where(Record.year >= year_from)
    if year_to is not None:
        query = query.where(Record.year <= year_to)
    if ids:
        query = query.where(Record.id.in_(ids))
    if seed is not None:
        query = query.where(Record.id.in_(_seed_filter(review, seed)))
    query = query.order_by(Record.id)
    if limit is not None:
        query = query.limit(limit)
    with review.session() as session:
        rows = [record_dict(rec, src) for rec, src in session.execute(query)]
        links: dict[int, list[dict[str, Any]]] = {}
        for link in session.scalars(
            select(CitationLink).where(CitationLink.review_id == review.review_id).order_by(CitationLink.id)
        ):
            links.setdefault(link.record_id, []).append({
                "direction": link.direction,
                "depth": link.depth,
                "seed_openalex_id": link.seed_openalex_id,
                "seed_record_id": link.seed_record_id,
            })
    for row in rows:
        row["provenance"] = links.get(row["id"], [])
    return rows


def _seed_filter(review: ReviewHandle, seed: str) -> Any:
    """The ids of records chased from ``seed`` (an OpenAlex id or a record id), as a subquery."""
    from .records import normalise_openalex_id

    text = seed.strip()
    link = CitationLink.__table__.c
    where = [link.review_id == review.review_id]
    if text.isdigit():
        where.append(link.seed_record_id == int(text))
    else:
        openalex = normalise_openalex_id(text)
        if not openalex:
            raise InvalidInput(
                f"--seed {seed!r} is neither an OpenAlex work id (W123...) nor a record id"
            )
        where.append(link.seed_openalex_id == openalex)
    return select(link.record_id).where(*where)


def _as_int(value: str) -> int:
    return int(value) if value.isdigit() else -1


@dataclass
class ReviewStatus:
    """Counts that say where a review stands."""

    title: str
    records: int
    unique: int
    duplicates: int
    pending_duplicate_pairs: int
    sources: list[dict[str, Any]] = field(default_factory=list)
    stages: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "records": self.records,
            "unique": self.unique,
            "duplicates": self.duplicates,
            "pending_duplicate_pairs": self.pending_duplicate_pairs,
            "sources": self.sources,
            "stages": self.stages,
        }


def review_status(review: ReviewHandle) -> ReviewStatus:
    """Counts per source (records, duplicates among them) and per stage."""
    rid = review.review_id
    with review.session() as session:
        rows = session.execute(
            select(
                Source.id,
                Source.name,
                Source.kind,
                Source.format,
                Source.file_name,
                Source.imported_at,
                func.count(Record.id),
                func.count(Record.duplicate_of_id),
            )
            .join(Record, Record.source_id == Source.id, isouter=True)
            .where(Source.review_id == rid)
            .group_by(Source.id)
            .order_by(Source.id)
        ).all()
        details: dict[int, dict[str, Any]] = dict(
            session.execute(select(Source.id, Source.details).where(Source.review_id == rid)).all()
        )
        pending = session.scalar(
            select(func.count())
            .select_from(DuplicateLink)
            .where(DuplicateLink.review_id == rid, DuplicateLink.status == "pending")
        ) or 0
    sources: list[dict[str, Any]] = [
        {
            "id": sid,
            "name": name,
            "kind": kind,
            "format": fmt,
            "file": file_name,
            "imported_at": imported_at.isoformat() if imported_at else None,
            "records": total,
            "duplicates": dups,
            "identified_outside": int((details.get(sid, {}).get("outside_tool") or {}).get("identified") or 0),
        }
        for sid, name, kind, fmt, file_name, imported_at, total, dups in rows
    ]
    total = sum(s["records"] for s in sources)
    dups = sum(s["duplicates"] for s in sources)
    status = ReviewStatus(review.title, total, total - dups, dups, pending, sources)
    if total:
        from .screen.decisions import STAGES, progress

        for stage in STAGES:
            counts = progress(review, stage)
            if counts["eligible"]:
                status.stages[stage] = {
                    k: counts[k] for k in ("eligible", "included", "excluded", "conflict", "pending")
                }
    return status
