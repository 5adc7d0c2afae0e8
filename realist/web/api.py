"""The JSON API under ``/api/v1/``: the same operations and permissions as the pages.

Authenticate with the session cookie (then send ``X-CSRF-Token`` on writes)
or a personal token (``Authorization: Bearer TOKEN``, from
``realist user token NAME``).  401 without either; 404 for a review that
does not exist or of which the caller is not a member.  OpenAPI at
``/api/v1/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from .. import accounts
from ..activity import activity
from ..deduplicate.store import pending_pairs
from ..errors import RealistError
from ..inventory import list_records
from ..protocol import STAGES
from ..review import ReviewHandle
from ..screen import decisions as dec
from ..screen.agreement_store import review_agreement
from ..screen.served import next_record
from .auth import check_csrf, open_as_viewer, require_viewer, store_of
from .store import review_ids

__all__ = ["create_api"]


class DecisionIn(BaseModel):
    record_id: int
    decision: str = Field(description="include, exclude or maybe")
    stage: str = "title_abstract"
    reason: str | None = None
    note: str | None = None
    idempotency_key: str | None = Field(
        default=None, max_length=80, description="the same key twice stores one decision"
    )


class ResolutionIn(BaseModel):
    decision: str = Field(description="include or exclude")
    stage: str = "title_abstract"
    reason: str | None = None
    note: str | None = None


def _open(request: Request, review_id: int, *, write: bool = False) -> tuple[ReviewHandle, accounts.Member]:
    viewer, review, member = open_as_viewer(request, review_id)
    if write:
        check_csrf(request, viewer)
    return review, member


def _stage(stage: str) -> str:
    if stage not in STAGES:
        from ..errors import InvalidInput

        raise InvalidInput(f"unknown stage {stage!r}: stages are {', '.join(STAGES)}")
    return stage


def _hidden(review: ReviewHandle, member: accounts.Member, stage: str) -> bool:
    return accounts.screening_withheld(review, member, stage)


def create_api() -> FastAPI:
    api = FastAPI(title="realist API", version="1", openapi_url="/openapi.json", docs_url=None, redoc_url=None)

    @api.exception_handler(RealistError)
    async def user_error(request: Request, exc: RealistError) -> Response:
        from .app import status_of

        return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))

    @api.get("/me")
    def me(request: Request) -> dict[str, Any]:
        """The signed-in account and its reviews."""
        viewer = require_viewer(request)
        store = store_of(request)
        served = review_ids(store)
        reviews = [
            {"id": rid, "uuid": uuid, "title": title, **m.to_dict()}
            for rid, uuid, title, m in accounts.reviews_for(store.engine, viewer.account.id)
            if rid in served
        ]
        return {"name": viewer.account.name, "reviews": reviews}

    @api.get("/reviews")
    def reviews(request: Request) -> list[dict[str, Any]]:
        """The reviews the caller is a member of."""
        viewer = require_viewer(request)
        store = store_of(request)
        served = review_ids(store)
        return [
            {"id": rid, "uuid": uuid, "title": title, "role": m.role.value}
            for rid, uuid, title, m in accounts.reviews_for(store.engine, viewer.account.id)
            if rid in served
        ]

    @api.get("/reviews/{review_id}/progress")
    def progress(request: Request, review_id: int, stage: str = "title_abstract") -> dict[str, Any]:
        """Screening progress; status counts are withheld from non-owners while blinded (and the
        eligible count too while an earlier stage is), decided counts per reviewer are not."""
        review, member = _open(request, review_id)
        out = dec.progress(review, _stage(stage)).to_dict()
        if _hidden(review, member, stage):
            at = STAGES.index(stage)
            upstream = at > 0 and _hidden(review, member, STAGES[at - 1])
            out = {
                "stage": stage,
                "eligible": None if upstream else out["eligible"],  # it would tell the earlier stage's
                "blinded": True,
                "reviewers": {k: v for k, v in out["reviewers"].items()},
            }
        return out

    @api.get("/reviews/{review_id}/agreement")
    def agreement(request: Request, review_id: int, stage: str = "title_abstract") -> dict[str, Any]:
        review, member = _open(request, review_id)
        member.require(not _hidden(review, member, _stage(stage)), "see agreement while screening is blinded")
        return review_agreement(review, stage).to_dict()

    @api.get("/reviews/{review_id}/next")
    def next_(request: Request, review_id: int, stage: str = "title_abstract") -> dict[str, Any]:
        """The caller's next record to screen (from their stored ranking)."""
        review, member = _open(request, review_id)
        member.require(member.role.can_screen, "screen records")
        served = next_record(review, member.name, _stage(stage), compute_if_missing=False)
        if served.stale:
            jobs: Any = request.app.state.jobs
            jobs.submit_refit(review_id, member.account_id, stage)
        record = None
        if served.record_id is not None:
            rows = list_records(review, ids=[served.record_id])
            record = rows[0].to_dict() if rows else None
        return {"record": record, "remaining": served.remaining, "staleness": served.staleness}

    @api.post("/reviews/{review_id}/decisions")
    def decide(request: Request, review_id: int, body: DecisionIn) -> dict[str, Any]:
        """Record the caller's decision on a record."""
        review, member = _open(request, review_id, write=True)
        member.require(member.role.can_screen, "screen records")
        result = dec.decide(
            review,
            body.record_id,
            body.decision,
            reviewer=member.name,
            stage=_stage(body.stage),
            reason=body.reason,
            note=body.note,
            idempotency_key=body.idempotency_key,
        ).to_dict()
        if _hidden(review, member, body.stage):
            result = {k: v for k, v in result.items() if k != "status"}
        return result

    @api.get("/reviews/{review_id}/decisions/{record_id}")
    def visible(request: Request, review_id: int, record_id: int, stage: str = "title_abstract") -> dict[str, Any]:
        """The decisions on a record the caller may see (blinding)."""
        review, member = _open(request, review_id)
        return dec.visible_decisions(review, record_id, reviewer=member.name, stage=_stage(stage))

    @api.get("/reviews/{review_id}/conflicts")
    def conflicts(request: Request, review_id: int, stage: str = "title_abstract") -> list[dict[str, Any]]:
        """Conflicts; the reviewers' decisions only once the stage is unblinded."""
        review, member = _open(request, review_id)
        stage = _stage(stage)
        if _hidden(review, member, stage):
            return []
        blinded = dec.is_blinded(review, stage)
        return [
            {"record_id": s.record_id, "assigned": s.assigned, "decisions": {} if blinded else s.decisions}
            for s in dec.conflicts(review, stage)
        ]

    @api.post("/reviews/{review_id}/conflicts/{record_id}/resolve")
    def resolve(request: Request, review_id: int, record_id: int, body: ResolutionIn) -> dict[str, Any]:
        review, member = _open(request, review_id, write=True)
        member.require(member.can_resolve, "resolve conflicts")
        return dec.resolve(
            review, record_id, body.decision, stage=_stage(body.stage), reason=body.reason, note=body.note
        ).to_dict()

    @api.post("/reviews/{review_id}/decisions/{record_id}/undo")
    def undo(request: Request, review_id: int, record_id: int, stage: str = "title_abstract") -> dict[str, Any]:
        """Withdraw the caller's current decision on a record."""
        review, member = _open(request, review_id, write=True)
        member.require(member.role.can_screen, "screen records")
        dec.retract(review, record_id, reviewer=member.name, stage=_stage(stage))
        return {"record": record_id, "stage": stage, "withdrawn": True}

    @api.get("/reviews/{review_id}/members")
    def members(request: Request, review_id: int) -> list[dict[str, Any]]:
        review, _ = _open(request, review_id)
        return [m.to_dict() for m in accounts.members(review)]

    @api.get("/reviews/{review_id}/activity")
    def activity_(
        request: Request,
        review_id: int,
        action: str | None = None,
        actor: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """The event log, newest first, blinded as for the activity page."""
        review, member = _open(request, review_id)
        entries, total = activity(
            review, member.name, action=action, actor=actor, limit=max(1, min(limit, 500)), offset=max(0, offset)
        )
        return {"total": total, "events": [e.to_dict() for e in entries]}

    @api.get("/reviews/{review_id}/duplicates")
    def duplicates(request: Request, review_id: int) -> list[dict[str, Any]]:
        """Possible duplicate pairs waiting for a person."""
        review, _ = _open(request, review_id)
        return [pair.to_dict() for pair in pending_pairs(review)]

    @api.post("/reviews/{review_id}/duplicates/run")
    def duplicates_run(request: Request, review_id: int) -> dict[str, Any]:
        """Queue deduplication as a job; poll ``/jobs/{job_id}``."""
        _review, member = _open(request, review_id, write=True)
        member.require(member.role.can_deduplicate, "deduplicate records")
        jobs: Any = request.app.state.jobs
        return {"job": jobs.submit_dedup(review_id, member.account_id)}

    @api.get("/reviews/{review_id}/jobs/{job_id}")
    def job(request: Request, review_id: int, job_id: str) -> dict[str, Any]:
        """A job's state (queued, running, done, failed) and its answer."""
        _open(request, review_id)
        jobs: Any = request.app.state.jobs
        found = jobs.job(job_id, review_id)
        if found is None:
            from ..errors import NotFound

            raise NotFound(f"no job {job_id} in this review")
        return {"id": found.id, "kind": found.kind, "state": found.state, "result": found.result, "error": found.error}

    @api.get("/reviews/{review_id}/records")
    def records(
        request: Request,
        review_id: int,
        q: str | None = None,
        source: str | None = None,
        duplicates: str = "include",
        limit: int = 100,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Records as ``realist records --json`` lists them, paginated."""
        review, _ = _open(request, review_id)
        rows = list_records(review, search=q, source=source, duplicates=duplicates)
        limit = max(1, min(limit, 1000))
        return {"total": len(rows), "records": [row.to_dict() for row in rows[offset : offset + limit]]}

    from . import api_team

    api.include_router(api_team.router)

    from .api_coding import register as register_coding

    register_coding(api)
    return api
