"""Coding in the browser: the study reader, the codebook page, memos and the second coder.

The reader shows a study's texts exactly as the core stores them
(:func:`realist.code.studies.study_texts`: each report's abstract and
extracted full text, with page starts); a selection becomes an excerpt by
its offsets into that text, so the web stores what ``realist code apply
--excerpt-start --excerpt-end`` stores.  Without JavaScript the same form
takes a quote, which the core finds.  Handlers call the library only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from ..code import codebook as cb
from ..code import coding as cd
from ..code import studies as st
from ..code.qdc import codebook_to_qdc
from ..errors import ImportFormatError, InvalidInput
from ..fulltext import add_fulltext_bytes, fulltext_file, get_fulltext
from .pages import _Page, _see_other

__all__ = ["router", "Segment", "segments"]

router = APIRouter()
FormStr = Annotated[str, Form()]
OptForm = Annotated[str | None, Form()]


# ---------------------------------------------------------------- text with codings, built from offsets


@dataclass
class Segment:
    """A run of a text: plain, coded (by ``codings``), or a page mark (``page`` set, no text)."""

    start: int
    end: int
    text: str = ""
    codings: list[int] = field(default_factory=list)
    page: int | None = None
    label: str | None = None

    @property
    def html(self) -> Markup:
        """The text escaped; a carriage return as ``&#13;`` so the browser keeps it (offsets stay true)."""
        return Markup(str(escape(self.text)).replace("\r", "&#13;"))


def segments(text: str, pages: list[Any], spans: list[tuple[int, int, int]]) -> list[Segment]:
    """``text`` cut at page starts and coded spans ``(start, end, coding_id)``, in order.

    Each text segment lists the codings that cover all of it; a page mark
    comes before the first segment of its page.  The cuts come from the
    stored offsets, so what is shown highlighted is exactly what is stored.
    """
    n = len(text)
    cuts = {0, n}
    starts: dict[int, tuple[int, str | None]] = {}
    for number, start, *rest in pages or []:
        if 0 <= int(start) <= n:
            cuts.add(int(start))
            starts[int(start)] = (int(number), (str(rest[0]) if rest and rest[0] is not None else None))
    clipped = [(max(0, s), min(n, e), cid) for s, e, cid in spans if s < e]
    for s, e, _ in clipped:
        cuts.update((s, e))
    ordered = sorted(cuts)
    out: list[Segment] = []
    for a, b in zip(ordered, ordered[1:] + [None], strict=True):
        if a in starts:
            number, label = starts[a]
            out.append(Segment(a, a, page=number, label=label))
        if b is None or a >= b:
            continue
        covering = [cid for s, e, cid in clipped if s <= a and b <= e]
        out.append(Segment(a, b, text[a:b], covering))
    return out


def _writer(page: _Page) -> bool:
    return page.member.role.can_write


def _back(review_id: int, study: str, anchor: str = "") -> str:
    return f"/reviews/{review_id}/studies/{urlquote(study)}/read" + (f"#{anchor}" if anchor else "")


def _int(value: str | None, what: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number, not {text!r}") from None


# ---------------------------------------------------------------- studies to code


@router.get("/reviews/{review_id}/coding", response_class=HTMLResponse)
def coding_index(request: Request, review_id: int) -> Response:
    """The studies to code, with their codings so far."""
    page = _Page(request, review_id)
    studies = st.list_studies(page.review)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"codings": 0, "mine": 0, "unvalidated": 0, "disputed": 0})
    for info in cd.list_codings(page.review):
        c = counts[info.study_id]
        c["codings"] += 1
        c["mine"] += info.coder == page.member.name
        c["unvalidated"] += info.status == "unvalidated"
        c["disputed"] += info.status == "disputed"
    rows = [{"study": s, **counts[s.id]} for s in studies]
    return page.render("coding_index.html", rows=rows, codebook=cb.load_codebook(page.review), can_code=_writer(page))


@router.post("/reviews/{review_id}/coding/studies")
def coding_make_studies(request: Request, review_id: int, csrf_token: OptForm = None) -> Response:
    """One study per included record (records already in a study are left as they are)."""
    page = _Page(request, review_id)
    page.write(csrf_token, _writer(page), "make studies")
    st.studies_from_included(page.review)
    return _see_other(f"/reviews/{review_id}/coding")


# ---------------------------------------------------------------- the reader


def _texts_for_page(page: _Page, study: str) -> tuple[st.StudyInfo, list[dict[str, Any]], list[cd.CodingInfo]]:
    info = st.get_study(page.review, study)
    texts = st.study_texts(page.review, info.id)
    codings = cd.list_codings(page.review, study=info.id)
    out = []
    for t in texts:
        spans = [
            (c.excerpt.start, c.excerpt.end, c.id)
            for c in codings
            if c.excerpt and c.excerpt.record_id == t.record_id and c.excerpt.source == t.source
        ]
        pdf = False
        if t.source == "fulltext":
            ft = get_fulltext(page.review, t.record_id)
            pdf = bool(ft and ft.media_type == "pdf" and fulltext_file(page.review, t.record_id))
        out.append(
            {
                "text": t,
                "id": f"text-{t.record_id}-{t.source}",
                "segments": segments(t.text, t.pages if t.source == "fulltext" else [], spans),
                "pdf": pdf,
                "length": len(t.text),
            }
        )
    return info, out, codings


def _reader(page: _Page, study: str, *, error: str | None = None, form: dict[str, Any] | None = None) -> HTMLResponse:
    info, texts, codings = _texts_for_page(page, study)
    book = cb.load_codebook(page.review)
    by_excerpt: dict[int | None, list[cd.CodingInfo]] = defaultdict(list)
    for c in codings:
        by_excerpt[c.excerpt.id if c.excerpt else None].append(c)

    def position(item: tuple[int | None, list[cd.CodingInfo]]) -> tuple[int, int, str, int]:
        e = item[1][0].excerpt
        return (0, 0, "", 0) if e is None else (1, e.record_id, e.source, e.start)

    groups = [{"excerpt": items[0].excerpt, "codings": items} for _, items in sorted(by_excerpt.items(), key=position)]
    response = page.render(
        "coding_read.html",
        study=info,
        texts=texts,
        groups=groups,
        codings=codings,
        codebook=book,
        depth={c.id: len(book.ancestors(c.id)) for c in book},
        can_code=_writer(page),
        memo=str(info.details.get("memo") or ""),
        without_fulltext=[
            rid
            for rid in info.record_ids
            if not any(t["text"].record_id == rid and t["text"].source == "fulltext" for t in texts)
        ],
        error=error,
        form=form or {},
    )
    if error:
        response.status_code = 400
    return response


@router.get("/reviews/{review_id}/studies/{study}/read", response_class=HTMLResponse)
def study_read(request: Request, review_id: int, study: str) -> Response:
    """A study's texts with its codings highlighted; select text and code it."""
    return _reader(_Page(request, review_id), study)


@router.post("/reviews/{review_id}/studies/{study}/codings")
def study_code(
    request: Request,
    review_id: int,
    study: str,
    codes: Annotated[list[str] | None, Form()] = None,
    text: OptForm = None,
    start: OptForm = None,
    end: OptForm = None,
    quote: OptForm = None,
    memo: OptForm = None,
    whole: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    """Apply the chosen codes to the selected span (offsets), a quote, or the whole study."""
    page = _Page(request, review_id)
    page.write(csrf_token, _writer(page), "code studies")
    record_id, source = None, None
    if text and ":" in text:
        rid, _, source = text.partition(":")
        record_id = _int(rid, "the text's record")
    s, e = _int(start, "the start offset"), _int(end, "the end offset")
    quoted = (quote or "").strip() or None
    span: dict[str, Any] = {}
    problem = None
    if whole and (s is not None or e is not None or quoted):
        problem = "a passage is selected (or quoted) and 'the whole study' is ticked: choose one"
    elif s is not None or e is not None:
        span = {"start": s, "end": e, "source": source, "record_id": record_id}
    elif quoted:
        span = {"quote": quoted, "source": source, "record_id": record_id}
    elif not whole:
        problem = "select text (or type a quote) to code, or tick 'the whole study'"
    if problem:
        form = {"codes": list(codes or []), "text": text or "", "quote": quote or "", "memo": memo or ""}
        return _reader(page, study, error=problem, form=form)
    try:
        made = cd.apply_codes(
            page.review,
            study,
            list(codes or []),
            coder=page.member.name,
            memo=(memo or "").strip() or None,
            **span,
        )
    except InvalidInput as exc:  # the reader again, with the message and what was typed
        form = {"codes": list(codes or []), "text": text or "", "quote": quote or "", "memo": memo or ""}
        return _reader(page, study, error=str(exc), form=form)
    return _see_other(_back(review_id, study, f"coding-{made[0].id}"))


@router.post("/reviews/{review_id}/studies/{study}/fulltext")
async def study_attach(
    request: Request,
    review_id: int,
    study: str,
    file: UploadFile,
    record_id: Annotated[int, Form()],
    csrf_token: OptForm = None,
) -> Response:
    """Attach a full text (PDF, HTML, text) to one of the study's records, then read it here."""
    from starlette.concurrency import run_in_threadpool

    page = await run_in_threadpool(_Page, request, review_id)
    page.write(csrf_token, page.member.role.can_screen, "attach full texts")
    info = await run_in_threadpool(st.get_study, page.review, study)
    if record_id not in info.record_ids:
        raise InvalidInput(f"record {record_id} is not a report of study {info.key} (its records: {info.record_ids})")
    limit = int(request.app.state.max_upload_bytes)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"{file.filename} is larger than the upload limit of {limit // (1024 * 1024)} MB")
    await run_in_threadpool(add_fulltext_bytes, page.review, record_id, file.filename or "fulltext", data)
    return _see_other(_back(review_id, study))


@router.post("/reviews/{review_id}/studies/{study}/memo")
def study_memo(
    request: Request, review_id: int, study: str, memo: FormStr = "", csrf_token: OptForm = None
) -> Response:
    """The study's memo (kept in its details; the change is in the event log)."""
    page = _Page(request, review_id)
    page.write(csrf_token, _writer(page), "write study memos")
    st.update_study(page.review, study, details={"memo": memo.strip()})
    return _see_other(_back(review_id, study, "study-memo"))


def _next_or(target: str | None, default: str) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else default


@router.post("/reviews/{review_id}/codings/{coding_id}/validate")
def coding_validate(
    request: Request,
    review_id: int,
    coding_id: int,
    verdict: FormStr = "",
    note: OptForm = None,
    next: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    """A second coder agrees with or disputes a coding (not their own: the core refuses)."""
    page = _Page(request, review_id)
    page.write(csrf_token, _writer(page), "validate codings")
    info = cd.validate_coding(
        page.review, coding_id, validator=page.member.name, verdict=verdict, note=(note or "").strip() or None
    )
    return _see_other(_next_or(next, _back(review_id, info.study_key, f"coding-{coding_id}")))


@router.post("/reviews/{review_id}/codings/{coding_id}/memo")
def coding_memo(
    request: Request, review_id: int, coding_id: int, memo: FormStr = "", csrf_token: OptForm = None
) -> Response:
    """The coder changes the memo of their coding."""
    page = _Page(request, review_id)
    page.write(csrf_token, _writer(page), "write coding memos")
    info = cd.set_coding_memo(page.review, coding_id, memo, by=page.member.name)
    return _see_other(_back(review_id, info.study_key, f"coding-{coding_id}"))


# ---------------------------------------------------------------- agreement and disagreements


@router.get("/reviews/{review_id}/coding/agreement", response_class=HTMLResponse)
def coding_agreement_page(request: Request, review_id: int) -> Response:
    """Agreement per code, the disputed codings to discuss, and codings waiting for a second coder."""
    page = _Page(request, review_id)
    me = page.member.name
    codings = cd.list_codings(page.review)
    disputed = [c for c in codings if c.status == "disputed"]
    waiting = [c for c in codings if c.coder != me and not any(v["validator"] == me for v in c.validations)]
    return page.render(
        "coding_agreement.html",
        rows=cd.coding_agreement(page.review),
        disputed=disputed,
        waiting=waiting if _writer(page) else [],
        can_code=_writer(page),
    )


# ---------------------------------------------------------------- the codebook


def _codebook_page(page: _Page, error: str | None = None, status: int = 200) -> Response:
    book = cb.load_codebook(page.review)
    response = page.render(
        "coding_codebook.html",
        codebook=book,
        depth={c.id: len(book.ancestors(c.id)) for c in book},
        usage=cb.code_usage(page.review),
        kinds=cb.KINDS,
        can_edit=page.member.role.can_edit_protocol,
        templates=cb.TEMPLATES,
        error=error,
    )
    response.status_code = status
    return response


@router.get("/reviews/{review_id}/codebook", response_class=HTMLResponse)
def codebook_page(request: Request, review_id: int) -> Response:
    """The code tree; owners add, rename, move and delete codes, import and export files."""
    return _codebook_page(_Page(request, review_id))


def _owner(page: _Page, csrf: str | None) -> None:
    page.write(csrf, page.member.role.can_edit_protocol, "edit the codebook")


@router.post("/reviews/{review_id}/codebook/add")
def codebook_add(
    request: Request,
    review_id: int,
    name: FormStr = "",
    code_id: OptForm = None,
    kind: OptForm = None,
    parent: OptForm = None,
    definition: FormStr = "",
    aliases: FormStr = "",
    group: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    _owner(page, csrf_token)
    try:
        code = cb.add_code(
            page.review,
            name,
            kind=kind or None,
            parent=parent or None,
            code_id=code_id or None,
            definition=definition,
            aliases=aliases or None,
            codable=not group,
        )
    except InvalidInput as exc:
        return _codebook_page(page, str(exc), 400)
    return _see_other(f"/reviews/{review_id}/codebook#code-{code.id}")


@router.post("/reviews/{review_id}/codebook/template")
def codebook_template(
    request: Request, review_id: int, name: FormStr = "realist", csrf_token: OptForm = None
) -> Response:
    page = _Page(request, review_id)
    _owner(page, csrf_token)
    cb.install_template(page.review, name)
    return _see_other(f"/reviews/{review_id}/codebook")


@router.post("/reviews/{review_id}/codebook/import")
async def codebook_import(
    request: Request, review_id: int, file: UploadFile, allow_removal: OptForm = None, csrf_token: OptForm = None
) -> Response:
    from starlette.concurrency import run_in_threadpool

    page = await run_in_threadpool(_Page, request, review_id)
    _owner(page, csrf_token)
    limit = int(request.app.state.max_upload_bytes)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"{file.filename} is larger than the upload limit of {limit // (1024 * 1024)} MB")
    try:
        await run_in_threadpool(
            cb.import_codebook_bytes, page.review, file.filename or "codebook", data, allow_removal=bool(allow_removal)
        )
    except (InvalidInput, ImportFormatError) as exc:
        return await run_in_threadpool(
            _codebook_page, page, str(exc), 422 if isinstance(exc, ImportFormatError) else 400
        )
    return _see_other(f"/reviews/{review_id}/codebook")


@router.get("/reviews/{review_id}/codebook/export")
def codebook_export(request: Request, review_id: int, format: str = "qdc") -> Response:
    """The codebook as REFI-QDA (.qdc) or CSV, the files ``realist codebook export`` writes."""
    page = _Page(request, review_id)
    book = cb.load_codebook(page.review)
    if format == "qdc":
        return Response(
            codebook_to_qdc(book),
            media_type="application/xml",
            headers={"Content-Disposition": 'attachment; filename="codebook.qdc"'},
        )
    if format == "csv":
        return Response(
            cb.codebook_to_csv(book),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="codebook.csv"'},
        )
    raise InvalidInput(f"unknown codebook format {format!r} (qdc or csv)")


@router.post("/reviews/{review_id}/codebook/codes/{code_id}")
def codebook_edit(
    request: Request,
    review_id: int,
    code_id: str,
    name: OptForm = None,
    kind: OptForm = None,
    parent: OptForm = None,
    definition: OptForm = None,
    aliases: OptForm = None,
    group: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    """Rename, redefine or move a code (its id, which codings use, stays)."""
    page = _Page(request, review_id)
    _owner(page, csrf_token)
    try:
        cb.edit_code(
            page.review,
            code_id,
            name=name,
            kind=kind or None,
            definition=definition,
            aliases=aliases,
            codable=None if name is None else not group,
            parent=parent,
        )
    except InvalidInput as exc:
        return _codebook_page(page, str(exc), 400)
    return _see_other(f"/reviews/{review_id}/codebook#code-{code_id}")


@router.post("/reviews/{review_id}/codebook/codes/{code_id}/delete")
def codebook_delete(request: Request, review_id: int, code_id: str, csrf_token: OptForm = None) -> Response:
    """Delete a code; refused (400, nothing changed) while codings or CMOCs use it."""
    page = _Page(request, review_id)
    _owner(page, csrf_token)
    try:
        cb.remove_code(page.review, code_id)
    except InvalidInput as exc:
        return _codebook_page(page, str(exc), 400)
    return _see_other(f"/reviews/{review_id}/codebook?" + urlencode({"deleted": code_id}))
