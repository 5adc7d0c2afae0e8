"""Write records out as RIS, BibTeX, CSV or CSL-JSON.

Only the normalised fields are written (``raw`` stays in the review).  Each
writer is the inverse of the matching reader in :mod:`realist.identify.formats`:
import → export → import keeps the normalised fields, with these limits of
the target formats (checked by the round-trip property tests):

* ``publication_type`` uses each format's own vocabulary (RIS ``TY`` codes,
  BibTeX entry types, CSL types): a value outside it is mapped, not kept.
* RIS and BibTeX have no field for ``referenced_works``; RIS writes the
  OpenAlex id as an ``L2`` link, BibTeX as an ``openalex`` field.
* Keywords are joined with ``; `` in BibTeX and CSV, so a keyword holding a
  ``;`` or ``,`` is split on re-import.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from realist.errors import InvalidInput
from realist.records import RecordData

__all__ = ["EXPORT_FORMATS", "export_records"]

EXPORT_FORMATS: tuple[str, ...] = ("ris", "bibtex", "csv", "csl-json")

_RIS_TYPES = {
    "ABST",
    "BOOK",
    "CHAP",
    "CONF",
    "CPAPER",
    "DATA",
    "ELEC",
    "GEN",
    "JOUR",
    "MGZN",
    "NEWS",
    "RPRT",
    "THES",
    "UNPB",
    "WEB",
}
_BIB_TYPES = {
    "article",
    "book",
    "incollection",
    "inproceedings",
    "misc",
    "phdthesis",
    "techreport",
    "online",
    "report",
    "thesis",
}


def _pages(pages: str | None) -> tuple[str | None, str | None]:
    if not pages:
        return None, None
    start, sep, end = pages.partition("-")
    return (start, end) if sep and start and end else (pages, None)


def to_ris(records: Iterable[RecordData]) -> str:
    out: list[str] = []
    for r in records:
        lines: list[tuple[str, Any]] = []
        ty = (r.publication_type or "").upper()
        lines.append(("TY", ty if ty in _RIS_TYPES else "JOUR"))
        lines.append(("ID", r.source_record_id))
        lines.append(("TI", r.title))
        lines.extend(("AU", a) for a in r.authors)
        lines.append(("PY", r.year))
        lines.append(("T2", r.journal))
        lines.append(("VL", r.volume))
        lines.append(("IS", r.issue))
        start, end = _pages(r.pages)
        lines.append(("SP", start))
        lines.append(("EP", end))
        lines.append(("DO", r.doi))
        lines.append(("PMID", r.pmid))
        lines.append(("C2", r.pmcid))
        lines.append(("SN", r.issn))
        lines.append(("LA", r.language))
        lines.append(("UR", r.url))
        lines.append(("L2", f"https://openalex.org/{r.openalex_id}" if r.openalex_id else None))
        lines.extend(("KW", k) for k in r.keywords)
        lines.append(("AB", r.abstract))
        for tag, value in lines:
            if value not in (None, ""):
                text = " ".join(str(value).split())
                out.append(f"{tag}  - {text}")
        out.append("ER  - ")
        out.append("")
    return "\n".join(out)


def _bib_escape(value: str) -> str:
    value = " ".join(value.split())
    value = value.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}")
    value = value.replace("\\textbackslash\\{\\}", "\\textbackslash{}")
    value = value.replace("--", "-{}-").replace("~", "\\textasciitilde{}")
    return value


def _bib_key(record: RecordData, index: int, used: set[str]) -> str:
    base = re.sub(r"[^\w:.-]", "", record.source_record_id or "") or f"record{index}"
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}-{n}"
    used.add(key)
    return key


def to_bibtex(records: Iterable[RecordData]) -> str:
    out: list[str] = []
    used: set[str] = set()
    for index, r in enumerate(records, start=1):
        kind = (r.publication_type or "").lower()
        kind = kind if kind in _BIB_TYPES else "article"
        fields = {
            "title": r.title,
            "author": " and ".join(r.authors) if r.authors else None,
            "year": r.year,
            "journal": r.journal,
            "volume": r.volume,
            "number": r.issue,
            "pages": r.pages.replace("-", "--", 1) if r.pages and r.pages.count("-") == 1 else r.pages,
            "doi": r.doi,
            "pmid": r.pmid,
            "pmcid": r.pmcid,
            "issn": r.issn,
            "openalex": r.openalex_id,
            "keywords": "; ".join(r.keywords) if r.keywords else None,
            "language": r.language,
            "url": r.url,
            "abstract": r.abstract,
        }
        body = ",\n".join(
            f"  {name} = {{{_bib_escape(str(value)) if name not in ('url', 'doi', 'pages') else value}}}"
            for name, value in fields.items()
            if value not in (None, "")
        )
        out.append(f"@{kind}{{{_bib_key(r, index, used)},\n{body}\n}}\n")
    return "\n".join(out)


CSV_COLUMNS = (
    "id",
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "openalex_id",
    "issn",
    "keywords",
    "language",
    "publication_type",
    "url",
    "referenced_works",
)


def to_csv(records: Iterable[RecordData]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        values = r.normalised()
        values["id"] = r.source_record_id
        values["authors"] = "; ".join(r.authors)
        values["keywords"] = "; ".join(r.keywords)
        values["referenced_works"] = "; ".join(r.referenced_works)
        writer.writerow(["" if values.get(c) is None else values[c] for c in CSV_COLUMNS])
    return buffer.getvalue()


_CSL_TYPES = {
    "JOUR": "article-journal",
    "BOOK": "book",
    "CHAP": "chapter",
    "CONF": "paper-conference",
    "THES": "thesis",
}


def _csl_name(author: str) -> dict[str, str]:
    family, sep, given = author.partition(", ")
    return {"family": family, "given": given} if sep else {"literal": author}


def to_csl_json(records: Iterable[RecordData]) -> str:
    items = []
    for index, r in enumerate(records, start=1):
        item: dict[str, Any] = {
            "id": r.source_record_id or f"record{index}",
            "type": _CSL_TYPES.get((r.publication_type or "").upper(), r.publication_type or "article-journal"),
            "title": r.title,
            "author": [_csl_name(a) for a in r.authors] or None,
            "issued": {"date-parts": [[r.year]]} if r.year else None,
            "container-title": r.journal,
            "volume": r.volume,
            "issue": r.issue,
            "page": r.pages,
            "DOI": r.doi,
            "PMID": r.pmid,
            "PMCID": r.pmcid,
            "ISSN": r.issn,
            "keyword": ", ".join(r.keywords) if r.keywords else None,
            "language": r.language,
            "URL": r.url,
            "abstract": r.abstract,
        }
        custom = {"openalex_id": r.openalex_id, "referenced_works": r.referenced_works or None}
        if any(custom.values()):
            item["custom"] = {k: v for k, v in custom.items() if v}
        items.append({k: v for k, v in item.items() if v not in (None, "", [])})
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


_WRITERS: dict[str, Callable[[Iterable[RecordData]], str]] = {
    "ris": to_ris,
    "bibtex": to_bibtex,
    "csv": to_csv,
    "csl-json": to_csl_json,
}


def export_records(records: Iterable[RecordData], format: str) -> str:
    """Render ``records`` in ``format`` (one of :data:`EXPORT_FORMATS`)."""
    key = format.strip().lower().replace("_", "-")
    if key == "csl":
        key = "csl-json"
    if key not in _WRITERS:
        raise InvalidInput(f"cannot export as {format!r}; choose one of: {', '.join(EXPORT_FORMATS)}")
    return _WRITERS[key](records)
