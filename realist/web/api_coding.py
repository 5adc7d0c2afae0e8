"""JSON API for coding (under ``/api/v1``): study texts, excerpts with codes, validations.

The same library calls and permissions as the coding pages
(:mod:`realist.web.pages_coding`): members read; owners and reviewers code
and validate (a coder never validates their own coding: the core refuses).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from ..code import coding as cd
from ..code import studies as st

__all__ = ["register", "CodingIn", "ValidationIn"]


class CodingIn(BaseModel):
    codes: list[str] = Field(description="code ids to apply to the same span")
    start: int | None = Field(default=None, description="start offset (0-based, code points) in the text")
    end: int | None = Field(default=None, description="end offset (exclusive)")
    source: str | None = Field(default=None, description="abstract or fulltext")
    record_id: int | None = Field(default=None, description="which report of the study")
    quote: str | None = Field(default=None, description="find the span by its words instead of offsets")
    excerpt_id: int | None = None
    memo: str | None = None


class ValidationIn(BaseModel):
    verdict: str = Field(description="agree or dispute")
    note: str | None = None


def register(api: FastAPI) -> None:
    """Add the coding endpoints to the API app."""
    from .api import _open

    @api.get("/reviews/{review_id}/studies/{study}/texts")
    def study_texts(request: Request, review_id: int, study: str) -> list[dict[str, Any]]:
        """The texts a study's excerpts point into: offsets are into ``text``; ``pages`` are [page, start, label]."""
        review, _ = _open(request, review_id)
        return [
            {"record_id": t.record_id, "source": t.source, "text": t.text, "pages": t.pages, "file_name": t.file_name}
            for t in st.study_texts(review, study)
        ]

    @api.get("/reviews/{review_id}/studies/{study}/codings")
    def study_codings(request: Request, review_id: int, study: str) -> list[dict[str, Any]]:
        """A study's codings with their excerpts, validations and status (as ``realist code list --json``)."""
        review, _ = _open(request, review_id)
        return [c.to_dict() for c in cd.list_codings(review, study=study)]

    @api.post("/reviews/{review_id}/studies/{study}/codings")
    def code_study(request: Request, review_id: int, study: str, body: CodingIn) -> list[dict[str, Any]]:
        """Apply codes to a span (offsets or quote), an excerpt, or the whole study: all or nothing."""
        review, member = _open(request, review_id, write=True)
        member.require(member.role.can_write, "code studies")
        made = cd.apply_codes(
            review,
            study,
            body.codes,
            coder=member.name,
            memo=body.memo,
            excerpt_id=body.excerpt_id,
            start=body.start,
            end=body.end,
            source=body.source,
            record_id=body.record_id,
            quote=body.quote,
        )
        return [c.to_dict() for c in made]

    @api.post("/reviews/{review_id}/codings/{coding_id}/validations")
    def validate(request: Request, review_id: int, coding_id: int, body: ValidationIn) -> dict[str, Any]:
        """A second coder's verdict on a coding (the latest verdict of each validator counts)."""
        review, member = _open(request, review_id, write=True)
        member.require(member.role.can_write, "validate codings")
        return cd.validate_coding(
            review, coding_id, validator=member.name, verdict=body.verdict, note=body.note
        ).to_dict()

    @api.get("/reviews/{review_id}/coding/agreement")
    def agreement(request: Request, review_id: int) -> list[dict[str, Any]]:
        """Agreement per code: agreed, disputed, unvalidated, proportion agreement."""
        review, _ = _open(request, review_id)
        return [r.to_dict() for r in cd.coding_agreement(review)]
