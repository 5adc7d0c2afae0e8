"""A manuscript's own reference list, and the map from its references to a review's studies.

:func:`find_references` finds the list after a "References" (or
"Bibliography", "Reference list", "Literature cited", "Works cited") heading
and reads each entry:

Numbered (Vancouver)
    Entries start with ``1.``, ``1)``, ``[1]`` or ``(1)``; the printed number is
    the entry's number.  Lines that do not start a new number continue the
    entry before them (a wrapped line).  Authors are the text before the first
    full stop (``Ayon S, et al.``); the first author's surname is the words of
    the first author before the initials (``Des Jarlais DC`` -> Des Jarlais).
Author-year (APA, Harvard)
    Unnumbered entries, one per line or paragraph, numbered 1, 2, ... in list
    order.  The first author's surname is the text before the first comma
    (``Booth, R. E., et al. (2009).``); the year is the first ``(YYYY)`` or
    ``YYYY`` after the authors, with an optional letter (``2012a``).

Every entry keeps its text; DOIs (``10.xxxx/...``) and PMIDs (``PMID: n``) are
read anywhere in it.

:func:`map_references` maps entries to a review's studies (:class:`StudyRef`),
strongest evidence first: the same DOI; the same PMID; the study's title
(normalised: lower case, letters and digits only) found in the entry's text,
with the first author or the year (within one, for online-first and print
years) agreeing; else the same first author and the same year, when that
names one study only.  Each match says which of these it used; entries that
match nothing are returned unmatched, so a report can list them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Reference",
    "StudyRef",
    "ReferenceMatch",
    "ReferenceList",
    "find_references",
    "map_references",
    "fold_name",
]

_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\d+\.?\s+)?(?:references?(?:\s+list)?|bibliography|literature\s+cited|works\s+cited)"
    r"\s*:?\s*$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\s*(?:\[(?P<a>\d{1,4})\]|\((?P<b>\d{1,4})\)|(?P<c>\d{1,4})[.)])\s+(?P<rest>\S.*)$")
_AUTHOR_YEAR_START = re.compile(
    r"^\s*(?:[A-Z][\w\u2019'\-]*(?:\s+[a-z]{1,3})?\s+)*[A-Z][\w\u2019'\-]+,\s+(?:[A-Z]\.|[A-Z][a-z])"
)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)([a-z])?(?!\d)")
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\]\[\"<>]+", re.IGNORECASE)
_PMID = re.compile(r"\bPMID:?\s*(\d{4,9})\b", re.IGNORECASE)


def fold_name(name: str) -> str:
    """``"Hayes-Larson"`` -> ``"hayeslarson"``, ``"Dès Jarlais"`` -> ``"des jarlais"``."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z ]+", "", name.lower().replace("-", ""))).strip()


def _fold_text(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", text)).strip()


@dataclass
class Reference:
    """One entry of the manuscript's reference list."""

    number: int
    text: str
    line: int
    first_author: str | None
    year: int | None
    year_suffix: str = ""
    doi: str | None = None
    pmid: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReferenceList:
    """The list, its style (``numbered`` or ``author-year``) and the line of its heading."""

    style: str
    heading_line: int
    references: list[Reference] = field(default_factory=list)

    def by_number(self) -> dict[int, Reference]:
        return {r.number: r for r in self.references}


@dataclass(frozen=True)
class StudyRef:
    """What the map needs to know of a review study."""

    key: str
    first_author: str | None
    year: int | None
    title: str | None = None
    doi: str | None = None
    pmid: str | None = None
    ref_number: int | None = None


@dataclass(frozen=True)
class ReferenceMatch:
    number: int
    study_key: str
    method: str  # doi | pmid | title | author-year

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _surname_numbered(authors: str) -> str | None:
    first = authors.split(",")[0].strip()
    words = first.split()
    # drop trailing initials ("DC", "R.E.", "S")
    while len(words) > 1 and re.fullmatch(r"(?:[A-Z]\.?){1,3}", words[-1]):
        words.pop()
    name = " ".join(words).strip(" .")
    return name or None


def _surname_author_year(text: str) -> str | None:
    name = text.split(",")[0].strip()
    return name or None


def _entry(number: int, text: str, line: int, style: str) -> Reference:
    text = re.sub(r"\s+", " ", text).strip()
    if style == "numbered":
        m = re.match(r"(.+?)\.\s", text)
        authors = m.group(1) if m else text
        first = _surname_numbered(authors)
        after = text[m.end() :] if m else text
    else:
        first = _surname_author_year(text)
        cut = re.search(r"\(\s*(?:1[89]\d\d|20\d\d|n\.d\.)", text)
        after = text[cut.start() :] if cut else text[len(first or "") :]
    year_match = _YEAR.search(after)
    doi = _DOI.search(text)
    pmid = _PMID.search(text)
    return Reference(
        number=number,
        text=text,
        line=line,
        first_author=first,
        year=int(year_match.group(1)) if year_match else None,
        year_suffix=(year_match.group(2) or "") if year_match else "",
        doi=doi.group().rstrip(".,;").lower() if doi else None,
        pmid=pmid.group(1) if pmid else None,
    )


def find_references(text: str) -> ReferenceList | None:
    """The manuscript's reference list (rules above), or None when it has none.

    The last heading of the text that names a reference list is used (a
    "References" mentioned in the body is not a heading).  The list ends at
    the next Markdown heading or the end of the text.
    """
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        if _HEADING.match(line):
            start = i
    if start is None:
        return None
    body: list[tuple[int, str]] = []
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("#"):
            break
        body.append((i + 1, lines[i]))
    numbered = sum(1 for _, ln in body if _NUMBERED.match(ln))
    nonblank = [(n, ln) for n, ln in body if ln.strip()]
    if not nonblank:
        return None
    style = "numbered" if numbered >= max(1, len(nonblank) // 3) else "author-year"
    entries: list[tuple[int, int, list[str]]] = []  # number, line, parts
    blank_before = True
    for n, ln in body:
        if not ln.strip():
            blank_before = True
            continue
        if style == "numbered":
            m = _NUMBERED.match(ln)
            if m:
                num = int(m.group("a") or m.group("b") or m.group("c"))
                entries.append((num, n, [m.group("rest")]))
            elif entries:
                entries[-1][2].append(ln.strip())
        else:
            if blank_before or not entries or _AUTHOR_YEAR_START.match(ln):
                entries.append((len(entries) + 1, n, [ln.strip()]))
            else:
                entries[-1][2].append(ln.strip())
        blank_before = False
    refs = [_entry(num, " ".join(parts), line, style) for num, line, parts in entries]
    return ReferenceList(style, start + 1, refs) if refs else None


def _year_close(a: int | None, b: int | None, within: int) -> bool:
    return a is not None and b is not None and abs(a - b) <= within


def map_references(references: Sequence[Reference], studies: Sequence[StudyRef]) -> list[ReferenceMatch]:
    """Match each reference to at most one study (rules above); unmatched ones are left out."""
    by_doi = {s.doi.lower(): s for s in studies if s.doi}
    by_pmid = {s.pmid: s for s in studies if s.pmid}
    titled = [(s, _fold_text(s.title)) for s in studies if s.title and len(_fold_text(s.title)) >= 20]
    out: list[ReferenceMatch] = []
    used: set[str] = set()
    for ref in references:
        found: tuple[StudyRef, str] | None = None
        if ref.doi and ref.doi in by_doi:
            found = (by_doi[ref.doi], "doi")
        elif ref.pmid and ref.pmid in by_pmid:
            found = (by_pmid[ref.pmid], "pmid")
        else:
            folded = _fold_text(ref.text)
            author = fold_name(ref.first_author or "")
            for study, title in sorted(titled, key=lambda t: -len(t[1])):
                if title in folded and (
                    (author and fold_name(study.first_author or "") == author) or _year_close(ref.year, study.year, 1)
                ):
                    found = (study, "title")
                    break
            if found is None and author and ref.year is not None:
                same = [s for s in studies if fold_name(s.first_author or "") == author and s.year == ref.year]
                if len(same) == 1:
                    found = (same[0], "author-year")
        if found is not None and found[0].key not in used:
            used.add(found[0].key)
            out.append(ReferenceMatch(ref.number, found[0].key, found[1]))
    return out
