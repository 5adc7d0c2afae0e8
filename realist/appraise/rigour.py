"""Quality appraisal: the protocol's declaration, and a relevance-and-rigour judgement per study.

Realist reviews often judge each study's *relevance* (does it speak to the
programme theory?) and *rigour* (is the method that produced the relevant
data trustworthy?) instead of scoring risk of bias with a formal tool.  The
protocol says which the review does, and why, in its ``quality_appraisal``
section::

    quality_appraisal:
      formal: no              # a formal risk-of-bias / quality tool is (yes) or is not (no) used
      reason: "..."           # required when formal is no: why not
      tool: "..."             # required when formal is yes: which tool, e.g. "CASP qualitative"
      approach: "..."         # optional: what is done instead (e.g. relevance and rigour per study)
      evidence: "..."         # optional: the sentence of the protocol or paper that says so

:func:`record_rigour` stores a person's judgement on one study in the
``appraisal`` table (kind ``rigour``, method ``person``; ``result`` holds the
two levels), append-only: the latest per study counts
(:func:`rigour_summary`).  The reporting checklists (PRISMA 2020 items 11,
18 and 20a; RAMESES 9) are answered from the declaration and these
judgements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from ..errors import InvalidInput
from ..review import ReviewHandle
from ..store.models import Appraisal, Study

__all__ = ["LEVELS", "QualityAppraisal", "quality_appraisal", "record_rigour", "rigour_summary"]

LEVELS = ("high", "moderate", "low", "unclear")
_KEYS = {"formal", "reason", "tool", "approach", "evidence"}


@dataclass(frozen=True)
class QualityAppraisal:
    """The protocol's declaration."""

    formal: bool
    tool: str
    reason: str
    approach: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def quality_appraisal(protocol: dict[str, Any]) -> QualityAppraisal | None:
    """The protocol's ``quality_appraisal`` section, checked; None when it is absent."""
    section = protocol.get("quality_appraisal")
    if section is None:
        return None
    where = "protocol.yaml: quality_appraisal"
    if not isinstance(section, dict):
        raise InvalidInput(f"{where} must be a mapping with 'formal' (yes/no) and 'reason' or 'tool'")
    unknown = set(section) - _KEYS
    if unknown:
        raise InvalidInput(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (keys are {', '.join(sorted(_KEYS))})"
        )
    formal = section.get("formal")
    if not isinstance(formal, bool):
        raise InvalidInput(f"{where}.formal must be yes or no, not {formal!r}")
    text = {k: str(section.get(k) or "").strip() for k in ("tool", "reason", "approach")}
    if formal and not text["tool"]:
        raise InvalidInput(f"{where}: formal is yes, so name the tool ('tool: ...')")
    if not formal and not text["reason"]:
        raise InvalidInput(f"{where}: formal is no, so say why ('reason: ...')")
    return QualityAppraisal(formal, text["tool"], text["reason"], text["approach"])


def _level(name: str, value: str) -> str:
    v = str(value).strip().lower()
    if v not in LEVELS:
        raise InvalidInput(f"{name} must be one of {', '.join(LEVELS)}, not {value!r}")
    return v


def record_rigour(
    review: ReviewHandle, study: Any, relevance: str, rigour: str, note: str | None = None, *, by: str | None = None
) -> dict[str, Any]:
    """Store a person's relevance-and-rigour judgement on ``study`` (id, key or ``[ref]``)."""
    from .store import add_person_appraisal

    rel, rig = _level("relevance", relevance), _level("rigour", rigour)
    return add_person_appraisal(
        review,
        study,
        kind="rigour",
        label=f"relevance {rel}, rigour {rig}",
        result={"relevance": rel, "rigour": rig},
        note=note,
        by=by,
        action="appraisal.rigour",
        relevance=rel,
        rigour=rig,
    )


def rigour_summary(review: ReviewHandle) -> list[dict[str, Any]]:
    """Per study (by reference number, then key): the latest judgement, or None values when unjudged."""
    with review.session() as session:
        studies = list(session.scalars(select(Study).where(Study.review_id == review.review_id)))
        rows = session.scalars(
            select(Appraisal)
            .where(Appraisal.review_id == review.review_id, Appraisal.kind == "rigour")
            .order_by(Appraisal.created_at, Appraisal.id)
        ).all()
        latest = {r.study_id: r for r in rows}
        out = []
        for s in sorted(studies, key=lambda s: (s.ref_number is None, s.ref_number or 0, s.key)):
            r = latest.get(s.id)
            out.append(
                {
                    "study_id": s.id,
                    "key": s.key,
                    "label": s.label,
                    "ref_number": s.ref_number,
                    "relevance": r.result.get("relevance") if r else None,
                    "rigour": r.result.get("rigour") if r else None,
                    "judged_by": r.by if r else None,
                    "note": r.note if r else None,
                }
            )
        return out
