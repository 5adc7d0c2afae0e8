"""Network search in the browser: citation chasing, saved OpenAlex works, hand searches.

A chase or hand search runs as a background job (its page shows the step,
how far it is, and each retry of a request to OpenAlex).  Online it asks
OpenAlex through the review's response cache, with the settings of the
server's ``REALIST_OPENALEX_*`` environment; offline, the works come from
OpenAlex files uploaded with the form (JSON, JSON Lines or .zip, as
``realist chase --from`` and ``realist handsearch --saved`` read them).  The
library stores everything found with its provenance; the page lists the
review's chases and searches and what each seed contributed.  Writers
(owners and reviewers) run them; every member sees the page.  While
screening is blinded, which records are included is an aggregate withheld
from all but owners: others are not offered included records as seeds.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import InvalidInput
from ..inventory import list_records
from ..network.chase import DIRECTIONS, MAX_DEPTH, included_record_ids
from ..network.provenance import identification_counts, network_searches, seed_contributions
from ..protocol import STAGES
from .pages import _jobs, _Page, _see_other

__all__ = ["router"]

router = APIRouter()
OptForm = Annotated[str | None, Form()]
FormStr = Annotated[str, Form()]


@router.get("/reviews/{review_id}/network", response_class=HTMLResponse)
def network_page(request: Request, review_id: int) -> Response:
    page = _Page(request, review_id)
    blinded = _blinded(page)
    included = [] if blinded else included_record_ids(page.review)
    seeds = list_records(page.review, ids=included) if included else []
    return page.render(
        "network.html",
        seeds=seeds,
        blinded=blinded,
        directions=DIRECTIONS,
        max_depth=MAX_DEPTH,
        searches=network_searches(page.review),
        contributions=seed_contributions(page.review),
        counts=identification_counts(page.review),
        limit_mb=request.app.state.max_upload_bytes // (1024 * 1024),
    )


def _blinded(page: _Page) -> bool:
    return any(page.blinded_for_me(stage) for stage in STAGES)


async def _saved(request: Request, files: list[UploadFile] | None) -> list[tuple[str, bytes]]:
    limit = int(request.app.state.max_upload_bytes)
    out = []
    for f in files or []:
        if not f.filename:
            continue
        data = await f.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(f"{f.filename} is larger than the upload limit of {limit // (1024 * 1024)} MB")
        out.append((f.filename, data))
    return out


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


@router.post("/reviews/{review_id}/network/chase")
async def network_chase(
    request: Request,
    review_id: int,
    direction: FormStr = "backward",
    records: Annotated[list[str] | None, Form()] = None,
    seeds: FormStr = "",
    included: OptForm = None,
    depth: FormStr = "1",
    name: FormStr = "",
    saved: list[UploadFile] | None = None,
    csrf_token: OptForm = None,
) -> Response:
    page = await run_in_threadpool(_Page, request, review_id)
    page.write(csrf_token, page.member.role.can_write, "chase citations")
    if direction not in DIRECTIONS:
        raise InvalidInput(f"unknown direction {direction!r}: use backward, forward or both")
    try:
        rounds = int(depth)
    except ValueError:
        raise InvalidInput(f"depth must be a whole number from 1 to {MAX_DEPTH}, not {depth!r}") from None
    chosen = [r.strip() for r in records or [] if r.strip()] + _lines(seeds)
    blinded: bool = await run_in_threadpool(_blinded, page)
    if included and blinded:
        raise InvalidInput("screening is blinded: give the seeds by record id, DOI or OpenAlex id")
    if not chosen and not included:
        raise InvalidInput("choose at least one seed: tick records, give a DOI or OpenAlex id, or chase all included")
    files = await _saved(request, saved)
    options = {"direction": direction, "seeds": chosen, "included": bool(included), "depth": rounds, "name": name}
    job_id = await run_in_threadpool(
        _jobs(request).submit_network, review_id, page.viewer.account.id, "chase", options, files
    )
    return _see_other(f"/reviews/{review_id}/jobs/{job_id}")


@router.post("/reviews/{review_id}/network/handsearch")
async def network_handsearch(
    request: Request,
    review_id: int,
    journal: FormStr = "",
    terms: FormStr = "",
    match: FormStr = "any",
    year_from: FormStr = "",
    year_to: FormStr = "",
    name: FormStr = "",
    saved: list[UploadFile] | None = None,
    csrf_token: OptForm = None,
) -> Response:
    page = await run_in_threadpool(_Page, request, review_id)
    page.write(csrf_token, page.member.role.can_write, "hand search")
    if not journal.strip():
        raise InvalidInput("give the journal to hand search: its name, ISSN or OpenAlex source id (S...)")
    if match not in ("any", "all"):
        raise InvalidInput(f"match must be any or all, not {match!r}")
    files = await _saved(request, saved)
    options = {
        "journal": journal.strip(),
        "terms": _lines(terms),
        "match": match,
        "year_from": year_from.strip(),
        "year_to": year_to.strip(),
        "name": name.strip(),
    }
    job_id = await run_in_threadpool(
        _jobs(request).submit_network, review_id, page.viewer.account.id, "handsearch", options, files
    )
    return _see_other(f"/reviews/{review_id}/jobs/{job_id}")
