"""Enrichment: empty fields filled from OpenAlex, changes logged, raw untouched."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from realist.identify import import_records
from realist.network import OfflineWorks, OnlineWorks, OpenAlexClient, enrich
from realist.records import RecordData
from realist.review import ReviewHandle
from realist.store.models import Event, Record


def _import(review: ReviewHandle) -> None:
    import_records(
        review,
        [
            RecordData(raw={"TI": "Peer navigation"}, title="Peer navigation", pmid="111"),
            RecordData(
                raw={"TI": "Needle exchange"}, title="Needle exchange", doi="10.1000/b", abstract="Our own abstract."
            ),
            RecordData(raw={"TI": "Unknown"}, title="Unknown", doi="10.9999/none"),
            RecordData(raw={"TI": "No id"}, title="No identifier at all"),
        ],
        source="MEDLINE",
    )


def test_enrich_fills_missing_fields_and_logs_old_and_new(review: ReviewHandle, client: OpenAlexClient) -> None:
    _import(review)
    result = enrich(review, OnlineWorks(client))
    assert (result.candidates, result.not_found, result.records_changed) == (3, 1, 2)
    with review.session() as s:
        recs = {r.title: r for r in s.scalars(select(Record).where(Record.review_id == review.review_id))}
        peer = recs["Peer navigation"]
        assert peer.doi == "10.1000/seed" and peer.openalex_id == "W100"
        assert peer.referenced_works == ["W101", "W102", "W199"]
        assert peer.abstract == "Peer navigators supported people who inject drugs"
        assert peer.raw == {"TI": "Peer navigation"}
        assert recs["Needle exchange"].abstract == "Our own abstract."  # filled fields are kept
        events = s.scalars(
            select(Event)
            .where(Event.action == "record.enriched", Event.review_id == review.review_id)
            .order_by(Event.id)
        ).all()
        assert events[0].entity_id == peer.id
        assert events[0].payload["changes"]["doi"] == {"old": None, "new": "10.1000/seed"}
        assert events[0].payload["changes"]["referenced_works"]["old"] == []


def test_enrich_dry_run_changes_nothing(review: ReviewHandle, works_file: Path) -> None:
    _import(review)
    result = enrich(review, OfflineWorks.from_paths([works_file]), dry_run=True)
    assert result.records_changed == 2
    with review.session() as s:
        assert (
            s.scalar(select(Record.doi).where(Record.title == "Peer navigation", Record.review_id == review.review_id))
            is None
        )
        assert not s.scalars(
            select(Event).where(Event.action == "record.enriched", Event.review_id == review.review_id)
        ).all()


def test_enrich_only_the_fields_asked(review: ReviewHandle, works_file: Path) -> None:
    _import(review)
    result = enrich(review, OfflineWorks.from_paths([works_file]), fields=("referenced_works",))
    assert result.filled == {"referenced_works": 2}
