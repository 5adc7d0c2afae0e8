"""ProQuest plain text ("Report Information from ProQuest").

A report starts with a table of contents, then one block per document,
each opened by ``Document N of M`` and separated by lines of underscores.
Inside a block the first paragraph is the title, then paragraphs of
``Label: value`` (Author, Abstract, Publication title, Volume, Issue,
Pages, Publication year, ISSN, DOI, ProQuest document ID ...).  Long
abstracts run over several paragraphs: a paragraph that does not start
with a known label continues the previous field.

``source_record_id``: "ProQuest document ID".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from realist.identify.formats import register
from realist.identify.formats._common import first, format_authors, make_record, split_list
from realist.records import RecordData

__all__ = ["ProQuest", "proquest_record"]

_DOC = re.compile(r"^Document \d+ of \d+\s*$", re.M)
_LABEL = re.compile(r"^([A-Z][A-Za-z/ ()&-]{1,40}?):\s(.*)", re.S)
_KNOWN = {
    "title",
    "author",
    "abstract",
    "links",
    "subject",
    "publication title",
    "volume",
    "issue",
    "pages",
    "number of pages",
    "publication year",
    "publication date",
    "year",
    "publisher",
    "place of publication",
    "country of publication",
    "issn",
    "isbn",
    "e-issn",
    "doi",
    "source type",
    "language of publication",
    "language",
    "document type",
    "proquest document id",
    "document url",
    "copyright",
    "last updated",
    "database",
    "identifier / keyword",
    "classification",
    "advisor",
    "committee member",
    "degree",
    "degree date",
    "department",
    "dissertation/thesis number",
    "school code",
    "source",
    "university/institution",
    "university location",
    "section",
    "publication subject",
    "accession number",
    "first page",
    "mesh subject",
    "keywords",
    "location",
    "company / organization",
    "people",
    "update",
    "subtitle",
    "cited by",
    "references",
    "contributor",
    "notes",
}


@register
class ProQuest:
    name = "proquest_txt"
    label = "ProQuest plain text"

    def detect(self, text: str) -> float:
        head = text[:50000]
        if _DOC.search(head) and ("ProQuest" in head or "\nTitle: " in text[:200000]):
            return 0.95
        return 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        starts = [m.start() for m in _DOC.finditer(text)]
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(text)
            block = re.split(r"\n_{20,}\s*\n", text[start:end])[0]
            yield proquest_record(block)


def proquest_record(block: str) -> RecordData:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", block) if p.strip()][1:]
    fields: dict[str, list[str]] = {}
    last: str | None = None
    for index, para in enumerate(paragraphs):
        match = _LABEL.match(para)
        if para.startswith("http") and last != "Links":
            fields.setdefault("_url", []).append(para)
        elif match and (match.group(1).lower() in _KNOWN or (last != "Abstract" and index > 0)):
            last = match.group(1)
            fields.setdefault(last, []).append(match.group(2).strip())
        elif index == 0:
            fields["_heading"] = [para]
        elif last is not None:
            fields[last][-1] += "\n\n" + para
    raw = {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    get = {k.lower(): v for k, v in fields.items()}
    authors = [a for v in get.get("author", []) for a in split_list(v, (";",))]
    return make_record(
        raw,
        source_record_id=first(get.get("proquest document id"), get.get("accession number")),
        title=first(get.get("title"), fields.get("_heading")),
        abstract=first(get.get("abstract")),
        authors=format_authors(authors),
        year=first(get.get("publication year"), get.get("year"), get.get("publication date"), get.get("degree date")),
        journal=first(get.get("publication title")),
        volume=first(get.get("volume")),
        issue=first(get.get("issue")),
        pages=first(get.get("pages")),
        doi=first(get.get("doi")),
        issn=first(get.get("issn"), get.get("e-issn")),
        keywords=[
            k for v in get.get("identifier / keyword", []) + get.get("subject", []) for k in split_list(v, (";", ","))
        ],
        language=first(get.get("language of publication"), get.get("language")),
        publication_type=first(get.get("document type"), get.get("source type")),
        url=first(get.get("document url"), fields.get("_url")),
    )
