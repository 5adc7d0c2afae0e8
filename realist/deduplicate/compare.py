"""Compare two records and say whether they report the same item.

The costly mistake is calling two different studies one (a study silently
lost), so a *duplicate* verdict needs strong agreement on several
independent fields and no conflict; a pair near the line is *uncertain*
(for a person to decide); anything else is dropped.

First, a **notice** — an erratum or corrigendum, a retraction notice, an
expression of concern, a comment or a reply — and the article it names are
*linked*, never merged: verdict ``notice``, ``reason`` "<id> is a retraction
notice of <id>" (see :func:`notice_of`).  A **generic heading** (``Editor's
comments``, ``Introduction``, ``Book review`` ...: see
:data:`~realist.deduplicate.normalise.GENERIC_TITLES`) never matches on its
title: the DOI, or the issue and first page, must agree
(:func:`generic_pair_agrees`).  The **same DOI** with titles 95 % alike,
years at most one apart and authors not clashing is one article (online
first and print), whatever volume and pages say.

Blockers — never a duplicate:

* both records carry a DOI and the DOIs differ (at most *uncertain* when
  everything else agrees: a DOI field can hold a wrong or supplement DOI) —
  unless one DOI's journal code does not fit the journal both records name
  while the other's does (:func:`dois_clash`): then that DOI says nothing;
* one title is a notice about the other (erratum, correction, retraction,
  comment, reply) — dropped, unless the pair is the same *physical item*;
* the titles carry different numbers (Part I / Part II, Phase 2 / 3, a
  year) — dropped when the sets clash, *uncertain* when one only lacks them,
  unless the pair is the same *physical item* (below);
* years more than one apart (epub / print years may differ by one);
* first pages, volumes or author lists that clash, where both are given
  (page ranges that overlap or end on the same page do not clash: one
  database cut or mistyped the range).

Duplicate when, with no blocker:

* the same DOI, PMID, PMCID or OpenAlex id and titles at least 85 % alike
  (or one title missing with authors and year agreeing); or
* titles at least 95 % alike (or one a long prefix of the other), and at
  least two of: author list, first page, volume, journal, abstract agree; or
* titles at least 85 % alike and at least three of them agree with the
  same year; or
* the same physical item — authors, year, volume, first page and journal
  (or issue) all agree — and titles 80 % alike or one contained in the
  other (a section heading or an appended citation in one database); or
* the very same title (six words or more), author list, journal and volume
  on other pages (:func:`same_work_elsewhere`): a meeting abstract in the
  journal's supplement and the article, or a notice under the article's title;
  or
* the very same title (four words or more), first author and author list,
  years at most one apart, nothing clashing, and one record without a
  container or both papers in proceedings or chapters
  (:func:`same_title_and_authors`): a conference paper without journal, DOI
  or pages.

A pair without a title on one side is never more than *uncertain*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz.fuzz import ratio

from realist.deduplicate.normalise import Features, code_fits_journal, journals_agree

__all__ = ["Match", "NOTICE_KINDS", "compare", "notice_of"]

Verdict = Literal["duplicate", "uncertain", "notice"]
NOTICE_KINDS = ("erratum", "retraction", "concern", "comment", "reply")
# Years after the article within which each kind of notice is looked for.
_NOTICE_YEARS = {"erratum": 3, "retraction": 15, "concern": 15, "comment": 3, "reply": 3}
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
    #: for a ``notice`` verdict: the id of the record that is the notice, and
    #: its kind (one of ``NOTICE_KINDS``); the other record is the article.
    notice: int | None = None
    kind: str = ""


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


def _span(f: Features) -> tuple[int, int] | None:
    """First and last page as numbers, where the first page has digits."""
    digits = "".join(ch for ch in f.first_page if ch.isdigit())
    if not digits:
        return None
    first = int(digits)
    last = f.last_page if f.last_page is not None else first
    return first, last


def _pages(a: Features, b: Features) -> str:
    """First pages agree, clash, or say nothing.

    Not a clash (unknown) when one database cut or mistyped a range that the
    other gives: the ranges overlap (``488`` within ``487-488``, ``2141-2147``
    and ``2142-2147``), the last pages are the same (``S78-S89`` and
    ``S3-89``, ``2297-2108`` and ``2097-2108``), or one record's issue and
    page fields hold the other's volume and issue (fields shifted by one).
    """
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
    sa, sb = _span(a), _span(b)
    if sa and sb:
        if a.last_page is not None and a.last_page == b.last_page:
            return ""
        if sa[0] <= sa[1] and sb[0] <= sb[1] and max(sa[0], sb[0]) <= min(sa[1], sb[1]):
            return ""
    for x, y in ((a, b), (b, a)):
        if not x.volume and x.issue and x.issue == y.volume and x.first_page == y.issue:
            return ""
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
    if a.volume in b.volume_numbers or b.volume in a.volume_numbers:
        return ""  # a volume field with other words and numbers in it
    return "conflict"


def _same(x: str, y: str) -> str:
    if not x or not y:
        return ""
    return "agree" if x == y else "conflict"


def dois_clash(a: Features, b: Features) -> bool:
    """Both records carry a DOI and the DOIs differ, unless one DOI cannot be
    the record's own: its journal code does not fit the journal that both
    records name, while the other DOI's code does (``10.1016/j.regpep...`` on
    a record of *Appetite* beside ``10.1016/j.appet...``).  Then that DOI says
    nothing and the other fields decide."""
    if not a.doi or not b.doi or a.doi == b.doi:
        return False
    if a.doi_code and b.doi_code and a.doi_code != b.doi_code and journals_agree(a.journal, b.journal):
        fit_a = code_fits_journal(a.doi_code, a.journal) and code_fits_journal(a.doi_code, b.journal)
        fit_b = code_fits_journal(b.doi_code, b.journal) and code_fits_journal(b.doi_code, a.journal)
        if fit_a != fit_b:
            return False
    return True


def _core_alike(notice: Features, article: Features) -> bool:
    """The notice's core title is the article's title (95 % alike, or one a
    prefix of 30+ letters of the other), with the same title numbers."""
    x, y = notice.core_title, article.title
    if not x or not y or notice.core_numbers != article.title_numbers:
        return False
    if x == y:
        return True
    cx, cy = x.replace(" ", ""), article.title_compact
    short, long_ = sorted((cx, cy), key=len)
    if len(short) >= 30 and long_.startswith(short):
        return True
    return ratio(x, y, score_cutoff=95) > 0


def notice_of(notice: Features, article: Features) -> str:
    """The kind of notice ``notice`` is about ``article`` (``''`` when none).

    The notice is marked as one — its title opens with ``Erratum:`` /
    ``Correction to`` / ``Corrigendum:`` (erratum), ``Retraction notice to``
    (retraction), ``Expression of concern:`` (concern), ``Comment on``
    (comment), ``Reply to`` or ends ``- Reply`` (reply); or it cites the
    article's volume and first page (``(vol 360, pg 542, 2009)``: erratum), or
    stands at the volume and page that a MEDLINE note on the article names
    for its erratum — and: its core title (the title without the marker and
    the cited location) is the article's title, the journals agree (or one
    is missing and the core title is the very title), it appeared in the
    article's year or later (up to 3 years; retractions and expressions of
    concern up to 15), no cited location points elsewhere, an erratum's
    authors do not clash with the article's, and the article is no notice
    itself.  A notice is *linked* to its article, never merged with it: it
    is another document (a retraction changes what the study is worth).
    """
    if not notice.title or not article.title or article.notice_kind:
        return ""
    at_note = bool(article.erratum_at and notice.volume and notice.first_page) and any(
        v == notice.volume and p == notice.first_page for v, p in article.erratum_at
    )
    kind = notice.notice_kind or ("erratum" if at_note else "")
    if not kind:
        return ""
    if notice.year is None or article.year is None or not 0 <= notice.year - article.year <= _NOTICE_YEARS[kind]:
        return ""
    if notice.journal and article.journal:
        if not journals_agree(notice.journal, article.journal):
            return ""
    elif notice.core_title != article.title:
        return ""
    if notice.cites:
        if not article.volume or not article.first_page:
            return ""
        a_page = "".join(ch for ch in article.first_page if ch.isdigit())
        if not any(v == article.volume and "".join(ch for ch in p if ch.isdigit()) == a_page for v, p in notice.cites):
            return ""  # it cites another article
    if not _core_alike(notice, article):
        return ""
    if kind == "erratum" and _authors(notice, article) == "conflict":
        return ""
    return kind


def erratum_of(notice: Features, article: Features) -> bool:
    """``notice`` is an erratum (correction) notice of ``article`` (see :func:`notice_of`)."""
    return notice_of(notice, article) == "erratum"


def _notice_pair(a: Features, b: Features) -> tuple[Features, Features, str] | None:
    kind = notice_of(a, b)
    if kind:
        return a, b, kind
    kind = notice_of(b, a)
    if kind:
        return b, a, kind
    return None


def generic_pair_agrees(a: Features, b: Features) -> bool:
    """Two records under a generic heading (``Editor's comments``) are one
    item only when the DOI, or the issue and the first page, agree (with
    the journal and volume not clashing and years at most one apart)."""
    if a.year is not None and b.year is not None and abs(a.year - b.year) > 1:
        return False
    if a.doi and a.doi == b.doi:
        return True
    if dois_clash(a, b) or _volumes(a, b) == "conflict":
        return False
    if a.journal and b.journal and not journals_agree(a.journal, b.journal):
        return False
    return _same(a.issue, b.issue) == "agree" and _pages(a, b) == "agree"


def same_doi_online_first(a: Features, b: Features) -> bool:
    """The same DOI, titles at least 95 % alike, years at most one apart and
    author lists that do not clash, where one record looks *online first* —
    its year is the other's less one, or it has no volume, no pages, or its
    own pagination from page 1: an online-first and a print record of one
    article, whatever their volume and pages say.  Two records that both
    have a volume and pages in the same year are not online first: a DOI
    shared by a supplement (two abstracts on pages 51 and 52) stays apart."""
    if not a.doi or a.doi != b.doi or not a.title or not b.title:
        return False
    if a.year is not None and b.year is not None and abs(a.year - b.year) > 1:
        return False
    online_first = (
        a.year != b.year
        or not (a.volume and b.volume and a.first_page and b.first_page)
        or "1" in (a.first_page, b.first_page)
    )
    if not online_first:
        return False
    if a.title_numbers != b.title_numbers or a.is_notice != b.is_notice:
        return False
    return _title_similarity(a, b) >= 0.95 and _authors(a, b) != "conflict"


def same_title_and_authors(a: Features, b: Features) -> bool:
    """A conference paper or chapter seen twice: the same normalised title
    (four words or more, not a generic heading, no notice), the same
    first-author surname and author lists that agree, years at most one
    apart, and nothing that clashes — no two DOIs, no two containers
    (journal / book / proceedings), volumes or pages.  One record lacks a
    container or both are conference papers or chapters, so that journal,
    volume and pages cannot be asked for."""
    if not a.title or a.title_compact != b.title_compact or a.generic or b.generic:
        return False
    if a.is_notice or b.is_notice or len(a.title.split()) < 4:
        return False
    if a.year is None or b.year is None or abs(a.year - b.year) > 1:
        return False
    if not a.authors or not b.authors or a.authors[0][0] != b.authors[0][0]:
        return False
    if _authors(a, b) != "agree" or dois_clash(a, b):
        return False
    if a.journal and b.journal and not journals_agree(a.journal, b.journal):
        return False
    if _volumes(a, b) == "conflict" or _pages(a, b) == "conflict":
        return False
    return not a.journal or not b.journal or (a.proceedings and b.proceedings)


def same_work_elsewhere(a: Features, b: Features) -> bool:
    """The same title, author list, journal and volume on other pages: an
    abstract and its article, or a notice printed under the article's title.

    Needs the very same normalised title of six words or more (no notice, so
    the same title numbers), two or more authors on each side, the same first
    author and 85 % of one list found in the other (one misspelt name in
    seven; the other list may add names), journals agreeing, volumes equal
    (or one missing with the same year), years at most one apart and no
    clashing DOIs.  A short or generic heading (``Editorial``, ``In this
    issue``) never qualifies, nor does a lone or corporate author.
    """
    if not a.title or a.title_compact != b.title_compact or a.is_notice or b.is_notice:
        return False
    if len(a.title.split()) < 6 or len(a.title_compact) < 35:
        return False
    if a.year is None or b.year is None or abs(a.year - b.year) > 1:
        return False
    if dois_clash(a, b) or a.group_author or b.group_author:
        return False
    aa = [s for s, _ in a.authors if s not in _ANON]
    bb = [s for s, _ in b.authors if s not in _ANON]
    if len(aa) < 2 or len(bb) < 2:
        return False
    if aa[0] not in b.author_tokens and bb[0] not in a.author_tokens:
        return False
    share = max(sum(s in b.author_tokens for s in aa) / len(aa), sum(s in a.author_tokens for s in bb) / len(bb))
    if share < 0.85:
        return False
    if not journals_agree(a.journal, b.journal):
        return False
    vol = _volumes(a, b)
    return vol == "agree" or (vol == "" and a.year == b.year and not (a.volume and b.volume))


def same_physical_item(a: Features, b: Features) -> bool:
    """Same authors, year (±1), volume, first page and journal (or issue), no
    clashing DOIs.  Then a title that differs in wording or carries an
    appended citation (``... (vol 360, pg 542, 2009)``) is still the same."""
    if a.year is None or b.year is None or abs(a.year - b.year) > 1:
        return False
    if dois_clash(a, b):
        return False
    if _pages(a, b) != "agree" or _volumes(a, b) != "agree" or _authors(a, b) != "agree":
        return False
    return journals_agree(a.journal, b.journal) or _same(a.issue, b.issue) == "agree"


def compare(a: Features, b: Features) -> Match | None:
    """Judge one candidate pair; ``None`` when it is clearly two items."""
    matched: list[str] = []
    differing: list[str] = []
    same_id = ""
    for name, x, y in (
        ("doi", a.doi, b.doi),
        ("pmid", a.pmid, b.pmid),
        ("pmcid", a.pmcid, b.pmcid),
        ("openalex_id", a.openalex, b.openalex),
    ):
        rel = _same(x, y)
        if name == "doi" and rel == "conflict" and not dois_clash(a, b):
            rel = ""  # a DOI that belongs to another journal says nothing
        if rel == "agree":
            matched.append(name)
            same_id = same_id or name
        elif rel == "conflict":
            differing.append(name)
    doi_clash = "doi" in differing

    notice_pair = _notice_pair(a, b)
    if notice_pair is not None:
        notice, article, kind = notice_pair
        lo, hi = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        at_note = any(v == notice.volume and p == notice.first_page for v, p in article.erratum_at)
        how = (
            "it cites the article's volume and page"
            if notice.cites
            else "the article's erratum note names its volume and page"
            if at_note and not notice.notice_kind
            else "its title is the article's with a notice marker"
        )
        return Match(
            lo,
            hi,
            0.9,
            "notice",
            ["title", "journal"],
            [],
            f"{notice.id} is a{'n' if kind[0] in 'aeiou' else ''} {kind} notice of "
            f"{article.id}: {how}; linked, not merged",
            notice=notice.id,
            kind=kind,
        )

    if a.title and b.title and (a.generic or b.generic):
        if a.title_compact != b.title_compact or not generic_pair_agrees(a, b):
            return None  # a heading many items share says nothing by itself
        lo, hi = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        how = "the same DOI" if a.doi and a.doi == b.doi else "the same issue and first page"
        return Match(
            lo, hi, 0.9, "duplicate", ["title", "doi" if "DOI" in how else "issue"], [], f"generic title, {how}"
        )

    if same_doi_online_first(a, b):
        lo, hi = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        return Match(
            lo,
            hi,
            0.95,
            "duplicate",
            list(dict.fromkeys(matched + ["title"])),
            differing,
            "same DOI, title alike, years at most one apart (online first and print)",
        )

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
    for name, rel in (("authors", _authors(a, b)), ("pages", _pages(a, b)), ("volume", _volumes(a, b))):
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

    score = round(
        min(
            1.0,
            0.55 * tsim
            + 0.1 * support
            + (0.2 if same_id else 0.0)
            - 0.15 * len(conflicts)
            - (0.3 if doi_clash else 0.0),
        ),
        3,
    )

    def result(verdict: Verdict, reason: str) -> Match:
        lo, hi = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        return Match(lo, hi, max(score, 0.0), verdict, matched, differing, reason)

    agree = ", ".join(m for m in matched if m not in ("title",))
    physical = same_physical_item(a, b)
    if (numbers_hard or notice_clash) and not physical:
        return None
    if not has_titles:
        if (same_id and "authors" in matched) or (support >= 3 and not conflicts and year_gap == 0):
            return result("uncertain", f"a title is missing; {agree} agree")
        return None
    if doi_clash:
        if tsim >= 0.95 and year_gap == 0 and support >= 2 and not conflicts:
            return result("uncertain", f"different DOIs, but title, year and {agree} agree: is one DOI wrong?")
        return None
    if physical and has_titles:
        if tsim >= 0.8 or _title_contained(a, b):
            return result(
                "duplicate",
                f"same authors, year, volume and first page; one title contains the other or {tsim:.0%} alike",
            )
    if conflicts == ["pages"] and same_work_elsewhere(a, b):
        return result(
            "duplicate",
            f"same title, all authors, journal and volume ({agree}) but "
            "other pages: an abstract and its article, or a notice under the article's title",
        )
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
        return result(
            "uncertain",
            f"same {same_id}, but title only {tsim:.0%} alike"
            + (f" and {', '.join(conflicts)} differ" if conflicts else ""),
        )
    if conflicts:
        # One clash with everything else agreeing is worth a look; a clash
        # in another journal is an abstract and its article: two reports.
        if tsim >= 0.95 and support >= 2 and len(conflicts) == 1 and "journal" not in differing:
            return result("uncertain", f"title {tsim:.0%} alike and {agree} agree, but {conflicts[0]} differ")
        return None
    if same_title_and_authors(a, b):
        return result(
            "duplicate",
            "the same title, first author and authors, year within one, "
            "no clashing DOI or container (a conference paper or chapter)",
        )
    if tsim >= 0.95 and support >= 2:
        return result("duplicate", f"title {tsim:.0%} alike; {agree} agree")
    if tsim >= 0.85 and support >= 3 and year_gap == 0:
        return result("duplicate", f"title {tsim:.0%} alike; {agree} agree")
    if (tsim >= 0.9 and support >= 1) or (tsim >= 0.85 and support >= 2):
        return result("uncertain", f"title {tsim:.0%} alike but only {agree or 'nothing else'} agree")
    return None
