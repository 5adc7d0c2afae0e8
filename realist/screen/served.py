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

import threading
import weakref
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..protocol import STAGES
from ..review import ReviewHandle
from ..store.models import Assignment, Decision, Record, StoredRanking, utcnow
from .decisions import RETRACTED, _assignments, _check_stage, _latest_decisions, _statuses, eligible_records
from .queue import next_records

__all__ = [
    "REFIT_EVERY",
    "ServedRecord",
    "next_record",
    "refit",
    "store_ranking",
    "decision_count",
    "reviewer_progress",
]

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
    store_ranking(review, reviewer, stage, order, seen)
    return order


def store_ranking(review: ReviewHandle, reviewer: str, stage: str, order: list[int], seen: int) -> None:
    """Store ``order`` as the reviewer's ranking, computed when they had ``seen`` decision rows
    (kept unless a concurrent refit stored one that saw more)."""
    _check_stage(stage)
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
                    row.version = StoredRanking.version + 1
            break
        except IntegrityError:
            continue


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


def _decided_by(rows: Sequence[Any]) -> dict[int, set[str]]:
    """record id -> the reviewers whose latest decision on it stands (not withdrawn), from
    (record_id, reviewer, decision) rows in the order they were made (at, then id): the rule
    of :func:`realist.screen.decisions._latest_decisions` without loading the rows as objects."""
    out: dict[int, set[str]] = {}
    for record_id, reviewer, decision in rows:
        if reviewer is None:  # a record with no decision (outer join)
            continue
        who = out.setdefault(record_id, set())
        if decision == RETRACTED:
            who.discard(reviewer)
        else:
            who.add(reviewer)
    return out


def _to_do_among(
    session: Session, review_id: int, reviewer: str, stage: str, ids: list[int], assignment_mode: bool
) -> list[int]:
    """Of ``ids`` (order kept), those the reviewer still has to screen at ``stage``: the
    same rule as :func:`_todo`, asked of a few records instead of the whole review.

    One query reads which of them are unique records together with their decisions
    at the stage (plain rows, no objects); one more reads assignments when records
    are assigned.
    """
    rows = session.execute(
        select(Record.id, Decision.reviewer, Decision.decision)
        .outerjoin(
            Decision,
            (Decision.record_id == Record.id) & (Decision.review_id == review_id) & (Decision.stage == stage),
        )
        .where(Record.review_id == review_id, Record.duplicate_of_id.is_(None), Record.id.in_(ids))
        .order_by(Decision.at, Decision.id)
    ).all()
    unique = {row[0] for row in rows}
    ok = [r for r in ids if r in unique]
    if stage != STAGES[0]:
        states = _statuses(session, review_id, STAGES[STAGES.index(stage) - 1], ok)
        ok = [r for r in ok if states[r].status == "included"]
    decided = _decided_by(rows)
    if assignment_mode:
        assigned = _assignments(session, review_id, stage, ok)
        return [r for r in ok if reviewer in assigned.get(r, []) and reviewer not in decided.get(r, ())]
    return [r for r in ok if not decided.get(r)]


def _remaining(session: Session, review_id: int, reviewer: str, stage: str, assignment_mode: bool) -> int:
    """How many records the reviewer still has to screen, counted by the database.

    A record is decided when the latest decision row of some reviewer on it
    (of this reviewer, when records are assigned) is not a withdrawal — the
    rule of :func:`realist.screen.decisions._latest_decisions`.  At full
    text, where eligibility depends on the stage before, the records are
    listed instead (that stage holds few records).
    """
    if stage != STAGES[0]:
        with_ids = eligible_records(session, review_id, stage)
        return len(_to_do_among(session, review_id, reviewer, stage, with_ids, assignment_mode)) if with_ids else 0
    if assignment_mode:
        return _remaining_assigned(session, review_id, reviewer, stage)
    return _remaining_shared(session, review_id, stage)


def _remaining_assigned(session: Session, review_id: int, reviewer: str, stage: str) -> int:
    """Records assigned to the reviewer, unique, whose latest decision by them is not standing."""
    latest = select(
        Decision.record_id.label("record_id"),
        Decision.decision.label("decision"),
        func.row_number()
        .over(partition_by=(Decision.record_id,), order_by=(Decision.at.desc(), Decision.id.desc()))
        .label("rn"),
    ).where(Decision.review_id == review_id, Decision.stage == stage, Decision.reviewer == reviewer)
    ranked = latest.subquery()
    decided = select(ranked.c.record_id).where(ranked.c.rn == 1, ranked.c.decision != RETRACTED)
    return session.scalar(_assigned_unique(review_id, reviewer, stage, Assignment.record_id.not_in(decided))) or 0


def _assigned_unique(review_id: int, reviewer: str, stage: str, *where: Any) -> Any:
    """The count of unique records assigned to ``reviewer`` at ``stage`` (and meeting ``where``)."""
    return (
        select(func.count(func.distinct(Assignment.record_id)))
        .join(Record, Record.id == Assignment.record_id)
        .where(
            Assignment.review_id == review_id,
            Assignment.stage == stage,
            Assignment.reviewer == reviewer,
            Record.duplicate_of_id.is_(None),
            *where,
        )
    )


def _remaining_shared(session: Session, review_id: int, stage: str) -> int:
    """Unique records on which no reviewer's latest decision stands (records not assigned):
    unique records, less those with some standing decision."""
    unique = session.scalar(select(_unique_count(review_id))) or 0
    return max(0, int(unique) - _standing_count(session, review_id, stage))


def _unique_count(review_id: int) -> Any:
    return (
        select(func.count())
        .select_from(Record)
        .where(Record.review_id == review_id, Record.duplicate_of_id.is_(None))
        .scalar_subquery()
    )


def _standing_count(session: Session, review_id: int, stage: str, reviewer: str | None = None) -> int:
    """How many unique records have a standing decision at ``stage`` (by ``reviewer``, or
    by anyone): the records with any decision that is not a withdrawal, less the few that
    had one withdrawn and now have none standing (only those records' decisions are read).
    Every count runs on an index, with no pass over every record joined to every decision."""
    duplicates = select(Record.id).where(Record.review_id == review_id, Record.duplicate_of_id.is_not(None))
    of_stage = (Decision.review_id == review_id) & (Decision.stage == stage)
    if reviewer is not None:
        of_stage = of_stage & (Decision.reviewer == reviewer)
    decided = (
        session.scalar(
            select(func.count(func.distinct(Decision.record_id))).where(
                of_stage, Decision.decision != RETRACTED, Decision.record_id.not_in(duplicates)
            )
        )
        or 0
    )
    withdrawn = select(Decision.record_id).where(of_stage, Decision.decision == RETRACTED)
    rows = session.execute(
        select(Decision.record_id, Decision.reviewer, Decision.decision)
        .where(of_stage, Decision.record_id.in_(withdrawn), Decision.record_id.not_in(duplicates))
        .order_by(Decision.at, Decision.id)
    ).all()
    if rows:
        standing = _decided_by(rows)
        counted = {record_id for record_id, _, decision in rows if decision != RETRACTED}
        decided -= sum(1 for record_id in counted if not standing.get(record_id))
    return int(decided)


def reviewer_progress(review: ReviewHandle, reviewer: str, stage: str = "title_abstract") -> tuple[int, int, int]:
    """(records eligible at ``stage``, of them assigned to ``reviewer``, of them on which the
    reviewer's decision stands): the screening page's counts, the same as
    :func:`realist.screen.decisions.progress` gives for one reviewer, counted by the
    database instead of deriving every record's status."""
    _check_stage(stage)
    if stage != STAGES[0]:  # eligibility depends on the stage before: few records, derived
        from .decisions import progress

        whole = progress(review, stage)
        mine = whole.reviewers.get(reviewer)
        return whole.eligible, mine.assigned if mine else 0, mine.decided if mine else 0
    review_id = review.review_id
    with review.session() as session:
        assigned = _assigned_unique(review_id, reviewer, stage).scalar_subquery()
        eligible, mine = session.execute(select(_unique_count(review_id), assigned)).one()
        decided = _standing_count(session, review_id, stage, reviewer)
    return int(eligible or 0), int(mine or 0), decided


# ---------------------------------------------------------------- stored orders, kept per process

# An order is read from the database (a JSON array: 50,000 ids for 50,000 records) only when
# the ranking row changed; otherwise this process's copy is used.  The copy is keyed by the
# engine (one store), review, stage and reviewer, and valid while the row's id, ``version``
# (raised on every store, by any process), ``decisions_seen`` and ``computed_at`` are the
# ones it was read with: one small query per request tells.  Nothing lives only here.
_Key = tuple[int, str, str]
_Stamp = tuple[int, int, int, Any]
_ORDERS: weakref.WeakKeyDictionary[Engine, dict[_Key, tuple[_Stamp, array[int]]]] = weakref.WeakKeyDictionary()
_ORDERS_LOCK = threading.Lock()
_ORDERS_KEPT = 128  # orders kept per store, the oldest read dropped first (at 50,000 records, 200 kB each)


def _cached_order(engine: Engine, key: _Key, stamp: _Stamp) -> array[int] | None:
    with _ORDERS_LOCK:
        found = _ORDERS.get(engine, {}).get(key)
    return found[1] if found is not None and found[0] == stamp else None


def _keep_order(engine: Engine, key: _Key, stamp: _Stamp, order: array[int]) -> None:
    with _ORDERS_LOCK:
        kept = _ORDERS.setdefault(engine, {})
        kept.pop(key, None)
        kept[key] = (stamp, order)
        while len(kept) > _ORDERS_KEPT:
            kept.pop(next(iter(kept)))


@dataclass(frozen=True)
class _State:
    order: array[int] | None  # None: no stored order
    seen: int
    decided_rows: int
    assignment_mode: bool


def _state(review: ReviewHandle, session: Session, reviewer: str, stage: str) -> _State:
    """The reviewer's stored order (this process's copy when still current), how many
    decision rows they had when it was computed and have now, and whether records are
    assigned at the stage: one query, plus one more to read the order when it changed."""
    review_id = review.review_id
    decided_rows = (
        select(func.count())
        .select_from(Decision)
        .where(Decision.review_id == review_id, Decision.stage == stage, Decision.reviewer == reviewer)
        .scalar_subquery()
    )
    assigned = exists().where(Assignment.review_id == review_id, Assignment.stage == stage)
    this = (
        (StoredRanking.review_id == review_id) & (StoredRanking.stage == stage) & (StoredRanking.reviewer == reviewer)
    )
    row = session.execute(
        select(
            StoredRanking.id,
            StoredRanking.version,
            StoredRanking.decisions_seen,
            StoredRanking.computed_at,
            decided_rows,
            assigned,
        ).where(this)
    ).first()
    if row is None:
        count, mode = session.execute(select(decided_rows, assigned)).one()
        return _State(None, 0, int(count or 0), bool(mode))
    ranking_id, version, seen, computed_at, count, mode = row
    key: _Key = (review_id, stage, reviewer)
    stamp: _Stamp = (ranking_id, version, seen, computed_at)
    order = _cached_order(review.engine, key, stamp)
    if order is None:
        ids = session.scalar(select(StoredRanking.record_ids).where(StoredRanking.id == ranking_id)) or []
        try:
            order = array("i", ids)  # 4 bytes an id (the schema's integer ids)
        except OverflowError:  # an SQLite rowid past 2**31
            order = array("q", ids)
        _keep_order(review.engine, key, stamp, order)
    return _State(order, int(seen), int(count or 0), bool(mode))


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

    One transaction of a few small queries however large the review: the
    order is read only when it changed since this process last read it; it is
    walked from its head a batch at a time (nearly always one batch); the
    records left are counted by the database (the whole review is listed only
    when the order holds nothing left to screen).
    """
    _check_stage(stage)
    with review.session() as session:
        state = _state(review, session, reviewer, stage)
        compute_now = state.order is None and compute_if_missing
        if not compute_now:
            mode = state.assignment_mode
            remaining = _remaining(session, review.review_id, reviewer, stage, mode)
            first = _first_to_do(session, review.review_id, reviewer, stage, state.order, skip, mode, remaining)
    if compute_now:
        refit(review, reviewer, stage)
        return next_record(review, reviewer, stage, skip=skip, compute_if_missing=False)
    seen = state.seen if state.order is not None else -REFIT_EVERY
    staleness = max(0, state.decided_rows - seen)
    if first is None and remaining:  # only records the order does not know are left
        first = next((r for r in _todo(review, reviewer, stage) if r not in skip), None)
    return ServedRecord(first, remaining, staleness, staleness >= REFIT_EVERY)


def _first_to_do(
    session: Session,
    review_id: int,
    reviewer: str,
    stage: str,
    order: array[int] | None,
    skip: frozenset[int],
    mode: bool,
    remaining: int,
) -> int | None:
    if not remaining or not order:
        return None
    candidates: Sequence[int] = [r for r in order if r not in skip] if skip else order
    for start in range(0, len(candidates), _BATCH):
        found = _to_do_among(session, review_id, reviewer, stage, list(candidates[start : start + _BATCH]), mode)
        if found:
            return found[0]
    return None
