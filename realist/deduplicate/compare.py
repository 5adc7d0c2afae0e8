"""Compare two records and say whether they report the same item.

The costly mistake is calling two different studies one (a study silently
lost), so a *duplicate* verdict needs strong agreement on several
independent fields and no conflict; a pair near the line is *uncertain*
(for a person to decide); anything else is dropped.

Blockers — never a duplicate:

* both records carry a DOI and the DOIs differ (at most *uncertain* when
  everything else agrees: a DOI field can hold a wrong or supplement DOI);
* one title is a notice about the other (erratum, correction, retraction,
  comment, reply) — dropped, unless the pair is the same *physical item*;
* the titles carry different numbers (Part I / Part II, Phase 2 / 3, a
  year) — dropped when the sets clash, *uncertain* when one only lacks them,
  unless the pair is the same *physical item* (below);
* years more than one apart (epub / print years may differ by one);
* first pages, volumes or author lists that clash, where both are given.

Duplicate when, with no blocker:

* the same DOI, PMID, PMCID or OpenAlex id and titles at least 85 % alike
  (or one title missing with authors and year agreeing); or
* titles at least 95 % alike (or one a long prefix of the other), and at
  least two of: author list, first page, volume, journal, abstract agree; or
* titles at least 85 % alike and at least three of them agree with the
  same year; or
* the same physical item — authors, year, volume, first page and journal
  (or issue) all agree — and titles 80 % alike or one contained in the
  other (a section heading or an appended citation in one database).

A pair without a title on one side is never more than *uncertain*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz.fuzz import ratio

from realist.deduplicate.normalise import Features, journals_agree

__all__ = ["Match", "compare"]

Verdict = Literal["duplicate", "uncertain"]
_ANON = frozenset({"anonymous", "anon", "na", "author", "unknown"})


@dataclass(frozen=True)
class Match:
    """One candidate pair judged: ``a < b`` are record ids."""

    a: int
    b: int
    score: float
    verdict: Verdict
    matched_fields: list[str] = field(default_factory=list)
    differing_fields: list[str] = field(default_factory=list)
    reason: str = ""


def _title_similarity(a: Features, b: Features) -> float:
    if a.title_compact == b.title_compact:
        return 1.0
    sim = ratio(a.title, b.title, score_cutoff=60) / 100.0
    short, long_ = sorted((a.title_compact, b.title_compact), key=len)
    if len(short) >= 40 and long_.startswith(short):
        sim = max(sim, 0.95)  # a truncated title
    return sim


def _title_contained(a: Features, b: Features) -> bool:
    """One title's words all in the other, or a shared start of 40+ letters.

    Catches a section heading (``MEDICAL PROGRESS ...``) or an appended
    citation (``... (vol 360, pg 542, 2009)``) but not two abstracts on one
    supplement page whose titles differ in a word (``Factor H`` / ``Factor I``).
    """
    wa, wb = set(a.title.split()), set(b.title.split())
    if min(len(wa), len(wb)) >= 3 and (wa <= wb or wb <= wa):
        return True
    x, y = a.title_compact, b.title_compact
    n = 0
    for cx, cy in zip(x, y):
        if cx != cy:
            break
        n += 1
    return n >= 40


def _authors(a: Features, b: Features) -> str:
    """'agree', 'conflict' or '' (unknown) for the author lists.

    An author of one list is found in the other when their surname is among
    the other list's name words (tolerates swapped family/given names and
    particles such as ``Le``).  Agree: the first author is found and at least
    half of the shorter list; conflict: neither first author is found and
    under a third of the shorter list.  A lone corporate author says nothing.
    """
    aa = [s for s, _ in a.authors if s not in _ANON]
    bb = [s for s, _ in b.authors if s not in _ANON]
    if not aa or not bb or a.group_author or b.group_author:
        return ""
    found_a = [s in b.author_tokens for s in aa]
    found_b = [s in a.author_tokens for s in bb]
    first_same = found_a[0] or found_b[0] or ratio(aa[0], bb[0]) >= 80
    share = max(sum(found_a) / len(aa), sum(found_b) / len(bb))
    if first_same and share >= 0.5:
        return "agree"
    if share >= 0.8 and min(len(aa), len(bb)) >= 2:
        return "agree"  # first author dropped or reordered in one database
    if not first_same and share < 0.34:
        return "conflict"
    return ""


def _pages(a: Features, b: Features) -> str:
    if not a.first_page or not b.first_page:
        return ""
    if a.first_page == b.first_page:
        return "agree"
    da = "".join(ch for ch in a.first_page if ch.isdigit())
    db = "".join(ch for ch in b.first_page if ch.isdigit())
    if da and da == db:
        return "agree"  # S321 / 321, e24 / 24
    if a.first_page.isdigit() != b.first_page.isdigit():
        return ""  # an article number (a1754, c1804) against a print page
    return "conflict"


def _volumes(a: Features, b: Features) -> str:
    """Volumes agree, clash, or are unknown.

    Not a clash when one database put the supplement or issue number in the
    volume field (``1`` vs ``62`` with issue ``Suppl. 1``) or cut it short
    (``3)`` vs ``30``).
    """
    if not a.volume or not b.volume:
        return ""
    if a.volume == b.volume:
        return "agree"
    if a.volume in b.issue_numbers or b.volume in a.issue_numbers:
        return ""
    if a.volume.startswith(b.volume) or b.volume.startswith(a.volume):
        return ""
    return "conflict"


def _same(x: str, y: str) -> str:
    if not x or not y:
        return ""
    return "agree" if x == y else "conflict"


def same_physical_item(a: Features, b: Features) -> bool:
    """Same authors, year (±1), volume, first page and journal (or issue), no
    clashing DOIs.  Then a title that differs in wording or carries an
    appended citation (``... (vol 360, pg 542, 2009)``) is still the same."""
    if a.year is None or b.year is None or abs(a.year - b.year) > 1:
        return False
    if a.doi and b.doi and a.doi != b.doi:
        return False
    if _pages(a, b) != "agree" or _volumes(a, b) != "agree" or _authors(a, b) != "agree":
        return False
    return journals_agree(a.journal, b.journal) or _same(a.issue, b.issue) == "agree"


def compare(a: Features, b: Features) -> Match | None:
    """Judge one candidate pair; ``None`` when it is clearly two items."""
    matched: list[str] = []
    differing: list[str] = []
    same_id = ""
    for name, x, y in (("doi", a.doi, b.doi), ("pmid", a.pmid, b.pmid),
                       ("pmcid", a.pmcid, b.pmcid), ("openalex_id", a.openalex, b.openalex)):
        rel = _same(x, y)
        if rel == "agree":
            matched.append(name)
            same_id = same_id or name
        elif rel == "conflict":
            differing.append(name)
    doi_clash = "doi" in differing

    has_titles = bool(a.title and b.title)
    tsim = _title_similarity(a, b) if has_titles else 0.0
    if has_titles and tsim < 0.6 and not same_id:
        return None
    if has_titles and tsim >= 0.85:
        matched.append("title")
    elif has_titles:
        differing.append("title")
    notice_clash = has_titles and a.is_notice != b.is_notice
    numbers_clash = has_titles and a.title_numbers != b.title_numbers
    numbers_hard = numbers_clash and bool(a.title_numbers) and bool(b.title_numbers)

    year_gap = abs(a.year - b.year) if a.year is not None and b.year is not None else None
    if year_gap is not None:
        (matched if year_gap <= 1 else differing).append("year")
        if year_gap > 1 and not same_id:
            return None

    support = 0
    conflicts: list[str] = []
    for name, rel in (("authors", _authors(a, b)), ("pages", _pages(a, b)),
                      ("volume", _volumes(a, b))):
        if rel == "agree":
            matched.append(name)
            support += 1
        elif rel == "conflict":
            differing.append(name)
            conflicts.append(name)
    if a.journal and b.journal:
        if journals_agree(a.journal, b.journal):
            matched.append("journal")
            support += 1
        else:
            differing.append("journal")
    issue = _same(a.issue, b.issue)
    if issue:
        (matched if issue == "agree" else differing).append("issue")
    if a.abstract and b.abstract and ratio(a.abstract, b.abstract, score_cutoff=90):
        matched.append("abstract")
        support += 1

    score = round(min(1.0, 0.55 * tsim + 0.1 * support + (0.2 if same_id else 0.0)
                      - 0.15 * len(conflicts) - (0.3 if doi_clash else 0.0)), 3)

    def result(verdict: Verdict, reason: str) -> Match:
        lo, hi = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        return Match(lo, hi, max(score, 0.0), verdict, matched, differing, reason)

    agree = ", ".join(m for m in matched if m not in ("title",))
    physical = same_physical_item(a, b)
    if (numbers_hard or notice_clash) and not physical:
        return None
    if not has_titles:
        if (same_id and "authors" in matched) or support >= 3 and not conflicts and year_gap == 0:
            return result("uncertain", f"a title is missing; {agree} agree")
        return None
    if doi_clash:
        if tsim >= 0.95 and year_gap == 0 and support >= 2 and not conflicts:
            return result("uncertain", "different DOIs, but title, year and "
                          f"{agree} agree: is one DOI wrong?")
        return None
    if physical and has_titles:
        if tsim >= 0.8 or _title_contained(a, b):
            return result("duplicate", "same authors, year, volume and first page; "
                          f"one title contains the other or {tsim:.0%} alike")
    if numbers_clash:
        if tsim >= 0.9 and support >= 2 and not conflicts:
            return result("uncertain", "one title carries a part/number the other lacks")
        return None
    if same_id:
        if year_gap is not None and year_gap > 1:
            return result("uncertain", f"same {same_id} but years {a.year} and {b.year}")
        if tsim >= 0.85 and len(conflicts) <= (1 if tsim >= 0.95 else 0):
            return result("duplicate", f"same {same_id}; title {tsim:.0%} alike; {agree}")
        if has_titles and tsim < 0.6 and "authors" not in matched:
            return None  # a DOI shared by a whole supplement or issue
        return result("uncertain", f"same {same_id}, but title only {tsim:.0%} alike"
                      + (f" and {', '.join(conflicts)} differ" if conflicts else ""))
    if conflicts:
        # One clash with everything else agreeing is worth a look; a clash
        # in another journal is an abstract and its article: two reports.
        if tsim >= 0.95 and support >= 2 and len(conflicts) == 1 and "journal" not in differing:
            return result("uncertain", f"title {tsim:.0%} alike and {agree} agree, "
                          f"but {conflicts[0]} differ")
        return None
    if tsim >= 0.95 and support >= 2:
        return result("duplicate", f"title {tsim:.0%} alike; {agree} agree")
    if tsim >= 0.85 and support >= 3 and year_gap == 0:
        return result("duplicate", f"title {tsim:.0%} alike; {agree} agree")
    if tsim >= 0.9 and support >= 1 or tsim >= 0.85 and support >= 2:
        return result("uncertain", f"title {tsim:.0%} alike but only {agree or 'nothing else'} agree")
    return None
