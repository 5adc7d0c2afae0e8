"""The next record served from a stored ranking agrees with the whole-review rule.

:func:`realist.screen.served.next_record` walks the stored order a batch at a
time and counts what is left in SQL; :func:`realist.screen.served._todo`
lists the whole review.  Both must give the same answer, with duplicates,
withdrawn decisions, other reviewers' decisions and assignments in play.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select, update

from realist.errors import RealistError
from realist.identify import import_records
from realist.records import RecordData
from realist.review import ReviewHandle
from realist.screen import decisions as d
from realist.screen.served import _todo, next_record
from realist.store.models import Record, StoredRanking


def _records(review: ReviewHandle, n: int) -> list[int]:
    import_records(
        review, [RecordData(title=f"Peer outreach study {i}", year=2000 + i % 20) for i in range(n)], source="test"
    )
    with review.session() as session:
        return list(session.scalars(select(Record.id).where(Record.review_id == review.review_id).order_by(Record.id)))


def _store_order(review: ReviewHandle, reviewer: str, order: list[int]) -> None:
    with review.session() as session:
        session.add(
            StoredRanking(
                review_id=review.review_id,
                stage="title_abstract",
                reviewer=reviewer,
                record_ids=order,
                decisions_seen=0,
            )
        )


def _expected(review: ReviewHandle, reviewer: str, order: list[int]) -> tuple[int | None, int]:
    todo = _todo(review, reviewer, "title_abstract")
    left = set(todo)
    ranked = [r for r in order if r in left] + [r for r in todo if r not in set(order)]
    return (ranked[0] if ranked else None), len(todo)


@pytest.mark.parametrize("assigned", [False, True], ids=["open", "assigned"])
def test_next_record_matches_the_whole_review_rule_as_screening_goes_on(review: ReviewHandle, assigned: bool) -> None:
    ids = _records(review, 260)  # more than two batches
    rng = random.Random(7)
    with review.session() as session:  # a few duplicates, which are not screened
        for dup in rng.sample(ids[1:], 15):
            session.execute(update(Record).where(Record.id == dup).values(duplicate_of_id=ids[0]))
    if assigned:
        d.assign(review, "title_abstract", ["ana", "ben"], per_record=1)
    order = ids[::-1][:200]  # the stored order knows only some records: the rest come after, in id order
    _store_order(review, "ana", order)
    for step in range(120):
        record, remaining = _expected(review, "ana", order)
        served = next_record(review, "ana", compute_if_missing=False)
        assert (served.record_id, served.remaining) == (record, remaining), f"step {step}"
        if record is None:
            break
        who = "ana" if step % 3 else "ben"
        target = record if who == "ana" else rng.choice(ids)
        try:
            d.decide(review, target, rng.choice(["include", "exclude", "maybe"]), reviewer=who)
        except RealistError:  # ben may not be assigned that record, or it is a duplicate
            continue
        if step % 7 == 0:
            d.retract(review, target, reviewer=who)


def test_an_order_stored_by_another_process_is_served_at_once(review: ReviewHandle) -> None:
    """This process keeps a copy of a stored order; a refit stored through another
    connection (another app process, a job consumer) is seen on the next request."""
    from realist.review import open_review
    from realist.screen.served import store_ranking

    ids = _records(review, 30)
    store_ranking(review, "ana", "title_abstract", ids, 0)
    assert next_record(review, "ana", compute_if_missing=False).record_id == ids[0]  # this process keeps the order
    with open_review(review.path, database_url=review.engine.url.render_as_string(hide_password=False)) as other:
        assert other.engine is not review.engine
        store_ranking(other, "ana", "title_abstract", ids[::-1], 0)
    assert next_record(review, "ana", compute_if_missing=False).record_id == ids[-1]
    with open_review(review.path, database_url=review.engine.url.render_as_string(hide_password=False)) as other:
        with other.session() as session:  # the row replaced outright: a new row, version 1 again
            session.execute(
                StoredRanking.__table__.delete().where(
                    StoredRanking.review_id == review.review_id, StoredRanking.reviewer == "ana"
                )
            )
        store_ranking(other, "ana", "title_abstract", ids[5:], 0)
    assert next_record(review, "ana", compute_if_missing=False).record_id == ids[5]


def test_staleness_counts_the_reviewers_decisions_since_the_order_was_stored(review: ReviewHandle) -> None:
    from realist.screen.served import REFIT_EVERY, store_ranking

    ids = _records(review, 20)
    store_ranking(review, "ana", "title_abstract", ids, 0)
    for i, record in enumerate(ids[:REFIT_EVERY]):
        d.decide(review, record, "exclude", reviewer="ana")
        d.decide(review, ids[-1 - i], "include", reviewer="ben")  # another reviewer's decisions do not count
        served = next_record(review, "ana", compute_if_missing=False)
        assert (served.staleness, served.stale) == (i + 1, i + 1 >= REFIT_EVERY)
    store_ranking(review, "ana", "title_abstract", ids[REFIT_EVERY:], REFIT_EVERY)
    served = next_record(review, "ana", compute_if_missing=False)
    assert (served.record_id, served.staleness, served.stale) == (ids[REFIT_EVERY], 0, False)
    assert served.remaining == 20 - 2 * REFIT_EVERY


@pytest.mark.parametrize("assigned", [False, True], ids=["open", "assigned"])
def test_reviewer_progress_counts_as_the_whole_stage_progress_does(review: ReviewHandle, assigned: bool) -> None:
    from realist.screen.served import reviewer_progress

    ids = _records(review, 60)
    rng = random.Random(3)
    for dup in ids[50:55]:  # duplicates decided before they were merged count for nobody
        d.decide(review, dup, "exclude", reviewer="ana")
    with review.session() as session:
        for dup in ids[50:55]:
            session.execute(update(Record).where(Record.id == dup).values(duplicate_of_id=ids[0]))
    if assigned:
        d.assign(review, "title_abstract", ["ana", "ben"], per_record=1)
    for step in range(80):
        who = rng.choice(["ana", "ben"])
        target = rng.choice(ids)
        try:
            d.decide(review, target, rng.choice(["include", "exclude", "maybe"]), reviewer=who)
            if step % 5 == 0:
                d.retract(review, target, reviewer=who)
        except RealistError:
            continue
        if step % 10 == 0:
            whole = d.progress(review, "title_abstract")
            for name in ("ana", "ben"):
                mine = whole.reviewers.get(name)
                expected = (whole.eligible, mine.assigned if mine else 0, mine.decided if mine else 0)
                assert reviewer_progress(review, name) == expected, f"step {step}, {name}"
