"""What is in a review: record listings, exports and per-source / per-stage counts.

``list_records`` is the documented, stable interface behind
``realist records --json``: one :class:`RecordRow` per record with ``id``,
``source``, ``source_record_id``, every normalised field, ``duplicate_of``,
``notices`` / ``retracted`` (notice links and retraction flags) and
``provenance``: how a chased record was found, a list (a record can be found
from several seeds) of ``{"direction", "depth", "seed_openalex_id",
"seed_record_id"}``, empty for records imported from a file
(``RecordRow.to_dict()`` is the JSON object).  ``export_review`` writes the
review's records as RIS, BibTeX, CSV or CSL-JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from .errors import InvalidInput
from .records import NORMALISED_FIELDS, RecordData
from .results import Result
from .review import ReviewHandle
from .store.models import CitationLink, DuplicateLink, Record, Source

__all__ = [
    "RECORD_KEYS",
    "NoticeRef",
    "Provenance",
    "RecordRow",
    "list_records",
    "record_dict",
    "record_row",
    "review_status",
    "ReviewStatus",
    "SourceCount",
    "StageCount",
    "to_record_data",
    "records_data",
    "ExportResult",
    "export_review",
]

RECORD_KEYS: tuple[str, ...] = ("id", "source", "source_kind", "source_record_id", *NORMALISED_FIELDS, "duplicate_of")

DUPLICATE_FILTERS = ("include", "exclude", "only")


@dataclass(frozen=True)
class Provenance(Result):
    """How citation chasing found a record: direction, depth and the seed (OpenAlex id, and record if one)."""

    direction: str
    depth: int
    seed_openalex_id: str
    seed_record_id: int | None


@dataclass(frozen=True)
class RecordRow(Result):
    """One record as listed: where it came from, its normalised fields, its canonical record."""

    id: int
    source: str
    source_kind: str
    source_record_id: str | None
    title: str | None
    abstract: str | None
    authors: list[str] | None
    year: int | None
    journal: str | None
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    pmid: str | None
    pmcid: str | None
    openalex_id: str | None
    issn: str | None
    keywords: list[str] | None
    language: str | None
    publication_type: str | None
    url: str | None
    referenced_works: list[str] | None
    duplicate_of: int | None
    #: how a chased record was found (empty for records imported from a file)
    provenance: list[Provenance] = field(default_factory=list)
    #: notice links (errata, retractions, comments...) about this record or, for a notice, its article
    notices: list[NoticeRef] = field(default_factory=list)
    #: why this record reports a retracted article, or ``None``
    retracted: str | None = None

    def to_record_data(self) -> RecordData:
        """The normalised fields as the plain object exporters take (``raw`` is not listed)."""
        values = {name: getattr(self, name) for name in NORMALISED_FIELDS}
        for name in ("authors", "keywords", "referenced_works"):
            values[name] = list(values[name] or [])
        return RecordData(source_record_id=self.source_record_id, **values)


def record_row(record: Record, source: Source) -> RecordRow:
    """A stored record and its source as a :class:`RecordRow`."""
    values = {name: getattr(record, name) for name in NORMALISED_FIELDS}
    return RecordRow(
        id=record.id,
        source=source.name,
        source_kind=source.kind,
        source_record_id=record.source_record_id,
        duplicate_of=record.duplicate_of_id,
        **values,
    )


def record_dict(record: Record, source: Source) -> dict[str, Any]:
    """A stored record as the JSON object of ``realist records --json``."""
    return record_row(record, source).to_dict()


def to_record_data(record: Record) -> RecordData:
    """A stored record as the plain object importers and exporters use."""
    values = {name: getattr(record, name) for name in NORMALISED_FIELDS}
    return RecordData(
        raw=dict(record.raw or {}),
        source_record_id=record.source_record_id,
        labels=dict(record.labels or {}),
        **values,
    )


def _records_query(
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
) -> Select[Record, Source]:
    if duplicates not in DUPLICATE_FILTERS:
        raise InvalidInput(
            f"duplicates must be one of {', '.join(DUPLICATE_FILTERS)}, not {duplicates!r}", field="duplicates"
        )
    query = (
        select(Record, Source).join(Source, Record.source_id == Source.id).where(Record.review_id == review.review_id)
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
    return query


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
            raise InvalidInput(f"seed {seed!r} is neither an OpenAlex work id (W123...) nor a record id", field="seed")
        where.append(link.seed_openalex_id == openalex)
    return select(link.record_id).where(*where)


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
) -> list[RecordRow]:
    """Records of the review, oldest first, filtered.

    ``duplicates``: ``include`` (all records), ``exclude`` (canonical and
    unique records only) or ``only`` (records that point at a canonical).
    ``search`` matches title or abstract, case-insensitively.  ``ids``
    keeps the listing's order (by id), not the order given.  ``seed``: only
    records found by citation chasing from this seed, named by its OpenAlex
    id (``W123``, any URL form) or its record id in the review.
    """
    query = _records_query(
        review,
        source=source,
        duplicates=duplicates,
        search=search,
        year_from=year_from,
        year_to=year_to,
        ids=ids,
        limit=limit,
        seed=seed,
    )
    with review.session() as session:
        rows = [record_row(rec, src) for rec, src in session.execute(query)]
        links: dict[int, list[Provenance]] = {}
        cited = select(CitationLink).where(CitationLink.review_id == review.review_id).order_by(CitationLink.id)
        if ids is not None:
            cited = cited.where(CitationLink.record_id.in_(ids))
        for link in session.scalars(cited):
            links.setdefault(link.record_id, []).append(
                Provenance(link.direction, link.depth, link.seed_openalex_id, link.seed_record_id)
            )
        if links:
            rows = [replace(row, provenance=links.get(row.id, [])) for row in rows]
        # A few records asked by id (the screening page's one): read only their titles for retraction.
        return _with_notices(session, review.review_id, rows, only=None if ids is None else [r.id for r in rows])


@dataclass(frozen=True)
class NoticeRef(Result):
    """A notice link seen from one record: the other record, the kind, and this record's role."""

    record: int
    kind: str
    role: str  # "notice": ``record`` is a notice about this one; "article": this record is a notice about ``record``


def _with_notices(
    session: Session, review_id: int, rows: list[RecordRow], *, only: list[int] | None = None
) -> list[RecordRow]:
    """Each row with its ``notices`` (links to notices about it, and the article a
    notice concerns) and ``retracted`` (why it is retracted, or ``None``);
    ``only``: the rows' ids, when they are a few of the review's records."""
    from .deduplicate.store import link_kind, notice_link_rows, retracted_records

    links = notice_link_rows(session, review_id)
    retracted = retracted_records(session, review_id, only)
    if not links and not retracted:
        return rows
    about: dict[int, list[NoticeRef]] = {}
    for link in links:
        kind = link_kind(link)
        about.setdefault(link.other_id, []).append(NoticeRef(link.record_id, kind, "notice"))
        about.setdefault(link.record_id, []).append(NoticeRef(link.other_id, kind, "article"))
    return [replace(row, notices=about.get(row.id, []), retracted=retracted.get(row.id)) for row in rows]


def records_data(review: ReviewHandle, *, source: str | None = None, duplicates: str = "exclude") -> list[RecordData]:
    """The review's records as plain :class:`RecordData` (``raw`` and ``labels`` included)."""
    query = _records_query(review, source=source, duplicates=duplicates)
    with review.session() as session:
        return [to_record_data(rec) for rec, _ in session.execute(query)]


@dataclass(frozen=True)
class ExportResult(Result):
    """What :func:`export_review` wrote: the format, how many records, and where (``None``: returned)."""

    format: str
    records: int
    path: str | None
    text: str


def export_review(
    review: ReviewHandle,
    format: str,
    *,
    source: str | None = None,
    duplicates: bool = False,
    path: str | Path | None = None,
) -> ExportResult:
    """The review's records as RIS, BibTeX, CSV or CSL-JSON; written atomically to ``path`` if given.

    Duplicates of another record are left out unless ``duplicates``.
    """
    from .identify.export import export_records

    records = records_data(review, source=source, duplicates="include" if duplicates else "exclude")
    text = export_records(records, format)
    if path is not None:
        from .files import write_atomic

        write_atomic(path, text)
    return ExportResult(format, len(records), None if path is None else str(path), text)


def _as_int(value: str) -> int:
    return int(value) if value.isdigit() else -1


@dataclass(frozen=True)
class SourceCount(Result):
    """One source of a review and how many of its records are duplicates."""

    id: int
    name: str
    kind: str
    format: str | None
    file: str | None
    imported_at: str | None
    records: int
    duplicates: int
    identified_outside: int


@dataclass(frozen=True)
class StageCount(Result):
    """Where one screening stage stands."""

    eligible: int
    included: int
    excluded: int
    conflict: int
    pending: int


@dataclass(frozen=True)
class ReviewStatus(Result):
    """Counts that say where a review stands (``realist status --json``)."""

    title: str
    records: int
    unique: int
    duplicates: int
    pending_duplicate_pairs: int
    sources: list[SourceCount] = field(default_factory=list)
    stages: dict[str, StageCount] = field(default_factory=dict)
    #: record id → why it reports a retracted article (deduplicate.store.retracted_records)
    retracted: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["retracted"] = [{"record": rid, "why": why} for rid, why in sorted(self.retracted.items())]
        return data


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
        pending = (
            session.scalar(
                select(func.count())
                .select_from(DuplicateLink)
                .where(DuplicateLink.review_id == rid, DuplicateLink.status == "pending")
            )
            or 0
        )
        from .deduplicate.store import retracted_records

        retracted = retracted_records(session, rid)
    sources = [
        SourceCount(
            id=sid,
            name=name,
            kind=kind,
            format=fmt,
            file=file_name,
            imported_at=imported_at.isoformat() if imported_at else None,
            records=total,
            duplicates=dups,
            identified_outside=int((details.get(sid, {}).get("outside_tool") or {}).get("identified") or 0),
        )
        for sid, name, kind, fmt, file_name, imported_at, total, dups in rows
    ]
    total = sum(s.records for s in sources)
    dups = sum(s.duplicates for s in sources)
    stages: dict[str, StageCount] = {}
    if total:
        from .screen.decisions import STAGES, progress

        for stage in STAGES:
            counts = progress(review, stage)
            if counts.eligible:
                stages[stage] = StageCount(
                    counts.eligible, counts.included, counts.excluded, counts.conflict, counts.pending
                )
    return ReviewStatus(review.title, total, total - dups, dups, pending, sources, stages, retracted)
