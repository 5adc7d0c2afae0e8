"""Screening decisions: assignment, blinded dual review, conflicts, resolution.

Everything here is derived from three append-only tables — assignments,
decisions and resolutions — and never stored twice:

* a reviewer's *current* decision on a record at a stage is their latest
  row (``retracted`` withdraws it);
* a record's *status* at a stage is, in order: the latest resolution, if
  any; else ``pending`` until every assigned reviewer (or, with no
  assignment, one reviewer) has decided; else ``excluded`` when all
  excluded, ``included`` when none did ("maybe" moves a record on, as in
  Covidence and Rayyan), and ``conflict`` otherwise.

Blinding is enforced here, not in the interface: :func:`visible_decisions`
shows a reviewer the others' decisions on a record only once that reviewer
has decided it too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import InvalidInput, NotFound
from ..protocol import STAGES
from ..results import Result
from ..review import ReviewHandle
from ..store.models import Assignment, Decision, Record, RequestKey, Resolution, utcnow

__all__ = [
    "DECISIONS",
    "STAGES",
    "RecordStatus",
    "DecisionOutcome",
    "ResolutionOutcome",
    "ReviewerProgress",
    "ScreeningProgress",
    "assign",
    "unassigned",
    "decide",
    "retract",
    "resolve",
    "statuses",
    "conflicts",
    "visible_decisions",
    "is_blinded",
    "blinded_through",
    "own_decisions",
    "set_blinded",
    "eligible_records",
    "progress",
    "exclusion_criteria",
]

DECISIONS = ("include", "exclude", "maybe")
RETRACTED = "retracted"
ASSIGN_MODES = ("balanced", "all", "single")


@dataclass
class RecordStatus:
    """The derived screening state of one record at one stage."""

    record_id: int
    stage: str
    status: str  # pending | included | excluded | conflict
    assigned: list[str] = field(default_factory=list)
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolution: dict[str, Any] | None = None

    @property
    def reason(self) -> str | None:
        """The exclusion reason that counts (resolution first, else the reviewers')."""
        if self.resolution is not None:
            return self.resolution.get("reason")
        reasons = sorted({d["reason"] for d in self.decisions.values() if d.get("reason")})
        return reasons[0] if reasons else None


@dataclass(frozen=True)
class DecisionOutcome(Result):
    """A decision just recorded, and the record's status at the stage after it."""

    record: int
    stage: str
    reviewer: str
    decision: str
    status: str


@dataclass(frozen=True)
class ResolutionOutcome(Result):
    """A conflict just settled: the record's status at the stage now."""

    record: int
    stage: str
    status: str


@dataclass(frozen=True)
class ReviewerProgress(Result):
    """One reviewer's share of a stage: records assigned and decided."""

    assigned: int
    decided: int


@dataclass(frozen=True)
class ScreeningProgress(Result):
    """Counts for a stage (``realist screen progress --json`` adds ``stopping``)."""

    stage: str
    eligible: int
    included: int
    excluded: int
    conflict: int
    pending: int
    resolved: int
    exclusion_reasons: dict[str, int]
    reviewers: dict[str, ReviewerProgress]


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise InvalidInput(f"unknown stage {stage!r}: stages are {', '.join(STAGES)}")


def exclusion_criteria(review: ReviewHandle, stage: str) -> dict[str, str]:
    """Exclusion criteria of a stage from the protocol: id -> label."""
    protocol = review.protocol()
    items = ((protocol.get("eligibility") or {}).get(stage) or {}).get("exclude") or []
    out: dict[str, str] = {}
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            key = str(item.get("id") or item.get("label") or i)
            out[key] = str(item.get("label") or key)
        else:
            out[str(item)] = str(item)
    return out


# ---------------------------------------------------------------- derivation


# Below this many records, queries name them; above, they read the whole stage.
_FEW = 500


def _latest_decisions(
    session: Session, review_id: int, stage: str, record_ids: Sequence[int] | None = None
) -> dict[int, dict[str, Decision]]:
    query = select(Decision).where(Decision.review_id == review_id, Decision.stage == stage)
    if record_ids is not None and len(record_ids) < _FEW:
        query = query.where(Decision.record_id.in_(record_ids))
    rows = session.scalars(query.order_by(Decision.at, Decision.id))
    latest: dict[int, dict[str, Decision]] = defaultdict(dict)
    for row in rows:
        if row.decision == RETRACTED:
            latest[row.record_id].pop(row.reviewer, None)
        else:
            latest[row.record_id][row.reviewer] = row
    return latest


def _assignments(
    session: Session, review_id: int, stage: str, record_ids: Sequence[int] | None = None
) -> dict[int, list[str]]:
    query = select(Assignment.record_id, Assignment.reviewer).where(
        Assignment.review_id == review_id, Assignment.stage == stage
    )
    if record_ids is not None and len(record_ids) < _FEW:
        query = query.where(Assignment.record_id.in_(record_ids))
    rows = session.execute(query.order_by(Assignment.id))
    out: dict[int, list[str]] = defaultdict(list)
    for record_id, reviewer in rows:
        out[record_id].append(reviewer)
    return out


def _resolutions(
    session: Session, review_id: int, stage: str, record_ids: Sequence[int] | None = None
) -> dict[int, Resolution]:
    query = select(Resolution).where(Resolution.review_id == review_id, Resolution.stage == stage)
    if record_ids is not None and len(record_ids) < _FEW:
        query = query.where(Resolution.record_id.in_(record_ids))
    rows = session.scalars(query.order_by(Resolution.at, Resolution.id))
    return {row.record_id: row for row in rows}


def _derive(assigned: list[str], decided: dict[str, Decision], resolution: Resolution | None) -> str:
    if resolution is not None:
        return "included" if resolution.decision != "exclude" else "excluded"
    needed = set(assigned) if assigned else None
    if needed is not None and not needed <= set(decided):
        return "pending"
    if not decided:
        return "pending"
    votes = {d.decision == "exclude" for d in decided.values()}
    if votes == {True}:
        return "excluded"
    if votes == {False}:
        return "included"
    return "conflict"


def _decision_dict(d: Decision) -> dict[str, Any]:
    return {"decision": d.decision, "reason": d.reason, "note": d.note, "at": d.at.isoformat()}


def eligible_records(session: Session, review_id: int, stage: str) -> list[int]:
    """Records that can be screened at ``stage`` (unique; full text needs inclusion first)."""
    _check_stage(stage)
    ids = session.scalars(
        select(Record.id).where(Record.review_id == review_id, Record.duplicate_of_id.is_(None)).order_by(Record.id)
    ).all()
    if stage == "title_abstract":
        return list(ids)
    previous = STAGES[STAGES.index(stage) - 1]
    states = _statuses(session, review_id, previous, ids)
    return [rid for rid in ids if states[rid].status == "included"]


def _statuses(session: Session, review_id: int, stage: str, ids: Iterable[int]) -> dict[int, RecordStatus]:
    ids = list(ids)
    latest = _latest_decisions(session, review_id, stage, ids)
    assigned = _assignments(session, review_id, stage, ids)
    resolved = _resolutions(session, review_id, stage, ids)
    out = {}
    for rid in ids:
        decided = latest.get(rid, {})
        res = resolved.get(rid)
        out[rid] = RecordStatus(
            record_id=rid,
            stage=stage,
            status=_derive(assigned.get(rid, []), decided, res),
            assigned=list(assigned.get(rid, [])),
            decisions={name: _decision_dict(d) for name, d in sorted(decided.items())},
            resolution=None
            if res is None
            else {
                "decision": res.decision,
                "reason": res.reason,
                "note": res.note,
                "resolved_by": res.resolved_by,
                "at": res.at.isoformat(),
            },
        )
    return out


def statuses(review: ReviewHandle, stage: str) -> dict[int, RecordStatus]:
    """Every eligible record's derived status at ``stage``."""
    _check_stage(stage)
    with review.session() as session:
        ids = eligible_records(session, review.review_id, stage)
        return _statuses(session, review.review_id, stage, ids)


# ---------------------------------------------------------------- assignment


def assign(
    review: ReviewHandle,
    stage: str,
    reviewers: Sequence[str],
    *,
    per_record: int = 2,
    mode: str = "balanced",
    fraction: float = 0.0,
    seed: int = 0,
) -> dict[str, int]:
    """Give every not-yet-assigned eligible record to reviewers.

    ``balanced``: each record to ``per_record`` reviewers, rotating through
    every combination so loads and pairs are even (three reviewers, two per
    record: each reads two thirds).  ``all``: everyone screens everything.
    ``single``: one reviewer per record in turn, and a random ``fraction``
    of records also to a second reviewer (to measure agreement).
    Returns the number of records assigned per reviewer.
    """
    _check_stage(stage)
    names = [r.strip() for r in reviewers if r.strip()]
    if len(set(names)) != len(names) or not names:
        raise InvalidInput("give each reviewer once, e.g. ana,ben,chi", field="reviewers")
    if mode not in ASSIGN_MODES:
        raise InvalidInput(f"unknown assignment mode {mode!r}: use {', '.join(ASSIGN_MODES)}")
    if mode == "balanced" and not 1 <= per_record <= len(names):
        raise InvalidInput(
            f"reviewers per record must be between 1 and the number of reviewers ({len(names)}), not {per_record}",
            field="per_record",
        )
    if mode == "single" and not 0.0 <= fraction <= 1.0:
        raise InvalidInput(f"the double-screened fraction must be between 0 and 1, not {fraction}", field="fraction")
    if mode == "single" and fraction > 0 and len(names) < 2:
        raise InvalidInput("double screening a fraction needs at least two reviewers")
    import numpy as np

    rng = np.random.default_rng(seed)
    with review.session() as session:
        done = _assignments(session, review.review_id, stage)
        todo = [rid for rid in eligible_records(session, review.review_id, stage) if rid not in done]
        order = [todo[i] for i in rng.permutation(len(todo))]
        plan: list[tuple[int, list[str]]] = []
        if mode == "all":
            plan = [(rid, list(names)) for rid in order]
        elif mode == "balanced":
            combos = list(combinations(names, per_record))
            offset = int(rng.integers(len(combos)))
            plan = [(rid, list(combos[(i + offset) % len(combos)])) for i, rid in enumerate(order)]
        else:
            second = (
                set(rng.choice(len(order), size=round(fraction * len(order)), replace=False).tolist())
                if order
                else set()
            )
            for i, rid in enumerate(order):
                first = names[i % len(names)]
                who = [first]
                if i in second:
                    who.append(names[(i + 1 + int(rng.integers(len(names) - 1))) % len(names)])
                plan.append((rid, who))
        now = utcnow()
        rows = [
            {
                "review_id": review.review_id,
                "record_id": rid,
                "stage": stage,
                "reviewer": who,
                "assigned_by": review.actor,
                "assigned_at": now,
            }
            for rid, people in sorted(plan)
            for who in people
        ]
        if rows:
            session.execute(Assignment.__table__.insert(), rows)
        counts = {name: 0 for name in names}
        for _, people in plan:
            for person in people:
                counts[person] += 1
        review.log(
            session,
            "screen.assigned",
            stage=stage,
            mode=mode,
            per_record=per_record,
            fraction=fraction,
            seed=seed,
            records=len(plan),
            per_reviewer=counts,
        )
        return counts


def unassigned(review: ReviewHandle, stage: str = "title_abstract") -> int:
    """How many eligible records of a stage no reviewer has been given yet (``assign`` gives
    them out; until a stage has any assignment, every reviewer may screen every record)."""
    _check_stage(stage)
    with review.session() as session:
        done = _assignments(session, review.review_id, stage)
        return sum(1 for rid in eligible_records(session, review.review_id, stage) if rid not in done)


# ---------------------------------------------------------------- decisions


def _record(session: Session, review: ReviewHandle, record_id: int) -> Record:
    record = session.get(Record, record_id)
    if record is None or record.review_id != review.review_id:
        raise NotFound(f"no record {record_id} in this review")
    return record


def _check_can_decide(session: Session, review: ReviewHandle, record_id: int, stage: str, reviewer: str) -> None:
    record = _record(session, review, record_id)
    if record.duplicate_of_id is not None:
        raise InvalidInput(f"record {record_id} is a duplicate of record {record.duplicate_of_id}: screen that one")
    if stage != STAGES[0]:
        previous = STAGES[STAGES.index(stage) - 1]
        state = _statuses(session, review.review_id, previous, [record_id])[record_id]
        if state.status != "included":
            raise InvalidInput(f"record {record_id} has not reached {stage}: it is {state.status} at {previous}")
    any_assigned = session.scalar(
        select(Assignment.id).where(Assignment.review_id == review.review_id, Assignment.stage == stage).limit(1)
    )
    assigned = _assignments(session, review.review_id, stage, [record_id]) if any_assigned else {}
    if any_assigned and reviewer not in assigned.get(record_id, []):
        who = ", ".join(assigned.get(record_id, [])) or "nobody"
        raise InvalidInput(f"record {record_id} is not assigned to {reviewer} at {stage} (assigned: {who})")


def decide(
    review: ReviewHandle,
    record_id: int,
    decision: str,
    *,
    reviewer: str,
    stage: str = "title_abstract",
    reason: str | None = None,
    note: str | None = None,
    at: dt.datetime | None = None,
    idempotency_key: str | None = None,
) -> DecisionOutcome:
    """Record one reviewer's decision (appended; the latest counts).

    With an ``idempotency_key`` (a double-clicked button, a re-sent form),
    the decision is stored once: a second call with the same key by the
    same reviewer stores nothing and returns the first call's answer.
    """
    _check_stage(stage)
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if not reviewer.strip():
        raise InvalidInput("a decision needs a reviewer", field="reviewer")
    if reason is not None:
        criteria = exclusion_criteria(review, stage)
        if criteria and reason not in criteria:
            matches = [k for k, label in criteria.items() if label.lower() == reason.lower()]
            if not matches:
                raise InvalidInput(
                    f"unknown reason {reason!r} for {stage}: the protocol's criteria are " + ", ".join(criteria)
                )
            reason = matches[0]
    try:
        return _decide(
            review,
            record_id,
            decision,
            reviewer=reviewer,
            stage=stage,
            reason=reason,
            note=note,
            at=at,
            idempotency_key=idempotency_key,
        )
    except IntegrityError:
        # A concurrent request with the same key won the race: its answer counts.
        earlier = _remembered(review, reviewer, idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return earlier


def _remembered(review: ReviewHandle, reviewer: str, key: str) -> DecisionOutcome | None:
    with review.session() as session:
        return _remembered_in(session, review, reviewer, key)


def _remembered_in(session: Session, review: ReviewHandle, reviewer: str, key: str) -> DecisionOutcome | None:
    row = session.scalar(
        select(RequestKey.result).where(
            RequestKey.actor == reviewer, RequestKey.key == f"decide:{review.review_id}:{key}"[:100]
        )
    )
    return None if row is None else DecisionOutcome(**row)


def _decide(
    review: ReviewHandle,
    record_id: int,
    decision: str,
    *,
    reviewer: str,
    stage: str,
    reason: str | None,
    note: str | None,
    at: dt.datetime | None,
    idempotency_key: str | None,
) -> DecisionOutcome:
    with review.session(write=True) as session:
        if idempotency_key is not None:  # asked again (a double click, a re-sent form): the first answer
            earlier = _remembered_in(session, review, reviewer, idempotency_key)
            if earlier is not None:
                return earlier
        _check_can_decide(session, review, record_id, stage, reviewer)
        row = Decision(
            review_id=review.review_id,
            record_id=record_id,
            stage=stage,
            reviewer=reviewer,
            decision=decision,
            reason=reason,
            note=note,
            at=at or utcnow(),
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise InvalidInput(f"{reviewer} already decided record {record_id} at {stage} at this instant") from None
        review.log(
            session,
            "screen.decided",
            entity="record",
            entity_id=record_id,
            stage=stage,
            reviewer=reviewer,
            decision=decision,
            reason=reason,
            note=note,
        )
        state = _statuses(session, review.review_id, stage, [record_id])[record_id]
        result = DecisionOutcome(record_id, stage, reviewer, decision, state.status)
        if idempotency_key is not None:
            session.add(
                RequestKey(
                    actor=reviewer, key=f"decide:{review.review_id}:{idempotency_key}"[:100], result=result.to_dict()
                )
            )
            session.flush()  # a concurrent twin fails here (unique key), rolling back its decision
        return result


def retract(review: ReviewHandle, record_id: int, *, reviewer: str, stage: str = "title_abstract") -> None:
    """Withdraw a reviewer's current decision (the undo key); appended like any decision."""
    _check_stage(stage)
    with review.session(write=True) as session:
        latest = _latest_decisions(session, review.review_id, stage, [record_id]).get(record_id, {})
        if reviewer not in latest:
            raise InvalidInput(f"{reviewer} has no decision on record {record_id} at {stage} to undo")
        session.add(
            Decision(
                review_id=review.review_id,
                record_id=record_id,
                stage=stage,
                reviewer=reviewer,
                decision=RETRACTED,
                at=utcnow(),
            )
        )
        review.log(session, "screen.retracted", entity="record", entity_id=record_id, stage=stage, reviewer=reviewer)


def is_blinded(review: ReviewHandle, stage: str) -> bool:
    """Whether the protocol blinds ``stage`` (``blinding: {stage: true}``)."""
    _check_stage(stage)
    setting = review.protocol().get("blinding") or {}
    return isinstance(setting, dict) and bool(setting.get(stage, False))


def blinded_through(review: ReviewHandle, stage: str) -> bool:
    """Whether ``stage`` or an earlier stage is blinded.

    Counts at a stage reveal the decisions of the stages before it: the
    records eligible for full-text screening are the ones included at title
    and abstract.  So while title and abstract screening is blinded, what
    full-text screening holds is withheld as well.
    """
    _check_stage(stage)
    return any(is_blinded(review, s) for s in STAGES[: STAGES.index(stage) + 1])


def set_blinded(review: ReviewHandle, stage: str, blinded: bool) -> None:
    """Blind or unblind a stage: written to the protocol (logged as a new version)."""
    from ..protocol import read_protocol, write_protocol

    _check_stage(stage)
    data = read_protocol(review.protocol_path)
    setting = data.get("blinding") if isinstance(data.get("blinding"), dict) else {}
    data["blinding"] = {**(setting or {}), stage: blinded}
    write_protocol(review.protocol_path, data)
    review.protocol()  # log the new version now, with the acting person


def visible_decisions(
    review: ReviewHandle, record_id: int, *, reviewer: str, stage: str = "title_abstract"
) -> dict[str, dict[str, Any]]:
    """The decisions on a record that ``reviewer`` may see (blinding).

    A reviewer always sees their own.  While the stage is blinded
    (:func:`is_blinded`) that is all; otherwise the others' too, once the
    reviewer has decided the record.
    """
    _check_stage(stage)
    with review.session() as session:
        _record(session, review, record_id)
        latest = _latest_decisions(session, review.review_id, stage, [record_id]).get(record_id, {})
    if reviewer not in latest:
        return {}
    if is_blinded(review, stage):
        return {reviewer: _decision_dict(latest[reviewer])}
    return {name: _decision_dict(d) for name, d in sorted(latest.items())}


def own_decisions(review: ReviewHandle, reviewer: str, stage: str = "title_abstract") -> dict[int, str]:
    """A reviewer's current decision per record at a stage (never anyone else's)."""
    _check_stage(stage)
    with review.session() as session:
        latest = _latest_decisions(session, review.review_id, stage)
    return {rid: row[reviewer].decision for rid, row in latest.items() if reviewer in row}


def conflicts(review: ReviewHandle, stage: str = "title_abstract") -> list[RecordStatus]:
    """Records whose reviewers disagree (include/maybe vs exclude), unresolved."""
    return [s for s in statuses(review, stage).values() if s.status == "conflict"]


def resolve(
    review: ReviewHandle,
    record_id: int,
    decision: str,
    *,
    stage: str = "title_abstract",
    reason: str | None = None,
    note: str | None = None,
) -> ResolutionOutcome:
    """Settle a conflict; the resolver (the acting user) and note are kept."""
    _check_stage(stage)
    if decision not in ("include", "exclude"):
        raise InvalidInput("a resolution is include or exclude")
    with review.session() as session:
        _record(session, review, record_id)
        state = _statuses(session, review.review_id, stage, [record_id])[record_id]
        if state.status != "conflict":
            raise InvalidInput(f"record {record_id} is not a conflict at {stage} (it is {state.status})")
        session.add(
            Resolution(
                review_id=review.review_id,
                record_id=record_id,
                stage=stage,
                decision=decision,
                reason=reason,
                note=note,
                resolved_by=review.actor,
                at=utcnow(),
            )
        )
        review.log(
            session,
            "screen.resolved",
            entity="record",
            entity_id=record_id,
            stage=stage,
            decision=decision,
            reason=reason,
            note=note,
            decisions={k: v["decision"] for k, v in state.decisions.items()},
        )
    return ResolutionOutcome(record_id, stage, "included" if decision == "include" else "excluded")


def progress(review: ReviewHandle, stage: str = "title_abstract") -> ScreeningProgress:
    """Counts for a stage: records by status, and per reviewer assigned / done."""
    _check_stage(stage)
    with review.session() as session:
        ids = eligible_records(session, review.review_id, stage)
        states = _statuses(session, review.review_id, stage, ids)
        assigned = _assignments(session, review.review_id, stage)
        latest = _latest_decisions(session, review.review_id, stage)
    counts = {"eligible": len(ids), "included": 0, "excluded": 0, "conflict": 0, "pending": 0}
    reasons: dict[str, int] = defaultdict(int)
    resolved = 0
    for s in states.values():
        counts[s.status] += 1
        if s.resolution is not None:
            resolved += 1
        if s.status == "excluded" and s.reason:
            reasons[s.reason] += 1
    people: dict[str, dict[str, int]] = defaultdict(lambda: {"assigned": 0, "decided": 0})
    for rid, names in assigned.items():
        if rid not in states:
            continue
        for name in names:
            people[name]["assigned"] += 1
    for rid, decided in latest.items():
        if rid not in states:
            continue
        for name in decided:
            people[name]["decided"] += 1
    return ScreeningProgress(
        stage=stage,
        eligible=counts["eligible"],
        included=counts["included"],
        excluded=counts["excluded"],
        conflict=counts["conflict"],
        pending=counts["pending"],
        resolved=resolved,
        exclusion_reasons=dict(sorted(reasons.items())),
        reviewers={k: ReviewerProgress(**people[k]) for k in sorted(people)},
    )
