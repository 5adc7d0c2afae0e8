"""Hand searching a journal: its works matching some terms in a date range.

:func:`handsearch` resolves the journal to an OpenAlex source (by name,
ISSN or ``S`` id), asks for the source's works that match the terms within
the dates, and stores them as one source of kind ``hand_search`` whose
details keep the journal, terms, query, the date it was run and the counts.
A search that finds nothing is still logged: it was done, and PRISMA
reports it.  With saved works (:class:`~realist.network.offline.OfflineWorks`)
the same search runs on the files instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput, NotFound
from ..identify.formats.jsonfmt import OpenAlexJSON, rebuild_abstract
from ..records import normalise_doi
from ..review import ReviewHandle
from .offline import OfflineWorks
from .openalex import OpenAlexClient
from .store import new_after_dedup, store_found
from .works import Progress

__all__ = ["Journal", "HandSearchResult", "handsearch", "resolve_journal", "search_query"]

_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


@dataclass
class Journal:
    id: str
    display_name: str
    issn_l: str | None = None
    issn: list[str] = field(default_factory=list)


@dataclass
class HandSearchResult:
    source_id: int
    journal: Journal
    query: dict[str, Any]
    count_reported: int
    found: int
    new_after_dedup: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["journal"] = dict(self.journal.__dict__)
        return out


def _date(value: str | int | None, end: bool) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-12-31" if end else f"{text}-01-01"
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(f"{text!r} is not a year (1998) or a date (1998-06-30)") from None


def _journal(obj: dict[str, Any]) -> Journal:
    sid = str(obj.get("id", "")).rsplit("/", 1)[-1]
    return Journal(sid, obj.get("display_name") or sid, obj.get("issn_l"), list(obj.get("issn") or []))


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"^the ", "", re.sub(r"\W+", " ", s.lower()).strip())

    return norm(a) == norm(b)


def resolve_journal(client: OpenAlexClient, journal: str) -> Journal:
    """The OpenAlex source for a journal name, ISSN or ``S`` id; ambiguity is an error."""
    text = journal.strip()
    if re.fullmatch(r"(?:https?://openalex\.org/)?[Ss]\d+", text):
        obj = client.get(f"/sources/{text.rsplit('/', 1)[-1].upper()}")
        if not obj:
            raise NotFound(f"OpenAlex has no source {text}")
        return _journal(obj)
    if _ISSN.match(text):
        issn = text.upper() if "-" in text else f"{text[:4]}-{text[4:]}".upper()
        page = client.get("/sources", {"filter": f"issn:{issn}"}) or {}
    else:
        page = client.get("/sources", {"search": text}) or {}
    results = [r for r in page.get("results") or [] if isinstance(r, dict)]
    exact = [
        r
        for r in results
        if _same(r.get("display_name") or "", text)
        or any(_same(t, text) for t in r.get("alternate_titles") or [])
        or text.upper() in (r.get("issn") or [])
    ]
    if len(exact) == 1 or (len(results) == 1 and not exact):
        return _journal((exact or results)[0])
    if not results:
        raise NotFound(f"OpenAlex knows no journal called {text!r}: check the name, or give its ISSN")
    names = "; ".join(
        f"{_journal(r).display_name} ({_journal(r).id}, ISSN {r.get('issn_l') or '?'})" for r in (exact or results)[:5]
    )
    raise InvalidInput(f"{text!r} matches several journals: {names}. Name one by its S id or ISSN")


def search_query(terms: list[str], match: str = "any") -> str:
    """OpenAlex ``search`` text: phrases quoted, joined by OR (any) or AND (all)."""
    if match not in ("any", "all"):
        raise InvalidInput(f"match must be 'any' or 'all', not {match!r}", field="match")
    cleaned = [t.strip().strip('"') for t in terms if t.strip().strip('"')]
    if not cleaned:
        raise InvalidInput("give at least one search term", field="terms")
    quoted = [f'"{t}"' if " " in t else t for t in cleaned]
    return (" OR " if match == "any" else " AND ").join(quoted)


def _matches(work: dict[str, Any], terms: list[str], match: str) -> bool:
    text = " ".join(
        filter(
            None,
            [
                work.get("display_name") or work.get("title") or "",
                rebuild_abstract(work.get("abstract_inverted_index")) or "",
            ],
        )
    ).lower()
    hits = [re.search(rf"\b{re.escape(t.lower())}", text) is not None for t in terms]
    return any(hits) if match == "any" else all(hits)


def _offline_search(
    works: OfflineWorks, journal: str, terms: list[str], match: str, start: str | None, end: str | None
) -> tuple[Journal, list[dict[str, Any]]]:
    chosen: Journal | None = None
    out = []
    for work in works.all_works():
        src = (work.get("primary_location") or {}).get("source") or {}
        if not (
            _same(src.get("display_name") or "", journal)
            or journal.upper() in (src.get("issn") or [])
            or str(src.get("id", "")).endswith("/" + journal)
        ):
            continue
        chosen = chosen or _journal(src)
        date = str(work.get("publication_date") or work.get("publication_year") or "")
        if (start and date[:10] < start[: len(date[:10])]) or (end and date[:10] > end[: len(date[:10])]):
            continue
        if _matches(work, [t.strip('"') for t in terms], match):
            out.append(work)
    if chosen is None:
        raise NotFound(f"no saved work is from a journal called {journal!r}")
    return chosen, out


def handsearch(
    review: ReviewHandle,
    journal: str,
    terms: list[str],
    source: OpenAlexClient | OfflineWorks,
    *,
    year_from: str | int | None = None,
    year_to: str | int | None = None,
    match: str = "any",
    name: str | None = None,
    dedup: bool = True,
    progress: Progress | None = None,
) -> HandSearchResult:
    """Search one journal's works for the terms in the date range; store and log the result."""
    start, end = _date(year_from, False), _date(year_to, True)
    if start and end and start > end:
        raise InvalidInput(f"the first year {year_from} is after the last year {year_to}", field="year_from")
    search = search_query(terms, match)
    if isinstance(source, OfflineWorks):
        found_journal, works = _offline_search(source, journal, terms, match, start, end)
        reported, query = len(works), {"search": search, "journal": journal}
        via = source.describe()
    else:
        found_journal = resolve_journal(source, journal)
        parts = [f"primary_location.source.id:{found_journal.id}"]
        parts += [f"from_publication_date:{start}"] if start else []
        parts += [f"to_publication_date:{end}"] if end else []
        query = {"filter": ",".join(parts), "search": search}
        total = {"count": 0}

        def on_page(seen: int, count: int) -> None:
            total["count"] = count
            if progress is not None:
                progress("Hand search", seen, count)

        works = list(source.iter_works(query["filter"], search=search, on_page=on_page))
        reported, via = total["count"], {"via": "openalex_api", "openalex_url": source.settings.base_url}
    fmt = OpenAlexJSON()
    records = [fmt.record(w) for w in works]
    details = {
        "method": "hand_search",
        "journal": dict(found_journal.__dict__),
        "journal_query": journal,
        "terms": list(terms),
        "match": match,
        "from": start,
        "to": end,
        "query": query,
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "count_reported": reported,
        "found": len(records),
        "with_doi": sum(1 for r in records if normalise_doi(r.doi)),
        **via,
    }
    label = name or f"Hand search: {found_journal.display_name}"
    source_id = store_found(
        review, records, [], name=label, kind="hand_search", format="openalex_json", details=details
    )
    result = HandSearchResult(source_id, found_journal, query, reported, len(records))
    if dedup and records:
        from ..deduplicate.store import run_dedup

        run_dedup(review)
        result.new_after_dedup = new_after_dedup(review, source_id)
    return result
