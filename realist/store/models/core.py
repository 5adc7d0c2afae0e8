"""Core tables: the review, its event log, sources, records, duplicate
links, screening (assignments, decisions, resolutions), studies and
citation provenance (migrations 0001-0003)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

__all__ = [
    "Review",
    "Event",
    "Source",
    "Record",
    "DuplicateLink",
    "Assignment",
    "Decision",
    "Resolution",
    "Study",
    "CitationLink",
]


class Review(Base):
    """One review project."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Event(Base):
    """Append-only audit log: who did what, when.  Never updated or deleted."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_review_id_id", "review_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str | None] = mapped_column(String(100))
    entity_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Source(Base):
    """Where records came from: one imported file, chase, or hand search.

    ``kind`` is ``database``, ``citation``, ``hand_search`` or ``other``
    (PRISMA: the first counts under databases and registers, the rest under
    other methods).  ``details`` keeps provenance such as a chase's seeds and
    direction or a hand search's journal, terms and dates.
    """

    __tablename__ = "source"
    __table_args__ = (Index("ix_source_review_id_sha256", "review_id", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    records: Mapped[list[Record]] = relationship(back_populates="source")


class Record(Base):
    """One bibliographic item: raw fields as imported plus normalised fields.

    Records are never deleted.  A duplicate points at its canonical record
    through ``duplicate_of_id``.
    """

    __tablename__ = "record"
    __table_args__ = (
        Index("ix_record_review_id_doi", "review_id", "doi"),
        Index("ix_record_review_id_duplicate_of_id", "review_id", "duplicate_of_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    position: Mapped[int]
    source_record_id: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    title: Mapped[str | None] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[Any]] = mapped_column(default=list)
    year: Mapped[int | None]
    journal: Mapped[str | None] = mapped_column(Text)
    volume: Mapped[str | None] = mapped_column(Text)
    issue: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(Text)
    pmid: Mapped[str | None] = mapped_column(Text)
    pmcid: Mapped[str | None] = mapped_column(Text)
    openalex_id: Mapped[str | None] = mapped_column(Text)
    issn: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(Text)
    publication_type: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    referenced_works: Mapped[list[Any]] = mapped_column(default=list)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"))
    study_id: Mapped[int | None] = mapped_column(ForeignKey("study.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    source: Mapped[Source] = relationship(back_populates="records")


class DuplicateLink(Base):
    """A judgement that two records are (or may be) the same report.

    ``status``: ``merged`` (applied: ``record`` points at ``canonical``),
    ``pending`` (uncertain, waits for a person), ``rejected`` (a person said
    they differ; never merged automatically again) or ``undone`` (a merge
    taken back, which also counts as rejected).
    """

    __tablename__ = "duplicate_link"
    __table_args__ = (UniqueConstraint("review_id", "record_id", "other_id", name="uq_duplicate_link_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    other_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    score: Mapped[float]
    status: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    matched_fields: Mapped[list[Any]] = mapped_column(default=list)
    differing_fields: Mapped[list[Any]] = mapped_column(default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    """A record given to a reviewer to screen at a stage."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("review_id", "record_id", "stage", "reviewer", name="uq_assignment_once"),
        Index("ix_assignment_review_id_stage_reviewer", "review_id", "stage", "reviewer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    stage: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(200))
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """One reviewer's include / exclude / maybe on one record at one stage.

    Append-only: a change of mind is a new row and the latest row counts;
    ``retracted`` withdraws the reviewer's decision (undo).
    """

    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("review_id", "record_id", "stage", "reviewer", "at", name="uq_decision_instant"),
        Index("ix_decision_review_id_stage_record_id", "review_id", "stage", "record_id"),
        Index("ix_decision_review_id_stage_reviewer", "review_id", "stage", "reviewer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    stage: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Resolution(Base):
    """A conflict settled by an owner or third reviewer (append-only, latest counts)."""

    __tablename__ = "resolution"
    __table_args__ = (Index("ix_resolution_review_id_stage_record_id", "review_id", "stage", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    stage: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Study(Base):
    """The unit of synthesis: one study, reported by one or more records.

    ``key`` is a short stable label (e.g. ``ayon2017``); ``ref_number`` the
    number a manuscript cites it by, when there is one.  ``countries`` holds
    ISO 3166-1 alpha-3 codes; ``data_years`` the years of data collection.
    """

    __tablename__ = "study"
    __table_args__ = (UniqueConstraint("review_id", "key", name="uq_study_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    key: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text)
    ref_number: Mapped[int | None]
    design: Mapped[str | None] = mapped_column(Text)
    countries: Mapped[list[Any]] = mapped_column(default=list)
    data_years: Mapped[list[Any]] = mapped_column(default=list)
    year: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CitationLink(Base):
    """Provenance of a record found by citation chasing.

    ``direction`` is ``backward`` (the record is in the seed's reference
    list) or ``forward`` (the record cites the seed).  The seed is named by
    its OpenAlex id, and by the review's record when the seed is one.
    """

    __tablename__ = "citation_link"
    __table_args__ = (
        UniqueConstraint("review_id", "record_id", "seed_openalex_id", "direction", name="uq_citation_link_once"),
        Index("ix_citation_link_review_id_seed_record_id", "review_id", "seed_record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    seed_record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"))
    seed_openalex_id: Mapped[str] = mapped_column(String(30))
    direction: Mapped[str] = mapped_column(String(10))
    depth: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
