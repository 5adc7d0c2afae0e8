"""EndNote exports: the tagged "refer" text and the XML library export.

Tagged (``%0 Journal Article``, ``%A Smith, John``, ``%T Title`` ...): one
field per line, records separated by blank lines; ``%0`` (type) is often
missing or not first (AIS eLibrary puts ``%T`` first), so records are split
on blank lines.  Untagged lines continue the previous field.
``source_record_id``: ``%M`` (accession number), else ``%F`` (label).
Journal from ``%J``, else ``%B`` (secondary title).

XML (``<xml><records><record>``): every value is wrapped in ``<style>``
elements (or not, in older versions) — text is taken across them.  DOIs sit
in ``electronic-resource-num``; ``rec-number`` is the record's number in the
library (used as ``source_record_id`` unless an ``accession-num`` exists).
``raw`` is the element tree as nested ``{tag, attrs, text, children}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from realist.identify.formats import register
from realist.identify.formats._common import first, format_authors, make_record, split_list
from realist.identify.formats._tagged import tagged_records
from realist.identify.formats._xml import parse_xml, text_of, to_json
from realist.records import RecordData

__all__ = ["EndNoteTagged", "EndNoteXML", "refer_record", "endnote_xml_record"]

_TAG = re.compile(r"%([0-9A-Z@!#$&()*+^|~>?\]]) ?(.*)")


@register
class EndNoteTagged:
    name = "endnote_tagged"
    label = "EndNote tagged (refer)"

    def detect(self, text: str) -> float:
        head = text[:10000]
        tags = re.findall(r"^%([0-9A-Z@]) ", head, re.M)
        if tags and ("T" in tags) and ("0" in tags or "A" in tags or "D" in tags):
            return 0.9
        return 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        for fields in tagged_records(text, _TAG):
            yield refer_record(fields)


def refer_record(fields: dict[str, list[str]]) -> RecordData:
    raw = {f"%{t}": v[0] if len(v) == 1 else v for t, v in fields.items()}
    doi = first(fields.get("R"))
    if not doi:
        doi = next((u for u in fields.get("U", []) if "doi.org/" in u), None)
    return make_record(
        raw,
        source_record_id=first(fields.get("M"), fields.get("F")),
        title=first(fields.get("T")),
        abstract=first(fields.get("X")),
        authors=format_authors(fields.get("A", [])),
        year=first(fields.get("D")),
        journal=first(fields.get("J"), fields.get("B")),
        volume=first(fields.get("V")),
        issue=first(fields.get("N")),
        pages=first(fields.get("P")),
        doi=doi,
        issn=first(fields.get("@")),
        keywords=[k for v in fields.get("K", []) for kw in v.split("\n") for k in split_list(kw)],
        language=first(fields.get("G")),
        publication_type=first(fields.get("0")),
        url=first(fields.get("U")),
    )


@register
class EndNoteXML:
    name = "endnote_xml"
    label = "EndNote XML"

    def detect(self, text: str) -> float:
        head = text[:3000].replace(" ", "")
        return (
            0.95 if "<xml><records><record>" in head or ("<records>" in head and "<ref-type" in text[:20000]) else 0.0
        )

    def read(self, text: str) -> Iterator[RecordData]:
        root = parse_xml(text)
        for record in root.iter("record"):
            yield endnote_xml_record(record)


def endnote_xml_record(rec: etree._Element) -> RecordData:
    def t(path: str) -> str | None:
        return text_of(rec.find(path))

    def all_text(path: str) -> list[str]:
        return [v for v in (text_of(e) for e in rec.findall(path)) if v]

    ref_type = rec.find("ref-type")
    urls = all_text("urls/related-urls/url") + all_text("urls/web-urls/url")
    pmid = None
    accession = t("accession-num")
    if accession and accession.strip().isdigit():
        pmid = accession
    remote = t("remote-database-name") or ""
    return make_record(
        to_json(rec),
        source_record_id=accession or t("rec-number"),
        title=t("titles/title"),
        abstract=t("abstract"),
        authors=format_authors(all_text("contributors/authors/author")),
        year=t("dates/year"),
        journal=first(t("periodical/full-title"), t("titles/secondary-title"), t("periodical/abbr-1")),
        volume=t("volume"),
        issue=t("number"),
        pages=t("pages"),
        doi=t("electronic-resource-num") or next((u for u in urls if "doi.org/" in u), None),
        pmid=pmid if pmid and ("pubmed" in remote.lower() or "medline" in remote.lower() or not remote) else None,
        issn=t("isbn"),
        keywords=all_text("keywords/keyword"),
        language=t("language"),
        publication_type=ref_type.get("name") if ref_type is not None else None,
        url=urls[0] if urls else None,
    )
