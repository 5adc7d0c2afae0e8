"""BibTeX and BibLaTeX.

A small brace-aware scanner (bibtexparser 1.x drops entries with empty keys
and is slow on large files).  Handled: ``@type{key,`` and ``@type(key,``,
empty keys and duplicate keys (every entry is kept, in file order),
non-standard entry types (Mendeley's ``@web_page``), a space after the brace,
trailing commas, ``{...}``/``"..."``/number/macro values with ``#``
concatenation, ``@string`` macros and month names, ``@comment`` /
``@preamble`` / JabRef meta comments skipped, field names in any case.

LaTeX is turned into Unicode with bibtexparser's ``latex_to_unicode``
(``{\\"o}`` → ö, ``{\\aa}`` → å, ``\\&`` → &) and case-protection braces are
removed.  BibLaTeX's ``date`` is used when ``year`` is absent, and
``journaltitle`` when ``journal`` is absent.

``raw``: ``ENTRYTYPE``, ``ID`` (the key) and each field as written (names
lower-cased, values without the outer delimiters, LaTeX kept).
``source_record_id``: the citation key (``None`` when empty).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bibtexparser.latexenc import latex_to_unicode

from realist.errors import ImportFormatError
from realist.identify.formats import register
from realist.identify.formats._common import format_authors, make_record, split_list
from realist.records import RecordData

__all__ = ["BibTeX", "BibLaTeX", "parse_entries", "latex", "verbatim", "bib_record"]

_ENTRY = re.compile(r"@\s*([A-Za-z_][\w-]*)\s*([{(])", re.M)
_FIELD_NAME = re.compile(r"\s*,?\s*([A-Za-z_][\w:.+-]*)\s*=\s*")
_MONTHS = {
    m: str(i)
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_SKIP = {"comment", "preamble"}


def _detect(text: str) -> tuple[int, int]:
    head = text[:50000]
    entries = len(re.findall(r"^\s*@\s*[A-Za-z_]+\s*[{(]", head, re.M))
    biblatex = len(re.findall(r"^\s*(journaltitle|date|langid|location|urldate)\s*=", head, re.M | re.I))
    return entries, biblatex


@register
class BibTeX:
    name = "bibtex"
    label = "BibTeX"

    def detect(self, text: str) -> float:
        entries, _ = _detect(text)
        return 0.9 if entries else 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        for raw in parse_entries(text):
            yield bib_record(raw)


@register
class BibLaTeX(BibTeX):
    name = "biblatex"
    label = "BibLaTeX"

    def detect(self, text: str) -> float:
        entries, biblatex = _detect(text)
        return 0.92 if entries and biblatex >= max(2, entries // 4) else 0.0


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _braced(text: str, pos: int, close: str) -> int:
    """Index just after the delimiter matching the one before ``pos``."""
    depth = 1
    opener = "{" if close == "}" else "("
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == opener or (ch == "{" and close != "}"):
            depth += 1
        elif ch == close or (ch == "}" and close != "}"):
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return -1


def _value(text: str, pos: int, end: int, macros: dict[str, str]) -> tuple[str, int]:
    """Read one (possibly '#'-concatenated) value starting at ``pos``."""
    parts: list[str] = []
    while pos < end:
        while pos < end and text[pos].isspace():
            pos += 1
        ch = text[pos] if pos < end else ""
        if ch == "{":
            stop = _braced(text, pos + 1, "}")
            if stop < 0 or stop > end:
                raise ValueError("unbalanced braces")
            parts.append(text[pos + 1 : stop - 1])
            pos = stop
        elif ch == '"':
            depth, i = 0, pos + 1
            while i < end:
                c = text[i]
                if c == "\\":
                    i += 2
                    continue
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                elif c == '"' and depth == 0:
                    break
                i += 1
            parts.append(text[pos + 1 : i])
            pos = i + 1
        else:
            match = re.compile(r"[^\s,#}]+").match(text, pos)
            if not match:
                break
            word = match.group(0)
            parts.append(macros.get(word.lower(), _MONTHS.get(word.lower(), word)))
            pos = match.end()
        while pos < end and text[pos].isspace():
            pos += 1
        if pos < end and text[pos] == "#":
            pos += 1
            continue
        break
    return "".join(parts), pos


def parse_entries(text: str) -> Iterator[dict[str, str]]:
    macros: dict[str, str] = {}
    pos = 0
    index = 0
    while True:
        match = _ENTRY.search(text, pos)
        if not match:
            return
        kind = match.group(1).lower()
        close = "}" if match.group(2) == "{" else ")"
        end = _braced(text, match.end(), close)
        if end < 0:
            raise ImportFormatError(
                f"entry @{match.group(1)} is not closed (unbalanced braces; truncated file?)",
                line=_line_of(text, match.start()),
                record=index + 1,
            )
        pos = end
        if kind in _SKIP:
            continue
        body_end = end - 1
        if kind == "string":
            name = _FIELD_NAME.match(text, match.end())
            if name:
                macros[name.group(1).lower()] = _value(text, name.end(), body_end, macros)[0]
            continue
        index += 1
        comma = text.find(",", match.end(), body_end)
        key = text[match.end() : comma if comma >= 0 else body_end].strip()
        if "=" in key:  # no key at all: '@article{title = ...'
            key, comma = "", match.end() - 1
        entry = {"ENTRYTYPE": kind, "ID": key}
        cur = comma + 1 if comma >= 0 else body_end
        try:
            while cur < body_end:
                name = _FIELD_NAME.match(text, cur)
                if not name:
                    break
                value, cur = _value(text, name.end(), body_end, macros)
                field = name.group(1).lower()
                entry.setdefault(field, value)  # the first of a repeated field wins
        except (ValueError, IndexError) as err:
            raise ImportFormatError(
                f"cannot read entry {key or '(no key)'}: {err}",
                line=_line_of(text, match.start()),
                record=index,
            ) from err
        yield entry


_PROTECT = (
    ("\\{", "\x00"),
    ("\\}", "\x01"),
    ("\\textasciitilde{}", "\x02"),
    ("\\textasciitilde ", "\x02"),
    ("\\textbackslash{}", "\x03"),
    ("\\textbackslash ", "\x03"),
)


def latex(value: str | None) -> str | None:
    """LaTeX → Unicode; escaped braces/tilde/backslash survive as characters."""
    if value is None:
        return None
    for src, placeholder in _PROTECT:
        value = value.replace(src, placeholder)
    value = value.replace("---", "\u2014").replace("--", "\u2013").replace("~", " ")
    if "\\" in value:
        value = latex_to_unicode(value)
    value = value.replace("{", "").replace("}", "")
    return value.translate({0: "{", 1: "}", 2: "~", 3: "\\"})


_VERBATIM_ESCAPES = str.maketrans({"{": None, "}": None})


def verbatim(value: str | None) -> str | None:
    """A verbatim field (``doi``, ``url``): braces dropped and ``\\_``-style escapes undone,
    but no LaTeX (``--`` in a DOI stays two hyphens)."""
    if value is None:
        return None
    return re.sub(r"\\([_%&#$])", r"\1", value).translate(_VERBATIM_ESCAPES)


def _authors(value: str | None) -> list[str]:
    if not value:
        return []
    names = re.split(r"\s+and\s+", value.replace("\n", " "))
    return format_authors(
        n.strip() for n in (latex(n) or "" for n in names) if n.strip() and n.strip().lower() != "others"
    )


def bib_record(raw: dict[str, str]) -> RecordData:
    def get(*names: str) -> str | None:
        for name in names:
            if raw.get(name, "").strip():
                return latex(raw[name])
        return None

    def get_verbatim(name: str) -> str | None:
        return verbatim(raw[name]) if raw.get(name, "").strip() else None

    keywords = split_list(get("keywords", "keyword", "mesh") or "", (";", ","))
    return make_record(
        raw,
        source_record_id=raw.get("ID") or None,
        title=get("title"),
        abstract=get("abstract"),
        authors=_authors(raw.get("author")) or _authors(raw.get("editor")),
        year=get("year", "date"),
        journal=get("journal", "journaltitle", "booktitle"),
        volume=get("volume"),
        issue=get("number", "issue"),
        pages=get("pages"),
        doi=get_verbatim("doi"),
        pmid=get("pmid"),
        pmcid=get("pmcid"),
        issn=get("issn"),
        keywords=keywords,
        language=get("language", "langid"),
        publication_type=raw.get("ENTRYTYPE"),
        url=get_verbatim("url"),
        openalex_id=get("openalex"),
    )
