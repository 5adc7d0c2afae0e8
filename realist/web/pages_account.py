"""The signed-in person's own account: personal API tokens and their password.

``GET /account`` lists the person's API tokens (name, created, last used)
with a form to make one and a button to revoke each, and a form to change
the password.  A new token is shown once, in the answer to the form that
made it (sent with ``Cache-Control: no-store``); only its hash is kept.
Every form carries the session's CSRF token, and an API token cannot use
these pages (they change the credentials themselves).  Every handler calls
the library (:mod:`realist.accounts`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import accounts
from ..errors import InvalidInput
from .app import render
from .auth import Viewer, check_csrf, client_of, require_viewer, store_of
from .i18n import gettext
from .pages import _set_session_cookie

__all__ = ["router"]

router = APIRouter()
FormStr = Annotated[str, Form()]
OptForm = Annotated[str | None, Form()]
NO_STORE = {"Cache-Control": "no-store"}


def _person(request: Request) -> Viewer:
    """The signed-in person, come with a browser session (not an API token)."""
    viewer = require_viewer(request)
    request.state.viewer = viewer
    if viewer.session_id is None:
        raise accounts.PermissionDenied(gettext("an API token cannot manage tokens or passwords: sign in"))
    return viewer


def _page(request: Request, viewer: Viewer, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("new_token", None)
    context.setdefault("error", None)
    context.setdefault("password_error", None)
    context.setdefault("label", "")
    done = request.query_params.get("done")
    context.setdefault("done", done if done in ("revoked", "password") else None)
    response = render(
        request,
        "account.html",
        status_code=status_code,
        tokens=accounts.list_api_tokens(store_of(request).engine, viewer.account.id),
        max_label=accounts.MAX_TOKEN_LABEL,
        min_password=accounts.MIN_PASSWORD,
        **context,
    )
    response.headers.update(NO_STORE)
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> Response:
    return _page(request, _person(request))


@router.post("/account/tokens", response_class=HTMLResponse)
def token_create(request: Request, label: FormStr = "", csrf_token: OptForm = None) -> Response:
    """Make a token and show it this once (never again: only its hash is kept)."""
    viewer = _person(request)
    check_csrf(request, viewer, csrf_token)
    try:
        if not label.strip():
            raise InvalidInput(gettext("give the token a name, such as the script that will use it"))
        raw = accounts.create_api_token(store_of(request).engine, viewer.account.name, label)
    except InvalidInput as exc:
        return _page(request, viewer, 400, error=str(exc), label=label)
    return _page(request, viewer, new_token=raw, label=" ".join(label.split()))


@router.post("/account/tokens/{token_id}/revoke")
def token_revoke(request: Request, token_id: int, csrf_token: OptForm = None) -> Response:
    """Revoke one of the person's own tokens (someone else's answers 404, as a missing one)."""
    viewer = _person(request)
    check_csrf(request, viewer, csrf_token)
    accounts.revoke_api_token(store_of(request).engine, viewer.account.id, token_id)
    return RedirectResponse("/account?done=revoked", status_code=303)


@router.post("/account/password", response_class=HTMLResponse)
def password_change(
    request: Request,
    current_password: FormStr = "",
    new_password: FormStr = "",
    confirm_password: FormStr = "",
    csrf_token: OptForm = None,
) -> Response:
    """Change the password, giving the current one; every other session and every API token
    ends, and this browser gets a new session."""
    viewer = _person(request)
    check_csrf(request, viewer, csrf_token)
    engine = store_of(request).engine
    try:
        if new_password != confirm_password:
            raise InvalidInput(gettext("the two new passwords differ: type the same one twice"))
        if len(new_password) < accounts.MIN_PASSWORD:
            raise InvalidInput(gettext("a password needs at least %(n)s characters", n=accounts.MIN_PASSWORD))
        accounts.change_password(engine, viewer.account.id, current_password, new_password, client=client_of(request))
    except accounts.LoginThrottled:
        minutes = int(accounts.THROTTLE_WINDOW.total_seconds() // 60)
        message = gettext("too many wrong passwords: try again in %(n)s minutes", n=minutes)
        return _page(request, viewer, 429, password_error=message)
    except InvalidInput as exc:
        message = {
            "current_password": gettext("the current password is wrong"),
            "new_password": gettext("the new password is the same as the current one"),
        }.get(exc.field or "", str(exc))
        return _page(request, viewer, 400, password_error=message)
    raw, _ = accounts.create_session(engine, viewer.account.id)
    response = RedirectResponse("/account?done=password", status_code=303)
    _set_session_cookie(request, response, raw)
    return response
