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

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..review import ReviewHandle
from ..store.models import Decision, StoredRanking, utcnow
from .decisions import _assignments, _check_stage, _latest_decisions, eligible_records
from .queue import next_records

__all__ = ["REFIT_EVERY", "ServedRecord", "next_record", "refit", "decision_count"]

REFIT_EVERY = 5


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


def refit(review: ReviewHandle, reviewer: str, stage: str = "title_abstract") -> list[int]:
    """Compute and store the reviewer's screening order; returns it."""
    _check_stage(stage)
    seen = decision_count(review, reviewer, stage)
    order = next_records(review, reviewer, stage=stage, limit=None)
    for _ in range(2):  # a concurrent refit may insert the row first
        try:
            with review.session() as session:
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
    todo = _todo(review, reviewer, stage)
    if stored is None and compute_if_missing:
        order, seen = refit(review, reviewer, stage), decision_count(review, reviewer, stage)
    elif stored is None:
        order, seen = [], -REFIT_EVERY
    else:
        order, seen = stored
    staleness = max(0, decision_count(review, reviewer, stage) - seen)
    wanted = set(todo) - skip
    ranked = [r for r in order if r in wanted]
    if len(ranked) < len(wanted):
        known = set(ranked)
        ranked += [r for r in todo if r in wanted and r not in known]
    return ServedRecord(ranked[0] if ranked else None, len(todo), staleness, staleness >= REFIT_EVERY)
