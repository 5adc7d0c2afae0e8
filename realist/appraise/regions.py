"""Regions of a study's text that are not the authors' own word choice.

A language appraisal judges the words the *authors* chose.  Before matching,
:func:`mark_excluded` finds and blanks out (offsets preserved) the regions
that are someone else's words or not prose at all.  The rules, in order:

``references``
    Everything from the first line that is only a reference-list heading
    ("References", "Reference list", "Bibliography", "Works cited",
    "Literature cited"; optionally numbered or a Markdown heading) to the end
    of the text.
``participant_speech``
    Markdown block-quote lines (``> ...``); paragraphs that open with a
    participant label (``P12:``, ``Participant 3 (female, 28):``,
    ``FGD-2 R4:``, ``IDI-05 -``, ``Respondent 7:`` ...); and paragraphs of at
    most 1,200 characters that end with such a label as an attribution
    (``... (Participant 12, male)`` or ``... — P4``).
``quotation`` / ``mention``
    Text between paired quotation marks within one paragraph: curly
    double and single quotes, guillemets, straight double quotes (paired in
    order) and straight single quotes (an opening quote must follow a space
    or bracket; a closing quote must not be followed by a letter, so
    apostrophes such as *peer's* do not close a quote).  Four or more words
    make a ``quotation`` (participants' speech, quoted titles and passages);
    fewer make a ``mention`` (a term discussed, e.g. *acronyms 'IDU'*, or
    scare quotes).  Both are excluded: neither is the authors' own usage.
``name``
    Proper names of institutions, journals and programmes: a run of
    capitalised words (connectives such as *of*, *on*, *and*, *who* allowed
    inside) containing an institution word (Institute, Journal, Network,
    Administration, Anonymous, ...), e.g. *National Institute on Drug Abuse*,
    *International Network on Hepatitis in Substance Users*; plus a short
    list of names without such a word (*Drug and Alcohol Dependence*).

Hyphenated line breaks from PDF extraction (``in-\\njecting``) are joined
before these rules run; all offsets refer to the original text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from realist.errors import InvalidInput

__all__ = [
    "EXCLUSION_KINDS",
    "ExcludedRegion",
    "Exclusions",
    "mark_excluded",
    "dehyphenate",
]

EXCLUSION_KINDS: tuple[str, ...] = ("references", "participant_speech", "quotations", "names")
"""Switchable rule groups; ``quotations`` covers both quotation and mention."""

_QUOTE_MIN_WORDS = 4
_QUOTE_MAX_CHARS = 2000
_ATTRIBUTED_PARAGRAPH_MAX = 1200

_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-[ \t]*\n[ \t]*(?=[a-z])")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_REFERENCES_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\d+\.?[ \t]+)?"
    r"(?:references|reference\s+list|bibliography|works\s+cited|literature\s+cited)"
    r"[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_LABEL = (
    r"(?:P|R|ID|IDI|KII|FGD|Participant|Respondent|Interviewee|Informant|Client|"
    r"Peer(?:\s+(?:worker|educator))?|PWID|PWUD|Woman|Man)"
    r"[ \t]*[-#]?[ \t]*\d+[A-Za-z]?"
)
_OPENS_WITH_LABEL = re.compile(
    r"^[ \t]*[(\[]?(?:" + _LABEL + r")(?:[ ,;/-]+(?:" + _LABEL + r"))?"
    r"(?:[ \t]*\([^)\n]{0,40}\)|,[^:\n]{0,40})?[ \t]*[)\]]?[ \t]*[:\u2013\u2014-]",
    re.IGNORECASE,
)
_ENDS_WITH_LABEL = re.compile(
    r"(?:\((?:" + _LABEL + r")[^)\n]{0,60}\)|[\u2013\u2014-][ \t]*(?:" + _LABEL + r")[^\n]{0,40})"
    r"[ \t.]*$",
    re.IGNORECASE,
)
_BLOCKQUOTE_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)

_NAME_WORDS = frozenset(
    [
        "Institute",
        "Institutes",
        "Journal",
        "Network",
        "Administration",
        "Center",
        "Centre",
        "Association",
        "Society",
        "Office",
        "Council",
        "Foundation",
        "Department",
        "Ministry",
        "Agency",
        "Commission",
        "Services",
        "Programme",
        "Program",
        "Project",
        "Unit",
        "Warning",
        "Anonymous",
        "Union",
        "Alliance",
        "Coalition",
        "Federation",
        "Organisation",
        "Organization",
        "Conference",
        "Board",
    ]
)
_CAP_WORD = r"(?:[A-Z][\w\u2019'&-]*)"
_CONNECTIVE = r"(?:of|on|for|and|in|the|to|who|&|de|du|des|la|y)"
_GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"
_CAP_RUN = re.compile(_CAP_WORD + r"(?:" + _GAP + r"(?:" + _CONNECTIVE + _GAP + r")*" + _CAP_WORD + r")+")
_KNOWN_NAMES = re.compile(
    r"|".join(
        r"\b" + r"\s+".join(re.escape(w) for w in name.split()) + r"\b"
        for name in (
            "Drug and Alcohol Dependence",
            "Substance Abuse Treatment, Prevention, and Policy",
        )
    )
)


@dataclass(frozen=True)
class ExcludedRegion:
    """One excluded span: ``text[start:end]`` of the original text."""

    kind: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Exclusions:
    """The excluded regions of a text and the text with them blanked out.

    ``masked`` has the length of the original; excluded characters are
    replaced by spaces (line breaks kept), so offsets into it are offsets into
    the original.
    """

    masked: str
    regions: list[ExcludedRegion]

    def region_at(self, offset: int) -> ExcludedRegion | None:
        """The excluded region covering ``offset``, if any."""
        for region in self.regions:
            if region.start <= offset < region.end:
                return region
        return None


def dehyphenate(text: str) -> tuple[str, list[int]]:
    """Join words split by a hyphen at a line break (``in-\\njecting``).

    Returns the joined text and, for each of its characters (plus one past
    the end), the offset of that character in ``text``.
    """
    pieces: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _HYPHEN_BREAK.finditer(text):
        pieces.append(text[pos : m.start()])
        index.extend(range(pos, m.start()))
        pos = m.end()
    pieces.append(text[pos:])
    index.extend(range(pos, len(text)))
    index.append(len(text))
    return "".join(pieces), index


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def _references(text: str) -> list[tuple[str, int, int]]:
    m = _REFERENCES_HEADING.search(text)
    return [("references", m.start(), len(text))] if m else []


def _participant_speech(text: str) -> list[tuple[str, int, int]]:
    spans = [("participant_speech", m.start(), m.end()) for m in _BLOCKQUOTE_LINE.finditer(text)]
    for start, end in _paragraphs(text):
        para = text[start:end]
        if not para.strip():
            continue
        if _OPENS_WITH_LABEL.match(para) or (
            len(para) <= _ATTRIBUTED_PARAGRAPH_MAX and _ENDS_WITH_LABEL.search(para.rstrip())
        ):
            spans.append(("participant_speech", start, end))
    return spans


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in '([{\u2014\u2013-/"\u201c') and not after.isspace()


def _closes(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and not after.isalnum()


def _paired(text: str, start: int, end: int, opener: str, closer: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = start
    while True:
        i = text.find(opener, i, end)
        if i < 0:
            return spans
        if not _opens(text, i):
            i += 1
            continue
        j = i + 1
        limit = min(end, i + _QUOTE_MAX_CHARS)
        while True:
            j = text.find(closer, j, limit)
            if j < 0 or _closes(text, j):
                break
            j += 1
        if j < 0:
            i += 1
            continue
        spans.append((i, j + 1))
        i = j + 1


def _quotations(text: str) -> list[tuple[str, int, int]]:
    spans: list[tuple[int, int]] = []
    for start, end in _paragraphs(text):
        for opener, closer in (("\u201c", "\u201d"), ("\u2018", "\u2019"), ("\u00ab", "\u00bb"), ("'", "'")):
            spans.extend(_paired(text, start, end, opener, closer))
        marks = [m.start() for m in re.finditer('"', text[start:end])]
        spans.extend((start + a, start + b + 1) for a, b in zip(marks[::2], marks[1::2]))
    out = []
    for s, e in spans:
        kind = "quotation" if len(re.findall(r"\w+", text[s:e])) >= _QUOTE_MIN_WORDS else "mention"
        out.append((kind, s, e))
    return out


def _names(text: str) -> list[tuple[str, int, int]]:
    spans = []
    for m in _CAP_RUN.finditer(text):
        words = set(re.findall(r"[A-Za-z]+", m.group()))
        if words & _NAME_WORDS:
            spans.append(("name", m.start(), m.end()))
    for m in _KNOWN_NAMES.finditer(text):
        spans.append(("name", m.start(), m.end()))
    return spans


def _merge(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Drop spans wholly inside an earlier, larger one; keep overlaps as found."""
    spans = sorted(spans, key=lambda s: (s[1], -(s[2] - s[1])))
    kept: list[tuple[str, int, int]] = []
    for span in spans:
        if kept and span[1] >= kept[-1][1] and span[2] <= kept[-1][2]:
            continue
        kept.append(span)
    return kept


def mark_excluded(text: str, *, kinds: Collection[str] = EXCLUSION_KINDS) -> Exclusions:
    """Find the regions of ``text`` that are not the authors' prose.

    ``kinds`` selects rule groups from :data:`EXCLUSION_KINDS` (all by
    default).  Returns the regions, in order, with the text blanked there.
    """
    unknown = set(kinds) - set(EXCLUSION_KINDS)
    if unknown:
        raise InvalidInput(
            f"unknown exclusion kind(s): {', '.join(sorted(unknown))}; choose from {', '.join(EXCLUSION_KINDS)}"
        )
    view, index = dehyphenate(text)
    finders = {
        "references": _references,
        "participant_speech": _participant_speech,
        "quotations": _quotations,
        "names": _names,
    }
    found: list[tuple[str, int, int]] = []
    for kind in EXCLUSION_KINDS:
        if kind in kinds:
            found.extend(finders[kind](view))
    regions = []
    chars = list(text)
    for kind, s, e in _merge(found):
        start, end = index[s], index[e - 1] + 1 if e > s else index[s]
        regions.append(ExcludedRegion(kind, start, end, text[start:end]))
        for k in range(start, end):
            if chars[k] != "\n":
                chars[k] = " "
    return Exclusions("".join(chars), regions)
