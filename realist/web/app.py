"""The web app: ``create_app`` builds it for a store; errors are rendered once here.

Pages are server-rendered (Jinja2, autoescaped) and work without
JavaScript; ``static/app.js`` adds keyboard shortcuts.  Every handler calls
the library; user errors (:class:`~realist.errors.RealistError`) become one
page or JSON answer with a status code: 400 bad input, 401 not signed in
(pages redirect to ``/login``), 403 not allowed or no CSRF token, 404
missing *or not a member*, 429 sign-in throttled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import accounts
from ..errors import DuplicateImport, ImportFormatError, NotFound, RealistError
from . import i18n
from .auth import CsrfRefused, NotSignedIn, viewer_of
from .jobs import JobQueue
from .store import WebStore, open_store

__all__ = ["create_app", "render", "status_of", "HERE", "MAX_UPLOAD_BYTES"]

HERE = Path(__file__).parent
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def status_of(exc: RealistError) -> int:
    if isinstance(exc, NotSignedIn):
        return 401
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, (accounts.PermissionDenied, CsrfRefused)):
        return 403
    if isinstance(exc, accounts.LoginThrottled):
        return 429
    if isinstance(exc, (DuplicateImport,)):
        return 409
    if isinstance(exc, ImportFormatError):
        return 422
    return 400


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Every user-facing string goes through gettext: {{ _("...") }} or {% trans %}, in the
    # language of the request being rendered (i18n.py: a context variable, not per-request
    # install_gettext on this shared environment).
    from .views import register_filters

    i18n.install(env)
    register_filters(env)
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``templates/``; the signed-in person and CSRF token are always in context."""
    env: Environment = request.app.state.templates
    context.setdefault("viewer", getattr(request.state, "viewer", None))
    with i18n.use_request(request):
        context.setdefault("locale", i18n.current_locale())
        html = env.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def create_app(
    store: WebStore | None = None,
    *,
    review_dirs: Sequence[str | Path] = (),
    database_url: str | None = None,
    data_dir: str | Path | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    immediate_jobs: bool = False,
    run_jobs: bool = True,
) -> FastAPI:
    """The ASGI app for a store (or for review folders opened here; with no folder but a
    ``database_url``, every review in that database, folders under ``data_dir``).

    Jobs run on huey's queue (:mod:`realist.web.jobs`): through a consumer
    thread started with the app (its lifespan) when ``run_jobs``, else by a
    separate consumer process (``realist serve`` starts one, ``realist
    worker`` runs one); ``immediate_jobs`` runs each job at once instead.
    """
    if store is None:
        store = open_store(review_dirs, database_url=database_url, data_dir=data_dir)
    jobs = JobQueue(store, immediate=immediate_jobs)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_jobs:
            jobs.start()
        try:
            yield
        finally:
            jobs.stop()

    app = FastAPI(title="realist", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store = store
    app.state.jobs = jobs
    app.state.templates = _environment()
    app.state.max_upload_bytes = max_upload_bytes

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        with i18n.use_request(request):  # messages composed in handlers: this request's language
            response: Response = await call_next(request)
        response.headers.setdefault("Vary", "Accept-Language, Cookie")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-src 'self'; object-src 'self'; base-uri 'none'; form-action 'self'",
        )
        return response

    @app.exception_handler(RealistError)
    async def user_error(request: Request, exc: RealistError) -> Response:
        code = status_of(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=code)
        if code == 401:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        request.state.viewer = viewer_of(request)
        return render(request, "error.html", status_code=code, message=str(exc), code=code)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from . import (
        api,
        pages,
        pages_account,
        pages_coding,
        pages_language,
        pages_network,
        pages_report,
        pages_studies,
        pages_synthesis,
        pages_team,
    )

    app.include_router(pages.router)
    app.include_router(pages_language.router)
    app.include_router(pages_account.router)
    app.include_router(pages_team.router)
    app.include_router(pages_report.router)
    app.include_router(pages_network.router)
    app.include_router(pages_coding.router)
    app.include_router(pages_synthesis.router)
    app.include_router(pages_studies.router)
    api_app = api.create_api()
    api_app.state.store = store
    api_app.state.jobs = jobs
    api_app.state.max_upload_bytes = max_upload_bytes
    app.mount("/api/v1", api_app)
    return app
