"""Cleaning helpers shared by every format: text, names, years, pages, ids.

Every importer collects the values it found and hands them to
:func:`make_record`, which applies the same normalisation everywhere, so a
title read from RIS and from CSV come out identical.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from realist.records import RecordData, normalise_doi, normalise_openalex_id, normalise_pmid

_TAG_RE = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_WS_RE = re.compile(r"\s+")
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ISSN_RE = re.compile(r"(?<![\dXx-])(\d{4})-?(\d{3}[\dXx])(?![\dXx])")
_PMCID_RE = re.compile(r"PMC\d+", re.IGNORECASE)
_NULLS = {
    "",
    "na",
    "n/a",
    "n.a.",
    "nan",
    "none",
    "null",
    "undefined",
    "-",
    "no pagination specified",
    "[no author name available]",
    "anonymous",
    "[no pagination]",
    "no pagination",
    "unknown",
}
_NULL_MAX = max(map(len, _NULLS))  # lower() never shortens a string
_PAGE_DASHES_RE = re.compile(r"\s*(?:--|[\u2010-\u2015\u2212-])+\s*")
_END_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212]")
_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "da",
    "di",
    "du",
    "la",
    "le",
    "dos",
    "das",
    "ten",
    "ter",
    "bin",
    "al",
    "el",
}
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?-?){1,4}$|^(?:[A-Z][a-z]?\.){1,4}$")


def nullish(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    return len(text) <= _NULL_MAX and text.lower() in _NULLS


def _squeeze(text: str) -> str:
    """Runs of whitespace as one space, ends stripped (``str.split`` and the
    regex ``\\s`` agree on what whitespace is)."""
    squeezed = " ".join(text.split())
    # Share the original string when nothing changed (saves a copy per field).
    return text if squeezed == text else squeezed


def first(*values: Any) -> Any:
    """The first value that is not empty/'NA'-like (lists: their first item)."""
    for value in values:
        if isinstance(value, list):
            value = next((v for v in value if not nullish(v)), None)
        if not nullish(value):
            return value
    return None


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def clean_text(value: Any) -> str | None:
    """Strip HTML/JATS tags and entities, collapse whitespace; ``None`` if empty."""
    if value is None:
        return None
    text = str(value)
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = _squeeze(text)
    return None if len(text) <= _NULL_MAX and text.lower() in _NULLS else text


def parse_year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 2999 else None
    match = _YEAR_RE.search(str(value))
    return int(match.group(1)) if match else None


def clean_code(value: Any) -> str | None:
    """Short field (volume, issue, language): trimmed, 'NA'-like → None."""
    if value is None:
        return None
    text = _squeeze(str(value))
    return None if len(text) <= _NULL_MAX and text.lower() in _NULLS else text


def normalise_pages(start: Any, end: Any = None) -> str | None:
    """'123-130' style page range; en/em dashes and '--' become '-'."""
    s = clean_code(start)
    e = clean_code(end)
    if s:
        s = _PAGE_DASHES_RE.sub("-", s)
    if e:
        e = _END_DASHES_RE.sub("-", e)
    if s and e and "-" not in s and e != s:
        return f"{s}-{e}"
    return s or None


def normalise_issn(value: Any) -> str | None:
    if value is None:
        return None
    match = _ISSN_RE.search(str(value))
    return f"{match.group(1)}-{match.group(2).upper()}" if match else None


def normalise_pmcid(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if "pmc" not in text.lower():  # cheap test before the case-blind regex
        return None
    match = _PMCID_RE.search(text)
    return match.group(0).upper() if match else None


def format_author(name: str) -> str | None:
    """One author as 'Family, Given' where the name's shape allows it.

    'Smith, John' stays; 'Smith JA' and 'Liu F.' (family, initials) become
    'Smith, JA' / 'Liu, F.'; 'S. Hochreiter' and 'Petar Radanliev'
    (given first) become 'Hochreiter, S.' / 'Radanliev, Petar'.
    """
    text = " ".join(name.split()).strip(";").strip()
    if nullish(text):
        return None
    if "," in text:
        family, _, given = text.partition(",")
        family, given = family.strip(), given.strip()
        return f"{family}, {given}" if given else family
    tokens = text.split(" ")
    if len(tokens) == 1:
        return text
    if _INITIALS_RE.match(tokens[-1]) and not _INITIALS_RE.match(tokens[0]):
        return f"{' '.join(tokens[:-1])}, {tokens[-1]}"
    split = len(tokens) - 1
    while split > 1 and tokens[split - 1].lower() in _PARTICLES:
        split -= 1
    return f"{' '.join(tokens[split:])}, {' '.join(tokens[:split])}"


def format_authors(names: Iterable[str]) -> list[str]:
    out = []
    for name in names:
        formatted = format_author(str(name))
        if formatted:
            out.append(formatted)
    return out


def split_list(value: Any, separators: Sequence[str] = (";",)) -> list[str]:
    """Split a multi-valued cell on the first separator present."""
    items: list[str] = []
    for text in as_list(value):
        for sep in separators:
            if sep in text:
                parts = text.split(sep)
                break
        else:
            parts = [text]
        items += [p.strip() for p in parts if not nullish(p)]
    return items


_RAYYAN_INCLUSION = re.compile(r"RAYYAN-INCLUSION:\s*\{([^}]*)\}")
_RAYYAN_PAIR = re.compile(r'"([^"]+)"\s*=>\s*"([^"]*)"')
_RAYYAN_OTHER = re.compile(r"RAYYAN-(LABELS|EXCLUSION-REASONS):\s*([^|]*)")


def rayyan_labels(notes: Any) -> dict[str, str]:
    """Decisions in Rayyan's notes: 'RAYYAN-INCLUSION: {"Ana"=>"Included"}'."""
    labels: dict[str, str] = {}
    for text in as_list(notes):
        for block in _RAYYAN_INCLUSION.findall(text):
            for reviewer, decision in _RAYYAN_PAIR.findall(block):
                labels[f"rayyan:{reviewer}"] = decision
        for kind, value in _RAYYAN_OTHER.findall(text):
            labels[f"rayyan_{kind.lower().replace('-', '_')}"] = value.strip()
    return labels


def make_record(
    raw: dict[str, Any],
    *,
    source_record_id: Any = None,
    title: Any = None,
    abstract: Any = None,
    authors: Iterable[str] = (),
    year: Any = None,
    journal: Any = None,
    volume: Any = None,
    issue: Any = None,
    pages: Any = None,
    doi: Any = None,
    pmid: Any = None,
    pmcid: Any = None,
    openalex_id: Any = None,
    issn: Any = None,
    keywords: Iterable[str] = (),
    language: Any = None,
    publication_type: Any = None,
    url: Any = None,
    referenced_works: Iterable[str] = (),
    labels: dict[str, str] | None = None,
) -> RecordData:
    """Build a :class:`RecordData`, normalising every field the same way."""
    seen: set[str] = set()
    kws: list[str] = []
    for kw in keywords:
        cleaned = clean_text(kw)
        if cleaned:
            low = cleaned.lower()
            if low not in seen:
                seen.add(low)
                kws.append(cleaned)
    refs = [w for w in (normalise_openalex_id(r) for r in referenced_works) if w]
    return RecordData(
        raw=raw,
        source_record_id=clean_code(source_record_id),
        title=clean_text(title),
        abstract=clean_text(abstract),
        authors=[a for a in (clean_text(x) for x in authors) if a],
        year=parse_year(year),
        journal=clean_text(journal),
        volume=clean_code(volume),
        issue=clean_code(issue),
        pages=normalise_pages(pages),
        doi=normalise_doi(str(doi)) if doi else None,
        pmid=normalise_pmid(str(pmid)) if pmid else None,
        pmcid=normalise_pmcid(pmcid),
        openalex_id=normalise_openalex_id(str(openalex_id)) if openalex_id else None,
        issn=normalise_issn(issn),
        keywords=kws,
        language=clean_code(language),
        publication_type=clean_text(publication_type),
        url=clean_code(url),
        referenced_works=refs,
        labels=dict(labels or {}),
    )
