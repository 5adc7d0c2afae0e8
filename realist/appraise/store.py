"""The language appraisal, stored per study: the tool's result and a person's judgement.

:func:`appraise_language` appraises each study's own prose with
:func:`realist.appraise.language.appraise_text`: for every report of the
study, its full text when there is one (it contains the abstract), else its
abstract — so abstract-only studies are appraised too.  Texts are appraised
one by one (hits keep offsets into their own text and full-text pages), then
the counts are summed and classified by the same rule.  The lexicon is the
packaged one adjusted by the protocol's ``language_lexicon`` section::

    language_lexicon:
      extra:  [{term: ..., pattern: ..., category: ..., refers_to_person: yes}]
      remove: [L07, "addict"]
      dominance: 0.9      # optional

Each run appends one ``Appraisal`` row per study (kind ``language``, method
``lexicon``, ``by`` = ``realist lexicon``) with the result JSON and the
lexicon's size and SHA-256.  :func:`record_judgement` stores a person's
classification (method ``person``), as the reference review's authors judged
by hand; :func:`language_summary` prefers the latest person judgement and
keeps the tool's latest result alongside.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select

from ..errors import InvalidInput
from ..review import ReviewHandle
from ..store.models import Appraisal, Study
from .language import Lexicon, appraise_text, classify, load_lexicon

__all__ = [
    "TOOL",
    "JUDGEMENTS",
    "StudyLanguage",
    "lexicon_for",
    "appraise_language",
    "record_judgement",
    "add_person_appraisal",
    "language_summary",
    "language_in_context",
]

TOOL = "realist lexicon"
JUDGEMENTS = ("person-first", "mixed", "stigmatising")


@dataclass
class StudyLanguage:
    study_id: int
    key: str
    classification: str
    person_first_count: int
    stigmatising_count: int
    texts: int
    appraisal_id: int
    result: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def lexicon_for(protocol: dict[str, Any]) -> tuple[Lexicon, dict[str, Any]]:
    """The lexicon with the protocol's ``language_lexicon`` applied, and its details."""
    section = protocol.get("language_lexicon") or {}
    if not isinstance(section, dict):
        raise InvalidInput("protocol: 'language_lexicon' must be a mapping with 'extra' and/or 'remove'")
    unknown = set(section) - {"extra", "remove", "dominance"}
    if unknown:
        raise InvalidInput(
            f"protocol: unknown key(s) in language_lexicon: {', '.join(sorted(unknown))} "
            "(keys are extra, remove, dominance)"
        )
    extra = section.get("extra") or []
    remove = section.get("remove") or []
    if not isinstance(extra, list) or not all(isinstance(e, dict) for e in extra):
        raise InvalidInput("protocol: language_lexicon.extra must be a list of entries (term, pattern, ...)")
    if not isinstance(remove, list):
        raise InvalidInput("protocol: language_lexicon.remove must be a list of ids or terms")
    lexicon = load_lexicon(extra=extra, remove=[str(r) for r in remove])
    dominance = float(section.get("dominance", 0.9))
    canon = [[e.id, e.term, e.pattern, e.category, e.stance, e.refers_to_person] for e in lexicon]
    digest = hashlib.sha256(json.dumps(canon, ensure_ascii=False).encode()).hexdigest()
    details = {
        "lexicon_entries": len(lexicon),
        "lexicon_sha256": digest,
        "extra": len(extra),
        "removed": [str(r) for r in remove],
        "dominance": dominance,
    }
    return lexicon, details


def _appraise_study(session: Any, study: Study, lexicon: Lexicon, dominance: float) -> dict[str, Any]:
    from ..code.studies import _study_texts

    texts = _study_texts(session, study)
    with_ft = {t.record_id for t in texts if t.source == "fulltext"}
    chosen = [t for t in texts if t.source == "fulltext" or t.record_id not in with_ft]
    parts = []
    p = s = 0
    for t in chosen:
        pages = [(int(n), int(start)) for n, start, *_ in t.pages] or None
        res = appraise_text(t.text, lexicon=lexicon, pages=pages, dominance=dominance)
        p += res.person_first_count
        s += res.stigmatising_count
        parts.append({"record_id": t.record_id, "source": t.source, "file": t.file_name, **res.to_dict()})
    label, why = classify(p, s, dominance=dominance)
    rule = (
        f"{label}: {why} (summed over {len(parts)} text(s)). Rule: count person-referring hits only; "
        f"none if P+S=0, person-first if P/(P+S) >= {dominance:.2f}, stigmatising if <= "
        f"{1 - dominance:.2f}, mixed otherwise."
    )
    if not parts:
        rule = "none: the study has no abstract or full text to appraise"
    return {
        "classification": label,
        "rule": rule,
        "dominance": dominance,
        "person_first_count": p,
        "stigmatising_count": s,
        "texts": parts,
    }


def appraise_language(review: ReviewHandle, study: Any = None) -> list[StudyLanguage]:
    """Appraise every study's language (or one study's) and store the results."""
    from ..code.studies import resolve_study

    lexicon, details = lexicon_for(review.protocol())
    out = []
    with review.session() as session:
        if study is not None:
            targets = [resolve_study(session, review.review_id, study)]
        else:
            targets = list(session.scalars(select(Study).where(Study.review_id == review.review_id).order_by(Study.id)))
        if not targets:
            raise InvalidInput("the review has no studies yet", key="no-studies")
        for target in targets:
            result = _appraise_study(session, target, lexicon, details["dominance"])
            row = Appraisal(
                review_id=review.review_id,
                study_id=target.id,
                kind="language",
                method="lexicon",
                classification=result["classification"],
                result=result,
                by=TOOL,
                details=details,
            )
            session.add(row)
            session.flush()
            review.log(
                session,
                "appraisal.language",
                entity="appraisal",
                entity_id=row.id,
                study_id=target.id,
                classification=result["classification"],
                lexicon_sha256=details["lexicon_sha256"],
            )
            out.append(
                StudyLanguage(
                    target.id,
                    target.key,
                    result["classification"],
                    result["person_first_count"],
                    result["stigmatising_count"],
                    len(result["texts"]),
                    row.id,
                    result,
                )
            )
    return out


def add_person_appraisal(
    review: ReviewHandle,
    study: Any,
    *,
    kind: str,
    label: str,
    result: dict[str, Any],
    note: str | None,
    by: str | None,
    action: str,
    **facts: Any,
) -> dict[str, Any]:
    """Store one person's judgement of ``kind`` on a study (``label``: its one-line
    classification) and log ``action`` with ``facts``.

    Returns the stored judgement: ``id``, ``study_id``, ``key``, the ``facts``,
    ``by`` and ``note`` (the latest judgement of a kind counts).
    """
    from ..code.studies import resolve_study

    with review.session() as session:
        target = resolve_study(session, review.review_id, study)
        row = Appraisal(
            review_id=review.review_id,
            study_id=target.id,
            kind=kind,
            method="person",
            classification=label,
            result=result,
            by=by or review.actor,
            note=note,
        )
        session.add(row)
        session.flush()
        review.log(session, action, entity="appraisal", entity_id=row.id, study_id=target.id, **facts, note=note)
        return {"id": row.id, "study_id": target.id, "key": target.key, **facts, "by": row.by, "note": note}


def record_judgement(
    review: ReviewHandle, study: Any, classification: str, note: str | None = None, *, by: str | None = None
) -> dict[str, Any]:
    """Store a person's language judgement on a study (takes precedence in summaries)."""
    if classification not in JUDGEMENTS:
        raise InvalidInput(f"classification must be one of {', '.join(JUDGEMENTS)}, not {classification!r}")
    return add_person_appraisal(
        review,
        study,
        kind="language",
        label=classification,
        result={},
        note=note,
        by=by,
        action="appraisal.judgement",
        classification=classification,
    )


def language_summary(review: ReviewHandle) -> list[dict[str, Any]]:
    """Per study: the classification that counts (person over tool) and both latest results."""
    with review.session() as session:
        studies = list(session.scalars(select(Study).where(Study.review_id == review.review_id)))
        rows = session.scalars(
            select(Appraisal)
            .where(Appraisal.review_id == review.review_id, Appraisal.kind == "language")
            .order_by(Appraisal.created_at, Appraisal.id)
        ).all()
        latest: dict[tuple[int, str], Appraisal] = {}
        for r in rows:
            latest[(r.study_id, r.method)] = r
        out = []
        for s in sorted(studies, key=lambda s: (s.ref_number is None, s.ref_number or 0, s.key)):
            tool = latest.get((s.id, "lexicon"))
            person = latest.get((s.id, "person"))
            chosen = person or tool
            out.append(
                {
                    "study_id": s.id,
                    "key": s.key,
                    "label": s.label,
                    "ref_number": s.ref_number,
                    "classification": chosen.classification if chosen else None,
                    "source": ("person" if person else "tool") if chosen else None,
                    "tool_classification": tool.classification if tool else None,
                    "person_classification": person.classification if person else None,
                    "judged_by": person.by if person else None,
                    "note": person.note if person else None,
                    "person_first_count": tool.result.get("person_first_count") if tool else None,
                    "stigmatising_count": tool.result.get("stigmatising_count") if tool else None,
                }
            )
        return out


def language_in_context(review: ReviewHandle, study: Any, width: int = 80) -> dict[str, Any]:
    """One study's latest tool appraisal, each hit with the words around it, and its latest judgement.

    Returns ``appraisal`` (the stored result without the hits, or None when
    never appraised), ``texts`` (per appraised text: ``record_id``,
    ``source``, ``file`` and ``hits``, each hit's dict with ``before``,
    ``matched`` and ``after`` cut from the study's text by the hit's offsets,
    and ``stale`` when the text no longer has the matched words there, e.g.
    after a full text was replaced), and ``judgement`` (the latest person
    judgement: ``classification``, ``by``, ``note``, or None).
    """
    from ..code.studies import _study_texts, resolve_study

    with review.session() as session:
        target = resolve_study(session, review.review_id, study)
        rows = session.scalars(
            select(Appraisal)
            .where(Appraisal.review_id == review.review_id, Appraisal.study_id == target.id)
            .where(Appraisal.kind == "language")
            .order_by(Appraisal.created_at, Appraisal.id)
        ).all()
        tool = next((r for r in reversed(rows) if r.method == "lexicon"), None)
        person = next((r for r in reversed(rows) if r.method == "person"), None)
        texts = {(t.record_id, t.source): t.text for t in _study_texts(session, target)}
        judgement = (
            {"classification": person.classification, "by": person.by, "note": person.note, "at": person.created_at}
            if person
            else None
        )
        if tool is None:
            return {"appraisal": None, "texts": [], "judgement": judgement}
        out = []
        for part in tool.result.get("texts", []):
            text = texts.get((part.get("record_id"), part.get("source")), "")
            hits = []
            for h in part.get("hits", []):
                start, end = int(h["start"]), int(h["end"])
                hits.append(
                    {
                        **h,
                        "before": text[max(0, start - width) : start],
                        "matched": text[start:end],
                        "after": text[end : end + width],
                        "stale": text[start:end] != h.get("matched"),
                    }
                )
            out.append(
                {
                    "record_id": part.get("record_id"),
                    "source": part.get("source"),
                    "file": part.get("file"),
                    "hits": hits,
                }
            )
        summary = {k: v for k, v in tool.result.items() if k != "texts"}
        summary.update(id=tool.id, at=tool.created_at, by=tool.by)
        return {"appraisal": summary, "texts": out, "judgement": judgement}
