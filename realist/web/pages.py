"""Server-rendered pages.  Each handler: who is asking, open the review as them,
check their role, call the library, render.  No review logic here."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import accounts
from ..activity import activity
from ..deduplicate.store import confirm_pair, pending_pairs, reject_pair, undo_merge
from ..errors import InvalidInput, NotFound, RealistError
from ..fulltext import add_fulltext_bytes, fulltext_file, get_fulltext
from ..identify.export import EXPORT_FORMATS, export_records
from ..identify.uploads import Upload
from ..inventory import RECORD_KEYS, list_records, review_status
from ..protocol import STAGES, criteria_lines, parse_criteria, set_criteria
from ..records import RecordData
from ..review import ReviewHandle
from ..screen import decisions as dec
from ..screen.agreement_store import review_agreement
from ..screen.queue import stopping_estimate
from ..screen.served import next_record, reviewer_progress
from ..store.models import Record
from .app import render
from .auth import COOKIE, Viewer, check_csrf, client_of, is_https, open_as_viewer, require_viewer, store_of
from .i18n import gettext
from .jobs import JobQueue
from .store import review_ids

__all__ = ["router"]

router = APIRouter()
FormStr = Annotated[str, Form()]
OptForm = Annotated[str | None, Form()]
PAGE_SIZE = 50


def _jobs(request: Request) -> JobQueue:
    jobs: JobQueue = request.app.state.jobs
    return jobs


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _set_session_cookie(request: Request, response: Response, raw: str) -> None:
    response.set_cookie(
        COOKIE,
        raw,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        path="/",
    )


def _login_csrf(request: Request) -> str:
    return request.cookies.get("realist_login") or secrets.token_urlsafe(24)


def _stage(value: str | None) -> str:
    stage = value or STAGES[0]
    if stage not in STAGES:
        raise InvalidInput(
            gettext("unknown stage %(stage)r: stages are %(stages)s", stage=stage, stages=", ".join(STAGES))
        )
    return stage


class _Page:
    """The review a signed-in member opened, for one request."""

    def __init__(self, request: Request, review_id: int) -> None:
        self.viewer: Viewer
        self.review: ReviewHandle
        self.member: accounts.Member
        self.viewer, self.review, self.member = open_as_viewer(request, review_id)
        self.request = request

    def render(self, template: str, **context: Any) -> HTMLResponse:
        return render(self.request, template, review=self.review, member=self.member, stages=STAGES, **context)

    def write(self, csrf: str | None, allowed: bool, what: str) -> None:
        check_csrf(self.request, self.viewer, csrf)
        self.member.require(allowed, what)

    def blinded_for_me(self, stage: str) -> bool:
        """Aggregates (status counts, agreement) are withheld from non-owners while this stage
        or an earlier one is blinded."""
        return accounts.screening_withheld(self.review, self.member, stage)


# ---------------------------------------------------------------- sign in / out


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    token = _login_csrf(request)
    response = render(request, "login.html", next=_safe_next(next), login_csrf=token, error=None, viewer=None)
    response.set_cookie("realist_login", token, httponly=True, samesite="strict", secure=is_https(request))
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, username: FormStr = "", password: FormStr = "", next: FormStr = "/", login_csrf: FormStr = ""
) -> Response:
    expected = request.cookies.get("realist_login")
    if not expected or not secrets.compare_digest(expected, login_csrf):
        from .auth import CsrfRefused

        raise CsrfRefused(gettext("the sign-in form has expired: reload the page and sign in again"))
    engine = store_of(request).engine
    try:
        account = accounts.authenticate(engine, username.strip(), password, client=client_of(request))
    except RealistError as exc:
        code = 429 if isinstance(exc, accounts.LoginThrottled) else 400
        return render(
            request,
            "login.html",
            status_code=code,
            next=_safe_next(next),
            login_csrf=expected,
            error=str(exc),
            username=username,
            viewer=None,
        )
    old = request.cookies.get(COOKIE)
    if old:
        accounts.end_session(engine, old)
    raw, _ = accounts.create_session(engine, account.id)
    response = _see_other(_safe_next(next))
    _set_session_cookie(request, response, raw)
    response.delete_cookie("realist_login")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: FormStr = "") -> Response:
    viewer = require_viewer(request)
    check_csrf(request, viewer, csrf_token)
    if viewer.session_id:
        accounts.end_session(store_of(request).engine, viewer.session_id)
    response = _see_other("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/setup/{token}", response_class=HTMLResponse)
def setup_form(request: Request, token: str) -> Response:
    if accounts.has_users(store_of(request).engine):
        raise NotFound(gettext("this setup link is not valid (used, expired or mistyped)"))
    return render(request, "setup.html", token=token, error=None, viewer=None)


@router.post("/setup/{token}", response_class=HTMLResponse)
def setup(request: Request, token: str, username: FormStr = "", password: FormStr = "") -> Response:
    engine = store_of(request).engine
    try:
        account = accounts.setup_first_owner(engine, token, username, password)
    except NotFound:
        raise
    except RealistError as exc:
        return render(request, "setup.html", status_code=400, token=token, error=str(exc), viewer=None)
    raw, _ = accounts.create_session(engine, account.id)
    response = _see_other("/")
    _set_session_cookie(request, response, raw)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    viewer = require_viewer(request)
    request.state.viewer = viewer
    store = store_of(request)
    served = review_ids(store)
    reviews = [r for r in accounts.reviews_for(store.engine, viewer.account.id) if r[0] in served]
    return render(request, "reviews.html", reviews=reviews, can_create=store.serves_all, error=None)


# ---------------------------------------------------------------- dashboard


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def dashboard(request: Request, review_id: int) -> Response:
    page = _Page(request, review_id)
    review = page.review
    status = review_status(review)
    stages = []
    for i, stage in enumerate(STAGES):
        progress = dec.progress(review, stage)
        hidden = page.blinded_for_me(stage)
        # Which records reached this stage tells the decisions of the stage before it.
        upstream = i > 0 and page.blinded_for_me(STAGES[i - 1])
        if not upstream and not progress["eligible"] and i > 0:
            continue
        mine = progress["reviewers"].get(page.member.name, {"assigned": 0, "decided": 0})
        info: dict[str, Any] = {
            "stage": stage,
            "progress": progress,
            "hidden": hidden,
            "upstream": upstream,
            "eligible": None if upstream else progress["eligible"],
            "mine": mine,
            "blinded": dec.is_blinded(review, stage),
        }
        if not hidden and progress["eligible"]:
            info["agreement"] = review_agreement(review, stage)
            try:
                info["stopping"] = stopping_estimate(review, stage)
            except RealistError:
                info["stopping"] = None
        stages.append(info)
    recent, _ = activity(review, page.member.name, limit=10)
    prisma: list[tuple[str, int]] | None = None
    if not any(s["hidden"] for s in stages):
        from ..report.prisma import prisma_counts

        try:
            prisma = prisma_counts(review).summary()
        except RealistError:
            prisma = None
    return page.render("dashboard.html", status=status, stage_info=stages, recent=recent, prisma=prisma)


# ---------------------------------------------------------------- screening


def _record(review: ReviewHandle, record_id: int) -> Record:
    with review.session() as session:
        record = session.get(Record, record_id)
        if record is None or record.review_id != review.review_id:
            raise NotFound(gettext("no record %(id)s in this review", id=record_id))
        return record


@router.get("/reviews/{review_id}/screen", response_class=HTMLResponse)
def screen_page(request: Request, review_id: int, stage: str | None = None, record: int | None = None) -> Response:
    page = _Page(request, review_id)
    page.member.require(page.member.role.can_screen, "screen records")
    stage_ = _stage(stage)
    review, me = page.review, page.member.name
    served = next_record(review, me, stage_, compute_if_missing=False)
    if served.stale:
        _jobs(request).submit_refit(review_id, page.viewer.account.id, stage_)
    record_id = record if record is not None else served.record_id
    current = _record(review, record_id) if record_id is not None else None
    protocol = review.protocol()
    criteria = (protocol.get("eligibility") or {}).get(stage_) or {}
    highlights, own_highlights = accounts.highlights_for(review, me)
    eligible, assigned, done = reviewer_progress(review, me, stage_)
    total = assigned or eligible
    visible = dec.visible_decisions(review, current.id, reviewer=me, stage=stage_) if current else {}
    fulltext = get_fulltext(review, current.id) if current is not None and stage_ == "full_text" else None
    has_file = bool(current is not None and fulltext is not None and fulltext_file(review, current.id))
    return page.render(
        "screen.html",
        stage=stage_,
        record=current,
        remaining=served.remaining,
        done=done,
        total=total,
        criteria=criteria,
        reasons=dec.exclusion_criteria(review, stage_),
        include_terms=highlights["include"],
        exclude_terms=highlights["exclude"],
        own_highlights=own_highlights,
        visible=visible,
        key=secrets.token_urlsafe(12),
        fulltext=fulltext,
        has_file=has_file,
        blinded=dec.is_blinded(review, stage_),
        staleness=served.staleness,
    )


@router.post("/reviews/{review_id}/screen/decide")
def screen_decide(
    request: Request,
    review_id: int,
    record_id: Annotated[int, Form()],
    decision: FormStr,
    stage: FormStr = "title_abstract",
    reason: OptForm = None,
    note: OptForm = None,
    key: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_screen, "screen records")
    stage_ = _stage(stage)
    dec.decide(
        page.review,
        record_id,
        decision,
        reviewer=page.member.name,
        stage=stage_,
        reason=reason or None,
        note=(note or "").strip() or None,
        idempotency_key=key or None,
    )
    return _see_other(f"/reviews/{review_id}/screen?" + urlencode({"stage": stage_, "last": record_id}))


@router.get("/reviews/{review_id}/records/{record_id}/fulltext")
def fulltext_view(request: Request, review_id: int, record_id: int) -> Response:
    """The record's attached full-text file, shown inline (a PDF in the browser's viewer)."""
    page = _Page(request, review_id)
    found = fulltext_file(page.review, record_id)
    if found is None:
        raise NotFound(gettext("record %(id)s has no full-text file", id=record_id))
    path, mime, name = found
    safe = "".join(c for c in name if c.isalnum() or c in "._-") or "fulltext"
    headers = {"Content-Disposition": f'inline; filename="{safe}"', "X-Frame-Options": "SAMEORIGIN"}
    if mime != "application/pdf":  # HTML is shown as text, never run as a page of this site
        mime = "text/plain"
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return Response(path.read_bytes(), media_type=mime, headers=headers)


@router.post("/reviews/{review_id}/records/{record_id}/fulltext")
async def fulltext_attach(
    request: Request, review_id: int, record_id: int, file: UploadFile, csrf_token: OptForm = None
) -> Response:
    from starlette.concurrency import run_in_threadpool

    page = await run_in_threadpool(_Page, request, review_id)
    page.write(csrf_token, page.member.role.can_screen, "attach full texts")
    limit = int(request.app.state.max_upload_bytes)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            gettext(
                "%(file)s is larger than the upload limit of %(mb)s MB",
                file=file.filename,
                mb=limit // (1024 * 1024),
            )
        )
    await run_in_threadpool(add_fulltext_bytes, page.review, record_id, file.filename or "fulltext", data)
    return _see_other(f"/reviews/{review_id}/screen?" + urlencode({"stage": "full_text", "record": record_id}))


@router.post("/reviews/{review_id}/screen/undo")
def screen_undo(
    request: Request,
    review_id: int,
    record_id: Annotated[int, Form()],
    stage: FormStr = "title_abstract",
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_screen, "screen records")
    stage_ = _stage(stage)
    dec.retract(page.review, record_id, reviewer=page.member.name, stage=stage_)
    return _see_other(f"/reviews/{review_id}/screen?" + urlencode({"stage": stage_, "record": record_id}))


# ---------------------------------------------------------------- conflicts and blinding


@router.get("/reviews/{review_id}/conflicts", response_class=HTMLResponse)
def conflicts_page(request: Request, review_id: int, stage: str | None = None) -> Response:
    page = _Page(request, review_id)
    stage_ = _stage(stage)
    blinded = dec.is_blinded(page.review, stage_)
    items = []
    if not page.blinded_for_me(stage_):
        for state in dec.conflicts(page.review, stage_):
            rec = _record(page.review, state.record_id)
            items.append({"state": state, "record": rec})
    return page.render(
        "conflicts.html",
        stage=stage_,
        items=items,
        blinded=blinded,
        hidden=page.blinded_for_me(stage_),
        reasons=dec.exclusion_criteria(page.review, stage_),
    )


@router.post("/reviews/{review_id}/conflicts/{record_id}/resolve")
def conflicts_resolve(
    request: Request,
    review_id: int,
    record_id: int,
    decision: FormStr,
    stage: FormStr = "title_abstract",
    reason: OptForm = None,
    note: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.can_resolve, "resolve conflicts")
    stage_ = _stage(stage)
    dec.resolve(
        page.review, record_id, decision, stage=stage_, reason=reason or None, note=(note or "").strip() or None
    )
    return _see_other(f"/reviews/{review_id}/conflicts?stage={stage_}")


@router.post("/reviews/{review_id}/blinding")
def set_blinding(
    request: Request, review_id: int, stage: FormStr, blinded: FormStr, csrf_token: OptForm = None
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_unblind, "blind or unblind screening")
    dec.set_blinded(page.review, _stage(stage), blinded == "yes")
    return _see_other(f"/reviews/{review_id}/conflicts?stage={_stage(stage)}")


# ---------------------------------------------------------------- records


def _record_rows(page: _Page, q: str | None, source: str | None, duplicates: str) -> list[dict[str, Any]]:
    return [
        row.to_dict()
        for row in list_records(page.review, source=source or None, duplicates=duplicates, search=q or None)
    ]


@router.get("/reviews/{review_id}/records", response_class=HTMLResponse)
def records_page(
    request: Request,
    review_id: int,
    q: str | None = None,
    source: str | None = None,
    duplicates: str = "include",
    stage: str | None = None,
    status: str | None = None,
    page_no: Annotated[int, Query(alias="page")] = 1,
) -> Response:
    page = _Page(request, review_id)
    stage_ = _stage(stage)
    rows = _record_rows(page, q, source, duplicates)
    hidden = page.blinded_for_me(stage_)
    states = {} if hidden else dec.statuses(page.review, stage_)
    me = page.member.name
    mine = dec.own_decisions(page.review, me, stage_)
    for row in rows:
        st = states.get(row["id"])
        row["status"] = st.status if st else ("" if hidden else "not eligible")
        row["mine"] = mine.get(row["id"], "")
    if status:
        key = "mine" if hidden else "status"
        rows = [r for r in rows if r[key] == status or r["mine"] == status]
    total = len(rows)
    page_no = max(1, page_no)
    shown = rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
    sources = [s["name"] for s in review_status(page.review).sources]
    query = {"q": q or "", "source": source or "", "duplicates": duplicates, "stage": stage_, "status": status or ""}
    return page.render(
        "records.html",
        rows=shown,
        total=total,
        page_no=page_no,
        page_size=PAGE_SIZE,
        query=query,
        sources=sources,
        formats=EXPORT_FORMATS,
        hidden=hidden,
        qs=urlencode(query),
    )


@router.get("/reviews/{review_id}/records/export")
def records_export(
    request: Request,
    review_id: int,
    format: str = "ris",
    q: str | None = None,
    source: str | None = None,
    duplicates: str = "include",
) -> Response:
    page = _Page(request, review_id)
    rows = _record_rows(page, q, source, duplicates)
    records = [
        RecordData(
            source_record_id=r["source_record_id"],
            **{
                k: r[k]
                for k in RECORD_KEYS
                if k not in ("id", "source", "source_kind", "source_record_id", "duplicate_of")
            },
        )
        for r in rows
    ]
    text = export_records(records, format)
    ext = {"ris": "ris", "bibtex": "bib", "csv": "csv", "csl-json": "json"}.get(format, "txt")
    media = {"csv": "text/csv", "csl-json": "application/json"}.get(format, "text/plain")
    return Response(
        text,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="records.{ext}"'},
    )


# ---------------------------------------------------------------- protocol, activity, members


@router.get("/reviews/{review_id}/protocol", response_class=HTMLResponse)
def protocol_page(request: Request, review_id: int) -> Response:
    page = _Page(request, review_id)
    protocol = page.review.protocol()
    return page.render("protocol.html", protocol=protocol, error=None, lines=_protocol_lines(protocol))


def _protocol_lines(protocol: dict[str, Any]) -> dict[str, str]:
    out = {}
    for stage in STAGES:
        crit = (protocol.get("eligibility") or {}).get(stage) or {}
        out[f"{stage}_include"] = criteria_lines(crit.get("include") or [])
        out[f"{stage}_exclude"] = criteria_lines(crit.get("exclude") or [])
    hl = protocol.get("highlights") or {}
    out["highlight_include"] = "\n".join(hl.get("include") or [])
    out["highlight_exclude"] = "\n".join(hl.get("exclude") or [])
    return out


@router.post("/reviews/{review_id}/protocol", response_class=HTMLResponse)
def protocol_save(
    request: Request,
    review_id: int,
    stage: FormStr,
    include: FormStr = "",
    exclude: FormStr = "",
    highlight_include: FormStr = "",
    highlight_exclude: FormStr = "",
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_edit_protocol, "edit the protocol")
    stage_ = _stage(stage)
    try:
        inc = parse_criteria(include, where="inclusion criteria")
        exc = parse_criteria(exclude, where="exclusion criteria")
    except InvalidInput as err:
        protocol = page.review.protocol()
        lines = _protocol_lines(protocol)
        lines[f"{stage_}_include"], lines[f"{stage_}_exclude"] = include, exclude
        response = page.render("protocol.html", protocol=protocol, error=str(err), lines=lines)
        response.status_code = 400
        return response
    set_criteria(
        page.review.protocol_path,
        stage_,
        inc,
        exc,
        highlights={"include": highlight_include.splitlines(), "exclude": highlight_exclude.splitlines()},
    )
    page.review.protocol()  # logs the new version as this person
    return _see_other(f"/reviews/{review_id}/protocol")


@router.get("/reviews/{review_id}/activity", response_class=HTMLResponse)
def activity_page(
    request: Request,
    review_id: int,
    action: str | None = None,
    actor: str | None = None,
    page_no: Annotated[int, Query(alias="page")] = 1,
) -> Response:
    page = _Page(request, review_id)
    page_no = max(1, page_no)
    entries, total = activity(
        page.review,
        page.member.name,
        action=action or None,
        actor=actor or None,
        limit=PAGE_SIZE,
        offset=(page_no - 1) * PAGE_SIZE,
    )
    query = {"action": action or "", "actor": actor or ""}
    return page.render(
        "activity.html",
        entries=entries,
        total=total,
        page_no=page_no,
        page_size=PAGE_SIZE,
        query=query,
        qs=urlencode(query),
    )


@router.get("/reviews/{review_id}/members", response_class=HTMLResponse)
def members_page(request: Request, review_id: int) -> Response:
    page = _Page(request, review_id)
    users = accounts.list_users(store_of(request).engine) if page.member.role.can_manage_members else []
    return page.render("members.html", members=accounts.members(page.review), users=users, roles=accounts.ROLES)


@router.post("/reviews/{review_id}/members")
def members_add(
    request: Request, review_id: int, name: FormStr, role: FormStr, resolver: OptForm = None, csrf_token: OptForm = None
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_manage_members, "manage members")
    accounts.add_member(page.review, name.strip(), role, resolver=bool(resolver))
    return _see_other(f"/reviews/{review_id}/members")


@router.post("/reviews/{review_id}/members/remove")
def members_remove(request: Request, review_id: int, name: FormStr, csrf_token: OptForm = None) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_manage_members, "manage members")
    accounts.remove_member(page.review, name)
    return _see_other(f"/reviews/{review_id}/members")


# ---------------------------------------------------------------- import and deduplication


@router.get("/reviews/{review_id}/import", response_class=HTMLResponse)
def import_page(request: Request, review_id: int) -> Response:
    page = _Page(request, review_id)
    return page.render(
        "import.html",
        error=None,
        results=None,
        status=review_status(page.review),
        limit_mb=request.app.state.max_upload_bytes // (1024 * 1024),
    )


@router.post("/reviews/{review_id}/import", response_class=HTMLResponse)
async def import_upload(
    request: Request,
    review_id: int,
    files: list[UploadFile],
    source: FormStr = "",
    kind: FormStr = "database",
    csrf_token: OptForm = None,
) -> Response:
    from starlette.concurrency import run_in_threadpool

    page = await run_in_threadpool(_Page, request, review_id)
    page.write(csrf_token, page.member.role.can_import, "import records")
    limit = int(request.app.state.max_upload_bytes)
    uploads = []
    for f in files:
        if not f.filename:
            continue
        data = await f.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(
                gettext(
                    "%(file)s is larger than the upload limit of %(mb)s MB: "
                    "import it with `realist import` on the server instead",
                    file=f.filename,
                    mb=limit // (1024 * 1024),
                )
            )
        uploads.append(Upload(f.filename, data))
    if not uploads:
        raise InvalidInput(gettext("choose at least one export file to import"))
    job_id = await run_in_threadpool(
        _jobs(request).submit_import,
        review_id,
        page.viewer.account.id,
        uploads,
        source=source.strip() or None,
        kind=kind,
    )
    return _see_other(f"/reviews/{review_id}/jobs/{job_id}")


@router.get("/reviews/{review_id}/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, review_id: int, job_id: str) -> Response:
    page = _Page(request, review_id)
    job = _jobs(request).job(job_id, review_id)
    if job is None:
        raise NotFound(gettext("no job %(id)s in this review", id=job_id))
    # Always 200: the page was found and tells the job's state, failed or not.  (A failed job
    # once answered 422; app.js fetches this page to update it in place, and the browser
    # logged every such answer as a console error.  Scripts read the state from the API.)
    return page.render("job.html", job=job, progress=_jobs(request).progress(job_id))


@router.get("/reviews/{review_id}/dedup", response_class=HTMLResponse)
def dedup_page(request: Request, review_id: int, message: str | None = None) -> Response:
    page = _Page(request, review_id)
    return page.render("dedup.html", pairs=pending_pairs(page.review), message=message)


@router.post("/reviews/{review_id}/dedup/run")
def dedup_run(request: Request, review_id: int, csrf_token: OptForm = None) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_deduplicate, "deduplicate records")
    job_id = _jobs(request).submit_dedup(review_id, page.viewer.account.id)
    return _see_other(f"/reviews/{review_id}/jobs/{job_id}")


@router.post("/reviews/{review_id}/dedup/{pair_id}/{verdict}")
def dedup_decide(
    request: Request, review_id: int, pair_id: int, verdict: str, note: OptForm = None, csrf_token: OptForm = None
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_deduplicate, "deduplicate records")
    if verdict == "confirm":
        confirm_pair(page.review, pair_id, note=note or None)
    elif verdict == "reject":
        reject_pair(page.review, pair_id, note=note or None)
    else:
        raise NotFound(gettext("no action %(verdict)r", verdict=verdict))
    return _see_other(f"/reviews/{review_id}/dedup")


@router.post("/reviews/{review_id}/dedup-undo")
def dedup_undo(
    request: Request,
    review_id: int,
    record_id: Annotated[int, Form()],
    note: OptForm = None,
    csrf_token: OptForm = None,
) -> Response:
    page = _Page(request, review_id)
    page.write(csrf_token, page.member.role.can_deduplicate, "deduplicate records")
    undo_merge(page.review, record_id, note=note or None)
    return _see_other(
        f"/reviews/{review_id}/dedup?" + urlencode({"message": gettext("record %(id)s unmerged", id=record_id)})
    )
