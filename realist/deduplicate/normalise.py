"""Comparison keys for deduplication: one :class:`Features` per record.

Everything a pairwise comparison needs is computed once per record here, so
comparing a candidate pair is cheap.  The rules:

* **text** (titles, journals): HTML tags and entities removed, accents
  stripped (NFKD), case folded, ``&`` read as ``and``, everything that is not
  a letter or digit turned into one space.  A trailing bracketed language or
  publication-type tag (``[Chinese]``, ``[Review]``) and the square brackets
  MEDLINE puts around translated titles are dropped.
* **title markers**: words that make a record a *different* item from the
  article it names (erratum, correction, retraction, comment, reply, ...), and
  the numbers in a title (``Part II`` / ``part 2`` / ``Phase 3`` / a year), so
  that Part I and Part II, or a 2010 and a 2014 update, are never taken for
  one another.
* **authors**: ``(surname, first initial)`` with surname letters only
  (``Le Quintrec`` → ``lequintrec``).  Accepts ``Family, Given``; without a
  comma, a trailing run of capitals (``Zuna RE``) is read as initials.  Also
  the set of all name words, so that ``Wu, Ching-yi`` and ``Ching-yi, Wu``
  (given and family swapped by one database) still meet; a lone corporate
  author (``ALTS Study Group``) is flagged.
* **pages**: first and last page as integers where they are numbers, with
  abbreviated ranges expanded (``221-8`` → 221-228, ``1123-30`` → 1123-1130);
  otherwise the alphanumeric first page (``e1234``).
* **volume / issue**: the first run of digits (``38 (Supplement 1)`` → 38);
  also every number in the volume field (``Korsakova. Part 2. 117``).
* **DOI**: percent-escapes decoded (``%28`` → ``(``), then lower case; its
  journal code where the DOI has one (``10.1016/j.appet.2012...`` → ``appet``).
* **erratum keys** (read from the raw title, before annotations go):
  whether the title opens with an erratum word and a colon (``Erratum:``,
  ``Correction to``, ``Corrigendum:``); the location an erratum's title cites
  for its article (``(vol 360, pg 542, 2009)``, ``(N Engl J Med (2009) 360
  (542-544))``) as ``(volume, first page)``; the locations a MEDLINE note on
  an article names for its errata (``[Erratum appears in N Engl J Med. 2009
  Jun 4;360(23):2487]``); and the *core title*: the title without the
  erratum prefix and without the cited location (or a cut-off bracket).
* **journal**: the normalised words without stop words; two journals agree
  when one's words are, in order, prefixes of the other's
  (``Curr Opin Lipidol`` ~ ``Current Opinion in Lipidology``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import unquote

from realist.records import RecordData, normalise_doi

__all__ = [
    "Features",
    "features_of",
    "norm_text",
    "journals_agree",
    "parse_pages",
    "doi_code",
    "code_fits_journal",
    "is_generic_title",
    "GENERIC_TITLES",
]

_TAG_RE = re.compile(r"<[^>]{0,200}>")
_INLINE_TAG_RE = re.compile(r"</?(?:inf|sup|sub|i|b|em|strong|scp|span|u)\b[^>]{0,100}>", re.IGNORECASE)
_NON_ALNUM_RE = re.compile(r"[^0-9a-z]+")
_TRAILING_TAG_RE = re.compile(r"\s*\[[^\]]{1,40}\]\s*\.?\s*$")
_DIGITS_RE = re.compile(r"\d+")
_GROUP_RE = re.compile(
    r"\b(?:group|study|trial|investigators|collaborat\w*|consortium|committee|"
    r"association|society|network|pharmaceuticals|inc|ltd|team)\b"
)
# MEDLINE notes appended to an article's own title ("[Erratum appears in ...]"),
# possibly cut off before the closing bracket.
_ANNOTATION_RE = re.compile(
    r"\.?\s*\[(?:erratum|published erratum|retraction|retracted|comment|update|updated|corrected|republished|"
    r"summary for patients|expression of concern|reprint|original report)[^\]]*(?:\]|$)",
    re.IGNORECASE,
)
_STOP = frozenset({"the", "of", "and", "in", "for", "on", "a", "an", "de", "la", "le", "der", "und", "et"})
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_NUMBERED_WORDS = ("part", "phase", "study", "trial", "series", "paper", "volume", "vol", "section")
# Words that, at the start of a title or as a bracketed tag, make the record
# a different item from the article it names.
_NOTICE_WORDS = (
    "erratum",
    "errata",
    "correction",
    "corrigendum",
    "corrigenda",
    "retraction",
    "retracted",
    "withdrawn",
    "expression of concern",
    "comment",
    "commentary",
    "reply",
    "response",
    "in reply",
    "letter",
    "editorial",
    "author reply",
    "authors reply",
    "re ",
    "notice of retraction",
    "addendum",
)
_NOTICE_RE = re.compile(
    r"^(?:" + "|".join(re.escape(w.strip()) for w in _NOTICE_WORDS) + r")\b"
    r"|\b(?:erratum|errata|corrigendum|retraction|retracted|correction to|reply to|"
    r"response to|comment on|commentary on|expression of concern)\b"
    r"|\b(?:reply|authors reply|author s reply|response)$"  # "... - Reply" (Web of Science)
)


# "Erratum:", "Correction to:", "Corrigendum to" ... opening a title.
_ERRATUM_PREFIX_RE = re.compile(
    r"^\s*\[?\s*(?:(?:published|author|authors'?|publisher'?s?)\s+)?"
    r"(?:erratum|errata|corrigendum|corrigenda|correction|correction notice)\b\s*"
    r"(?:to\b\s*:?|[:\-\u2013\u2014]|\])\s*",
    re.IGNORECASE,
)
# Other notices that name the article they concern in their title, by kind:
# "Retraction notice to: <title>", "Expression of concern: <title>",
# "Comment on: <title>", "Reply to <title>".
_NOTICE_PREFIXES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (
        kind,
        re.compile(
            r"^\s*\[?\s*(?:" + words + r")\b\s*(?:(?:to|of|for|on|about|regarding)\b\s*:?|"
            r"[:\-\u2013\u2014]|\])\s*",
            re.IGNORECASE,
        ),
    )
    for kind, words in (
        ("retraction", r"(?:notice\s+of\s+)?retraction(?:\s+(?:note|notice|statement))?|withdrawal|withdrawn"),
        ("concern", r"(?:editorial\s+)?expression\s+of\s+concern"),
        ("comment", r"comments?|commentary"),
        ("reply", r"(?:authors?'?s?\s+)?(?:reply|response)"),
    )
)
# "<title> - Reply" (Web of Science prints a reply under the letter's title).
_REPLY_SUFFIX_RE = re.compile(r"\s*[-\u2013\u2014:.]\s*(?:authors?'?s?\s+)?reply\s*\.?\s*$", re.IGNORECASE)
# Headings that many different items share: they never identify an item by
# themselves (normalised, with numbers and "vol"/"issue"/"part" words dropped).
GENERIC_TITLES = frozenset(
    {
        "editor s comments",
        "editors comments",
        "editor s comment",
        "editorial",
        "editorials",
        "guest editorial",
        "editor s note",
        "editors note",
        "editor s introduction",
        "from the editor",
        "from the editors",
        "letter from the editor",
        "introduction",
        "introduction to the special issue",
        "preface",
        "foreword",
        "book review",
        "book reviews",
        "review",
        "reviews",
        "letter",
        "letters",
        "letter to the editor",
        "letters to the editor",
        "reply",
        "response",
        "author s reply",
        "authors reply",
        "in reply",
        "erratum",
        "errata",
        "corrigendum",
        "corrigenda",
        "correction",
        "corrections",
        "retraction",
        "retraction notice",
        "notice of retraction",
        "expression of concern",
        "comment",
        "comments",
        "commentary",
        "editorial board",
        "in this issue",
        "this issue",
        "contents",
        "table of contents",
        "index",
        "author index",
        "subject index",
        "issue information",
        "front matter",
        "back matter",
        "masthead",
        "news",
        "announcements",
        "acknowledgments",
        "acknowledgements",
        "acknowledgment",
        "reviewers",
        "thank you to our reviewers",
        "acknowledgement to reviewers",
        "call for papers",
        "abstracts",
        "conference report",
        "obituary",
        "note",
        "notes",
        "editor s statement",
        "research commentary",
        "issues and opinions",
        "special issue",
        "panel",
        "keynote",
        "tutorial",
        "workshop",
        "discussion",
        "overview",
    }
)
_GENERIC_NOISE = frozenset(
    {
        "vol",
        "volume",
        "issue",
        "no",
        "number",
        "part",
        "section",
        "the",
        "a",
        "an",
        "s",
        "to",
        "i",
        "ii",
        "iii",
        "iv",
        "v",
    }
)
# The article an erratum's title cites: "(vol 360, pg 542, 2009)" ...
_CITES_VOL_PG_RE = re.compile(r"\(\s*vol\.?\s*(\d+)[^()]{0,40}?\b(?:pg|pp?|pages?)\.?\s*([a-z]?\d+)", re.IGNORECASE)
# ... or "(New England Journal of Medicine (2009) 360 (542-544))".
_CITES_JOURNAL_RE = re.compile(
    r"\(\s*[^()]{3,200}?\(\s*(?:19|20)\d\d\s*\)\s*(\d+)\s*(?:\(\s*\d+\s*\)\s*|:\s*\d+\s*)?"
    r"\(?\s*([a-z]?\d+)",
    re.IGNORECASE,
)
# A MEDLINE note on an article naming its erratum: "...;360(23):2487".
_ERRATUM_NOTE_RE = re.compile(r"\[\s*(?:published\s+)?erratum appears in ([^\]]*)", re.IGNORECASE)
_NOTE_LOCATION_RE = re.compile(r";\s*(\d+)\s*(?:\([^)]*\))?\s*:\s*([a-z]?\d+)", re.IGNORECASE)
# publication types of a paper in proceedings or a book (BibTeX, RIS, CSV exports)
_PROCEEDINGS_RE = re.compile(
    r"inproceedings|conference|proceeding|\bconf\b|\bcpaper\b|chapter|"
    r"incollection|inbook|\bchap\b",
    re.IGNORECASE,
)
_DOI_CODE_RE = re.compile(r"^10\.\d{4,9}/(?:j\.)?([a-z]{3,12})\.[0-9a-z]")


def _page_key(page: str) -> str:
    return page.lower().lstrip("0")


def _erratum_keys(title: str | None) -> tuple[str, str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """``(notice kind from a prefix or '', raw core title, cited locations,
    erratum locations)``; kinds: erratum, retraction, concern, comment, reply."""
    if not title:
        return "", "", (), ()
    erratum_at = tuple(
        (vol.lstrip("0"), _page_key(page))
        for note in _ERRATUM_NOTE_RE.findall(title)
        for vol, page in _NOTE_LOCATION_RE.findall(note)
    )
    core = _ANNOTATION_RE.sub("", title).strip()
    kind = ""
    prefix = _ERRATUM_PREFIX_RE.match(core)
    if prefix:
        kind = "erratum"
    else:
        for name, pattern in _NOTICE_PREFIXES:
            prefix = pattern.match(core)
            if prefix:
                kind = name
                break
    if prefix:
        core = core[prefix.end() :]
    elif _REPLY_SUFFIX_RE.search(core) and len(core.split()) > 4:
        kind = "reply"
        core = _REPLY_SUFFIX_RE.sub("", core)
    if kind:
        core = core.strip().strip("\"'\u201c\u201d\u2018\u2019 ")
    cites: list[tuple[str, str]] = []
    cut = len(core)
    for pattern in (_CITES_VOL_PG_RE, _CITES_JOURNAL_RE):
        for m in pattern.finditer(core):
            cites.append((m.group(1).lstrip("0"), _page_key(m.group(2))))
            cut = min(cut, m.start())
    core = core[:cut]
    while core.count("(") > core.count(")"):
        core = core[: core.rfind("(")]  # a citation cut off by the database
    return kind, core, tuple(cites), erratum_at


def doi_code(doi: str) -> str:
    """The journal code a DOI carries (``10.1016/j.appet...`` → ``appet``), or ''."""
    m = _DOI_CODE_RE.match(doi) if doi else None
    return m.group(1) if m else ""


def code_fits_journal(code: str, journal: tuple[str, ...]) -> bool:
    """True when ``code`` is made of prefixes of the journal's words, in order
    (``appet`` ~ Appetite, ``regpep`` ~ Regulatory Peptides, ``dmrr`` ~
    Diabetes/Metabolism Research and Reviews)."""
    if not code or not journal:
        return False

    @cache
    def fits(i: int, w: int) -> bool:
        if i == len(code):
            return True
        for k in range(w, len(journal)):
            word = journal[k]
            n = 0
            while n < len(word) and i + n < len(code) and word[n] == code[i + n]:
                n += 1
                if fits(i + n, k + 1):
                    return True
        return False

    return fits(0, 0)


def is_generic_title(title: str) -> bool:
    """A normalised title that many different items carry (``Editor's
    comments``, ``Introduction``, ``Book review``, ``Erratum`` ...)."""
    if not title:
        return False
    if title in GENERIC_TITLES:
        return True
    words = [w for w in title.split() if not w.isdigit() and w not in _GENERIC_NOISE]
    return " ".join(words) in GENERIC_TITLES or not words


def norm_text(value: str | None) -> str:
    """Casefolded ASCII words separated by single spaces ('' for nothing)."""
    if not value:
        return ""
    text = value
    if "<" in text:
        text = _TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", text))
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ")
    return _NON_ALNUM_RE.sub(" ", text).strip()


def _clean_title(title: str | None) -> str:
    if not title:
        return ""
    text = _ANNOTATION_RE.sub("", title).strip()
    while True:
        stripped = _TRAILING_TAG_RE.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    if text.startswith("[") and text.rstrip(". ").endswith("]"):
        text = text.strip("[]. ")
    return norm_text(text)


def _title_numbers(words: list[str]) -> frozenset[str]:
    """Numbers that identify one of several items (parts, phases, years, ...).

    Digit runs are read from the title with spaces removed, so ``GLP-1`` and
    ``GLP1`` or ``KCa3.1`` and ``K<inf>Ca</inf>3.1`` carry the same numbers.
    """
    found = {run.lstrip("0") or "0" for run in _DIGITS_RE.findall("".join(words))}
    for i, word in enumerate(words):
        if word in _ROMAN and i > 0 and words[i - 1] in _NUMBERED_WORDS:
            found.add(str(_ROMAN[word]))
    return frozenset(found)


@lru_cache(maxsize=65536)
def _author_key(name: str) -> tuple[str, str] | None:
    name = name.strip()
    if not name:
        return None
    if "," in name:
        family, _, given = name.partition(",")
    else:
        parts = name.split()
        if len(parts) > 1 and re.fullmatch(r"[A-Z.\-]{1,4}", parts[-1]):
            family, given = " ".join(parts[:-1]), parts[-1]
        elif len(parts) > 1:
            family, given = parts[-1], " ".join(parts[:-1])
        else:
            family, given = name, ""
    surname = norm_text(family).replace(" ", "")
    initial = norm_text(given)[:1]
    return (surname, initial) if surname else None


@lru_cache(maxsize=65536)
def _name_words(name: str) -> tuple[str, ...]:
    words = [w for w in norm_text(name).split() if len(w) > 1 and w != "null"]
    words.append(norm_text(name.partition(",")[0]).replace(" ", ""))
    return tuple(w for w in words if w)


def _author_tokens(names: list[str]) -> frozenset[str]:
    """Every name word (two letters or more) of every author, normalised."""
    return frozenset(w for name in names for w in _name_words(name))


def parse_pages(pages: str | None) -> tuple[str, int | None]:
    """``(first page key, last page)``; ``('', None)`` when there are none."""
    if not pages:
        return "", None
    text = pages.strip().lower()
    parts = re.split(r"\s*(?:-+|–|—|\bto\b)\s*", text, maxsplit=1)
    first = re.split(r"[\s,;.:/]+", parts[0].strip(" .,;"), maxsplit=1)[0]
    first = re.sub(r"[^0-9a-z]", "", first).lstrip("0") or ""
    if not any(ch.isdigit() for ch in first):
        if re.fullmatch(r"[ivxlc]+", first):
            return first, None  # roman front matter ("iii-vii"): an editorial's page
        return "", None  # "Suppl", "NA": no page
    last: int | None = None
    digits = "".join(ch for ch in first if ch.isdigit())
    if len(parts) > 1 and (first.isdigit() or (first[:1].isalpha() and first[1:].isdigit())):
        tail = re.sub(r"[^0-9]", "", parts[1])
        if tail:
            if len(tail) < len(digits):
                expanded = int(digits[: len(digits) - len(tail)] + tail)
                if expanded < int(digits):
                    expanded += 10 ** len(tail)
                last = expanded
            else:
                last = int(tail)
    return first, last


def _first_number(value: str | None) -> str:
    if not value:
        return ""
    match = _DIGITS_RE.search(value)
    return match.group(0).lstrip("0") or "0" if match else ""


def journal_words(journal: str | None) -> tuple[str, ...]:
    return tuple(w for w in norm_text(journal).split() if w not in _STOP)


def journals_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when one journal name abbreviates the other (word prefixes, in order)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len("".join(a)) <= len("".join(b)) else (b, a)
    i = 0
    for word in short:
        while i < len(long_) and not long_[i].startswith(word):
            i += 1
        if i == len(long_):
            # the abbreviation may glue words together ("jama" etc.): give up
            return "".join(short) == "".join(w[0] for w in long_)
        i += 1
    return True


@dataclass(frozen=True, slots=True)
class Features:
    """The comparison keys of one record (see the module docstring)."""

    id: int
    title: str
    title_compact: str
    title_numbers: frozenset[str]
    is_notice: bool
    authors: tuple[tuple[str, str], ...]
    author_tokens: frozenset[str]
    group_author: bool
    year: int | None
    journal: tuple[str, ...]
    volume: str
    volume_numbers: frozenset[str]
    issue: str
    issue_numbers: frozenset[str]
    first_page: str
    last_page: int | None
    doi: str
    doi_code: str
    erratum_prefix: bool
    notice_kind: str
    generic: bool
    proceedings: bool
    core_title: str
    core_numbers: frozenset[str]
    cites: tuple[tuple[str, str], ...]
    erratum_at: tuple[tuple[str, str], ...]
    pmid: str
    pmcid: str
    openalex: str
    abstract: str


def features_of(record_id: int, rec: RecordData) -> Features:
    """Compute the comparison keys of one record."""
    title = _clean_title(rec.title)
    words = title.split()
    authors = tuple(k for k in (_author_key(a) for a in rec.authors) if k)
    first, last = parse_pages(rec.pages)
    doi = normalise_doi(unquote(rec.doi)) or "" if rec.doi else ""
    notice_kind, core_raw, cites, erratum_at = _erratum_keys(rec.title)
    if cites and not notice_kind:
        notice_kind = "erratum"  # a title that cites its article's volume and page
    core = norm_text(core_raw) if notice_kind else title
    return Features(
        id=record_id,
        title=title,
        title_compact=title.replace(" ", ""),
        title_numbers=_title_numbers(words),
        is_notice=bool(_NOTICE_RE.search(title)),
        authors=authors,
        author_tokens=_author_tokens(rec.authors),
        group_author=len(authors) == 1 and bool(_GROUP_RE.search(norm_text(rec.authors[0]))),
        year=rec.year,
        journal=journal_words(rec.journal),
        volume=_first_number(rec.volume),
        volume_numbers=frozenset(n.lstrip("0") or "0" for n in _DIGITS_RE.findall(rec.volume or "")),
        issue=_first_number(rec.issue),
        issue_numbers=frozenset(n.lstrip("0") for n in _DIGITS_RE.findall(rec.issue or "")),
        first_page=first,
        last_page=last,
        doi=doi,
        doi_code=doi_code(doi),
        erratum_prefix=notice_kind == "erratum",
        notice_kind=notice_kind,
        generic=is_generic_title(title),
        proceedings=bool(_PROCEEDINGS_RE.search(rec.publication_type or "")),
        core_title=core,
        core_numbers=_title_numbers(core.split()) if core is not title else _title_numbers(words),
        cites=cites,
        erratum_at=erratum_at,
        pmid=(rec.pmid or "").strip(),
        pmcid=(rec.pmcid or "").strip().upper(),
        openalex=(rec.openalex_id or "").strip().upper(),
        abstract=norm_text(rec.abstract[:400])[:300] if rec.abstract else "",
    )
