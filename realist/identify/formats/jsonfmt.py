"""JSON exports: CSL-JSON, Crossref, OpenAlex, Publish or Perish.

* CSL-JSON (Zotero, Better CSL JSON, citeproc from DOI content negotiation):
  a list of items or a single item; names as ``{family, given}`` or
  ``{literal}``; dates as ``issued.date-parts`` (year may be a string).
  ``source_record_id``: ``id`` (or ``citation-key``).  Short DOIs
  (``10/fqd6hj``) cannot be expanded offline: the DOI is then taken from a
  doi.org ``URL`` when there is one.
* Crossref REST API: the envelope ``{"message": work}`` or
  ``{"message": {"items": [...]}}``, or bare works; like CSL but titles are
  lists and abstracts are JATS XML (tags stripped).  ``source_record_id``: DOI.
* OpenAlex: a work, a list of works, an API list response (``results``) or
  JSON Lines.  The abstract is rebuilt from ``abstract_inverted_index``;
  ``referenced_works`` become bare W ids; ``ids.pmid``/``ids.pmcid`` used.
  ``source_record_id``: the W id.
* Publish or Perish (Google Scholar): a list of objects with ``uid``,
  ``cites``, ``article_url``; unknown volume/issue/pages are ``0`` → None.
  Authors are 'W Guo' (initials first).  ``source_record_id``: ``uid``.

``raw`` is the JSON object itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from realist.errors import ImportFormatError
from realist.identify.formats import register
from realist.identify.formats._common import first, format_authors, make_record
from realist.records import RecordData, normalise_doi

__all__ = ["CSLJSON", "CrossrefJSON", "OpenAlexJSON", "PublishOrPerish", "rebuild_abstract"]


@lru_cache(maxsize=2)
def _load(text: str) -> Any:
    """Parsed JSON (or JSON Lines as a list), or an ImportFormatError."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as err:
        if "\n" in stripped and stripped.startswith("{"):
            items = []
            for number, line in enumerate(stripped.split("\n"), start=1):
                if line.strip():
                    try:
                        items.append(json.loads(line))
                    except json.JSONDecodeError:
                        return ImportFormatError(f"invalid JSON Lines: {err.msg}", line=number)
            return items
        return ImportFormatError(f"invalid JSON (truncated?): {err.msg}", line=err.lineno)


def _items(text: str) -> list[dict[str, Any]]:
    if not text.lstrip().startswith(("{", "[")):
        return []
    data = _load(text)
    if isinstance(data, ImportFormatError):
        return []
    if isinstance(data, dict):
        if isinstance(data.get("message"), dict):
            data = data["message"].get("items", data["message"])
        elif isinstance(data.get("results"), list):
            data = data["results"]
        elif isinstance(data.get("items"), list):
            data = data["items"]
    if isinstance(data, dict):
        data = [data]
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


def _read_items(text: str) -> list[dict[str, Any]]:
    data = _load(text.strip()) if text.lstrip().startswith(("{", "[")) else None
    if isinstance(data, ImportFormatError):
        raise data
    return _items(text)


def _share(items: list[dict[str, Any]], test: Any) -> float:
    sample = items[:20]
    return sum(1 for i in sample if test(i)) / len(sample) if sample else 0.0


class _JSONFormat:
    name = ""
    label = ""
    score = 0.9

    def accepts(self, item: dict[str, Any]) -> bool:
        raise NotImplementedError

    def detect(self, text: str) -> float:
        items = _items(text)
        return self.score * _share(items, self.accepts)

    def read(self, text: str) -> Iterator[RecordData]:
        for item in _read_items(text):
            yield self.record(item)

    def record(self, item: dict[str, Any]) -> RecordData:
        raise NotImplementedError


def _names(people: Any) -> list[str]:
    out = []
    for p in people or []:
        if isinstance(p, dict):
            family, given = p.get("family"), p.get("given")
            out.append(
                f"{family}, {given}" if family and given else family or given or p.get("literal") or p.get("name") or ""
            )
        elif isinstance(p, str):
            out.append(p)
    return format_authors(n for n in out if n)


def _date_year(value: Any) -> Any:
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if parts and parts[0]:
            return parts[0][0]
        return value.get("raw") or value.get("literal")
    return value


def _one(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else (None if isinstance(value, list) else value)


def _csl_fields(item: dict[str, Any]) -> dict[str, Any]:
    doi = normalise_doi(str(item.get("DOI") or ""))
    if not doi and "doi.org/" in str(item.get("URL") or ""):
        doi = normalise_doi(item["URL"])
    keywords = item.get("keyword") or item.get("subject") or []
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.replace(";", ",").split(",")]
    year = first(
        *(_date_year(item.get(k)) for k in ("issued", "published", "published-print", "published-online", "created"))
    )
    return dict(
        title=_one(item.get("title")),
        abstract=item.get("abstract"),
        authors=_names(item.get("author")) or _names(item.get("editor")),
        year=year,
        journal=_one(item.get("container-title")),
        volume=item.get("volume"),
        issue=item.get("issue"),
        pages=item.get("page"),
        doi=doi,
        pmid=item.get("PMID"),
        pmcid=item.get("PMCID"),
        issn=_one(item.get("ISSN")),
        keywords=keywords,
        language=item.get("language"),
        publication_type=item.get("type"),
        url=item.get("URL"),
    )


@register
class CSLJSON(_JSONFormat):
    name = "csl_json"
    label = "CSL-JSON"
    score = 0.8

    def accepts(self, item: dict[str, Any]) -> bool:
        return (
            "type" in item
            and ("title" in item or "author" in item)
            and (isinstance(item.get("title"), str) or "issued" in item or "container-title" in item)
        )

    def record(self, item: dict[str, Any]) -> RecordData:
        custom: dict[str, Any] = item["custom"] if isinstance(item.get("custom"), dict) else {}
        return make_record(
            item,
            source_record_id=item.get("id") or item.get("citation-key"),
            openalex_id=custom.get("openalex_id"),
            referenced_works=custom.get("referenced_works") or [],
            **_csl_fields(item),
        )


@register
class CrossrefJSON(_JSONFormat):
    name = "crossref_json"
    label = "Crossref JSON"
    score = 0.95

    def detect(self, text: str) -> float:
        if '"message-type"' in text[:2000] and '"message"' in text[:5000]:
            return 0.97
        return super().detect(text)

    def accepts(self, item: dict[str, Any]) -> bool:
        return (
            "DOI" in item
            and isinstance(item.get("title"), list)
            and ("member" in item or "indexed" in item or "prefix" in item)
        )

    def record(self, item: dict[str, Any]) -> RecordData:
        return make_record(item, source_record_id=item.get("DOI"), **_csl_fields(item))


def rebuild_abstract(index: dict[str, list[int]] | None) -> str | None:
    """Text from OpenAlex's ``abstract_inverted_index`` (word → positions)."""
    if not index:
        return None
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for pos in positions:
            slots[pos] = word
    return " ".join(slots[i] for i in sorted(slots))


@register
class OpenAlexJSON(_JSONFormat):
    name = "openalex_json"
    label = "OpenAlex JSON"
    score = 0.95

    def accepts(self, item: dict[str, Any]) -> bool:
        return "openalex.org/W" in str(item.get("id", "")) or "abstract_inverted_index" in item or "authorships" in item

    def record(self, item: dict[str, Any]) -> RecordData:
        ids = item.get("ids") or {}
        loc = item.get("primary_location") or {}
        source = loc.get("source") or {}
        biblio = item.get("biblio") or {}
        authors = [
            (a.get("author") or {}).get("display_name") or a.get("raw_author_name") or ""
            for a in item.get("authorships") or []
        ]
        keywords = [k.get("display_name", "") for k in item.get("keywords") or [] if isinstance(k, dict)]
        start, end = biblio.get("first_page"), biblio.get("last_page")
        return make_record(
            item,
            source_record_id=item.get("id"),
            title=item.get("title") or item.get("display_name"),
            abstract=item.get("abstract") or rebuild_abstract(item.get("abstract_inverted_index")),
            authors=format_authors(a for a in authors if a),
            year=item.get("publication_year") or item.get("publication_date"),
            journal=source.get("display_name"),
            volume=biblio.get("volume"),
            issue=biblio.get("issue"),
            pages=f"{start}-{end}" if start and end and start != end else start,
            doi=item.get("doi") or ids.get("doi"),
            pmid=ids.get("pmid"),
            pmcid=ids.get("pmcid"),
            openalex_id=item.get("id") or ids.get("openalex"),
            issn=source.get("issn_l") or _one(source.get("issn")),
            keywords=keywords,
            language=item.get("language"),
            publication_type=item.get("type"),
            url=loc.get("landing_page_url") or item.get("doi"),
            referenced_works=item.get("referenced_works") or [],
        )


@register
class PublishOrPerish(_JSONFormat):
    name = "publish_or_perish_json"
    label = "Publish or Perish JSON (Google Scholar)"
    score = 0.95

    def accepts(self, item: dict[str, Any]) -> bool:
        return "uid" in item and ("cites" in item or "article_url" in item) and "title" in item

    def record(self, item: dict[str, Any]) -> RecordData:
        def nz(key: str) -> Any:
            value = item.get(key)
            return None if value in (0, "0", "", None) else value

        start, end = nz("startpage"), nz("endpage")
        authors = item.get("authors") or []
        if isinstance(authors, str):
            authors = authors.split(", ")
        return make_record(
            item,
            source_record_id=item.get("uid"),
            title=item.get("title"),
            abstract=item.get("abstract"),
            authors=format_authors(authors),
            year=nz("year"),
            journal=item.get("source"),
            volume=nz("volume"),
            issue=nz("issue"),
            pages=f"{start}-{end}" if start and end else start,
            doi=item.get("doi"),
            issn=item.get("issn"),
            publication_type=item.get("type"),
            url=item.get("article_url"),
        )
