"""The language picker: ``POST /language`` (a plain form, works without JavaScript).

Anyone may pick a language: it is kept in a cookie (so the sign-in page is
in it too) and, for a signed-in person, stored on their account (the form
then carries the session's CSRF token).  ``language=""`` goes back to the
browser's Accept-Language.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from .. import accounts
from ..errors import InvalidInput
from . import i18n
from .auth import check_csrf, is_https, store_of, viewer_of

__all__ = ["router"]

router = APIRouter()

YEAR = 365 * 24 * 3600


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.post("/language")
def choose_language(
    request: Request,
    language: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    code = language.strip()
    if code and code not in i18n.LANGUAGES:
        offered = ", ".join(sorted(i18n.LANGUAGES))
        raise InvalidInput(
            i18n.gettext("unknown language %(code)s: choose one of %(offered)s", code=code, offered=offered)
        )
    viewer = viewer_of(request)
    if viewer is not None and viewer.csrf is not None:
        check_csrf(request, viewer, csrf_token)
        accounts.set_account_locale(store_of(request).engine, viewer.account.id, code or None)
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code:
        response.set_cookie(i18n.COOKIE, code, max_age=YEAR, samesite="lax", secure=is_https(request), path="/")
    else:
        response.delete_cookie(i18n.COOKIE, path="/")
    return response
