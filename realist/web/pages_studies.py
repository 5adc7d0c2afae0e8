"""Study pages, CMO configurations and the programme theory (issue 11, items 3 and 4).

Each handler: who is asking, open the review as them, check their role, call
the library, render.  Writers (owners and reviewers) edit; viewers read;
making studies from the included records is for owners.  The programme
theory graph is an SVG drawn on the server from the library's layout
(:mod:`realist.report.theory_layout`): every node and edge is a link that
shows the studies and excerpts behind it, and a table says the same.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import accounts
from ..appraise.rigour import LEVELS, quality_appraisal, rigour_summary
from ..appraise.store import (
    JUDGEMENTS,
    appraise_language,
    language_in_context,
    language_summary,
    lexicon_for,
    record_judgement,
)
from ..code.cmoc import (
    ROLES,
    STANCES,
    add_cmoc,
    get_cmoc,
    list_cmocs,
    programme_theory,
    theory_evidence,
    update_cmoc,
)
from ..code.codebook import load_codebook
from ..code.coding import list_codings
from ..code.studies import get_study, link_record, list_studies, studies_from_included, update_study
from ..errors import InvalidInput, RealistError
from ..inventory import list_records
from ..report.theory_layout import theory_layout
from .pages import _Page

__all__ = ["router"]

router = APIRouter()
OptForm = Annotated[str | None, Form()]
ListForm = Annotated[list[str] | None, Form()]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _with_message(url: str, message: str) -> str:
    """``url`` with ``?message=...`` (before its ``#fragment``, if any)."""
    path, sep, fragment = url.partition("#")
    return f"{path}?{urlencode({'message': message})}{sep}{fragment}"


def _can_write(page: _Page) -> bool:
    return page.member.role.can_write


def _whole_number(name: str, value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"-?\d+", text):
        raise InvalidInput(f"{name} must be a whole number, not {text!r}")
    return int(text)


def _words(value: str | None) -> list[str] | None:
    """A comma- or space-separated list; None when blank (the field is left as it is)."""
    items = [w for w in re.split(r"[,;\s]+", value or "") if w]
    return items or None


def _years(value: str | None) -> list[int] | None:
    words = _words(value)
    if words is None:
        return None
    bad = [w for w in words if not re.fullmatch(r"\d{4}", w)]
    if bad:
        raise InvalidInput(f"data years must be four-digit years separated by commas: {', '.join(bad)}")
    return [int(w) for w in words]


# ---------------------------------------------------------------- studies


@router.get("/reviews/{review_id}/studies", response_class=HTMLResponse)
def studies_page(request: Request, review_id: int, message: str | None = None) -> Response:
    page = _Page(request, review_id)
    review = page.review
    studies = list_studies(review)
    language = {row["study_id"]: row for row in language_summary(review)}
    rigour = {row["study_id"]: row for row in rigour_summary(review)}
    cmocs = Counter(c.study_id for c in list_cmocs(review, level="study"))
    return page.render(
        "studies_list.html",
        studies=studies,
        language=language,
        rigour=rigour,
        cmoc_counts=cmocs,
        statements=len(list_cmocs(review, level="review")),
        quality=quality_appraisal(review.protocol()),
        message=message,
        can_write=_can_write(page),
        is_owner=page.member.role is accounts.Role.owner,
    )


@router.post("/reviews/{review_id}/studies/from-included")
def studies_from_included_post(request: Request, review_id: int, csrf_token: OptForm = None) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role is accounts.Role.owner, "make studies from the included records")
    created = studies_from_included(page.review)
    return _see_other(
        _with_message(f"/reviews/{review_id}/studies", f"{len(created)} studies made from the included records")
    )


def _study_page(
    page: _Page, study: str, *, status_code: int = 200, error: str | None = None, message: str | None = None
) -> HTMLResponse:
    review = page.review
    info = get_study(review, study)
    records = list_records(review, ids=info.record_ids) if info.record_ids else []
    quality = quality_appraisal(review.protocol())
    rigour = next((r for r in rigour_summary(review) if r["study_id"] == info.id), None)
    codings = list_codings(review, study=info.id)
    response = page.render(
        "studies_study.html",
        study=info,
        records=records,
        language=language_in_context(review, info.id),
        language_dominance=lexicon_for(review.protocol())[1]["dominance"],
        judgements=JUDGEMENTS,
        quality=quality,
        rigour=rigour,
        levels=LEVELS,
        cmocs=list_cmocs(review, study=info.id),
        codings=len(codings),
        excerpts=len({c.excerpt.id for c in codings if c.excerpt}),
        can_write=_can_write(page),
        error=error,
        message=message,
    )
    response.status_code = status_code
    return response


@router.get("/reviews/{review_id}/studies/{study}", response_class=HTMLResponse)
def study_page(request: Request, review_id: int, study: str, message: str | None = None) -> Response:
    page = _Page(request, review_id)
    return _study_page(page, study, message=message)


def _study_url(review_id: int, study_id: int) -> str:
    return f"/reviews/{review_id}/studies/{study_id}"


@router.post("/reviews/{review_id}/studies/{study}", response_class=HTMLResponse)
def study_update(
    request: Request,
    review_id: int,
    study: str,
    key: OptForm = None,
    label: OptForm = None,
    design: OptForm = None,
    countries: OptForm = None,
    data_years: OptForm = None,
    ref_number: OptForm = None,
    year: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, _can_write(page), "edit studies")
    target = get_study(page.review, study)
    try:
        fields = {
            "key": (key or "").strip() or None,
            "label": (label or "").strip() or None,
            "design": (design or "").strip() or None,
            "countries": _words(countries),
            "data_years": _years(data_years),
            "ref_number": _whole_number("reference number", ref_number),
            "year": _whole_number("year", year),
        }
        given = {k: v for k, v in fields.items() if v is not None}
        if not given:
            return _see_other(_with_message(_study_url(review_id, target.id), "nothing to change"))
        info = update_study(page.review, target.id, **given)
    except InvalidInput as exc:
        return _study_page(page, str(target.id), status_code=400, error=str(exc))
    return _see_other(_with_message(_study_url(review_id, info.id), "characteristics saved"))


@router.post("/reviews/{review_id}/studies/{study}/link", response_class=HTMLResponse)
def study_link(
    request: Request, review_id: int, study: str, record_id: OptForm = None, csrf_token: OptForm = None
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, _can_write(page), "link records to studies")
    target = get_study(page.review, study)
    try:
        rid = _whole_number("record id", record_id)
        if rid is None:
            raise InvalidInput("give the id of the record to link (see the Records page)")
        link_record(page.review, target.id, rid)
    except RealistError as exc:
        return _study_page(page, str(target.id), status_code=400, error=str(exc))
    return _see_other(_with_message(_study_url(review_id, target.id), f"record {rid} linked"))


@router.post("/reviews/{review_id}/studies/{study}/language")
def study_language_run(request: Request, review_id: int, study: str, csrf_token: OptForm = None) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, _can_write(page), "appraise language")
    target = get_study(page.review, study)
    appraise_language(page.review, target.id)
    return _see_other(_with_message(_study_url(review_id, target.id) + "#language", "language appraised"))


@router.post("/reviews/{review_id}/studies/{study}/language/judgement", response_class=HTMLResponse)
def study_language_judge(
    request: Request,
    review_id: int,
    study: str,
    classification: OptForm = None,
    note: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, _can_write(page), "judge language")
    target = get_study(page.review, study)
    try:
        record_judgement(page.review, target.id, (classification or "").strip(), (note or "").strip() or None)
    except InvalidInput as exc:
        return _study_page(page, str(target.id), status_code=400, error=str(exc))
    return _see_other(_with_message(_study_url(review_id, target.id), "language judgement saved"))


@router.post("/reviews/{review_id}/studies/{study}/rigour", response_class=HTMLResponse)
def study_rigour(
    request: Request,
    review_id: int,
    study: str,
    relevance: OptForm = None,
    rigour: OptForm = None,
    note: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    from ..appraise.rigour import record_rigour

    page = _Page(request, review_id)
    page.write(csrf_token, _can_write(page), "judge relevance and rigour")
    target = get_study(page.review, study)
    try:
        if not (note or "").strip():
            raise InvalidInput("write a justification for the relevance and rigour judgement")
        record_rigour(page.review, target.id, relevance or "", rigour or "", note.strip() if note else None)
    except InvalidInput as exc:
        return _study_page(page, str(target.id), status_code=400, error=str(exc))
    return _see_other(_with_message(_study_url(review_id, target.id), "relevance and rigour saved"))


# ---------------------------------------------------------------- CMO configurations


def _builder(
    page: _Page, study: str, *, status_code: int = 200, error: str | None = None, chosen: dict[str, Any] | None = None
) -> HTMLResponse:
    review = page.review
    info = get_study(review, study)
    codebook = load_codebook(review)
    codes = {role: [c for c in codebook if c.kind == role and c.codable] for role in ROLES}
    excerpts: dict[int, dict[str, Any]] = {}
    for coding in list_codings(review, study=info.id):
        if coding.excerpt is None:
            continue
        entry = excerpts.setdefault(coding.excerpt.id, {"excerpt": coding.excerpt, "codes": [], "kinds": set()})
        entry["codes"].append(coding.code_name or coding.code)
        if coding.kind:
            entry["kinds"].add(coding.kind)
    response = page.render(
        "cmoc_new.html",
        study=info,
        roles=ROLES,
        codes=codes,
        excerpts=list(excerpts.values()),
        stances=STANCES,
        error=error,
        chosen=chosen or {},
        can_write=_can_write(page),
    )
    response.status_code = status_code
    return response


@router.get("/reviews/{review_id}/studies/{study}/cmocs/new", response_class=HTMLResponse)
def cmoc_new(request: Request, review_id: int, study: str) -> Response:
    page = _Page(request, review_id)
    page.member.require(_can_write(page), "build CMO configurations")
    return _builder(page, study)


@router.post("/reviews/{review_id}/studies/{study}/cmocs", response_class=HTMLResponse)
def cmoc_add(
    request: Request,
    review_id: int,
    study: str,
    intervention: OptForm = None,
    context: OptForm = None,
    mechanism: OptForm = None,
    outcome: OptForm = None,
    excerpts_intervention: ListForm = None,
    excerpts_context: ListForm = None,
    excerpts_mechanism: ListForm = None,
    excerpts_outcome: ListForm = None,
    statement: OptForm = None,
    memo: OptForm = None,
    stance: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, _can_write(page), "build CMO configurations")
    target = get_study(page.review, study)
    picked = {"intervention": intervention, "context": context, "mechanism": mechanism, "outcome": outcome}
    chosen_excerpts = {
        "intervention": excerpts_intervention or [],
        "context": excerpts_context or [],
        "mechanism": excerpts_mechanism or [],
        "outcome": excerpts_outcome or [],
    }
    codes = {r: (v or "").strip() for r, v in picked.items()}
    chosen: dict[str, Any] = {
        "codes": codes,
        "excerpts": chosen_excerpts,
        "statement": statement or "",
        "memo": memo or "",
        "stance": stance or "supports",
    }
    try:
        evidence: dict[str, list[str]] = {}
        for role, ids in chosen_excerpts.items():
            code = codes[role]
            if ids and not code:
                raise InvalidInput(f"excerpts were chosen for the {role} but no {role} code")
            if ids:
                evidence.setdefault(code, []).extend(ids)
        add_cmoc(
            page.review,
            target.id,
            intervention=codes["intervention"],
            context=codes["context"] or (),
            mechanism=codes["mechanism"],
            outcome=codes["outcome"],
            statement=(statement or "").strip(),
            memo=(memo or "").strip() or None,
            excerpts=evidence,
            stance=(stance or "supports").strip(),
        )
    except RealistError as exc:
        return _builder(page, str(target.id), status_code=400, error=str(exc), chosen=chosen)
    return _see_other(_with_message(_study_url(review_id, target.id) + "#cmocs", "CMO configuration saved"))


def _cmocs_page(
    page: _Page, *, status_code: int = 200, error: str | None = None, chosen: dict[str, Any] | None = None
) -> HTMLResponse:
    cmocs = list_cmocs(page.review)
    codebook = load_codebook(page.review)
    response = page.render(
        "cmoc_list.html",
        study_cmocs=[c for c in cmocs if c.study_id is not None],
        statements=[c for c in cmocs if c.study_id is None],
        roles=ROLES,
        codes={role: [c for c in codebook if c.kind == role and c.codable] for role in ROLES},
        can_write=_can_write(page),
        error=error,
        chosen=chosen or {},
    )
    response.status_code = status_code
    return response


@router.get("/reviews/{review_id}/cmocs", response_class=HTMLResponse)
def cmocs_page(request: Request, review_id: int) -> Response:
    return _cmocs_page(_Page(request, review_id))


@router.post("/reviews/{review_id}/cmocs", response_class=HTMLResponse)
def statement_add(
    request: Request,
    review_id: int,
    intervention: ListForm = None,
    context: ListForm = None,
    mechanism: ListForm = None,
    outcome: ListForm = None,
    based_on: ListForm = None,
    statement: OptForm = None,
    memo: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    """A review-level programme theory statement: codes of each role, based on study CMOCs."""
    page = _Page(request, review_id)
    page.write(csrf_token, _can_write(page), "write programme theory statements")
    roles = {"intervention": intervention, "context": context, "mechanism": mechanism, "outcome": outcome}
    chosen: dict[str, Any] = {
        "codes": {r: [v for v in (values or []) if v] for r, values in roles.items()},
        "based_on": [b for b in (based_on or []) if b],
        "statement": statement or "",
        "memo": memo or "",
    }
    try:
        based = [_whole_number("based on", b) for b in chosen["based_on"]]
        info = add_cmoc(
            page.review,
            None,
            intervention=chosen["codes"]["intervention"],
            context=chosen["codes"]["context"],
            mechanism=chosen["codes"]["mechanism"],
            outcome=chosen["codes"]["outcome"],
            statement=(statement or "").strip(),
            memo=(memo or "").strip() or None,
            based_on=[b for b in based if b is not None],
        )
    except RealistError as exc:
        return _cmocs_page(page, status_code=400, error=str(exc), chosen=chosen)
    return _see_other(_with_message(f"/reviews/{review_id}/cmocs/{info.id}", "statement saved"))


@router.get("/reviews/{review_id}/cmocs/{cmoc_id}", response_class=HTMLResponse)
def cmoc_page(request: Request, review_id: int, cmoc_id: int, message: str | None = None) -> Response:
    page = _Page(request, review_id)
    return _cmoc_page(page, cmoc_id, message=message)


def _cmoc_page(
    page: _Page, cmoc_id: int, *, status_code: int = 200, error: str | None = None, message: str | None = None
) -> HTMLResponse:
    cmoc = get_cmoc(page.review, cmoc_id)
    from ..code.coding import list_excerpts

    ids = {eid for els in cmoc.elements.values() for e in els for eid in e["excerpt_ids"]}
    excerpts = {e.id: e for e in list_excerpts(page.review, study=cmoc.study_id)} if ids and cmoc.study_id else {}
    response = page.render(
        "cmoc_edit.html",
        cmoc=cmoc,
        roles=ROLES,
        stances=STANCES,
        excerpts=excerpts,
        can_write=_can_write(page),
        error=error,
        message=message,
    )
    response.status_code = status_code
    return response


@router.post("/reviews/{review_id}/cmocs/{cmoc_id}", response_class=HTMLResponse)
def cmoc_update(
    request: Request,
    review_id: int,
    cmoc_id: int,
    statement: OptForm = None,
    memo: OptForm = None,
    stance: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, _can_write(page), "edit CMO configurations")
    try:
        update_cmoc(page.review, cmoc_id, statement=statement, memo=memo, stance=stance or None)
    except InvalidInput as exc:
        return _cmoc_page(page, cmoc_id, status_code=400, error=str(exc))
    return _see_other(_with_message(f"/reviews/{review_id}/cmocs/{cmoc_id}", "CMO configuration saved"))


# ---------------------------------------------------------------- programme theory


def _link(value: str) -> tuple[str, str]:
    role, sep, code = value.partition(":")
    if not sep or role not in ROLES or not code:
        raise InvalidInput(f"{value!r}: name a node as ROLE:CODE (roles: {', '.join(ROLES)})")
    return role, code


@router.get("/reviews/{review_id}/theory", response_class=HTMLResponse)
def theory_page(request: Request, review_id: int, node: str | None = None, edge: str | None = None) -> Response:
    page = _Page(request, review_id)
    review = page.review
    names = {c.id: c.name for c in load_codebook(review)}
    cmocs = list_cmocs(review)
    layout = theory_layout((c.study_key, {r: c.codes(r) for r in ROLES}) for c in cmocs)
    scene = layout.scene(names=names)
    selected: list[tuple[str, str]] = []
    if node:
        selected = [_link(node)]
    elif edge:
        parts = edge.split(",")
        if len(parts) != 2:
            raise InvalidInput(f"{edge!r}: name an edge as ROLE:CODE,ROLE:CODE")
        selected = [_link(p) for p in parts]
    evidence = theory_evidence(review, selected) if selected else None
    return page.render(
        "theory.html",
        scene=scene,
        theory=programme_theory(review),
        names=names,
        selected=[{"role": r, "code": c, "name": names.get(c, c)} for r, c in selected],
        evidence=evidence,
        node=node,
        edge=edge,
    )
