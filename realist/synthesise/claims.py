"""Check a manuscript's counting claims against its own citations, its own reference
list and, through a map of that list to a review's studies, the coded data.

``realist check MANUSCRIPT`` calls :func:`read_manuscript` then, through
``realist.synthesise.store.check_review_manuscript``, :func:`check_claims`,
which maps the manuscript's references to the review's studies
(:mod:`realist.synthesise.references`) and runs :func:`check_manuscript`.
The rules (docs/claims-check.md), each reported as a :class:`Finding` with the
line where the statement starts:

Reading
    Lines are joined into paragraphs (a blank line, a Markdown heading or a
    short title-like line ends one); a word split by a hyphen at a line end is
    joined; a paragraph that stops without final punctuation continues into
    the next one when that starts in lower case (a PDF page break).  Every
    character keeps its original line number.  Sentences end at ``.``, ``!``
    or ``?`` followed by space and a capital, digit, quote or bracket, except
    after abbreviations (*et al.*, *e.g.*, *i.e.*, *Fig.*, *p.*, initials ...).
    Text from the reference list's heading on is not checked.
Citations
    Numeric bracket groups ("[40-47, 50]"); with an author-year reference
    list, parenthetical "(Booth et al., 2009, 2011; Go et al., 2013)" and
    narrative "Stengel et al. (2018)" citations, resolved to list entries.
``citation_unresolved``
    A number missing from a numbered list, or an author-year citation that
    resolves to no entry.
Counts
    A *count* is a number (digits or words: one to ninety-nine, "a dozen")
    followed, within three modifier words, by a study noun (studies, papers,
    articles, trials, reports, publications, reviews, evaluations, RCTs), or
    "N of the [included] studies".  Other numbers split a sentence into
    clauses when followed by a preposition, verb or punctuation ("three from
    China [42-44]"); numbers followed by another noun ("seven countries"),
    years, percentages and page numbers are ignored.  A count *owns* the
    citation groups after it up to the next count or clause-splitting number
    or a semicolon.  Only counts that own citations are checked.
``count_mismatch`` (a)
    The stated number differs from the number of distinct references cited.
``subset_mismatch`` (b)
    A count introduced by "of these (N)", "of those (N)", "among them/these",
    "of them", "N of them", "of the N studies,", "of which", "among which",
    "of whom" or "including" (a number right after such a mark counts even
    when a verb follows: "Of these six, two were ...") cites a reference that
    its superset did not cite.  The superset is the latest earlier statement
    stating N when N is given, else the latest earlier statement that is not
    itself a subset; for "of which", "among which", "of whom" and "including"
    it must be in the same sentence.
``code_mismatch`` (c)
    With ``codes`` (code name or alias -> reference numbers), the clause of a
    count (from the end of the previous count's citations to the end of its
    own; else the words after its citations) is matched to the longest code
    name or alias that occurs in it (case-insensitive; spaces and hyphens
    interchangeable; plural *s* allowed); the citations must equal the coded
    studies.  Statements citing a reference outside ``comparable`` (one that
    did not map to a review study) are not compared.
``author_mismatch`` (d)
    With ``first_authors`` (reference number -> first author's surname;
    by default the manuscript's numbered list), "Surname et al. [N]",
    "Surname et al.'s [N]", "Surname and colleagues [N]" and "Surname [N]"
    must name reference N's first author.  The bare form "Surname [N]" is only
    checked when the word is the surname of some reference's first author (so
    that "Kenya [40]" is not read as an author).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from realist.errors import ImportFormatError, InvalidInput

from .references import Reference, ReferenceList, ReferenceMatch, StudyRef, find_references, fold_name, map_references

__all__ = [
    "Finding",
    "FINDING_KINDS",
    "ClaimsReport",
    "check_claims",
    "check_manuscript",
    "read_manuscript",
    "read_manuscript_bytes",
    "MANUSCRIPT_SUFFIXES",
    "parse_citations",
    "format_citations",
    "parse_number",
    "split_sentences",
]

FINDING_KINDS = ("count_mismatch", "subset_mismatch", "code_mismatch", "author_mismatch", "citation_unresolved")

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER = re.compile(
    r"\b(?:a\s+dozen|(?:"
    + "|".join(_TENS)
    + r")(?:[-\u2010\s](?:"
    + "|".join(_UNITS[1:10])
    + r"))?|"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r"|\d+)\b",
    re.IGNORECASE,
)
_STUDY_NOUN = r"(?:studies|study|papers?|articles?|trials?|reports?|publications?|reviews?|evaluations?|RCTs?)"
_FUNCTION = frozenset(
    [
        "from",
        "in",
        "on",
        "at",
        "to",
        "of",
        "were",
        "was",
        "are",
        "is",
        "had",
        "have",
        "has",
        "reported",
        "found",
        "described",
        "documented",
        "used",
        "with",
        "for",
        "and",
        "or",
        "respectively",
        "each",
        "also",
        "both",
        "all",
        "which",
        "that",
        "who",
        "whose",
        "by",
        "as",
        "showed",
        "show",
        "shows",
        "examined",
        "explored",
        "assessed",
        "discussed",
        "included",
        "focused",
    ]
)
_COUNT_AFTER = re.compile(
    r"\s+(?:of\s+(?P<of>the|these|those)\s+)?(?P<mods>(?:[A-Za-z][\w\u2010-]*\s+){0,3}?)" + _STUDY_NOUN + r"\b",
    re.IGNORECASE,
)
_OF_THEM_AFTER = re.compile(r"\s+of\s+(?:them|these|those)\b", re.IGNORECASE)
_NUM_RX = _NUMBER.pattern[2:-2]
_ANAPHOR_BEFORE = re.compile(r"\b(?:(?:of|among|amongst)\s+(?:these|those|them)|these|those)\s*$", re.IGNORECASE)
_OF_THE_BEFORE = re.compile(r"\bof\s+the\s*$", re.IGNORECASE)
_OF_THE_AFTER = re.compile(r"(?:\s+[A-Za-z][\w\u2010-]*){0,3}?\s+" + _STUDY_NOUN + r"\s*,", re.IGNORECASE)
_SUBSET_MARK = re.compile(
    r"\b(?:(?P<anaphor>(?:of|among|amongst)\s+(?:these|those|them))|(?P<local>of\s+which|among(?:st)?\s+which|"
    r"of\s+whom|including)|(?P<ofthe>of\s+the)(?=\s+(?:" + _NUM_RX + r")\b))\b"
    r"(?:\s+(?P<n>" + _NUM_RX + r")\b)?",
    re.IGNORECASE,
)
# "Of these six, three were ...", "of which two used ...", "among them, one was ...":
# a number right after a subset mark counts a subset even when a verb follows it.
_SUBSET_LEAD = re.compile(
    r"\b(?:(?:of|among|amongst)\s+(?:these|those|them|which|whom)|of\s+the|including)"
    r"(?:\s+(?:" + _NUM_RX + r")(?:\s+[A-Za-z][\w\u2010-]*){0,3}?(?:\s+" + _STUDY_NOUN + r")?)?\s*,?\s*$",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]")
_CITE_CONTENT = re.compile(r"^[\d\s,;\u2013\u2014\u2010\u2011\u2212\-\[\]]+$")
_ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "cf",
        "vs",
        "fig",
        "figs",
        "p",
        "pp",
        "no",
        "nos",
        "dr",
        "mr",
        "ms",
        "mrs",
        "prof",
        "st",
        "vol",
        "ed",
        "eds",
        "approx",
        "ca",
        "ref",
        "refs",
        "eq",
        "sec",
        "ch",
    ]
)
_BOUNDARY = re.compile(r"[.!?][\"\u201d\u2019)\]]*\s+(?=[A-Z0-9\"\u201c\u2018(\[])")
_AUTHOR_CITE = re.compile(
    r"(?P<name>(?:[A-Z][\w\u2019'\-]+\s+){0,2}[A-Z][\w\u2019'\-]+)"
    r"(?P<etal>\s+(?:et\s+al\.?|and\s+(?:colleagues|co-?workers|co-?authors)))?(?P<poss>[\u2019']s)?"
    r"\s*\[(?P<num>\d+)\]"
)


@dataclass(frozen=True)
class Finding:
    """One problem: where (``line``, 1-based), what kind, and the evidence."""

    line: int
    kind: str
    message: str
    sentence: str
    stated: int | None
    cited: list[int]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class Sentence:
    """A sentence of the joined text; ``lines[i]`` is the line of ``text[i]``."""

    text: str
    lines: tuple[int, ...]

    @property
    def line(self) -> int:
        return self.lines[0] if self.lines else 0


# --- numbers and citations ---------------------------------------------------


def parse_number(word: str) -> int | None:
    """``"Nineteen"`` -> 19, ``"twenty-nine"`` -> 29, ``"12"`` -> 12, ``"a dozen"`` -> 12."""
    w = re.sub(r"[\s\u2010-]+", " ", word.strip().lower())
    if w.isdigit():
        return int(w)
    if w == "a dozen":
        return 12
    if w in _UNITS:
        return _UNITS.index(w)
    parts = w.split(" ")
    if parts[0] in _TENS and (len(parts) == 1 or (len(parts) == 2 and parts[1] in _UNITS[1:10])):
        return _TENS[parts[0]] + (_UNITS.index(parts[1]) if len(parts) == 2 else 0)
    return None


def parse_citations(text: str) -> list[int]:
    """Reference numbers in citation groups: ``"[40–47, 50]"`` -> [40, ..., 47, 50].

    Accepts one or more bracket groups (nested brackets are flattened) or bare
    content; commas or semicolons separate items; a hyphen, en or em dash makes
    a range.  Returns distinct numbers in ascending order.
    """
    content = text.strip()
    if not content or content == "[]":
        return []
    if not _CITE_CONTENT.match(content):
        raise InvalidInput(f"not a numeric citation: {text!r}")
    refs: set[int] = set()
    for item in re.split(r"[,;\[\]]+", content):
        item = item.strip()
        if not item:
            continue
        m = re.fullmatch(r"(\d+)\s*[\u2013\u2014\u2010\u2011\u2212-]\s*(\d+)", item)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if hi < lo:
                raise InvalidInput(f"reversed range {item!r} in {text!r}")
            refs.update(range(lo, hi + 1))
        elif item.isdigit():
            refs.add(int(item))
        else:
            raise InvalidInput(f"cannot read {item!r} in citation {text!r}")
    return sorted(refs)


def format_citations(refs: Iterable[int]) -> str:
    """``[40, 41, 42, 43, 50]`` -> ``"[40–43, 50]"``: runs of three or more become
    en-dash ranges, pairs are listed.  An empty input gives ``""``."""
    nums = sorted(set(int(r) for r in refs))
    if not nums:
        return ""
    parts: list[str] = []
    run = [nums[0]]
    for n in nums[1:] + [None]:
        if n is not None and n == run[-1] + 1:
            run.append(n)
            continue
        if len(run) >= 3:
            parts.append(f"{run[0]}\u2013{run[-1]}")
        else:
            parts.extend(str(r) for r in run)
        if n is not None:
            run = [n]
    return "[" + ", ".join(parts) + "]"


# --- reading and sentences ---------------------------------------------------


def _is_heading(line: str, prev: str | None, nxt: str | None) -> bool:
    s = line.strip()
    if s.startswith("#"):
        return True
    if not s or s[-1] in ".!?:;,-" or len(s.split()) > 8 or not s[0].isupper():
        return False
    prev_done = prev is None or not prev.strip() or prev.strip()[-1] in ".!?:"
    return prev_done and nxt is not None and nxt.strip()[:1].isupper()


def _paragraphs(text: str) -> list[list[tuple[int, str]]]:
    lines = text.splitlines()
    paras: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    headings: set[int] = set()
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not line.strip():
            if current:
                paras.append(current)
            current = []
        elif _is_heading(line, prev, nxt):
            if current:
                paras.append(current)
            paras.append([(i + 1, line)])
            headings.add(len(paras) - 1)
            current = []
        else:
            current.append((i + 1, line))
    if current:
        paras.append(current)
    merged: list[list[tuple[int, str]]] = []
    merged_heading: list[bool] = []
    for k, para in enumerate(paras):
        first = para[0][1].strip()
        if (
            merged
            and not merged_heading[-1]
            and k not in headings
            and first[:1].islower()
            and merged[-1][-1][1].rstrip()[-1:] not in ".!?:"
        ):
            merged[-1].extend(para)
        else:
            merged.append(list(para))
            merged_heading.append(k in headings)
    return merged


def _join(para: list[tuple[int, str]]) -> tuple[str, list[int]]:
    out = ""
    line_at: list[int] = []
    for number, raw in para:
        line = re.sub(r"^\s*(?:#{1,6}|>|[-*+](?=\s))\s*", "", raw).strip()
        if not line:
            continue
        if out and re.search(r"[A-Za-z]-$", out) and line[:1].islower():
            out, line_at = out[:-1], line_at[:-1]
        elif out:
            out += " "
            line_at.append(number)
        out += line
        line_at.extend([number] * len(line))
    return out, line_at


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with their original line numbers (rules above)."""
    sentences: list[Sentence] = []
    for para in _paragraphs(text):
        joined, line_at = _join(para)
        start = 0
        for m in _BOUNDARY.finditer(joined):
            word = re.search(r"(\S+)$", joined[start : m.start()])
            token = word.group(1).lower().lstrip("([") if word else ""
            if token in _ABBREVIATIONS or token.endswith("et al") or re.fullmatch(r"[a-z]", token):
                continue
            if token.endswith(".") or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
                continue  # e.g. i.e  (the final dot is the boundary candidate)
            sentences.append(Sentence(joined[start : m.end()].strip(), tuple(line_at[start : m.end()])))
            start = m.end()
        if joined[start:].strip():
            sentences.append(Sentence(joined[start:].strip(), tuple(line_at[start:])))
    return [s for s in sentences if s.text]


MANUSCRIPT_SUFFIXES = (".docx", ".md", ".markdown", ".txt", ".text")


def read_manuscript(path: str | Path) -> str:
    """The text of a Markdown, plain-text or DOCX manuscript.

    DOCX is read directly from the file's XML (one code path, no optional
    dependency); each paragraph becomes one line, so line *N* is paragraph *N*.
    """
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"no such manuscript file: {p}")
    suffix = p.suffix.lower()
    if suffix in (".pdf", ".doc", ".odt", ".rtf"):
        raise ImportFormatError(
            f"cannot read {suffix} manuscripts; save it as DOCX, Markdown or plain text", file=str(p)
        )
    return _manuscript_text(p.read_bytes(), suffix, str(p))


def read_manuscript_bytes(data: bytes, filename: str) -> str:
    """The text of an uploaded manuscript (DOCX, Markdown or plain text), read in memory.

    ``filename`` only tells the format (by its suffix) and names the file in
    errors; nothing is written to disk.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in MANUSCRIPT_SUFFIXES:
        raise ImportFormatError(
            f"cannot read {suffix or 'files without a suffix'} as a manuscript; "
            "save it as DOCX (.docx), Markdown (.md) or plain text (.txt)",
            file=filename,
        )
    if not data.strip():
        raise ImportFormatError("the file is empty", file=filename)
    return _manuscript_text(data, suffix, filename)


def _manuscript_text(data: bytes, suffix: str, name: str) -> str:
    if suffix == ".docx":
        return "\n".join(_docx_paragraphs(data, name))
    if b"\x00" in data[:4096]:
        raise ImportFormatError("not a text file (binary content)", file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise ImportFormatError("cannot tell the text encoding", file=name) from None
        return str(best)


def _docx_paragraphs(data: bytes, name: str) -> list[str]:
    """Paragraph texts in document order (tables included), read from the XML."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            root = ET.fromstring(zf.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        raise ImportFormatError(f"not a readable DOCX file ({exc})", file=name) from None
    paragraphs = []
    for para in root.iter(f"{w}p"):
        parts = []
        for el in para.iter():
            if el.tag == f"{w}t":
                parts.append(el.text or "")
            elif el.tag == f"{w}tab":
                parts.append("\t")
            elif el.tag in (f"{w}br", f"{w}cr"):
                parts.append(" ")
        paragraphs.append("".join(parts))
    return paragraphs


# --- citations ---------------------------------------------------------------

_AY_YEARS = r"(?:1[89]\d\d|20\d\d)[a-z]?(?:\s*,\s*(?:1[89]\d\d|20\d\d)[a-z]?)*"
_AY_ITEM = re.compile(
    r"^(?:(?:e\.g\.|see(?:\s+also)?|cf\.|i\.e\.)[,\s]+)?"
    r"(?P<names>[A-Z][^,;()\d]*?)(?:\s+et\s+al\.?)?,?\s+(?P<years>" + _AY_YEARS + r")\s*$"
)
_AY_PAREN = re.compile(r"\(([^()]*?\b(?:1[89]\d\d|20\d\d)[a-z]?[^()]*)\)")
_AY_NARRATIVE = re.compile(
    r"(?P<names>(?:[A-Z][\w\u2019'\-]+\s+){0,2}[A-Z][\w\u2019'\-]+"
    r"(?:\s+et\s+al\.?|\s+and\s+colleagues|\s+(?:and|&)\s+[A-Z][\w\u2019'\-]+)?)"
    r"\s+\((?P<years>" + _AY_YEARS + r")\)"
)


@dataclass
class _Group:
    start: int
    end: int
    refs: list[int]
    unresolved: list[str]


class _Resolver:
    """Citations -> entries of the manuscript's own reference list."""

    def __init__(self, refs: ReferenceList | None):
        self.style = refs.style if refs else None
        self.numbers = {r.number for r in refs.references} if refs else set()
        self.keys: dict[tuple[str, str], list[int]] = {}
        self.labels: dict[int, str] = {}
        for r in refs.references if refs else []:
            surname = fold_name(r.first_author or "")
            year = f"{r.year}{r.year_suffix}" if r.year else ""
            self.keys.setdefault((surname, year), []).append(r.number)
            self.labels[r.number] = f"{r.first_author or '?'} {year}".strip()

    def resolve(self, names: str, year: str) -> int | None:
        first = re.split(r"\s+(?:et\s+al\.?|and|&)\b|\s*&\s*", names.strip())[0]
        words = fold_name(first).split()
        for i in range(len(words)):
            hits = self.keys.get((" ".join(words[i:]), year))
            if hits is None and not year[-1:].isalpha():
                hits = next(
                    (
                        v
                        for (n, y), v in self.keys.items()
                        if n == " ".join(words[i:]) and y[:4] == year and len(v) == 1
                    ),
                    None,
                )
            if hits:
                return hits[0]
        return None

    def groups(self, s: str) -> list[_Group]:
        out: list[_Group] = []
        for g in _BRACKETS.finditer(s):
            if _CITE_CONTENT.match(g.group()) and re.search(r"\d", g.group()):
                try:
                    nums = parse_citations(g.group())
                except InvalidInput:
                    continue
                bad = [f"[{n}]" for n in nums if self.style == "numbered" and n not in self.numbers]
                out.append(_Group(g.start(), g.end(), [n for n in nums if f"[{n}]" not in bad], bad))
        if self.style != "author-year":
            return out
        for g in _AY_PAREN.finditer(s):
            items = [i.strip() for i in g.group(1).split(";") if i.strip()]
            parsed = [_AY_ITEM.match(i) for i in items]
            if not items or not all(parsed):
                continue
            out.append(self._resolved(g.start(), g.end(), [(m.group("names"), m.group("years")) for m in parsed if m]))
        for g in _AY_NARRATIVE.finditer(s):
            if any(x.start <= g.start("years") < x.end for x in out):
                continue
            out.append(self._resolved(g.start(), g.end(), [(g.group("names"), g.group("years"))]))
        return sorted(out, key=lambda x: x.start)

    def _resolved(self, start: int, end: int, items: list[tuple[str, str]]) -> _Group:
        refs: list[int] = []
        bad: list[str] = []
        for names, years in items:
            for year in re.split(r"\s*,\s*", years):
                n = self.resolve(names, year)
                if n is None:
                    bad.append(f"{names.strip()}, {year}")
                else:
                    refs.append(n)
        return _Group(start, end, refs, bad)

    def fmt(self, refs: Iterable[int]) -> str:
        nums = sorted(set(refs))
        if self.style == "author-year":
            return "(" + "; ".join(self.labels.get(n, str(n)) for n in nums) + ")"
        return format_citations(nums)


# --- checking ----------------------------------------------------------------


@dataclass
class _Mention:
    kind: str  # "count" | "subset" | "split"
    value: int
    start: int
    end: int


@dataclass
class _Statement:
    stated: int
    cited: list[int]
    line: int
    subset: bool
    sentence: int


def _mentions(text: str, groups: list[tuple[int, int]]) -> list[_Mention]:
    out: list[_Mention] = []
    for m in _NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e in groups):
            continue
        value = parse_number(m.group())
        if value is None:
            continue
        before, after = text[: m.start()], text[m.end() :]
        if m.group().isdigit() and (1800 <= value <= 2100 or re.search(r"\bpp?\.\s*$", before)):
            continue
        if re.match(r"\s*(?:%|per\s*cent|percent|[-\u2010]\w)", after, re.IGNORECASE):
            continue
        if _ANAPHOR_BEFORE.search(before) or (_OF_THE_BEFORE.search(before) and _OF_THE_AFTER.match(after)):
            out.append(_Mention("split", value, m.start(), m.end()))  # "of these seven": a reference, not a count
            continue
        count = _COUNT_AFTER.match(after)
        if count and (count.group("of") or not (set(count.group("mods").lower().split()) & _FUNCTION)):
            kind = "subset" if count.group("of") in ("these", "those") else "count"
            out.append(_Mention(kind, value, m.start(), m.end() + count.end()))
            continue
        if _OF_THEM_AFTER.match(after):
            out.append(_Mention("subset", value, m.start(), m.end()))
            continue
        nxt = re.match(r"\s*(\w+|\S)?", after)
        word = (nxt.group(1) or "").lower() if nxt else ""
        if word and word[0].isalpha() and _SUBSET_LEAD.search(before):
            out.append(_Mention("subset", value, m.start(), m.end()))
        elif not word or not word[0].isalnum() or word in _FUNCTION:
            out.append(_Mention("split", value, m.start(), m.end()))
    return out


def _subset_of(s: str, mentions: list[_Mention], i: int) -> tuple[bool, int | None, bool]:
    """Whether mention ``i`` counts a subset, the N of "of these N" if given, and
    whether its superset must be in the same sentence ("of which", "including")."""
    mention = mentions[i]
    prior = [m for m in mentions[:i] if m.kind != "split"]
    since = prior[-1].end if prior else 0
    marks = list(_SUBSET_MARK.finditer(s, since, mention.start))
    mark = marks[-1] if marks else None
    if mark is None:
        mark = _SUBSET_MARK.search(s, mention.start, mention.end)
        if mark is not None and mark.group("ofthe"):
            mark = None  # "Ten of the studies": a count, not a subset
    if mark is None:
        return mention.kind == "subset", None, False
    n = parse_number(mark.group("n")) if mark.group("n") else None
    return True, n, bool(mark.group("local"))


def _normalise_codes(codes: Mapping[str, Collection[int | str]]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for name, refs in codes.items():
        nums: set[int] = set()
        for ref in refs:
            if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
                nums.add(int(ref))
            else:
                raise InvalidInput(
                    f"code {name!r}: study key {ref!r} is not a reference number; "
                    "map study keys to the manuscript's reference numbers first (check_claims does)"
                )
        out[name] = nums
    return out


def _code_regex(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s\u2010-]+", name.strip()) if w]
    return re.compile(r"\b" + r"[\s\u2010-]+".join(words) + r"(?:s|es)?\b", re.IGNORECASE)


def _match_code(clause: str, patterns: dict[str, re.Pattern[str]]) -> str | None:
    best: tuple[int, int, str] | None = None
    for name, rx in patterns.items():
        m = rx.search(clause)
        if m:
            key = (-len(name), m.start(), name)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def _author_findings(sentence: Sentence, first_authors: Mapping[int, str]) -> list[Finding]:
    known = {fold_name(v.split(",")[0]) for v in first_authors.values()}
    findings = []
    for m in _AUTHOR_CITE.finditer(sentence.text):
        num = int(m.group("num"))
        if num not in first_authors:
            continue
        expected = fold_name(first_authors[num].split(",")[0])
        words = fold_name(re.sub(r"[\u2019']s$", "", m.group("name"))).split()
        tail = " ".join(words[-len(expected.split()) :]) if expected else ""
        if tail == expected:
            continue
        named = words[-1] if words else ""
        if not (m.group("etal") or m.group("poss")) and not any(named == k.split()[-1] for k in known if k):
            continue  # "Kenya [40]": not an author citation
        who = m.group("name").split()[-1]
        findings.append(
            Finding(
                line=sentence.lines[m.start("name") + len(m.group("name")) - len(who)],
                kind="author_mismatch",
                message=f"'{who} [{num}]': reference {num}'s first author is {first_authors[num]}",
                sentence=sentence.text,
                stated=None,
                cited=[num],
            )
        )
    return findings


def check_manuscript(
    text: str,
    *,
    codes: Mapping[str, Collection[int | str]] | None = None,
    first_authors: Mapping[int, str] | None = None,
    comparable: Collection[int] | None = None,
) -> list[Finding]:
    """Find counting and citing inconsistencies in a manuscript (rules above).

    The manuscript's own reference list (:func:`~realist.synthesise.references.find_references`)
    is read: text from its heading on is not checked; author-year citations are
    resolved against it; with a numbered list, citations of numbers it lacks
    are reported and ``first_authors`` defaults to its first authors.
    ``codes`` maps code names and aliases to the reference numbers coded with
    them; ``comparable`` (default: every number) are the reference numbers whose
    codes are known: a statement citing any other is not compared with codes.
    Findings come in text order.
    """
    refs = find_references(text)
    resolver = _Resolver(refs)
    if refs is not None:
        text = "\n".join(text.splitlines()[: refs.heading_line - 1])
        if first_authors is None and refs.style == "numbered":
            first_authors = {r.number: r.first_author for r in refs.references if r.first_author}
    code_sets = _normalise_codes(codes) if codes else {}
    code_rx = {name: _code_regex(name) for name in code_sets}
    known = set(comparable) if comparable is not None else None
    fmt = resolver.fmt
    findings: list[Finding] = []
    statements: list[_Statement] = []
    for k, sentence in enumerate(split_sentences(text)):
        s = sentence.text
        groups = resolver.groups(s)
        for g in groups:
            for label in g.unresolved:
                where = "numbered 1–" + str(max(resolver.numbers)) if resolver.style == "numbered" else "author–year"
                findings.append(
                    Finding(
                        sentence.lines[g.start],
                        "citation_unresolved",
                        f"'{label}' is not in the manuscript's reference list ({where})",
                        s,
                        None,
                        g.refs,
                    )
                )
        mentions = _mentions(s, [(g.start, g.end) for g in groups])
        clause_start = 0
        for i, mention in enumerate(mentions):
            limit = mentions[i + 1].start if i + 1 < len(mentions) else len(s)
            owned = [g for g in groups if mention.end <= g.start < limit]
            if owned:  # a semicolon after the first owned group ends the clause
                stop = s.find(";", owned[0].end, limit)
                owned = [g for g in owned if stop < 0 or g.start < stop]
            if mention.kind == "split" or not owned:
                continue
            cited = sorted({n for g in owned for n in g.refs})
            unresolved = sorted({u for g in owned for u in g.unresolved})
            clause_end = owned[-1].end
            clause = s[clause_start:clause_end]
            clause_start = clause_end
            line = sentence.lines[mention.start]
            stated = mention.value

            def add(kind: str, message: str) -> None:  # called before the loop moves on
                findings.append(Finding(line, kind, message, s, stated, cited))  # noqa: B023

            n_cited = len(cited) + len(unresolved)
            if n_cited != stated:
                shown = fmt(cited) + (f" and {len(unresolved)} not in the reference list" if unresolved else "")
                add(
                    "count_mismatch",
                    f"states {stated} ('{s[mention.start : mention.end]}') but cites {n_cited}: {shown}",
                )
            subset, n, local = _subset_of(s, mentions, i)
            if subset:
                candidates = [st for st in statements if not local or st.sentence == k]
                parent = next(
                    (st for st in reversed(candidates) if (st.stated == n if n is not None else not st.subset)), None
                )
                if parent is not None:
                    extra = sorted(set(cited) - set(parent.cited))
                    if extra:
                        add(
                            "subset_mismatch",
                            f"a subset of the statement on line {parent.line} "
                            f"({parent.stated} stated, {fmt(parent.cited)}) cites {fmt(extra)} not among them",
                        )
            comparable_here = not unresolved and (known is None or set(cited) <= known)
            if code_rx and comparable_here:
                name = _match_code(clause, code_rx)
                if name is None:  # "Two studies, Kerr et al. (2010) and ..., described advocacy."
                    tail_end = min([limit, *[x for x in (s.find(";", clause_end, limit),) if x >= 0]])
                    name = _match_code(s[clause_end:tail_end], code_rx)
                if name is not None and set(cited) != code_sets[name]:
                    coded = sorted(code_sets[name])
                    missing = sorted(set(coded) - set(cited))
                    extra = sorted(set(cited) - set(coded))
                    detail = "; ".join(
                        part
                        for part in (
                            f"coded but not cited {fmt(missing)}" if missing else "",
                            f"cited but not coded {fmt(extra)}" if extra else "",
                        )
                        if part
                    )
                    add("code_mismatch", f"matched code '{name}' ({len(coded)} studies {fmt(coded)}): {detail}")
            statements.append(_Statement(stated, cited, line, subset, k))
        if first_authors:
            findings.extend(_author_findings(sentence, first_authors))
    findings.sort(key=lambda f: f.line)
    return findings


# --- against a review ----------------------------------------------------------


@dataclass
class ClaimsReport:
    """The findings, and how the manuscript's references were mapped to the review's studies."""

    findings: list[Finding]
    numbering: str  # "manuscript" | "review" | "none"
    reference_style: str | None
    references: int
    matched: list[ReferenceMatch] = field(default_factory=list)
    unmatched: list[Reference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "numbering": self.numbering,
            "reference_style": self.reference_style,
            "references": self.references,
            "matched": [m.to_dict() for m in self.matched],
            "unmatched": [{"number": r.number, "line": r.line, "text": r.text} for r in self.unmatched],
            "notes": list(self.notes),
        }


def check_claims(
    text: str,
    *,
    studies: Sequence[StudyRef] = (),
    codes: Mapping[str, Collection[str]] | None = None,
    numbering: str = "manuscript",
) -> ClaimsReport:
    """Check a manuscript, comparing codes only through its references' map to ``studies``.

    ``codes`` maps code names and aliases to the keys of the studies coded with
    them.  With ``numbering="manuscript"`` (the default) the manuscript's own
    reference list is mapped to the studies (:func:`map_references`); codes
    are compared only for statements whose every citation maps to a study, and
    only with the coded studies the manuscript lists.  Without a reference
    list, codes are not compared.  ``numbering="review"`` says that the
    manuscript cites studies by the review's own reference numbers
    (``Study.ref_number``), as the reference review's text does.
    """
    if numbering not in ("manuscript", "review"):
        raise InvalidInput(f"numbering must be 'manuscript' or 'review', not {numbering!r}")
    refs = find_references(text)
    style = refs.style if refs else None
    count = len(refs.references) if refs else 0
    notes: list[str] = []
    number_to_key: dict[int, str] = {}
    matched: list[ReferenceMatch] = []
    unmatched: list[Reference] = []
    first_authors: dict[int, str] | None = None
    if numbering == "review":
        number_to_key = {s.ref_number: s.key for s in studies if s.ref_number is not None}
        first_authors = {s.ref_number: s.first_author for s in studies if s.ref_number is not None and s.first_author}
        if refs is not None:
            notes.append(
                "the manuscript has its own reference list, but its citations were read as the "
                "review's reference numbers (numbering='review')"
            )
    elif refs is not None:
        matched = map_references(refs.references, studies) if studies else []
        number_to_key = {m.number: m.study_key for m in matched}
        unmatched = [r for r in refs.references if r.number not in number_to_key]
    elif studies:
        notes.append(
            "no reference list found in the manuscript: citations were not compared with the "
            "review's codes (say numbering='review' if it cites the review's own reference numbers)"
        )
    code_numbers: dict[str, set[int]] | None = None
    if codes and number_to_key:
        code_numbers = {
            name: {n for n, key in number_to_key.items() if key in set(keys)} for name, keys in codes.items()
        }
    findings = check_manuscript(
        text, codes=code_numbers, first_authors=first_authors, comparable=set(number_to_key) if number_to_key else None
    )
    return ClaimsReport(
        findings,
        numbering if (number_to_key or numbering == "review") else "none",
        style,
        count,
        matched,
        unmatched,
        notes,
    )
