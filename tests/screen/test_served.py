"""The next record served from a stored ranking agrees with the whole-review rule.

:func:`realist.screen.served.next_record` walks the stored order a batch at a
time and counts what is left in SQL; :func:`realist.screen.served._todo`
lists the whole review.  Both must give the same answer, with duplicates,
withdrawn decisions, other reviewers' decisions and assignments in play.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import update

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
        return list(session.scalars(Record.__table__.select().with_only_columns(Record.id).order_by(Record.id)))


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
