"""The next record for a reviewer, served from a stored ranking.

Fitting the active learner takes time on a large review, so the web app
does not fit on every request: :func:`refit` computes a reviewer's order
with :func:`realist.screen.queue.next_records` and stores it in the
database (table ``ranking``), where every worker process finds it.
:func:`next_record` answers from the stored order, skipping what the
reviewer has decided since, and says when the order has become stale
(``REFIT_EVERY`` decisions or more since it was computed), so the caller
can queue a refit (a background job in the web app) while it keeps serving.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..protocol import STAGES
from ..review import ReviewHandle
from ..store.models import Assignment, Decision, Record, StoredRanking, utcnow
from .decisions import RETRACTED, _assignments, _check_stage, _latest_decisions, _statuses, eligible_records
from .queue import next_records

__all__ = ["REFIT_EVERY", "ServedRecord", "next_record", "refit", "decision_count"]

REFIT_EVERY = 5
# Records of the stored order checked per query while looking for the next one.
_BATCH = 100


@dataclass(frozen=True)
class ServedRecord:
    """What to screen next (None when nothing is left), and how stale the order is."""

    record_id: int | None
    remaining: int
    staleness: int  # decisions made by the reviewer since the order was computed
    stale: bool


def decision_count(review: ReviewHandle, reviewer: str, stage: str) -> int:
    """How many decision rows (undos included) the reviewer has at a stage."""
    with review.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Decision)
                .where(Decision.review_id == review.review_id, Decision.stage == stage, Decision.reviewer == reviewer)
            )
            or 0
        )


def refit(
    review: ReviewHandle, reviewer: str, stage: str = "title_abstract", *, ranker_cache: dict[str, Any] | None = None
) -> list[int]:
    """Compute and store the reviewer's screening order; returns it.

    ``ranker_cache``: a dict kept by the caller between refits of one review
    and stage, for every reviewer (see :func:`realist.screen.queue.next_records`):
    the features are then built once, not on every refit.
    """
    _check_stage(stage)
    seen = decision_count(review, reviewer, stage)
    order = next_records(review, reviewer, stage=stage, limit=None, ranker_cache=ranker_cache)
    for _ in range(2):  # a concurrent refit may insert the row first
        try:
            with review.session(write=True) as session:
                row = session.scalar(
                    select(StoredRanking).where(
                        StoredRanking.review_id == review.review_id,
                        StoredRanking.stage == stage,
                        StoredRanking.reviewer == reviewer,
                    )
                )
                if row is None:
                    session.add(
                        StoredRanking(
                            review_id=review.review_id,
                            stage=stage,
                            reviewer=reviewer,
                            record_ids=order,
                            decisions_seen=seen,
                            computed_at=utcnow(),
                        )
                    )
                elif row.decisions_seen <= seen:
                    row.record_ids = order
                    row.decisions_seen = seen
                    row.computed_at = utcnow()
            break
        except IntegrityError:
            continue
    return order


def _todo(review: ReviewHandle, reviewer: str, stage: str) -> list[int]:
    with review.session() as session:
        ids = eligible_records(session, review.review_id, stage)
        assigned = _assignments(session, review.review_id, stage)
        latest = _latest_decisions(session, review.review_id, stage)
    if assigned:
        return [r for r in ids if reviewer in assigned.get(r, []) and reviewer not in latest.get(r, {})]
    return [r for r in ids if not latest.get(r)]


def _assignment_mode(session: Session, review_id: int, stage: str) -> bool:
    """Whether records are assigned at this stage (then each reviewer screens only theirs)."""
    return (
        session.scalar(
            select(Assignment.id).where(Assignment.review_id == review_id, Assignment.stage == stage).limit(1)
        )
        is not None
    )


def _to_do_among(
    session: Session, review_id: int, reviewer: str, stage: str, ids: list[int], assignment_mode: bool
) -> list[int]:
    """Of ``ids`` (order kept), those the reviewer still has to screen at ``stage``: the
    same rule as :func:`_todo`, asked of a few records instead of the whole review."""
    unique = set(
        session.scalars(
            select(Record.id).where(Record.review_id == review_id, Record.duplicate_of_id.is_(None), Record.id.in_(ids))
        )
    )
    ok = [r for r in ids if r in unique]
    if stage != STAGES[0]:
        states = _statuses(session, review_id, STAGES[STAGES.index(stage) - 1], ok)
        ok = [r for r in ok if states[r].status == "included"]
    latest = _latest_decisions(session, review_id, stage, ok)
    if assignment_mode:
        assigned = _assignments(session, review_id, stage, ok)
        return [r for r in ok if reviewer in assigned.get(r, []) and reviewer not in latest.get(r, {})]
    return [r for r in ok if not latest.get(r)]


def _remaining(session: Session, review_id: int, reviewer: str, stage: str, assignment_mode: bool) -> int:
    """How many records the reviewer still has to screen, counted by the database.

    A record is decided when the latest decision row of some reviewer on it
    (of this reviewer, when records are assigned) is not a withdrawal — the
    rule of :func:`realist.screen.decisions._latest_decisions`, as a window
    query.  At full text, where eligibility depends on the stage before, the
    records are listed instead (that stage holds few records).
    """
    if stage != STAGES[0]:
        with_ids = eligible_records(session, review_id, stage)
        return len(_to_do_among(session, review_id, reviewer, stage, with_ids, assignment_mode)) if with_ids else 0
    latest = select(
        Decision.record_id.label("record_id"),
        Decision.decision.label("decision"),
        func.row_number()
        .over(partition_by=(Decision.record_id, Decision.reviewer), order_by=(Decision.at.desc(), Decision.id.desc()))
        .label("rn"),
    ).where(Decision.review_id == review_id, Decision.stage == stage)
    if assignment_mode:
        latest = latest.where(Decision.reviewer == reviewer)
    ranked = latest.subquery()
    decided = select(ranked.c.record_id).where(ranked.c.rn == 1, ranked.c.decision != RETRACTED)
    if assignment_mode:
        query = (
            select(func.count(func.distinct(Assignment.record_id)))
            .join(Record, Record.id == Assignment.record_id)
            .where(
                Assignment.review_id == review_id,
                Assignment.stage == stage,
                Assignment.reviewer == reviewer,
                Record.duplicate_of_id.is_(None),
                Assignment.record_id.not_in(decided),
            )
        )
    else:
        query = (
            select(func.count())
            .select_from(Record)
            .where(Record.review_id == review_id, Record.duplicate_of_id.is_(None), Record.id.not_in(decided))
        )
    return session.scalar(query) or 0


def next_record(
    review: ReviewHandle,
    reviewer: str,
    stage: str = "title_abstract",
    *,
    skip: frozenset[int] = frozenset(),
    compute_if_missing: bool = True,
) -> ServedRecord:
    """The reviewer's next record from the stored order.

    With no stored order yet, one is computed now, or (``compute_if_missing=False``,
    the web app, which queues a refit job instead) records are served in id
    order and the answer says it is stale.  Records the order does not know
    (imported since, or undone) come after the ranked ones, in id order.

    The stored order is walked from its head a batch at a time, and the
    records left are counted by the database, so one answer costs a few small
    queries however large the review (the whole review is listed only when
    the order holds nothing left to screen).
    """
    _check_stage(stage)
    with review.session() as session:
        row = session.scalar(
            select(StoredRanking).where(
                StoredRanking.review_id == review.review_id,
                StoredRanking.stage == stage,
                StoredRanking.reviewer == reviewer,
            )
        )
        stored = None if row is None else (list(row.record_ids), row.decisions_seen)
    if stored is None and compute_if_missing:
        order, seen = refit(review, reviewer, stage), decision_count(review, reviewer, stage)
    elif stored is None:
        order, seen = [], -REFIT_EVERY
    else:
        order, seen = stored
    staleness = max(0, decision_count(review, reviewer, stage) - seen)
    first: int | None = None
    with review.session() as session:
        mode = _assignment_mode(session, review.review_id, stage)
        remaining = _remaining(session, review.review_id, reviewer, stage, mode)
        if remaining:
            candidates = [r for r in order if r not in skip] if skip else order
            for start in range(0, len(candidates), _BATCH):
                found = _to_do_among(
                    session, review.review_id, reviewer, stage, candidates[start : start + _BATCH], mode
                )
                if found:
                    first = found[0]
                    break
    if first is None and remaining:  # only records the order does not know are left
        first = next((r for r in _todo(review, reviewer, stage) if r not in skip), None)
    return ServedRecord(first, remaining, staleness, staleness >= REFIT_EVERY)
