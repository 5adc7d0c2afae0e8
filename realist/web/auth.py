"""Who is asking: session cookies, API tokens, CSRF, and the review a member opens.

The cookie holds a random session id (the database keeps its hash); a
script sends ``Authorization: Bearer TOKEN`` instead.  Every state-changing
request made with a session cookie carries the session's CSRF token, as the
form field ``csrf_token`` or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Request

from .. import accounts
from ..errors import RealistError
from ..review import ReviewHandle
from .i18n import gettext
from .store import WebStore

__all__ = [
    "COOKIE",
    "Viewer",
    "NotSignedIn",
    "CsrfRefused",
    "viewer_of",
    "check_csrf",
    "open_for",
    "open_as_viewer",
    "is_https",
    "client_of",
    "require_viewer",
    "store_of",
]

COOKIE = "realist_session"


class NotSignedIn(RealistError):
    """No session or token (pages redirect to sign-in; the API answers 401)."""


class CsrfRefused(RealistError):
    """A state-changing request without the session's CSRF token (403)."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: account, and how they came (session + CSRF, or token)."""

    account: accounts.AccountInfo
    csrf: str | None  # None for an API token (no cookie, nothing to forge)
    session_id: str | None


def store_of(request: Request) -> WebStore:
    store: WebStore = request.app.state.store
    return store


def is_https(request: Request) -> bool:
    """The request came over HTTPS (directly, or via a trusted proxy's headers, see uvicorn's
    ``--forwarded-allow-ips``)."""
    return request.url.scheme == "https"


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def viewer_of(request: Request) -> Viewer | None:
    """The signed-in person, or None."""
    engine = store_of(request).engine
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        account = accounts.token_account(engine, header[7:].strip())
        return None if account is None else Viewer(account, None, None)
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    found = accounts.session_account(engine, raw)
    if found is None:
        return None
    return Viewer(found[0], found[1], raw)


def require_viewer(request: Request) -> Viewer:
    viewer = viewer_of(request)
    if viewer is None:
        raise NotSignedIn(gettext("sign in first"))
    return viewer


def check_csrf(request: Request, viewer: Viewer, form_value: str | None = None) -> None:
    """Refuse a cookie-authenticated state change without the session's CSRF token
    (the form field ``csrf_token``, passed in as ``form_value``, or the header)."""
    if viewer.csrf is None:
        return
    sent = request.headers.get("x-csrf-token") or form_value
    if not sent or not hmac.compare_digest(sent, viewer.csrf):
        raise CsrfRefused(
            gettext("this form has expired or did not come from this site: reload the page and try again")
        )


def open_for(request: Request, viewer: Viewer, review_id: int) -> tuple[ReviewHandle, accounts.Member]:
    """The review as the viewer's member handle; NotFound (404) for non-members and missing reviews."""
    store = store_of(request)
    path = store.folder(review_id)
    if path is None:
        from ..errors import NotFound

        raise NotFound(gettext("no review %(id)s", id=review_id))
    return accounts.open_review_for(store.engine, path, review_id, viewer.account.id)


def open_as_viewer(request: Request, review_id: int) -> tuple[Viewer, ReviewHandle, accounts.Member]:
    """:func:`require_viewer` then :func:`open_for`; for a session cookie (the browser's,
    and every screening request's) the session, account, membership and review are read
    in one query.  An API token goes the two-step way (its use is noted)."""
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        viewer = require_viewer(request)
        request.state.viewer = viewer
        review, member = open_for(request, viewer, review_id)
        return viewer, review, member
    store = store_of(request)
    session_id = request.cookies.get(COOKIE) or None
    access = None if session_id is None else accounts.member_access(store.engine, review_id, session_id)
    if access is None:
        raise NotSignedIn(gettext("sign in first"))
    viewer = Viewer(access.account, access.csrf, session_id)
    request.state.viewer = viewer
    path = store.folder(review_id)
    if path is None:
        from ..errors import NotFound

        raise NotFound(gettext("no review %(id)s", id=review_id))
    review, member = access.handle(store.engine, path, review_id)
    return viewer, review, member
