"""Store tables of the appraise and code stages (migration 0004).

Full texts attached to records, excerpts (spans of a record's abstract or
full text), codings (a code applied to a study or an excerpt by a coder) and
their validations by a second coder, CMO configurations with their elements
and evidence, and appraisals of studies.  Codes themselves live in the
protocol's codebook and are referred to here by their stable string id.

Append-only where it matters for the audit trail: validations and appraisals
are never updated; the latest row per (coding, validator) or per (study,
kind, method) counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

__all__ = [
    "FullText",
    "Excerpt",
    "Coding",
    "CodingValidation",
    "Cmoc",
    "CmocElement",
    "CmocEvidence",
    "Appraisal",
]


class FullText(Base):
    """The full text of one record: extracted text, page starts and file hash.

    ``pages`` holds ``[page_number, start_offset, label]`` triples in text
    order (``label`` is the PDF's page label, e.g. a journal page, or None).
    One full text per record; one file (by SHA-256) per review.
    """

    __tablename__ = "fulltext"
    __table_args__ = (
        UniqueConstraint("review_id", "record_id", name="uq_fulltext_record"),
        UniqueConstraint("review_id", "sha256", name="uq_fulltext_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    file_name: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    pages: Mapped[list[Any]] = mapped_column(default=list)
    page_count: Mapped[int | None]
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Excerpt(Base):
    """A span ``[start, end)`` of a record's abstract or full text, in a study.

    ``source`` is ``abstract`` or ``fulltext``; ``text`` keeps the quoted span
    as it was when the excerpt was made.
    """

    __tablename__ = "excerpt"
    __table_args__ = (Index("ix_excerpt_review_id_study_id", "review_id", "study_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    source: Mapped[str] = mapped_column(String(20))
    fulltext_id: Mapped[int | None] = mapped_column(ForeignKey("fulltext.id"))
    start: Mapped[int]
    end: Mapped[int]
    page: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Coding(Base):
    """A code applied to a study as a whole (no excerpt) or to an excerpt of it."""

    __tablename__ = "coding"
    __table_args__ = (
        Index("ix_coding_review_id_study_id", "review_id", "study_id"),
        Index("ix_coding_review_id_code", "review_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"))
    code: Mapped[str] = mapped_column(Text)
    excerpt_id: Mapped[int | None] = mapped_column(ForeignKey("excerpt.id"))
    coder: Mapped[str] = mapped_column(String(200))
    memo: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CodingValidation(Base):
    """A second coder's ``agree`` or ``dispute`` on a coding (append-only)."""

    __tablename__ = "coding_validation"
    __table_args__ = (Index("ix_coding_validation_review_id_coding_id", "review_id", "coding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    coding_id: Mapped[int] = mapped_column(ForeignKey("coding.id"))
    validator: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Cmoc(Base):
    """A context–mechanism–outcome configuration.

    With a ``study_id`` it is one study's claim; without one it is a
    review-level programme theory statement (``based_on`` lists the CMOC ids
    it draws on).  ``stance`` is ``supports`` or ``contradicts``.
    """

    __tablename__ = "cmoc"
    __table_args__ = (Index("ix_cmoc_review_id_study_id", "review_id", "study_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    study_id: Mapped[int | None] = mapped_column(ForeignKey("study.id"))
    statement: Mapped[str] = mapped_column(Text)
    memo: Mapped[str | None] = mapped_column(Text)
    stance: Mapped[str] = mapped_column(String(20), default="supports")
    based_on: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CmocElement(Base):
    """One element of a CMOC: a code in a role (intervention, context, mechanism, outcome)."""

    __tablename__ = "cmoc_element"
    __table_args__ = (UniqueConstraint("review_id", "cmoc_id", "role", "code", name="uq_cmoc_element_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    cmoc_id: Mapped[int] = mapped_column(ForeignKey("cmoc.id"))
    role: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(Text)
    stance: Mapped[str] = mapped_column(String(20), default="supports")
    position: Mapped[int] = mapped_column(default=0)


class CmocEvidence(Base):
    """An excerpt that backs one CMOC element."""

    __tablename__ = "cmoc_evidence"
    __table_args__ = (UniqueConstraint("review_id", "element_id", "excerpt_id", name="uq_cmoc_evidence_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    element_id: Mapped[int] = mapped_column(ForeignKey("cmoc_element.id"))
    excerpt_id: Mapped[int] = mapped_column(ForeignKey("excerpt.id"))


class Appraisal(Base):
    """A structured judgement on a study (append-only; the latest per method counts).

    ``kind`` is ``language`` (or a quality checklist's name); ``method`` is
    ``lexicon`` (the tool) or ``person`` (a reviewer's judgement, which takes
    precedence in summaries).  ``details`` holds e.g. the lexicon version.
    """

    __tablename__ = "appraisal"
    __table_args__ = (Index("ix_appraisal_review_id_study_id_kind", "review_id", "study_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"))
    kind: Mapped[str] = mapped_column(String(50))
    method: Mapped[str] = mapped_column(String(20))
    classification: Mapped[str | None] = mapped_column(String(50))
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
