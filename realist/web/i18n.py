"""Languages of the web app: which one a request gets, its catalogue, and locale formats.

The language of a request is, in order: the signed-in person's stored
preference (``account.locale``), the ``realist_lang`` cookie set by the
language picker, the browser's ``Accept-Language``, else English.

Translations are per request and thread-safe: the Jinja environment is
shared by every thread, so it gets gettext callables once (``install``) that
look up the *current* request's language in a context variable, set by
``use_request`` (a middleware, for each request) and resolved lazily on the
first string translated.  Catalogues live in ``locale/<lang>/LC_MESSAGES``
(``messages.po`` and the compiled ``messages.mo``, both committed);
``languages.json`` says which are reviewed by a native speaker.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, dates, numbers
from babel.core import negotiate_locale
from babel.support import NullTranslations, Translations
from starlette.requests import Request

__all__ = [
    "COOKIE",
    "DEFAULT",
    "LANGUAGES",
    "LOCALE_DIR",
    "Language",
    "N_",
    "current_locale",
    "gettext",
    "install",
    "language_of",
    "ngettext",
    "translations",
    "use_locale",
    "use_request",
]

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
COOKIE = "realist_lang"
DEFAULT = "en"


class Language:
    """One language the web app offers: its code, own name, and review status."""

    def __init__(self, code: str, name: str, reviewed: bool) -> None:
        self.code = code
        self.name = name
        self.reviewed = reviewed

    @property
    def machine_drafted(self) -> bool:
        return self.code != DEFAULT and not self.reviewed


def _languages() -> dict[str, Language]:
    data = json.loads((LOCALE_DIR / "languages.json").read_text(encoding="utf-8"))
    out = {DEFAULT: Language(DEFAULT, "English", True)}
    for code, info in data.items():
        if code.startswith("_"):
            continue
        out[code] = Language(code, str(info["name"]), bool(info["reviewed"]))
    return out


LANGUAGES: dict[str, Language] = _languages()

_request: ContextVar[Request | None] = ContextVar("realist_request", default=None)
_locale: ContextVar[str | None] = ContextVar("realist_locale", default=None)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().replace("-", "_")
    if code in LANGUAGES:
        return code
    base = code.split("_")[0].lower()
    return base if base in LANGUAGES else None


def language_of(request: Request, stored: str | None = None) -> str:
    """The language for ``request``: stored preference, cookie, Accept-Language, English."""
    for candidate in (stored, request.cookies.get(COOKIE)):
        found = _supported(candidate)
        if found:
            return found
    wanted = []
    for part in request.headers.get("accept-language", "").split(","):
        lang, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if lang and lang != "*" and q > 0:
            wanted.append((q, lang.strip()))
    wanted.sort(key=lambda item: -item[0])  # stable: equal weights keep the browser's order
    found = negotiate_locale([lang.replace("-", "_") for _, lang in wanted], list(LANGUAGES), sep="_")
    return _supported(found) or DEFAULT


def _resolve(request: Request) -> str:
    cached = getattr(request.state, "locale", None)
    if isinstance(cached, str):
        return cached
    if request.url.path.startswith("/api/"):
        return DEFAULT  # the JSON API answers in English, whatever the browser asks for
    stored = None
    viewer = getattr(request.state, "viewer", None)
    try:
        if viewer is None:
            from .auth import viewer_of

            viewer = viewer_of(request)
        if viewer is not None:
            from .. import accounts
            from .auth import store_of

            stored = accounts.account_locale(store_of(request).engine, viewer.account.id)
    except Exception:  # the language must never break a page (e.g. an error page for a bad store)
        stored = None
    locale = language_of(request, stored)
    request.state.locale = locale
    return locale


def current_locale() -> str:
    """The language of the request being handled (English outside a request)."""
    forced = _locale.get()
    if forced:
        return forced
    request = _request.get()
    return DEFAULT if request is None else _resolve(request)


@contextmanager
def use_request(request: Request) -> Iterator[None]:
    """Strings translated in this context are in ``request``'s language."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Strings translated in this context are in ``locale`` (tests, jobs, e-mails)."""
    token = _locale.set(_supported(locale) or DEFAULT)
    try:
        yield
    finally:
        _locale.reset(token)


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue for ``locale`` (null translations for English)."""
    if locale == DEFAULT:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the current language, with ``%(name)s`` placeholders filled."""
    text = translations(current_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """The singular or plural form for ``n`` in the current language (``%(num)s`` is ``n``)."""
    text = translations(current_locale()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def _raw_gettext(message: str) -> str:
    return translations(current_locale()).gettext(message)


def _raw_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def _babel_locale() -> Locale:
    return Locale.parse(current_locale())


def format_date(value: dt.date | dt.datetime | str | None, format: str = "medium") -> str:
    """A date (or the date of an ISO timestamp) in the current language."""
    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return dates.format_date(value, format=format, locale=_babel_locale())


def format_datetime(value: dt.datetime | str | None, format: str = "short") -> str:
    """A timestamp in the current language (UTC, as stored)."""
    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return dates.format_datetime(value, format=format, tzinfo=dt.UTC, locale=_babel_locale())


def format_number(value: float | int | None, digits: int | None = None) -> str:
    """A number in the current language: ``1 234,5`` in French, ``1,234.5`` in English."""
    if value is None:
        return "–"
    if digits is None:
        return numbers.format_decimal(value, locale=_babel_locale())
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=_babel_locale())


def format_percent(value: float | None, digits: int = 0) -> str:
    """A fraction as a percentage in the current language (``0.5`` -> ``50 %`` in French)."""
    if value is None:
        return "–"
    locale = _babel_locale()
    pattern = locale.percent_formats[None].pattern  # "#,##0%" in English, "#,##0\u00a0%" in French
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return numbers.format_percent(value, format=pattern, locale=locale)


def install(env: Any) -> None:
    """Give the shared Jinja environment gettext callables and locale filters (once)."""
    env.install_gettext_callables(_raw_gettext, _raw_ngettext, newstyle=True)
    filters: dict[str, Callable[..., str]] = {
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_number": format_number,
        "percent": format_percent,
    }
    env.filters.update(filters)
    env.globals["languages"] = LANGUAGES
    env.globals["current_locale"] = current_locale
