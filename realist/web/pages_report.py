"""The report page: build the report in the background, download what it wrote,
and answer by hand the checklist items no data can answer.

Who may do what: every member downloads built reports; writers (owners and
reviewers) start a build; owners answer checklist items, because the answers
are stored in the protocol (``report.checklist_answers``), which only owners
edit.  While a screening stage is blinded the report's counts and agreement
are withheld from everyone but owners, as on every other page: only owners
build or download reports then.  The build is :func:`realist.report.build_report`, the function
``realist report`` calls, so the files are the command line's.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ..errors import InvalidInput, NotFound
from ..protocol import STAGES
from ..report.build import REPORT_FORMATS, parse_formats
from ..report.checklists import manual_items, set_checklist_answer
from .jobs import report_builds, report_dir
from .pages import _jobs, _Page, _see_other

__all__ = ["router"]

router = APIRouter()
OptForm = Annotated[str | None, Form()]
STYLES = ("vancouver", "apa")


def _blinded(page: _Page) -> bool:
    """Whether screening aggregates are withheld from this member now (any blinded stage, not an owner)."""
    return any(page.blinded_for_me(stage) for stage in STAGES)


def _require_unblinded(page: _Page, what: str) -> None:
    page.member.require(not _blinded(page), f"{what} while screening is blinded (the report shows its counts)")


@router.get("/reviews/{review_id}/report", response_class=HTMLResponse)
def report_page(request: Request, review_id: int, saved: str | None = None) -> Response:
    page = _Page(request, review_id)
    blinded = _blinded(page)
    return page.render(
        "report.html",
        builds=[] if blinded else report_builds(page.review),
        blinded=blinded,
        items=manual_items(page.review.protocol()),
        formats=REPORT_FORMATS,
        styles=STYLES,
        saved=saved,
    )


@router.post("/reviews/{review_id}/report/build")
def report_build(
    request: Request,
    review_id: int,
    formats: Annotated[list[str] | None, Form()] = None,
    style: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_write, "build the report")
    _require_unblinded(page, "build the report")
    chosen = parse_formats(list(formats or REPORT_FORMATS), REPORT_FORMATS)
    style_ = style or STYLES[0]
    if style_ not in STYLES:
        raise InvalidInput(f"unknown citation style {style_!r}: use {', '.join(STYLES)}")
    job_id = _jobs(request).submit_report(review_id, page.viewer.account.id, list(chosen), style_)
    return _see_other(f"/reviews/{review_id}/jobs/{job_id}")


@router.post("/reviews/{review_id}/report/checklist")
def report_checklist(
    request: Request,
    review_id: int,
    checklist: Annotated[str, Form()] = "",
    item: Annotated[str, Form()] = "",
    answer: Annotated[str, Form()] = "",
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_edit_protocol, "answer checklist items")
    set_checklist_answer(page.review, checklist, item, answer)
    anchor = "".join(c for c in f"{checklist}-{item}" if c.isalnum() or c in "_-")
    return _see_other(f"/reviews/{review_id}/report?" + urlencode({"saved": anchor}) + f"#item-{anchor}")


_TYPES = {".md": "text/markdown; charset=utf-8", ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml"}


@router.get("/reviews/{review_id}/report/builds/{build_id}/{name:path}")
def report_download(request: Request, review_id: int, build_id: str, name: str) -> Response:
    """One file of a finished build, as an attachment; only files the build wrote, by their listed name."""
    page = _Page(request, review_id)
    _require_unblinded(page, "download reports")
    folder = report_dir(page.review, build_id)
    if folder is None:
        raise NotFound(f"no report build {build_id} in this review")
    from .jobs import build_files

    if name not in build_files(folder):
        raise NotFound(f"report build {build_id} has no file {name!r}")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise NotFound(f"report build {build_id} has no file {name!r}")
    suffix = Path(name).suffix.lower()
    media = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media.startswith("text/html"):
        media = "text/html; charset=utf-8"
    safe = "".join(c for c in Path(name).name if c.isalnum() or c in "._-") or "report"
    headers = {
        "Content-Disposition": f'attachment; filename="{safe}"',
        # A downloaded report is a document, never a page of this site: no scripts, no requests.
        "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox",
    }
    return Response(path.read_bytes(), media_type=media, headers=headers)
