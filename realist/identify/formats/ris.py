"""RIS, in the dialects real databases and reference managers write.

A line ``XX  - value`` sets tag ``XX``; ``TY`` opens a record, ``ER`` closes it.
Quirks handled here (rispy handles few of them, so this is a small line
reader of its own, linear in the file size):

* header junk before the first ``TY`` (APA PsycNet's ``Provider:/Database:``),
  and Ovid's numbering lines (``1. ``) between records are skipped;
* 4-letter tags (``PMID  - 123``) and a missing space after the dash;
* records without ``TY`` (a tag after ``ER`` opens a new record), a missing
  ``ER`` before the next ``TY``, and a missing final ``ER``;
* untagged lines continue the previous field (EndNote, Dimensions, Zotero
  wrap long abstracts); for ``KW`` each untagged line is a new keyword
  (Rayyan, EndNote);
* HTML inside ``AB`` (Lens) is stripped in the normalised abstract;
* dates like ``1999/08//undefined`` (Zotero): only the year is used.

``raw`` maps each tag to its value, or a list when the tag repeated
(continuation lines joined with ``\\n``).  ``source_record_id`` is ``ID``,
else ``AN``.  Normalised fields take the first present of: title TI/T1/CT/BT;
abstract AB/N2; authors AU/A1 (else A2 for edited books); year PY/Y1/DA/Y2;
journal T2/JF/JO/JA/J2/J1 (``T2`` only for article-like types); DOI from DO,
DI, M3, then any doi.org URL; PMID from PMID/PM (or ``AN``/``ID`` when the
record says it comes from MEDLINE/PubMed); PMCID from any ``PMC123`` in
C2/PMC/PMCID; ISSN from SN; Rayyan decisions in ``N1`` go to ``labels``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from realist.identify.formats import describe_lines, register, warn
from realist.identify.formats._common import (
    first,
    format_authors,
    make_record,
    normalise_pmcid,
    nullish,
    rayyan_labels,
)
from realist.records import RecordData, normalise_doi

__all__ = ["RIS", "iter_tagged", "ris_record"]

_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3}) {1,4}-(?: (.*)|$)")
_NUMBERING = re.compile(r"\d+\.\s*")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_UPPER_DIGIT = _UPPER | frozenset("0123456789")
_LIST_TAGS = {"KW", "DE", "OT", "MH"}
#: Tags that make lines after ``ER`` a record of their own (one without ``TY``).
_RECORD_TAGS = ("TI", "T1", "CT", "BT", "ID", "AN", "DO", "DI", "PMID", "PM")
_ARTICLE_TYPES = {"JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "ABST", "INPR", "SER", "GEN", "CONF", "CPAPER"}


@register
class RIS:
    name = "ris"
    label = "RIS"

    def detect(self, text: str) -> float:
        head = text[:20000]
        if re.search(r"^TY {1,2}- ", head, re.M):
            return 0.9
        if re.search(r"^ER {1,2}-", head, re.M) and len(re.findall(r"^[A-Z][A-Z0-9] {2}- ", head, re.M)) > 3:
            return 0.6
        return 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        for raw in iter_tagged(text):
            yield ris_record(raw)


def iter_tagged(text: str) -> Iterator[dict[str, str | list[str]]]:
    """Yield each record as ``{tag: value or [values]}``, in file order.

    Lines after ``ER`` and before the next ``TY`` never make a record of
    their own unless they hold a title or an identifier (a record whose
    ``TY`` line is missing): tagged lines without one (Ovid's ``NL  - ``)
    are kept with the record before them, untagged ones (Ovid's "Link to
    the Ovid Full Text or citation: ...") are skipped; both are reported
    through :func:`~realist.identify.formats.warn`, naming the lines.
    """
    fields: dict[str, list[str]] | None = None
    last: str | None = None
    closed: dict[str, list[str]] | None = None  # the record before, held until we know nothing follows
    stray: dict[str, list[str]] | None = None  # tagged lines after ER, not yet known to be a record
    stray_lines: list[int] = []
    stray_more: list[tuple[int, str, int, str]] = []  # untagged lines in it: (line, tag, value index, text)
    kept_lines: list[int] = []
    skipped_lines: list[int] = []
    tag_match = _TAG.match
    number = 0
    for line in _lines(text):
        number += 1
        # Fast path for the usual 'XY  - value' line; the regex for the rest.
        if line[2:6] == "  - " and line[0] in _UPPER and line[1] in _UPPER_DIGIT:
            tag, value = line[:2], line[6:].strip()
        else:
            match = tag_match(line)
            if match is None:
                stripped = line.strip()
                if stray is not None:
                    if not stripped:  # a blank line ends what follows an ER
                        record = _settle(stray, closed, stray_lines, stray_more, kept_lines, skipped_lines)
                        if record is not closed and closed is not None:
                            yield _finish(closed)
                        closed, fields, stray, stray_lines, stray_more, last = record, None, None, [], [], None
                    elif not _NUMBERING.fullmatch(stripped) and last is not None:
                        # continues the last field if this turns out to be a record, else skipped
                        stray_more.append((number, last, len(stray[last]) - 1, stripped))
                    continue
                if not stripped:
                    continue
                if fields is not None and last is not None:
                    values = fields[last]
                    if last in _LIST_TAGS or not values[-1]:
                        if values[-1]:
                            values.append(stripped)
                        else:
                            values[-1] = stripped
                    else:
                        values[-1] = values[-1] + "\n" + stripped
                elif closed is not None and not _NUMBERING.fullmatch(stripped):
                    # after ER: not part of any record (Ovid's full-text links)
                    skipped_lines.append(number)
                # otherwise header junk before the first record, or Ovid numbering
                continue
            tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "ER" or tag == "TY":
            if stray is not None:
                record = _settle(stray, closed, stray_lines, stray_more, kept_lines, skipped_lines)
                if record is not closed and closed is not None:
                    yield _finish(closed)
                closed = record
                fields, stray, stray_lines, stray_more = None, None, [], []
            if tag == "ER":
                if fields:
                    if closed is not None:
                        yield _finish(closed)
                    closed = fields
                fields, last = None, None
                continue
            if fields:  # TY without ER before it
                if closed is not None:
                    yield _finish(closed)
                closed = fields
            if closed is not None:
                yield _finish(closed)
                closed = None
            fields = {}
        elif fields is None:
            fields = {}
            if closed is not None:
                stray = fields  # after ER: a record without TY, or lines of the record before
        if fields is stray:
            stray_lines.append(number)
        existing = fields.get(tag)
        if existing is None:
            fields[tag] = [value]
        else:
            existing.append(value)
        last = tag
    if stray is not None:
        record = _settle(stray, closed, stray_lines, stray_more, kept_lines, skipped_lines)
        if record is not closed and closed is not None:
            yield _finish(closed)
        closed, fields = record, None
    if closed is not None:
        yield _finish(closed)
    if fields:
        yield _finish(fields)
    if kept_lines:
        warn(
            f"{describe_lines(kept_lines)} after an 'ER' end-of-record line held no title or "
            "identifier: kept with the record before them, not read as a record"
        )
    if skipped_lines:
        warn(
            f"{describe_lines(skipped_lines)} after an 'ER' end-of-record line are not RIS and were skipped "
            "(e.g. Ovid's 'Link to the Ovid Full Text or citation')"
        )


def _settle(
    stray: dict[str, list[str]],
    closed: dict[str, list[str]] | None,
    lines: list[int],
    more: list[tuple[int, str, int, str]],
    kept: list[int],
    skipped: list[int],
) -> dict[str, list[str]]:
    """Tagged lines found after ``ER``: a record of their own if they hold a title
    or an identifier (untagged lines among them then continue their fields),
    else lines of the record before (returned, extended; untagged ones skipped)."""
    if closed is None or any(tag in stray for tag in _RECORD_TAGS):
        for _, tag, index, text in more:
            values = stray[tag]
            if tag in _LIST_TAGS:
                values.append(text)
            else:
                values[index] = values[index] + "\n" + text if values[index] else text
        return stray
    for tag, values in stray.items():
        closed.setdefault(tag, []).extend(values)
    kept.extend(lines)
    skipped.extend(number for number, _, _, _ in more)
    return closed


def _lines(text: str, chunk: int = 1 << 20) -> Iterator[str]:
    """``text.split("\\n")`` a megabyte at a time (no list of every line)."""
    start, find = 0, text.find
    while True:
        end = find("\n", start + chunk)
        if end < 0:
            yield from text[start:].split("\n")
            return
        yield from text[start:end].split("\n")
        start = end + 1


def _finish(fields: dict[str, list[str]]) -> dict[str, str | list[str]]:
    return {tag: values[0] if len(values) == 1 else values for tag, values in fields.items()}


def _doi(raw: dict[str, str | list[str]]) -> str | None:
    for tag in ("DO", "DI", "M3", "L3", "N1"):
        for value in _values(raw, tag):
            bare = value.strip().startswith("10.")
            if tag in ("DO", "DI") or bare or ("10." in value and "doi" in value.lower()):
                doi = normalise_doi(value)
                if doi:
                    return doi
    for tag in ("UR", "L2", "LK"):
        for value in _values(raw, tag):
            if "doi.org/" in value.lower():
                return normalise_doi(value)
    return None


def _values(raw: dict[str, str | list[str]], tag: str) -> list[str]:
    value = raw.get(tag)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def ris_record(raw: dict[str, str | list[str]]) -> RecordData:
    ty = str(first(raw.get("TY")) or "").strip().upper()
    database = " ".join(_values(raw, "DB") + _values(raw, "DP")).lower()
    from_medline = "medline" in database or "pubmed" in database
    pmid = first(raw.get("PMID"), raw.get("PM"))
    if not pmid and from_medline:
        candidate = first(raw.get("AN"), raw.get("ID"))
        pmid = candidate if candidate and str(candidate).strip().isdigit() else None
    pmcid = None
    for tag in ("PMC", "PMCID", "C2", "C1", "N1"):
        pmcid = next((found for v in _values(raw, tag) if (found := normalise_pmcid(v))), None)
        if pmcid:
            break
    authors = _values(raw, "AU") + _values(raw, "A1")
    if not authors and ty in ("BOOK", "EDBOOK"):
        authors = _values(raw, "A2")
    journal_tags = (
        ("T2", "JF", "JO", "JA", "J2", "J1") if ty in _ARTICLE_TYPES or not ty else ("JF", "JO", "JA", "J2", "J1", "T2")
    )
    keywords = [
        kw.strip()
        for value in _values(raw, "KW")
        for kw in (value.split(";") if ";" in value else (value,))
        if not nullish(kw)
    ]
    start = first(raw.get("SP"))
    end = first(raw.get("EP"))
    pages = f"{start}-{end}" if start and end and "-" not in str(start) else start
    url = next(
        (u for u in _values(raw, "UR") + _values(raw, "L2") if not nullish(u) and "openalex.org/W" not in u), None
    )
    openalex = next((v for t in ("L2", "UR", "AN", "ID") for v in _values(raw, t) if "openalex.org/W" in v), None)
    return make_record(
        raw,
        source_record_id=first(raw.get("ID"), raw.get("AN")),
        title=first(raw.get("TI"), raw.get("T1"), raw.get("CT"), raw.get("BT")),
        abstract=first(raw.get("AB"), raw.get("N2")),
        authors=format_authors(a for v in authors for a in v.split("\n")),
        year=first(raw.get("PY"), raw.get("Y1"), raw.get("DA"), raw.get("Y2")),
        journal=first(*(raw.get(t) for t in journal_tags)),
        volume=first(raw.get("VL")),
        issue=first(raw.get("IS"), raw.get("CP")),
        pages=pages,
        doi=_doi(raw),
        pmid=pmid,
        pmcid=pmcid,
        issn=first(raw.get("SN")),
        keywords=keywords,
        language=first(raw.get("LA")),
        publication_type=ty or None,
        url=url.split("\n")[0].strip() if url else None,
        openalex_id=openalex,
        labels=rayyan_labels(raw.get("N1")),
    )
