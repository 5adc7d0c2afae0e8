"""PubMed XML (efetch) and Zotero RDF.

PubMed XML: a ``<PubmedArticleSet>`` or a bare ``<PubmedArticle>`` root.
Structured abstracts have several ``<AbstractText Label="METHODS">`` parts,
joined here as "METHODS: ...".  Inline markup (<i>, <sup>) is flattened.
``source_record_id``: the PMID.  DOI/PMC from ``ArticleIdList`` (else
``ELocationID``).  Year from ``PubDate/Year``, else ``MedlineDate``.

Zotero RDF: each top-level resource with a ``z:itemType`` (or a bib:/dc:
title) other than attachments, notes and collections is one item; the
journal sits in ``dcterms:isPartOf``; identifiers are ``dc:identifier``
strings such as "DOI 10.2307/2441258".  ``source_record_id``: ``rdf:about``.
``raw`` is the element tree as nested ``{tag, attrs, text, children}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from realist.identify.formats import register
from realist.identify.formats._common import first, make_record
from realist.identify.formats._xml import parse_xml, text_of, to_json
from realist.records import RecordData

__all__ = ["PubmedXML", "ZoteroRDF", "pubmed_record", "zotero_record"]


@register
class PubmedXML:
    name = "pubmed_xml"
    label = "PubMed XML"

    def detect(self, text: str) -> float:
        head = text[:5000]
        return 0.95 if "<PubmedArticleSet" in head or "<PubmedArticle>" in head or "<PubmedArticle " in head else 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        root = parse_xml(text)
        articles = [root] if root.tag == "PubmedArticle" else root.iter("PubmedArticle", "PubmedBookArticle")
        for article in articles:
            yield pubmed_record(article)


def pubmed_record(el: Any) -> RecordData:
    cit = el.find("MedlineCitation")
    if cit is None:
        cit = el.find("BookDocument")
    art = cit.find("Article") if cit is not None else None
    art = art if art is not None else cit
    parts = []
    for abstract in art.iter("AbstractText") if art is not None else []:
        body = text_of(abstract) or ""
        label = abstract.get("Label")
        parts.append(f"{label}: {body}" if label and body else body)
    authors = []
    for author in art.iterfind(".//AuthorList/Author") if art is not None else []:
        family, given = (
            text_of(author.find("LastName")),
            text_of(author.find("ForeName")) or text_of(author.find("Initials")),
        )
        name = f"{family}, {given}" if family and given else family or text_of(author.find("CollectiveName"))
        if name:
            authors.append(name)
    ids = {aid.get("IdType"): text_of(aid) for aid in el.iterfind(".//PubmedData/ArticleIdList/ArticleId")}
    eloc = next((text_of(e) for e in el.iterfind(".//ELocationID") if e.get("EIdType") == "doi"), None)
    journal = art.find("Journal") if art is not None else None
    issue = journal.find("JournalIssue") if journal is not None else None
    pub_date = issue.find("PubDate") if issue is not None else None
    pmid = text_of(cit.find("PMID")) if cit is not None else None
    return make_record(
        to_json(el),
        source_record_id=pmid,
        title=text_of(art.find("ArticleTitle")) or text_of(art.find("BookTitle")) if art is not None else None,
        abstract=" ".join(parts) or None,
        authors=authors,
        year=first(text_of(pub_date.find("Year")), text_of(pub_date.find("MedlineDate")))
        if pub_date is not None
        else None,
        journal=text_of(journal.find("Title")) if journal is not None else None,
        volume=text_of(issue.find("Volume")) if issue is not None else None,
        issue=text_of(issue.find("Issue")) if issue is not None else None,
        pages=text_of(art.find("Pagination/MedlinePgn")) if art is not None else None,
        doi=ids.get("doi") or eloc,
        pmid=pmid or ids.get("pubmed"),
        pmcid=ids.get("pmc"),
        issn=text_of(journal.find("ISSN")) if journal is not None else None,
        keywords=[k for k in (text_of(e) for e in el.iterfind(".//KeywordList/Keyword")) if k]
        + [k for k in (text_of(e) for e in el.iterfind(".//MeshHeading/DescriptorName")) if k],
        language=text_of(art.find("Language")) if art is not None else None,
        publication_type=text_of(art.find(".//PublicationType")) if art is not None else None,
    )


_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "z": "http://www.zotero.org/namespaces/export#",
    "dcterms": "http://purl.org/dc/terms/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "prism": "http://prismstandard.org/namespaces/1.2/basic/",
    "bib": "http://purl.org/net/biblio#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "link": "http://purl.org/rss/1.0/modules/link/",
}
_SKIP_TYPES = {"attachment", "note", "collection"}


@register
class ZoteroRDF:
    name = "zotero_rdf"
    label = "Zotero RDF"

    def detect(self, text: str) -> float:
        head = text[:5000]
        if "<rdf:RDF" in head and ("zotero.org/namespaces" in head or "purl.org/net/biblio" in head):
            return 0.95
        return 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        root = parse_xml(text)
        for item in root:
            if not isinstance(item.tag, str):
                continue
            item_type = item.findtext("z:itemType", namespaces=_NS)
            local = item.tag.rsplit("}", 1)[-1].lower()
            if item_type in _SKIP_TYPES or local in (
                "attachment",
                "memo",
                "collection",
                "person",
                "journal",
                "organization",
            ):
                continue
            if item_type is None and item.find("dc:title", _NS) is None:
                continue
            yield zotero_record(item)


def zotero_record(item: Any) -> RecordData:
    ns = _NS
    part = item.find("dcterms:isPartOf/*", ns)
    identifiers = [text_of(e) or "" for e in item.iterfind(".//dc:identifier", ns)]
    identifiers += [text_of(e) or "" for e in item.iterfind(".//dc:identifier/dcterms:URI/rdf:value", ns)]
    doi = next((i for i in identifiers if "10." in i and ("doi" in i.lower())), None)
    issn = next((i for i in identifiers if i.upper().startswith("ISSN")), None)
    url = next((i.strip() for i in identifiers if i.strip().startswith("http")), None)
    authors = []
    for person in item.iterfind("bib:authors//foaf:Person", ns):
        family, given = (
            person.findtext("foaf:surname", namespaces=ns),
            person.findtext("foaf:givenname", namespaces=ns) or person.findtext("foaf:givenName", namespaces=ns),
        )
        authors.append(f"{family}, {given}" if family and given else family or given or "")
    keywords = [text_of(e) for e in item.iterfind("dc:subject", ns)]
    keywords += [text_of(e) for e in item.iterfind("dc:subject/z:AutomaticTag/rdf:value", ns)]
    return make_record(
        to_json(item),
        source_record_id=item.get(f"{{{ns['rdf']}}}about"),
        title=text_of(item.find("dc:title", ns)),
        abstract=text_of(item.find("dcterms:abstract", ns)),
        authors=authors,
        year=text_of(item.find("dc:date", ns)),
        journal=text_of(part.find("dc:title", ns)) if part is not None else None,
        volume=text_of(part.find("prism:volume", ns)) if part is not None else None,
        issue=text_of(part.find("prism:number", ns)) if part is not None else None,
        pages=text_of(item.find("bib:pages", ns)),
        doi=doi,
        issn=issn,
        keywords=[k for k in keywords if k and k.strip()],
        language=text_of(item.find("z:language", ns)) or text_of(item.find("dc:language", ns)),
        publication_type=item.findtext("z:itemType", namespaces=ns),
        url=url,
    )
