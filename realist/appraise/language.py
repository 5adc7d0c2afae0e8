"""Language appraisal: stigmatising and person-first terms in a study's prose.

The lexicon (``realist/appraise/data/lexicon.csv``, sources in
``lexicon_sources.csv``) lists terms about people who use drugs, each with a
regular expression, a category, a *stance* (``stigmatising``, ``contested``,
``person_first`` or ``neutral``), whether it *refers to a person* (names or
labels a person, as "addicts" or "people who inject drugs" do, rather than a
condition, behaviour or object), preferred alternatives, the guides that list
it and notes on false positives.  A review team extends it in its protocol:
:func:`load_lexicon` takes extra entries and terms to remove.

:func:`appraise_text` first blanks out what is not the authors' own word
choice (:func:`realist.appraise.regions.mark_excluded`: reference list,
participants' speech, quoted passages and mentioned terms, institution and
journal names), then matches every entry.  Where matches overlap, the one that
starts first wins, then the longer, then the one earlier in the lexicon (so
"injecting drug users" is one hit, not also "drug users"; and "IDU" read as a
person, entry L09, wins over "IDU" read as the behaviour, L10).

Classification rule (stated again in every result's ``rule``): count only
hits that refer to a person; let *P* be the person-first hits and *S* the
stigmatising ones.  Contested person labels ("drug user") and terms that do
not label a person ("substance abuse", "clean needles") are reported but not
counted.  Then

* ``none`` when *P* + *S* = 0;
* ``person-first`` when *P* / (*P* + *S*) >= ``dominance`` (0.9 by default);
* ``stigmatising`` when *P* / (*P* + *S*) <= 1 - ``dominance``;
* ``mixed`` otherwise.

What the tool cannot decide: whether an unquoted term is the authors' usage or
a paraphrase of a source, whether singular "IDU" means a person in contexts
other than those listed in L09, or whether a paper's era excuses a term.  The
hits carry offsets so that a reviewer can check each one.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from realist.appraise.regions import (
    EXCLUSION_KINDS,
    ExcludedRegion,
    dehyphenate,
    mark_excluded,
)
from realist.errors import InvalidInput

__all__ = [
    "LEXICON_COLUMNS",
    "STANCES",
    "CLASSIFICATIONS",
    "LexiconEntry",
    "Lexicon",
    "Hit",
    "LanguageAppraisal",
    "load_lexicon",
    "lexicon_sources",
    "appraise_text",
    "classify",
    "pages_from_form_feeds",
]

LEXICON_COLUMNS = (
    "id",
    "term",
    "pattern",
    "category",
    "stance",
    "refers_to_person",
    "alternatives",
    "source",
    "false_positive_notes",
)
STANCES = ("stigmatising", "contested", "person_first", "neutral")
CLASSIFICATIONS = ("person-first", "mixed", "stigmatising", "none")
_REQUIRED = ("term", "pattern", "category", "refers_to_person")


@dataclass(frozen=True)
class LexiconEntry:
    """One lexicon row; ``regex`` is ``pattern`` compiled case-insensitively."""

    id: str
    term: str
    pattern: str
    category: str
    stance: str
    refers_to_person: bool
    alternatives: tuple[str, ...]
    sources: tuple[str, ...]
    false_positive_notes: str = ""
    regex: re.Pattern[str] = field(compare=False, repr=False, default=re.compile(""))

    @classmethod
    def from_row(cls, row: Mapping[str, Any], *, default_id: str = "") -> LexiconEntry:
        """Build an entry from a CSV row or a protocol dict (same columns)."""
        missing = [c for c in _REQUIRED if not str(row.get(c) or "").strip()]
        label = str(row.get("id") or row.get("term") or default_id)
        if missing:
            raise InvalidInput(f"lexicon entry {label!r} lacks {', '.join(missing)}")
        category = str(row["category"]).strip()
        stance = str(row.get("stance") or "").strip() or (
            "person_first" if category == "person_first" else "stigmatising"
        )
        if stance not in STANCES:
            raise InvalidInput(f"lexicon entry {label!r}: stance {stance!r} is not one of {', '.join(STANCES)}")
        refers = row["refers_to_person"]
        if isinstance(refers, str):
            if refers.strip().lower() not in ("yes", "no", "true", "false"):
                raise InvalidInput(f"lexicon entry {label!r}: refers_to_person must be yes or no")
            refers = refers.strip().lower() in ("yes", "true")
        try:
            regex = re.compile(str(row["pattern"]), re.IGNORECASE)
        except re.error as exc:
            raise InvalidInput(f"lexicon entry {label!r}: bad pattern: {exc}") from None
        return cls(
            id=str(row.get("id") or default_id).strip(),
            term=str(row["term"]).strip(),
            pattern=str(row["pattern"]),
            category=category,
            stance=stance,
            refers_to_person=bool(refers),
            alternatives=_split(row.get("alternatives")),
            sources=_split(row.get("source")) or ("protocol",),
            false_positive_notes=str(row.get("false_positive_notes") or ""),
            regex=regex,
        )


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(";") if v.strip())
    return tuple(str(v).strip() for v in value if str(v).strip())


@dataclass(frozen=True)
class Lexicon:
    """An ordered set of entries; order breaks ties between overlapping hits."""

    entries: tuple[LexiconEntry, ...]

    def __iter__(self) -> Iterator[LexiconEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: str) -> LexiconEntry | None:
        """The entry whose id or term is ``key`` (case-insensitive)."""
        key = key.strip().lower()
        for entry in self.entries:
            if entry.id.lower() == key or entry.term.lower() == key:
                return entry
        return None


@lru_cache(maxsize=1)
def _packaged_rows() -> tuple[dict[str, str], ...]:
    path = resources.files("realist.appraise").joinpath("data/lexicon.csv")
    with io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def lexicon_sources() -> dict[str, dict[str, str]]:
    """The guides the packaged lexicon cites, keyed by source id."""
    path = resources.files("realist.appraise").joinpath("data/lexicon_sources.csv")
    with io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def load_lexicon(extra: Iterable[Mapping[str, Any]] = (), remove: Iterable[str] = ()) -> Lexicon:
    """The packaged lexicon, adjusted by a protocol.

    ``remove`` names entries by id or term (case-insensitive); naming one that
    does not exist is an error (a typo would otherwise go unnoticed).
    ``extra`` rows have the lexicon's columns (``term``, ``pattern``,
    ``category`` and ``refers_to_person`` required; ``stance`` defaults to
    ``person_first`` for category ``person_first``, else ``stigmatising``;
    ``source`` defaults to ``protocol``).  An extra row whose id or term
    equals an existing entry's replaces it in place; others are appended.
    """
    entries = [LexiconEntry.from_row(row) for row in _packaged_rows()]
    for key in remove:
        k = key.strip().lower()
        kept = [e for e in entries if e.id.lower() != k and e.term.lower() != k]
        if len(kept) == len(entries):
            raise InvalidInput(f"cannot remove {key!r}: no lexicon entry has that id or term")
        entries = kept
    for n, row in enumerate(extra, start=1):
        entry = LexiconEntry.from_row(row, default_id=f"P{n:02d}")
        for i, old in enumerate(entries):
            if old.id.lower() == entry.id.lower() or old.term.lower() == entry.term.lower():
                entries[i] = entry
                break
        else:
            entries.append(entry)
    return Lexicon(tuple(entries))


@dataclass(frozen=True)
class Hit:
    """One matched term: ``text[start:end] == matched`` in the original text."""

    term_id: str
    term: str
    matched: str
    start: int
    end: int
    page: int | None
    category: str
    stance: str
    refers_to_person: bool
    alternatives: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def counted_as(self) -> str | None:
        """``stigmatising`` or ``person_first`` when the rule counts it, else None."""
        if self.refers_to_person and self.stance in ("stigmatising", "person_first"):
            return self.stance
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "term_id": self.term_id,
            "term": self.term,
            "matched": self.matched,
            "start": self.start,
            "end": self.end,
            "page": self.page,
            "category": self.category,
            "stance": self.stance,
            "refers_to_person": self.refers_to_person,
            "counted_as": self.counted_as,
            "alternatives": list(self.alternatives),
            "sources": list(self.sources),
        }


@dataclass
class LanguageAppraisal:
    """The result for one text; see the module docstring for the rule."""

    hits: list[Hit]
    stigmatising_count: int
    person_first_count: int
    contested_count: int
    other_count: int
    classification: str
    rule: str
    excluded: list[ExcludedRegion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "classification": self.classification,
            "rule": self.rule,
            "stigmatising_count": self.stigmatising_count,
            "person_first_count": self.person_first_count,
            "contested_count": self.contested_count,
            "other_count": self.other_count,
            "hits": [h.to_dict() for h in self.hits],
            "excluded": [r.to_dict() for r in self.excluded],
        }


def classify(person_first: int, stigmatising: int, *, dominance: float = 0.9) -> tuple[str, str]:
    """Apply the classification rule; returns (classification, explanation)."""
    if not 0.5 < dominance <= 1.0:
        raise InvalidInput("dominance must be above 0.5 and at most 1")
    total = person_first + stigmatising
    if total == 0:
        return "none", "no person-referring person-first or stigmatising terms found"
    share = person_first / total
    eps = 1e-9  # so that 1/10 <= 1 - 0.9 despite floating point
    if share >= dominance - eps:
        label, why = "person-first", f"share {share:.2f} >= {dominance:.2f}"
    elif share <= 1 - dominance + eps:
        label, why = "stigmatising", f"share {share:.2f} <= {1 - dominance:.2f}"
    else:
        label, why = "mixed", f"share {share:.2f} between {1 - dominance:.2f} and {dominance:.2f}"
    return label, (
        f"{person_first} person-first vs {stigmatising} stigmatising person-referring hits; "
        f"person-first share P/(P+S) {why}"
    )


def pages_from_form_feeds(text: str, *, first_page: int = 1) -> list[tuple[int, int]]:
    """Page starts ``(page_number, offset)`` from form feeds (``\\f``) in ``text``."""
    starts = [(first_page, 0)]
    for m in re.finditer("\f", text):
        starts.append((first_page + len(starts), m.end()))
    return starts


def _page_lookup(pages: Sequence[tuple[int, int]] | None) -> Any:
    if not pages:
        return lambda offset: None
    offsets = [int(off) for _, off in pages]
    if offsets != sorted(offsets):
        raise InvalidInput("pages must be (page_number, start_offset) pairs in text order")
    numbers = [int(num) for num, _ in pages]

    def page(offset: int) -> int | None:
        i = bisect.bisect_right(offsets, offset) - 1
        return numbers[i] if i >= 0 else None

    return page


def appraise_text(
    text: str,
    *,
    lexicon: Lexicon | None = None,
    pages: Sequence[tuple[int, int]] | None = None,
    exclude: Collection[str] = EXCLUSION_KINDS,
    dominance: float = 0.9,
) -> LanguageAppraisal:
    """Appraise the language of one study's text (abstract and/or full text).

    ``pages`` gives page starts as ``(page_number, start_offset)`` pairs in
    text order, so that journal page numbers can be used; when omitted and the
    text contains form feeds, pages are numbered from 1 at each form feed.
    ``exclude`` chooses which exclusion rules run (all by default; see
    :mod:`realist.appraise.regions`).  ``dominance`` tunes the rule.
    """
    lexicon = lexicon if lexicon is not None else load_lexicon()
    if pages is None and "\f" in text:
        pages = pages_from_form_feeds(text)
    page_of = _page_lookup(pages)
    exclusions = mark_excluded(text, kinds=exclude)
    view, index = dehyphenate(exclusions.masked)

    candidates = []
    for order, entry in enumerate(lexicon):
        for m in entry.regex.finditer(view):
            if m.end() > m.start():
                candidates.append((m.start(), -(m.end() - m.start()), order, m.end(), entry))
    candidates.sort(key=lambda c: c[:3])
    hits: list[Hit] = []
    last_end = -1
    for s, _, _, e, entry in candidates:
        if s < last_end:
            continue
        last_end = e
        start, end = index[s], index[e - 1] + 1
        hits.append(
            Hit(
                term_id=entry.id,
                term=entry.term,
                matched=text[start:end],
                start=start,
                end=end,
                page=page_of(start),
                category=entry.category,
                stance=entry.stance,
                refers_to_person=entry.refers_to_person,
                alternatives=entry.alternatives,
                sources=entry.sources,
            )
        )
    person_first = sum(h.counted_as == "person_first" for h in hits)
    stigmatising = sum(h.counted_as == "stigmatising" for h in hits)
    contested = sum(h.refers_to_person and h.stance == "contested" for h in hits)
    other = sum(not h.refers_to_person and h.stance in ("stigmatising", "contested") for h in hits)
    label, why = classify(person_first, stigmatising, dominance=dominance)
    rule = (
        f"{label}: {why}. Rule: count person-referring hits only; none if P+S=0, "
        f"person-first if P/(P+S) >= {dominance:.2f}, stigmatising if <= {1 - dominance:.2f}, "
        f"mixed otherwise. Not counted: {contested} contested person label(s), "
        f"{other} flagged term(s) that do not label a person. "
        f"{len(exclusions.regions)} region(s) excluded as not the authors' own words."
    )
    return LanguageAppraisal(
        hits=hits,
        stigmatising_count=stigmatising,
        person_first_count=person_first,
        contested_count=contested,
        other_count=other,
        classification=label,
        rule=rule,
        excluded=exclusions.regions,
    )
