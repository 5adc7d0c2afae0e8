"""Team pages: creating a review in the browser, assigning reviewers to stages, and each
member's own highlight terms.  Every handler calls the library."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import accounts
from ..errors import InvalidInput
from ..protocol import STAGES
from ..screen import decisions as dec
from .app import render
from .auth import check_csrf, require_viewer, store_of
from .pages import _Page, _stage
from .store import review_ids

__all__ = ["router"]

router = APIRouter()
FormStr = Annotated[str, Form()]
OptForm = Annotated[str | None, Form()]
MODES = dec.ASSIGN_MODES


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---------------------------------------------------------------- a new review


@router.post("/reviews", response_class=HTMLResponse)
def review_create(request: Request, title: FormStr = "", csrf_token: OptForm = None) -> Response:
    """Any signed-in person may start a review on a server that serves a whole database;
    they become its owner and add the members."""
    viewer = require_viewer(request)
    request.state.viewer = viewer
    check_csrf(request, viewer, csrf_token)
    store = store_of(request)
    try:
        if not title.strip():
            raise InvalidInput("give the new review a title")
        handle = store.create_review(title, actor=viewer.account.name)
    except InvalidInput as exc:
        served = review_ids(store)
        reviews = [r for r in accounts.reviews_for(store.engine, viewer.account.id) if r[0] in served]
        return render(
            request,
            "reviews.html",
            status_code=400,
            reviews=reviews,
            can_create=store.serves_all,
            error=str(exc),
            title=title,
        )
    accounts.add_member(handle, viewer.account.name, accounts.Role.owner.value)
    return _see_other(f"/reviews/{handle.review_id}/members")


# ---------------------------------------------------------------- assignment


def _screeners(page: _Page) -> list[accounts.Member]:
    return [m for m in accounts.members(page.review) if m.role.can_screen]


def _assign_page(page: _Page, stage: str, *, error: str | None = None, form: dict[str, str] | None = None) -> Response:
    progress = dec.progress(page.review, stage)
    response = page.render(
        "assign.html",
        stage=stage,
        progress=progress,
        unassigned=dec.unassigned(page.review, stage),
        screeners=_screeners(page),
        modes=MODES,
        error=error,
        form=form or {},
        saved=page.request.query_params.get("saved") == "1",
        # the records eligible here are the ones included at the stage before
        upstream_hidden=STAGES.index(stage) > 0 and page.blinded_for_me(STAGES[STAGES.index(stage) - 1]),
    )
    if error:
        response.status_code = 400
    return response


@router.get("/reviews/{review_id}/assign", response_class=HTMLResponse)
def assign_page(request: Request, review_id: int, stage: str | None = None) -> Response:
    page = _Page(request, review_id)
    return _assign_page(page, _stage(stage))


@router.post("/reviews/{review_id}/assign", response_class=HTMLResponse)
def assign_save(
    request: Request,
    review_id: int,
    stage: FormStr = STAGES[0],
    reviewers: Annotated[list[str] | None, Form()] = None,
    mode: FormStr = "balanced",
    per_record: FormStr = "2",
    percent: FormStr = "0",
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_assign, "assign records to reviewers")
    stage_ = _stage(stage)
    chosen = reviewers or []
    form = {"mode": mode, "per_record": per_record, "percent": percent, "reviewers": ",".join(chosen)}
    try:
        screeners = {m.name for m in _screeners(page)}
        strangers = [name for name in chosen if name not in screeners]
        if strangers:
            raise InvalidInput(f"{', '.join(strangers)}: not an owner or reviewer of this review")
        if not chosen:
            raise InvalidInput("tick at least one reviewer")
        try:
            per = int(per_record)
        except ValueError:
            raise InvalidInput(f"reviewers per record must be a whole number, not {per_record!r}") from None
        try:
            share = float(percent) / 100
        except ValueError:
            raise InvalidInput(f"the double-screened share must be a percentage, not {percent!r}") from None
        dec.assign(page.review, stage_, chosen, per_record=per, mode=mode, fraction=share)
    except InvalidInput as exc:
        return _assign_page(page, stage_, error=str(exc), form=form)
    return _see_other(f"/reviews/{review_id}/assign?" + urlencode({"stage": stage_, "saved": "1"}))


# ---------------------------------------------------------------- personal highlight terms


@router.post("/reviews/{review_id}/screen/highlights")
def highlights_save(
    request: Request,
    review_id: int,
    stage: FormStr = STAGES[0],
    include: FormStr = "",
    exclude: FormStr = "",
    record: OptForm = None,
    reset: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    """Save the member's own highlight terms (one a line), or go back to the protocol's."""
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_screen, "screen records")
    stage_ = _stage(stage)
    if reset:
        accounts.set_highlights(page.review, page.member.name, None, None)
    else:
        accounts.set_highlights(page.review, page.member.name, include.splitlines(), exclude.splitlines())
    query = {"stage": stage_}
    if record and record.isdigit():
        query["record"] = record
    return _see_other(f"/reviews/{review_id}/screen?" + urlencode(query))
