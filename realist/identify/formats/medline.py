"""PubMed MEDLINE / .nbib (and the ERIC variant of the same layout).

Tags are padded to four characters then ``- `` (``PMID- 123``, ``TI  - ...``,
``FAU - Smith, John``); continuation lines start with six spaces; records
are separated by blank lines.  Old layouts carry ``DA``/``DCOM`` fields, new
ones ``EDAT``/``PHST``; both read the same.  ERIC's .nbib has no ``PMID``
(it starts with ``OWN - ERIC`` and identifies records by ``OID``).

``raw``: tag → value (list when repeated; continuations joined with ``\\n``).
``source_record_id``: ``PMID``, else ``OID`` (ERIC), else ``AN``.
Authors from ``FAU`` (full names), else ``AU`` ('Smith JA' → 'Smith, JA').
DOI from ``LID``/``AID`` values marked ``[doi]`` or written as doi.org URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from realist.identify.formats import register
from realist.identify.formats._common import first, format_authors, make_record, split_list
from realist.identify.formats._tagged import tagged_records
from realist.records import RecordData, normalise_doi

__all__ = ["Medline", "medline_record"]

_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,3}- (.*)")


@register
class Medline:
    name = "medline"
    label = "PubMed MEDLINE (.nbib)"

    def detect(self, text: str) -> float:
        head = text[:20000]
        if re.search(r"^TY {1,2}- ", head, re.M):
            return 0.0
        if re.search(r"^(PMID- |OWN - |STAT- |FAU - )", head, re.M):
            return 0.9
        return 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        for fields in tagged_records(text, _TAG, repeat_opens="PMID"):
            yield medline_record(fields)


def medline_record(fields: dict[str, list[str]]) -> RecordData:
    raw = {tag: v[0] if len(v) == 1 else v for tag, v in fields.items()}
    doi = None
    for value in fields.get("LID", []) + fields.get("AID", []):
        if "[doi]" in value or "doi.org/" in value.lower():
            doi = normalise_doi(value.replace("[doi]", ""))
            if doi:
                break
    authors = fields.get("FAU") or fields.get("AU") or []
    url = next((v for v in fields.get("LID", []) + fields.get("AID", []) if v.startswith("http")), None)
    return make_record(
        raw,
        source_record_id=first(fields.get("PMID"), fields.get("OID"), fields.get("AN")),
        title=first(fields.get("TI"), fields.get("BTI")),
        abstract=first(fields.get("AB")),
        authors=format_authors(authors),
        year=first(fields.get("DP"), fields.get("DEP"), fields.get("DA")),
        journal=first(fields.get("JT"), fields.get("TA")),
        volume=first(fields.get("VI")),
        issue=first(fields.get("IP")),
        pages=first(fields.get("PG")),
        doi=doi,
        pmid=first(fields.get("PMID")),
        pmcid=first(fields.get("PMC")),
        issn=first(fields.get("IS"), fields.get("ISSN")),
        keywords=[k for v in fields.get("OT", []) + fields.get("MH", []) for k in split_list(v)],
        language=first(fields.get("LA")),
        publication_type=first(fields.get("PT")),
        url=url,
    )
