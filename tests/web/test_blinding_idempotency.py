"""Blinding as a protocol setting, and idempotent decisions, in the core (both backends)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from realist.identify import import_records
from realist.records import RecordData
from realist.review import ReviewHandle
from realist.screen import decisions as d
from realist.store.models import Decision


def _two_records(review: ReviewHandle) -> list[int]:
    import_records(
        review,
        [
            RecordData(title="Peer outreach and HIV testing", abstract="peers"),
            RecordData(title="Soil nitrogen in maize", abstract="agronomy"),
        ],
        source="search",
        kind="database",
    )
    return sorted(d.statuses(review, "title_abstract"))


def test_blinded_stage_hides_the_other_decision_even_after_deciding(review: ReviewHandle) -> None:
    rid = _two_records(review)[0]
    d.set_blinded(review, "title_abstract", True)
    assert d.is_blinded(review, "title_abstract")
    d.decide(review, rid, "include", reviewer="ana", note="ana's note")
    d.decide(review, rid, "exclude", reviewer="ben")
    assert set(d.visible_decisions(review, rid, reviewer="ben")) == {"ben"}
    d.set_blinded(review, "title_abstract", False)
    shown = d.visible_decisions(review, rid, reviewer="ben")
    assert set(shown) == {"ana", "ben"} and shown["ana"]["note"] == "ana's note"


def test_repeated_idempotency_key_stores_one_decision(review: ReviewHandle) -> None:
    rid = _two_records(review)[0]
    first = d.decide(review, rid, "include", reviewer="ana", idempotency_key="k1")
    again = d.decide(review, rid, "exclude", reviewer="ana", idempotency_key="k1")
    assert again == first
    with review.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Decision).where(Decision.review_id == review.review_id))
            == 1
        )
    d.decide(review, rid, "exclude", reviewer="ana", idempotency_key="k2")
    with review.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Decision).where(Decision.review_id == review.review_id))
            == 2
        )


def test_concurrent_posts_with_one_key_store_one_decision(review: ReviewHandle) -> None:
    rid = _two_records(review)[0]
    results: list[dict[str, object]] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            results.append(d.decide(review, rid, "include", reviewer="ana", idempotency_key="same"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 6 and all(r == results[0] for r in results)
    with review.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Decision).where(Decision.review_id == review.review_id))
            == 1
        )


def test_two_reviewers_deciding_one_record_at_once_both_count(review: ReviewHandle) -> None:
    rid = _two_records(review)[0]
    barrier = threading.Barrier(2)

    def post(name: str) -> None:
        barrier.wait()
        d.decide(review, rid, "include" if name == "ana" else "exclude", reviewer=name)

    threads = [threading.Thread(target=post, args=(n,)) for n in ("ana", "ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = d.statuses(review, "title_abstract")[rid]
    assert set(state.decisions) == {"ana", "ben"} and state.status == "conflict"
