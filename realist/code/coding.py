"""Coding: codes applied to a study, or to an excerpt of its text, and validated.

An *excerpt* is a span ``[start, end)`` of one report's abstract or full
text (``source``), with its page; offsets are checked against the stored
text.  A ``quote`` finds the span by searching the study's texts (exact
first, then ignoring case and differences in white space), which is robust
to line breaks in extracted PDFs.  A *coding* applies one codebook code to a
study as a whole (no excerpt) or to an excerpt, by a named coder, with a
memo.  A second coder *validates* each coding: ``agree`` or ``dispute``
("led by one author and validated by a second"); validations are
append-only and each validator's latest verdict counts.  A coding is
``disputed`` when any validator disputes it, ``agreed`` when at least one
agrees and none disputes, else ``unvalidated``.

Public functions: :func:`add_excerpt`, :func:`apply_code`, :func:`apply_codes`,
:func:`set_coding_memo`, :func:`validate_coding`, :func:`list_codings`, :func:`list_excerpts`,
:func:`coding_agreement`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, NotFound
from ..review import ReviewHandle
from ..store.models import Coding, CodingValidation, Excerpt, Study
from .codebook import Codebook, load_codebook
from .studies import StudyRef, StudyText, _study_texts, resolve_study

__all__ = [
    "SOURCES",
    "VERDICTS",
    "ExcerptInfo",
    "CodingInfo",
    "CodeAgreement",
    "add_excerpt",
    "apply_code",
    "apply_codes",
    "set_coding_memo",
    "validate_coding",
    "list_codings",
    "list_excerpts",
    "coding_agreement",
]

SOURCES = ("abstract", "fulltext")
VERDICTS = ("agree", "dispute")


@dataclass
class ExcerptInfo:
    id: int
    study_id: int
    record_id: int
    source: str
    start: int
    end: int
    page: int | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CodingInfo:
    id: int
    study_id: int
    study_key: str
    code: str
    code_name: str | None
    kind: str | None
    coder: str
    memo: str | None
    created_at: str
    excerpt: ExcerptInfo | None = None
    validations: list[dict[str, Any]] = field(default_factory=list)
    status: str = "unvalidated"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CodeAgreement:
    code: str
    name: str | None
    kind: str | None
    codings: int
    agreed: int
    disputed: int
    unvalidated: int
    proportion_agreement: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _excerpt_info(e: Excerpt) -> ExcerptInfo:
    return ExcerptInfo(e.id, e.study_id, e.record_id, e.source, e.start, e.end, e.page, e.text)


def _find_quote(texts: list[StudyText], quote: str) -> tuple[StudyText, int, int] | None:
    for t in texts:
        i = t.text.find(quote)
        if i >= 0:
            return t, i, i + len(quote)
    words = quote.split()
    if not words:
        return None
    pattern = re.compile(r"[\s\-]*".join(re.escape(w) for w in words), re.IGNORECASE)
    for t in texts:
        m = pattern.search(t.text)
        if m:
            return t, m.start(), m.end()
    return None


def _locate(
    texts: list[StudyText],
    study: Study,
    *,
    start: int | None,
    end: int | None,
    source: str | None,
    record_id: int | None,
    quote: str | None,
) -> tuple[StudyText, int, int]:
    if source is not None and source not in SOURCES:
        raise InvalidInput(f"unknown text {source!r}: an excerpt is in the 'abstract' or the 'fulltext'")
    candidates = [
        t for t in texts if (source is None or t.source == source) and (record_id is None or t.record_id == record_id)
    ]
    where = f"{source or 'text'} of " + (f"record {record_id}" if record_id else f"study {study.key}")
    if not candidates:
        have = ", ".join(f"record {t.record_id} {t.source}" for t in texts) or "no abstract or full text"
        raise InvalidInput(f"there is no {where} to quote (the study has: {have})")
    if quote is not None:
        found = _find_quote(candidates, quote)
        if found is None:
            short = quote if len(quote) <= 60 else quote[:57] + "..."
            raise InvalidInput(f"the quote {short!r} is not in the {where}")
        return found
    if start is None or end is None:
        raise InvalidInput("an excerpt needs a start and an end offset (or a quote)")
    if source is None:  # prefer the full text of the first report that has one
        target = next((t for t in candidates if t.source == "fulltext"), candidates[0])
    else:
        target = candidates[0]
    if not 0 <= start < end <= len(target.text):
        raise InvalidInput(
            f"excerpt {start}-{end} lies outside the {target.source} of record {target.record_id} "
            f"(offsets 0-{len(target.text)}; start must be below end)"
        )
    return target, start, end


def _make_excerpt(
    review: ReviewHandle,
    session: Session,
    study: Study,
    *,
    start: int | None,
    end: int | None,
    source: str | None,
    record_id: int | None,
    quote: str | None,
    page: int | None,
    created_by: str,
) -> Excerpt:
    texts = _study_texts(session, study)
    target, s, e = _locate(texts, study, start=start, end=end, source=source, record_id=record_id, quote=quote)
    if page is None and target.source == "fulltext":
        page = target.page_at(s)
    existing = session.scalar(
        select(Excerpt).where(
            Excerpt.review_id == review.review_id,
            Excerpt.study_id == study.id,
            Excerpt.record_id == target.record_id,
            Excerpt.source == target.source,
            Excerpt.start == s,
            Excerpt.end == e,
        )
    )
    if existing is not None:
        return existing
    excerpt = Excerpt(
        review_id=review.review_id,
        study_id=study.id,
        record_id=target.record_id,
        source=target.source,
        fulltext_id=target.fulltext_id,
        start=s,
        end=e,
        page=page,
        text=target.text[s:e],
        created_by=created_by,
    )
    session.add(excerpt)
    session.flush()
    review.log(
        session,
        "excerpt.created",
        entity="excerpt",
        entity_id=excerpt.id,
        study_id=study.id,
        record_id=target.record_id,
        source=target.source,
        start=s,
        end=e,
        page=page,
    )
    return excerpt


def add_excerpt(
    review: ReviewHandle,
    study: StudyRef,
    *,
    start: int | None = None,
    end: int | None = None,
    source: str | None = None,
    record_id: int | None = None,
    quote: str | None = None,
    page: int | None = None,
    created_by: str | None = None,
) -> ExcerptInfo:
    """Mark a span of a study's text (offsets, or a quote to find); the same span is reused."""
    with review.session() as session:
        target = resolve_study(session, review.review_id, study)
        e = _make_excerpt(
            review,
            session,
            target,
            start=start,
            end=end,
            source=source,
            record_id=record_id,
            quote=quote,
            page=page,
            created_by=created_by or review.actor,
        )
        return _excerpt_info(e)


def _validations(session: Session, review_id: int, coding_ids: list[int]) -> dict[int, list[CodingValidation]]:
    out: dict[int, list[CodingValidation]] = defaultdict(list)
    if not coding_ids:
        return out
    rows = session.scalars(
        select(CodingValidation)
        .where(CodingValidation.review_id == review_id, CodingValidation.coding_id.in_(coding_ids))
        .order_by(CodingValidation.at, CodingValidation.id)
    )
    for v in rows:
        out[v.coding_id].append(v)
    return out


def _status(validations: list[CodingValidation]) -> str:
    latest = {v.validator: v.verdict for v in validations}
    if "dispute" in latest.values():
        return "disputed"
    if "agree" in latest.values():
        return "agreed"
    return "unvalidated"


def _infos(session: Session, review_id: int, codings: list[Coding], codebook: Codebook) -> list[CodingInfo]:
    vals = _validations(session, review_id, [c.id for c in codings])
    keys = dict(session.execute(select(Study.id, Study.key).where(Study.review_id == review_id)).all())
    index = codebook.by_id()
    out = []
    for c in codings:
        code = index.get(c.code)
        excerpt = session.get(Excerpt, c.excerpt_id) if c.excerpt_id else None
        out.append(
            CodingInfo(
                id=c.id,
                study_id=c.study_id,
                study_key=keys.get(c.study_id, ""),
                code=c.code,
                code_name=code.name if code else None,
                kind=code.kind if code else None,
                coder=c.coder,
                memo=c.memo,
                created_at=c.created_at.isoformat(),
                excerpt=_excerpt_info(excerpt) if excerpt else None,
                validations=[
                    {"validator": v.validator, "verdict": v.verdict, "note": v.note, "at": v.at.isoformat()}
                    for v in vals.get(c.id, [])
                ],
                status=_status(vals.get(c.id, [])),
            )
        )
    return out


def _check_codable(codebook: Codebook, code: str) -> None:
    entry = codebook.require(code)
    if not entry.codable:
        raise InvalidInput(
            f"code {code!r} ({entry.name}) groups other codes and is not codable: "
            f"use one of its children ({', '.join(c.id for c in entry.children)})"
        )


def _apply(
    review: ReviewHandle,
    session: Session,
    target: Study,
    code: str,
    excerpt: Excerpt | None,
    coder: str,
    memo: str | None,
) -> Coding:
    same = session.scalar(
        select(Coding).where(
            Coding.review_id == review.review_id,
            Coding.study_id == target.id,
            Coding.code == code,
            Coding.coder == coder,
            Coding.excerpt_id == excerpt.id if excerpt else Coding.excerpt_id.is_(None),
        )
    )
    if same is not None:
        raise InvalidInput(
            f"{coder} already coded {'excerpt ' + str(excerpt.id) if excerpt else 'study'} "
            f"{'' if excerpt else target.key + ' '}as {code} (coding {same.id})"
        )
    coding = Coding(
        review_id=review.review_id,
        study_id=target.id,
        code=code,
        excerpt_id=excerpt.id if excerpt else None,
        coder=coder,
        memo=memo,
    )
    session.add(coding)
    session.flush()
    review.log(
        session,
        "coding.applied",
        entity="coding",
        entity_id=coding.id,
        study_id=target.id,
        code=code,
        excerpt_id=coding.excerpt_id,
        coder=coder,
        memo=memo,
    )
    return coding


def _excerpt_for(
    review: ReviewHandle,
    session: Session,
    target: Study,
    *,
    excerpt_id: int | None,
    start: int | None,
    end: int | None,
    source: str | None,
    record_id: int | None,
    quote: str | None,
    page: int | None,
    coder: str,
) -> Excerpt | None:
    wants_span = any(v is not None for v in (start, end, quote))
    if excerpt_id is not None and wants_span:
        raise InvalidInput("give an excerpt id or a span (offsets or quote), not both")
    if excerpt_id is not None:
        excerpt = session.get(Excerpt, excerpt_id)
        if excerpt is None or excerpt.review_id != review.review_id:
            raise NotFound(f"no excerpt {excerpt_id} in this review")
        if excerpt.study_id != target.id:
            raise InvalidInput(f"excerpt {excerpt_id} belongs to another study, not {target.key}")
        return excerpt
    if wants_span or source is not None or record_id is not None:
        return _make_excerpt(
            review,
            session,
            target,
            start=start,
            end=end,
            source=source,
            record_id=record_id,
            quote=quote,
            page=page,
            created_by=coder,
        )
    return None


def apply_code(
    review: ReviewHandle,
    study: StudyRef,
    code: str,
    *,
    coder: str | None = None,
    memo: str | None = None,
    excerpt_id: int | None = None,
    start: int | None = None,
    end: int | None = None,
    source: str | None = None,
    record_id: int | None = None,
    quote: str | None = None,
    page: int | None = None,
) -> CodingInfo:
    """Apply ``code`` to a study as a whole, or to an excerpt of it.

    The excerpt is an existing one (``excerpt_id``), or made from offsets
    (``start``, ``end``, optional ``source`` and ``record_id``) or a
    ``quote``.  Unknown or non-codable codes, offsets outside the text and
    the same coding twice by one coder are errors; nothing is stored then.
    """
    return apply_codes(
        review,
        study,
        [code],
        coder=coder,
        memo=memo,
        excerpt_id=excerpt_id,
        start=start,
        end=end,
        source=source,
        record_id=record_id,
        quote=quote,
        page=page,
    )[0]


def apply_codes(
    review: ReviewHandle,
    study: StudyRef,
    codes: list[str],
    *,
    coder: str | None = None,
    memo: str | None = None,
    excerpt_id: int | None = None,
    start: int | None = None,
    end: int | None = None,
    source: str | None = None,
    record_id: int | None = None,
    quote: str | None = None,
    page: int | None = None,
) -> list[CodingInfo]:
    """Apply one or more codes to the same span (or study) at once: all are stored, or none.

    As :func:`apply_code` (the same excerpt, offsets, page and events), for
    several codes; a code named twice is applied once.
    """
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not codes:
        raise InvalidInput("choose at least one code to apply")
    codebook = load_codebook(review)
    for code in codes:
        _check_codable(codebook, code)
    coder = coder or review.actor
    with review.session() as session:
        target = resolve_study(session, review.review_id, study)
        excerpt = _excerpt_for(
            review,
            session,
            target,
            excerpt_id=excerpt_id,
            start=start,
            end=end,
            source=source,
            record_id=record_id,
            quote=quote,
            page=page,
            coder=coder,
        )
        made = [_apply(review, session, target, code, excerpt, coder, memo) for code in codes]
        return _infos(session, review.review_id, made, codebook)


def set_coding_memo(review: ReviewHandle, coding_id: int, memo: str | None, *, by: str | None = None) -> CodingInfo:
    """Change the memo of a coding; only its coder may (logged with the memo before and after)."""
    by = by or review.actor
    memo = (memo or "").strip() or None
    codebook = load_codebook(review)
    with review.session() as session:
        coding = session.get(Coding, coding_id)
        if coding is None or coding.review_id != review.review_id:
            raise NotFound(f"no coding {coding_id} in this review")
        if coding.coder != by:
            raise InvalidInput(
                f"coding {coding_id} is {coding.coder}'s: only its coder changes its memo "
                "(a second coder comments with a validation note)"
            )
        before = coding.memo
        coding.memo = memo
        session.flush()
        review.log(session, "coding.memo", entity="coding", entity_id=coding_id, before=before, after=memo)
        return _infos(session, review.review_id, [coding], codebook)[0]


def validate_coding(
    review: ReviewHandle, coding_id: int, *, validator: str | None = None, verdict: str, note: str | None = None
) -> CodingInfo:
    """A second coder agrees with or disputes a coding (the latest verdict counts)."""
    if verdict not in VERDICTS:
        raise InvalidInput(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    validator = validator or review.actor
    codebook = load_codebook(review)
    with review.session() as session:
        coding = session.get(Coding, coding_id)
        if coding is None or coding.review_id != review.review_id:
            raise NotFound(f"no coding {coding_id} in this review")
        if coding.coder == validator:
            raise InvalidInput(f"{validator} made coding {coding_id}: a second coder validates it")
        v = CodingValidation(
            review_id=review.review_id, coding_id=coding_id, validator=validator, verdict=verdict, note=note
        )
        session.add(v)
        session.flush()
        review.log(
            session,
            "coding.validated",
            entity="coding",
            entity_id=coding_id,
            validator=validator,
            verdict=verdict,
            note=note,
        )
        return _infos(session, review.review_id, [coding], codebook)[0]


def list_codings(
    review: ReviewHandle, *, study: StudyRef | None = None, code: str | None = None, include_descendants: bool = False
) -> list[CodingInfo]:
    """Codings, oldest first; filtered by study and/or code (and its children if asked)."""
    codebook = load_codebook(review)
    with review.session() as session:
        query = select(Coding).where(Coding.review_id == review.review_id)
        if study is not None:
            query = query.where(Coding.study_id == resolve_study(session, review.review_id, study).id)
        if code is not None:
            codes = {code} | ({c.id for c in codebook.descendants(code)} if include_descendants else set())
            query = query.where(Coding.code.in_(codes))
        rows = list(session.scalars(query.order_by(Coding.id)))
        return _infos(session, review.review_id, rows, codebook)


def list_excerpts(review: ReviewHandle, *, study: StudyRef | None = None) -> list[ExcerptInfo]:
    with review.session() as session:
        query = select(Excerpt).where(Excerpt.review_id == review.review_id)
        if study is not None:
            query = query.where(Excerpt.study_id == resolve_study(session, review.review_id, study).id)
        return [_excerpt_info(e) for e in session.scalars(query.order_by(Excerpt.id))]


def coding_agreement(review: ReviewHandle) -> list[CodeAgreement]:
    """Per code in use: agreed, disputed and unvalidated codings, and proportion agreement.

    Proportion agreement = agreed / (agreed + disputed); None when no coding
    of the code is validated yet.  Codebook order; codes no longer in the
    codebook last.
    """
    codebook = load_codebook(review)
    infos = list_codings(review)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"agreed": 0, "disputed": 0, "unvalidated": 0})
    for info in infos:
        counts[info.code][info.status] += 1
    order = {c.id: i for i, c in enumerate(codebook)}
    out = []
    for code_id in sorted(counts, key=lambda c: (order.get(c, len(order)), c)):
        n = counts[code_id]
        code = codebook.get(code_id)
        judged = n["agreed"] + n["disputed"]
        out.append(
            CodeAgreement(
                code=code_id,
                name=code.name if code else None,
                kind=code.kind if code else None,
                codings=sum(n.values()),
                agreed=n["agreed"],
                disputed=n["disputed"],
                unvalidated=n["unvalidated"],
                proportion_agreement=round(n["agreed"] / judged, 4) if judged else None,
            )
        )
    return out
