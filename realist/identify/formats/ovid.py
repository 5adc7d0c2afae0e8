"""Ovid exports that are not RIS: the tagged layout and the display layout.

Tagged (``.ovd``; "Citavi"/"Reference Manager" style): each record opens
with a header ``<3001. >`` (or ``<1>``), fields are ``TI  - value`` with
2–4 letter tags, and continuation lines start with six spaces.  There is no
journal tag in some databases; the journal, volume, issue and pages are then
parsed from ``SO`` ("Journal. 12(3):100-110, 2018").

Display ("citation" text): ``<8>`` record markers, field labels alone on a
line ("Title", "Author", "Source", "Abstract" ...) and values indented by
two spaces below them; authors carry affiliation numbers ("Kohler, Lars 1").

``source_record_id``: ``UI``/``AN`` (tagged) or "Accession Number" /
"Unique Identifier" (display).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from realist.identify.formats import register
from realist.identify.formats._common import first, format_authors, make_record, split_list
from realist.identify.formats._tagged import tagged_records
from realist.records import RecordData

__all__ = ["OvidTagged", "OvidDisplay", "ovid_record", "display_record"]

_HEADER = re.compile(r"<\d+\.?\s*>\s*$")
_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,3}- (.*)")
_SO = re.compile(r"^(?P<journal>[^.]+(?:\.[^.\d][^.]*)*?)\.\s+(?P<rest>.*)$")
_VIP = re.compile(r"(?P<vol>\d+)\s*(?:\((?P<iss>[^)]*)\))?\s*(?::\s*(?P<pages>[\w-]+))?")


def _parse_source(source: str | None) -> dict[str, str | None]:
    out: dict[str, str | None] = {"journal": None, "volume": None, "issue": None, "pages": None}
    if not source:
        return out
    match = _SO.match(source.replace("\n", " "))
    if not match:
        return out
    out["journal"] = match.group("journal").strip()
    vip = _VIP.search(match.group("rest"))
    if vip:
        out["volume"], out["issue"], out["pages"] = vip.group("vol"), vip.group("iss"), vip.group("pages")
    return out


@register
class OvidTagged:
    name = "ovid_tagged"
    label = "Ovid tagged"

    def detect(self, text: str) -> float:
        head = text.lstrip()[:5000]
        if _HEADER.match(head.split("\n", 1)[0]) and re.search(r"^[A-Z]{2,4} {0,3}- ", head, re.M):
            return 0.95
        return 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        for fields in tagged_records(text, _TAG, header=_HEADER):
            yield ovid_record(fields)


def ovid_record(fields: dict[str, list[str]]) -> RecordData:
    raw = {t: v[0] if len(v) == 1 else v for t, v in fields.items()}
    so = _parse_source(first(fields.get("SO")))
    return make_record(
        raw,
        source_record_id=first(fields.get("UI"), fields.get("AN")),
        title=first(fields.get("TI")),
        abstract=first(fields.get("AB")),
        authors=format_authors(fields.get("AU", [])),
        year=first(fields.get("YR"), fields.get("DP"), fields.get("PY")),
        journal=first(fields.get("JN"), fields.get("JT"), fields.get("JA"), so["journal"]),
        volume=first(fields.get("VO"), fields.get("VI"), so["volume"]),
        issue=first(fields.get("IP"), so["issue"]),
        pages=first(fields.get("PG"), so["pages"]),
        doi=first(fields.get("DO"), fields.get("DI")),
        pmid=first(fields.get("PM")),
        issn=first(fields.get("IS"), fields.get("SN")),
        keywords=[k for t in ("KW", "MH") for v in fields.get(t, []) for k in split_list(v)],
        language=first(fields.get("LG"), fields.get("LA")),
        publication_type=first(fields.get("PT")),
        url=first(fields.get("UR"), fields.get("XL")),
    )


_DISPLAY_MARK = re.compile(r"<\d+>\s*$")
_LABELS = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "author(s)": "authors",
    "source": "source",
    "abstract": "abstract",
    "accession number": "id",
    "unique identifier": "id",
    "author keywords": "keywords",
    "keyword heading": "keywords",
    "keywords": "keywords",
    "subject headings": "keywords",
    "mesh subject headings": "keywords",
    "language": "language",
    "document type": "type",
    "publication type": "type",
    "issn": "issn",
    "issn print": "issn",
    "doi number": "doi",
    "digital object identifier": "doi",
    "doi": "doi",
    "year of publication": "year",
    "publication year": "year",
    "journal name": "journal",
    "volume": "volume",
    "issue": "issue",
    "page": "pages",
    "pages": "pages",
    "pubmed id": "pmid",
    "url": "url",
}


@register
class OvidDisplay:
    name = "ovid_display"
    label = "Ovid display text"

    def detect(self, text: str) -> float:
        head = text.lstrip()[:5000]
        lines = head.split("\n")
        if _DISPLAY_MARK.match(lines[0]) and any(
            line.strip() in ("Title", "Source", "Author", "Authors") for line in lines[1:40]
        ):
            return 0.9
        return 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        fields: dict[str, list[str]] = {}
        label: str | None = None
        for line in text.split("\n"):
            if _DISPLAY_MARK.match(line):
                if fields:
                    yield display_record(fields)
                fields, label = {}, None
            elif line and not line[0].isspace():
                label = line.strip()
                fields.setdefault(label, [])
            elif label is not None and line.strip():
                fields[label].append(line.strip())
        if fields:
            yield display_record(fields)


def display_record(fields: dict[str, list[str]]) -> RecordData:
    raw = {label: "\n".join(v) for label, v in fields.items()}
    got: dict[str, str] = {}
    for label, value in raw.items():
        key = _LABELS.get(label.lower())
        if key and key not in got:
            got[key] = value
    so = _parse_source(got.get("source"))
    authors = [re.sub(r"\s+[\d,\s]+$", "", a) for a in split_list(got.get("authors"))]
    return make_record(
        raw,
        source_record_id=(got.get("id") or "").rstrip(".") or None,
        title=got.get("title"),
        abstract=got.get("abstract"),
        authors=format_authors(authors),
        year=got.get("year")
        or ((got.get("source") and re.findall(r"\b(?:19|20)\d\d\b", got["source"])[-1:]) or [None])[0],
        journal=got.get("journal") or so["journal"],
        volume=got.get("volume") or so["volume"],
        issue=got.get("issue") or so["issue"],
        pages=got.get("pages") or so["pages"],
        doi=got.get("doi"),
        pmid=got.get("pmid"),
        issn=got.get("issn"),
        keywords=[k.rstrip(".") for k in split_list(got.get("keywords"))],
        language=got.get("language"),
        publication_type=got.get("type"),
        url=got.get("url"),
    )
