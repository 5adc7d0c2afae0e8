"""A small OpenAlex client: settings, retries, cursor paging, an on-disk cache.

Everything that may change with OpenAlex's access rules (base URL, key,
polite-pool e-mail, page size, ids per filter, timeouts, back-off) is a
field of :class:`OpenAlexSettings`, never a constant in the code; the
defaults follow the API documentation as read in early 2026.

Every answer is cached (see :mod:`realist.network.cache`) before it is
used: a rerun asks OpenAlex nothing, and with ``offline=True`` the client
answers from the cache only.  Failures become :class:`OpenAlexError`, a
user error with a message a person can act on.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RealistError
from ..records import normalise_doi, normalise_openalex_id, normalise_pmid
from .cache import ResponseCache

if TYPE_CHECKING:  # httpx is imported when a request is made (fast CLI start)
    import httpx

__all__ = [
    "DEFAULT_URL",
    "OpenAlexSettings",
    "OpenAlexClient",
    "OpenAlexError",
    "OpenAlexUnavailable",
    "Identifier",
    "parse_identifier",
    "work_identifiers",
]

DEFAULT_URL = "https://api.openalex.org"
ENV_URL = "REALIST_OPENALEX_URL"
ENV_MAILTO = "REALIST_OPENALEX_MAILTO"
ENV_API_KEY = "REALIST_OPENALEX_API_KEY"

#: ("openalex" | "doi" | "pmid", normalised value), e.g. ("doi", "10.1186/x").
Identifier = tuple[str, str]


class OpenAlexError(RealistError):
    """OpenAlex refused or could not answer a request."""


class OpenAlexUnavailable(OpenAlexError):
    """OpenAlex could not be reached (or offline mode) and the cache has no answer."""


@dataclass(frozen=True)
class OpenAlexSettings:
    """How to talk to OpenAlex.  Limits are settings because the API's rules change."""

    base_url: str = DEFAULT_URL
    mailto: str | None = None
    api_key: str | None = None
    cache_dir: Path | None = None
    offline: bool = False
    timeout: float = 30.0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    per_page: int = 100
    ids_per_filter: int = 100
    user_agent: str = "realist (https://github.com/realist-review/realist)"

    @classmethod
    def from_env(cls, **overrides: Any) -> OpenAlexSettings:
        """Settings from ``REALIST_OPENALEX_*`` variables; ``None`` overrides are ignored."""
        base = cls(
            base_url=os.environ.get(ENV_URL) or DEFAULT_URL,
            mailto=os.environ.get(ENV_MAILTO) or None,
            api_key=os.environ.get(ENV_API_KEY) or None,
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def parse_identifier(text: str) -> Identifier:
    """Read a DOI, PMID (``pmid:123`` or bare digits) or OpenAlex id (``W123`` or URL)."""
    value = str(text).strip()
    low = value.lower()
    if low.startswith("pmid:") or "pubmed" in low or value.isdigit():
        pmid = normalise_pmid(value)
        if pmid:
            return ("pmid", pmid)
    doi = normalise_doi(value)
    if doi:
        return ("doi", doi)
    if re.fullmatch(r"(?:https?://openalex\.org/)?[Ww]\d+", value):
        return ("openalex", normalise_openalex_id(value) or value)
    raise OpenAlexError(f"{value!r} is not a DOI (10.xxxx/...), a PMID (pmid:123) or an OpenAlex work id (W123)")


def work_identifiers(work: dict[str, Any]) -> list[Identifier]:
    """Every identifier a work is known by (OpenAlex id, DOI, PMID)."""
    ids = work.get("ids") or {}
    out: list[Identifier] = []
    oa = normalise_openalex_id(str(work.get("id") or ids.get("openalex") or ""))
    doi = normalise_doi(str(work.get("doi") or ids.get("doi") or ""))
    pmid = normalise_pmid(str(ids.get("pmid") or "")) if ids.get("pmid") else None
    for kind, value in (("openalex", oa), ("doi", doi), ("pmid", pmid)):
        if value:
            out.append((kind, value))
    return out


def _filter_value(kind: str, value: str) -> str:
    return f"https://doi.org/{value}" if kind == "doi" else value


@dataclass
class OpenAlexClient:
    """Requests to OpenAlex with retries, back-off, paging and a response cache.

    ``sleep`` and ``transport`` can be replaced (tests pass a recorder and
    keep the back-off tiny); ``requests`` counts the HTTP requests made.
    """

    settings: OpenAlexSettings = field(default_factory=OpenAlexSettings)
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None
    requests: int = 0
    _http: httpx.Client | None = field(default=None, repr=False)

    @property
    def cache(self) -> ResponseCache | None:
        return ResponseCache(self.settings.cache_dir) if self.settings.cache_dir else None

    def _client(self) -> httpx.Client:
        import httpx

        if self._http is None:
            headers = {
                "User-Agent": self.settings.user_agent
                + (f" mailto:{self.settings.mailto}" if self.settings.mailto else "")
            }
            self._http = httpx.Client(
                base_url=self.settings.base_url.rstrip("/"),
                timeout=self.settings.timeout,
                follow_redirects=True,
                headers=headers,
                transport=self.transport,
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> OpenAlexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ requests

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any | None:
        """The JSON answer to ``GET path?params``; ``None`` when OpenAlex says 404."""
        params = dict(params or {})
        cache = self.cache
        if cache is not None:
            hit = cache.get(path, params)
            if hit is not None:
                return hit.body if hit.status == 200 else None
        if self.settings.offline:
            where = f" in {self.settings.cache_dir}" if cache else " (no cache folder)"
            raise OpenAlexUnavailable(
                f"offline, and the answer to {path} is not cached{where}: run once online, "
                "or work from saved OpenAlex JSON",
                key="offline-not-cached",
            )
        status, body = self._fetch(path, params)
        if cache is not None:
            cache.put(path, params, status, body)
        return body if status == 200 else None

    def _send_params(self, params: dict[str, Any]) -> dict[str, Any]:
        out = dict(params)
        if self.settings.mailto:
            out["mailto"] = self.settings.mailto
        if self.settings.api_key:
            out["api_key"] = self.settings.api_key
        return out

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        s = self.settings
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), s.backoff_max)
            except ValueError:
                pass
        return min(s.backoff_base * 2.0**attempt * (1 + random.random() / 4), s.backoff_max)

    def _fetch(self, path: str, params: dict[str, Any]) -> tuple[int, Any]:
        url = f"{self.settings.base_url.rstrip('/')}{path}"
        import httpx

        problem = ""
        for attempt in range(self.settings.max_retries + 1):
            retry_after: str | None = None
            try:
                self.requests += 1
                resp = self._client().get(path, params=self._send_params(params))
            except httpx.TimeoutException:
                problem = f"no answer within {self.settings.timeout:g} s"
            except httpx.TransportError as exc:
                problem = f"cannot connect ({exc.__class__.__name__}: {exc})"
            else:
                if resp.status_code == 404:
                    return 404, None
                if resp.status_code == 200:
                    try:
                        return 200, resp.json()
                    except ValueError:
                        problem = "the answer was not valid JSON"
                elif resp.status_code == 429 or resp.status_code >= 500:
                    problem = f"HTTP {resp.status_code}"
                    retry_after = resp.headers.get("Retry-After")
                else:
                    raise OpenAlexError(
                        self._refusal(url, resp),
                        key="openalex-needs-key" if resp.status_code in (401, 403) else "openalex-refused",
                    )
            if attempt < self.settings.max_retries:
                self.sleep(self._delay(attempt, retry_after))
        raise OpenAlexUnavailable(
            f"OpenAlex at {self.settings.base_url} did not answer {path} after "
            f"{self.settings.max_retries + 1} tries ({problem}), and the answer is not cached. "
            "Check the connection and the OpenAlex URL, try again later, or work from saved OpenAlex JSON",
            key="openalex-unavailable",
        )

    def _refusal(self, url: str, resp: httpx.Response) -> str:
        try:
            detail = resp.json().get("message") or resp.json().get("error") or ""
        except ValueError:
            detail = resp.text[:200]
        hint = ""
        if resp.status_code in (401, 403):
            hint = " OpenAlex may require an API key."
        return f"OpenAlex refused {url} (HTTP {resp.status_code}) {detail}".rstrip() + "." + hint

    # ------------------------------------------------------------ entities

    def work(self, identifier: Identifier) -> dict[str, Any] | None:
        """One work by OpenAlex id, DOI or PMID, or ``None`` when OpenAlex has none."""
        kind, value = identifier
        key = value if kind == "openalex" else f"{kind}:{value}"
        found = self.get(f"/works/{key}")
        return found if isinstance(found, dict) else None

    def iter_works(
        self,
        filter: str | None = None,
        *,
        search: str | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """All works matching a filter (and search), page by page with a cursor.

        ``on_page(seen, total)`` is called after each page.
        """
        yield from self.iter_list("/works", filter=filter, search=search, on_page=on_page)

    def iter_list(
        self,
        path: str,
        *,
        filter: str | None = None,
        search: str | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"per_page": self.settings.per_page, "cursor": "*"}
        if filter:
            params["filter"] = filter
        if search:
            params["search"] = search
        seen = 0
        while True:
            page = self.get(path, params)
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise OpenAlexError(f"OpenAlex answered {path} with something that is not a list of results")
            results = page["results"]
            meta = page.get("meta") or {}
            seen += len(results)
            yield from results
            if on_page is not None:
                on_page(seen, int(meta.get("count") or seen))
            cursor = meta.get("next_cursor")
            count = meta.get("count")
            if not results or not cursor or (isinstance(count, int) and seen >= count):
                return  # an empty last page would cost one more request
            params = {**params, "cursor": cursor}

    def works_by(self, kind: str, values: Sequence[str]) -> list[dict[str, Any]]:
        """Works whose ``kind`` id (openalex, doi, pmid, cites, cited_by) is any of ``values``.

        Values are OR-ed in batches of ``ids_per_filter``; order follows the answers.
        """
        name = {"openalex": "openalex", "doi": "doi", "pmid": "pmid"}.get(kind, kind)
        out: list[dict[str, Any]] = []
        unique = list(dict.fromkeys(values))
        step = max(1, self.settings.ids_per_filter)
        for start in range(0, len(unique), step):
            batch = unique[start : start + step]
            expr = "|".join(_filter_value(kind, v) for v in batch)
            out.extend(self.iter_works(f"{name}:{expr}"))
        return out
