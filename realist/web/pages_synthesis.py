"""The synthesis in the browser, every number a link to its evidence, and the claims check.

Pages (members read; owners and reviewers run claims checks):

``GET /reviews/{id}/synthesis``
    counts of studies per code with citations in the review's citation
    style, a crosstab chosen from a form shown as a heatmap (an HTML table,
    shade classes plus the number), the world map (the report's SVG) with its
    table, tallies by study characteristic, recurring CMO configurations and
    the language appraisal.
``GET /reviews/{id}/synthesis/evidence``
    the studies, coded excerpts and CMOCs behind one number
    (:func:`realist.synthesise.evidence.evidence`).
``GET /reviews/{id}/synthesis/map.svg``
    the report's world map of study countries.
``GET|POST /reviews/{id}/synthesis/claims``
    upload a manuscript (DOCX, Markdown, plain text) and see each finding of
    the claims check beside its line.  The file is read in memory and never
    stored: nothing of it outlives the response.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import InvalidInput, RealistError
from ..study import StudyInfo
from ..synthesise.claims import FINDING_KINDS, MANUSCRIPT_SUFFIXES, read_manuscript_bytes
from ..synthesise.evidence import evidence
from ..synthesise.store import check_review_text, gather
from ..synthesise.synth import CHARACTERISTICS, KINDS, synthesise
from .pages import _Page

__all__ = ["router", "MAX_MANUSCRIPT_BYTES"]

router = APIRouter()
OptForm = Annotated[str | None, Form()]

#: Manuscripts are text: 5 MB holds a long review with its tables, and keeps a
#: check (done in memory, in the request) quick.
MAX_MANUSCRIPT_BYTES = 5 * 1024 * 1024
AXES = (*KINDS, *CHARACTERISTICS)
DEFAULT_AXES = ("intervention", "outcome")
HEAT_LEVELS = 4


def _evidence_url(review_id: int, **params: Any) -> str:
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            pairs += [(name, str(v)) for v in value]
        elif value is not None:
            pairs.append((name, str(value)))
    return f"/reviews/{review_id}/synthesis/evidence?" + urlencode(pairs)


def _heat(n: int, maximum: int) -> int:
    """Shade level 0 (no studies) .. HEAT_LEVELS (the most), for the heatmap's classes."""
    if n <= 0 or maximum <= 0:
        return 0
    return max(1, math.ceil(HEAT_LEVELS * n / maximum))


def _heatmap(table: dict[str, Any]) -> dict[str, Any]:
    """The crosstab as a grid of cells (row by column) with shade levels."""
    cells = {(c["row"], c["column"]): c for c in table["cells"]}
    maximum = max((c["n"] for c in table["cells"]), default=0)
    grid = []
    for r in table["row_values"]:
        line = []
        for c in table["column_values"]:
            cell = cells.get((r["id"], c["id"]))
            n = cell["n"] if cell else 0
            line.append({"column": c, "n": n, "citation": cell["citation"] if cell else "", "heat": _heat(n, maximum)})
        grid.append({"row": r, "cells": line})
    return {"grid": grid, "maximum": maximum, "levels": HEAT_LEVELS}


@router.get("/reviews/{review_id}/synthesis", response_class=HTMLResponse)
def synthesis_page(request: Request, review_id: int, rows: str | None = None, columns: str | None = None) -> Response:
    page = _Page(request, review_id)
    rows_, columns_ = rows or DEFAULT_AXES[0], columns or DEFAULT_AXES[1]
    error = None
    if rows_ not in AXES or columns_ not in AXES:
        error = f"choose rows and columns among: {', '.join(AXES)}"
        rows_, columns_ = DEFAULT_AXES
    data = gather(page.review)
    result = synthesise(data, crosstabs=[(rows_, columns_)])
    table = result["crosstabs"][0]
    kinds = [(kind, [c for c in result["codes"] if c["kind"] == kind]) for kind in KINDS]
    return page.render(
        "synthesis.html",
        synth=result,
        kinds=[(k, codes) for k, codes in kinds if codes],
        table=table,
        heatmap=_heatmap(table),
        axes=AXES,
        rows=rows_,
        columns=columns_,
        error=error,
        ev=lambda **params: _evidence_url(review_id, **params),
        chain=result["settings"]["chain"],
        chain_url=lambda r: _evidence_url(
            review_id, chain=[f"{role}:{r[role]['id']}" for role in result["settings"]["chain"]]
        ),
    )


@router.get("/reviews/{review_id}/synthesis/evidence", response_class=HTMLResponse)
def evidence_page(
    request: Request,
    review_id: int,
    code: str | None = None,
    rows: str | None = None,
    row: str | None = None,
    columns: str | None = None,
    column: str | None = None,
    characteristic: str | None = None,
    value: str | None = None,
    language: str | None = None,
) -> Response:
    page = _Page(request, review_id)
    chain_params = request.query_params.getlist("chain")
    chain = None
    if chain_params:
        chain = {}
        for item in chain_params:
            role, sep, code_id = item.partition(":")
            if not sep:
                raise InvalidInput(f"a chain element is role:code, not {item!r}")
            chain[role] = code_id
    found = evidence(
        page.review,
        code=code,
        rows=rows,
        row=row,
        columns=columns,
        column=column,
        characteristic=characteristic,
        value=value,
        chain=chain,
        language=language,
    )
    back = f"/reviews/{review_id}/synthesis"
    if found["kind"] == "cell":
        back += "?" + urlencode({"rows": rows or "", "columns": columns or ""})
    return page.render("synthesis_evidence.html", found=found, back=back)


def _study_rows(studies: list[StudyInfo]) -> list[Any]:
    from ..report.collect import StudyRow

    names = [f.name for f in fields(StudyInfo)]
    return [StudyRow(**{n: getattr(s, n) for n in names}) for s in studies]


@router.get("/reviews/{review_id}/synthesis/map.svg")
def map_svg(request: Request, review_id: int) -> Response:
    from ..report.plots import map_chart

    page = _Page(request, review_id)
    figure = map_chart(_study_rows(gather(page.review).studies))
    # An image: matplotlib's SVG styles its text inline, and an image runs no script.
    headers = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'", "Cache-Control": "no-store"}
    return Response(figure.svg, media_type="image/svg+xml", headers=headers)


# ---------------------------------------------------------------- claims check

VERDICTS = {
    "count_mismatch": "The stated number differs from the number of studies cited",
    "subset_mismatch": "A subset cites a study its superset did not cite",
    "code_mismatch": "The citations differ from the studies coded with this code",
    "author_mismatch": "The name does not match the cited reference's first author",
    "citation_unresolved": "A citation resolves to no reference",
}


def _claims_context(request: Request) -> dict[str, Any]:
    limit = min(MAX_MANUSCRIPT_BYTES, int(request.app.state.max_upload_bytes))
    return {
        "limit_mb": max(1, limit // (1024 * 1024)),
        "suffixes": MANUSCRIPT_SUFFIXES,
        "verdicts": {k: VERDICTS.get(k, k) for k in FINDING_KINDS},
    }


@router.get("/reviews/{review_id}/synthesis/claims", response_class=HTMLResponse)
def claims_form(request: Request, review_id: int) -> Response:
    page = _Page(request, review_id)
    return page.render(
        "synthesis_claims.html", report=None, error=None, numbering="manuscript", **_claims_context(request)
    )


def _lines(text: str, findings: list[Any]) -> list[dict[str, Any]]:
    by_line: dict[int, list[Any]] = {}
    for f in findings:
        by_line.setdefault(f.line, []).append(f)
    return [
        {"number": i, "text": line, "findings": by_line.get(i, [])}
        for i, line in enumerate(text.splitlines(), start=1)
        if line.strip() or i in by_line
    ]


@router.post("/reviews/{review_id}/synthesis/claims", response_class=HTMLResponse)
async def claims_check(
    request: Request,
    review_id: int,
    manuscript: UploadFile | None = None,
    numbering: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = await run_in_threadpool(_Page, request, review_id)
    page.write(csrf_token, page.member.role.can_write, "run a claims check")
    context = _claims_context(request)
    limit = min(MAX_MANUSCRIPT_BYTES, int(request.app.state.max_upload_bytes))
    numbering_ = numbering or "manuscript"
    name = (manuscript.filename if manuscript else None) or ""
    try:
        if numbering_ not in ("manuscript", "review"):
            raise InvalidInput(f"numbering must be 'manuscript' or 'review', not {numbering_!r}")
        if manuscript is None or not name:
            raise InvalidInput("choose a manuscript file to check (DOCX, Markdown or plain text)")
        data = await manuscript.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(f"{name} is larger than the limit of {context['limit_mb']} MB for a manuscript")
        text = read_manuscript_bytes(data, name)
        report = await run_in_threadpool(check_review_text, page.review, text, numbering=numbering_)
    except RealistError as exc:
        return page.render(
            "synthesis_claims.html", status_code=400, report=None, error=str(exc), numbering=numbering_, **context
        )
    return page.render(
        "synthesis_claims.html",
        report=report,
        filename=name,
        lines=_lines(text, report.findings),
        error=None,
        numbering=numbering_,
        **context,
    )
