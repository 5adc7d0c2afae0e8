"""The JSON API for what the team pages do: create a review, members, assignment, blinding,
duplicate pairs, imports and each member's highlight terms.  Same permissions as the pages
(401 without a session or token, 404 for non-members, 403 for a role that may not)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from .. import accounts
from ..deduplicate.store import confirm_pair, reject_pair
from ..errors import InvalidInput, NotFound
from ..identify.uploads import Upload
from ..screen import decisions as dec
from .auth import check_csrf, open_as_viewer, require_viewer, store_of

__all__ = ["router"]

router = APIRouter()


class ReviewIn(BaseModel):
    title: str = Field(max_length=500)


class MemberIn(BaseModel):
    name: str
    role: str = Field(description="owner, reviewer or viewer")
    resolver: bool = False


class AssignIn(BaseModel):
    reviewers: list[str]
    stage: str = "title_abstract"
    mode: str = Field(default="balanced", description="balanced, all or single")
    per_record: int = 2
    fraction: float = Field(default=0.0, description="single mode: the share also double-screened (0 to 1)")
    seed: int = 0


class BlindingIn(BaseModel):
    stage: str = "title_abstract"
    blinded: bool


class NoteIn(BaseModel):
    note: str | None = None


class HighlightsIn(BaseModel):
    include: list[str] | None = None
    exclude: list[str] | None = None


def _open(request: Request, review_id: int, *, write: bool = False) -> tuple[Any, accounts.Member]:
    viewer, review, member = open_as_viewer(request, review_id)
    if write:
        check_csrf(request, viewer)
    return review, member


def _stage(stage: str) -> str:
    if stage not in dec.STAGES:
        raise InvalidInput(f"unknown stage {stage!r}: stages are {', '.join(dec.STAGES)}")
    return stage


@router.post("/reviews", status_code=201)
def create_review(request: Request, body: ReviewIn) -> dict[str, Any]:
    """Start a review (on a server that serves a whole database); the caller owns it."""
    viewer = require_viewer(request)
    check_csrf(request, viewer)
    if not body.title.strip():
        raise InvalidInput("give the new review a title")
    handle = store_of(request).create_review(body.title, actor=viewer.account.name)
    member = accounts.add_member(handle, viewer.account.name, accounts.Role.owner.value)
    return {"id": handle.review_id, "uuid": handle.uuid, "title": handle.title, **member.to_dict()}


@router.post("/reviews/{review_id}/members")
def member_add(request: Request, review_id: int, body: MemberIn) -> dict[str, Any]:
    """Add a member, or change a member's role (owners)."""
    review, member = _open(request, review_id, write=True)
    member.require(member.role.can_manage_members, "manage members")
    return accounts.add_member(review, body.name.strip(), body.role, resolver=body.resolver).to_dict()


@router.delete("/reviews/{review_id}/members/{name}")
def member_remove(request: Request, review_id: int, name: str) -> dict[str, Any]:
    review, member = _open(request, review_id, write=True)
    member.require(member.role.can_manage_members, "manage members")
    accounts.remove_member(review, name)
    return {"name": name, "removed": True}


@router.post("/reviews/{review_id}/assign")
def assign(request: Request, review_id: int, body: AssignIn) -> dict[str, Any]:
    """Give the stage's unassigned records to reviewers (owners); records per reviewer."""
    review, member = _open(request, review_id, write=True)
    member.require(member.role.can_assign, "assign records to reviewers")
    screeners = {m.name for m in accounts.members(review) if m.role.can_screen}
    strangers = [name for name in body.reviewers if name not in screeners]
    if strangers:
        raise InvalidInput(f"{', '.join(strangers)}: not an owner or reviewer of this review")
    counts = dec.assign(
        review,
        _stage(body.stage),
        body.reviewers,
        per_record=body.per_record,
        mode=body.mode,
        fraction=body.fraction,
        seed=body.seed,
    )
    return {"stage": body.stage, "assigned": counts, "unassigned": dec.unassigned(review, body.stage)}


@router.post("/reviews/{review_id}/blinding")
def blinding(request: Request, review_id: int, body: BlindingIn) -> dict[str, Any]:
    """Blind or unblind a screening stage (owners)."""
    review, member = _open(request, review_id, write=True)
    member.require(member.role.can_unblind, "blind or unblind screening")
    dec.set_blinded(review, _stage(body.stage), body.blinded)
    return {"stage": body.stage, "blinded": dec.is_blinded(review, body.stage)}


@router.post("/reviews/{review_id}/duplicates/{pair_id}/{verdict}")
def duplicate_verdict(request: Request, review_id: int, pair_id: int, verdict: str, body: NoteIn) -> dict[str, Any]:
    """``confirm`` (the same work: merge) or ``reject`` (different works) a possible pair."""
    review, member = _open(request, review_id, write=True)
    member.require(member.role.can_deduplicate, "deduplicate records")
    if verdict == "confirm":
        confirm_pair(review, pair_id, note=body.note)
    elif verdict == "reject":
        reject_pair(review, pair_id, note=body.note)
    else:
        raise NotFound(f"no action {verdict!r}: use confirm or reject")
    return {"pair": pair_id, "verdict": verdict}


@router.post("/reviews/{review_id}/imports", status_code=202)
async def imports(
    request: Request,
    review_id: int,
    files: Annotated[list[UploadFile], File()],
    source: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "database",
) -> dict[str, Any]:
    """Import exports (multipart ``files``) as a job; poll ``/jobs/{job_id}``.  Nothing is
    imported when any file fails."""
    _review, member = await run_in_threadpool(_open, request, review_id, write=True)
    member.require(member.role.can_import, "import records")
    limit = int(request.app.state.max_upload_bytes)
    uploads = []
    for f in files:
        data = await f.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(f"{f.filename} is larger than the upload limit of {limit // (1024 * 1024)} MB")
        uploads.append(Upload(f.filename or "upload", data))
    jobs: Any = request.app.state.jobs
    job_id = await run_in_threadpool(
        jobs.submit_import, review_id, member.account_id, uploads, source=source.strip() or None, kind=kind
    )
    return {"job": job_id}


@router.get("/reviews/{review_id}/highlights")
def highlights(request: Request, review_id: int) -> dict[str, Any]:
    """The caller's highlight terms, and whether they are their own (else the protocol's)."""
    review, member = _open(request, review_id)
    terms, own = accounts.highlights_for(review, member.name)
    return {**terms, "own": own}


@router.put("/reviews/{review_id}/highlights")
def highlights_set(request: Request, review_id: int, body: HighlightsIn) -> dict[str, Any]:
    """Set the caller's own highlight terms; both null: back to the protocol's terms."""
    review, member = _open(request, review_id, write=True)
    member.require(member.role.can_screen, "screen records")
    accounts.set_highlights(review, member.name, body.include, body.exclude)
    terms, own = accounts.highlights_for(review, member.name)
    return {**terms, "own": own}
