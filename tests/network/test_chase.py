"""Citation chasing, offline from saved JSON and online through the fake API."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from realist.errors import NotFound
from realist.identify import import_records
from realist.network import (
    NothingFound,
    OfflineWorks,
    OnlineWorks,
    OpenAlexClient,
    OpenAlexUnavailable,
    chase,
    identification_counts,
    record_provenance,
)
from realist.records import RecordData
from realist.review import ReviewHandle
from realist.store.models import CitationLink, Event, Record, Source


def _counts(review: ReviewHandle) -> tuple[int, int, int, int]:
    with review.session() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
            for m in (Source, Record, CitationLink, Event)
        )


def _seed_record(review: ReviewHandle) -> int:
    import_records(
        review,
        [RecordData(title="Peer navigation for people who inject drugs", year=2015, doi="10.1000/seed")],
        source="MEDLINE",
    )
    with review.session() as s:
        return s.scalar(select(Record.id).where(Record.doi == "10.1000/seed", Record.review_id == review.review_id))  # type: ignore[return-value]


def test_backward_chase_from_saved_json_adds_records_with_provenance(review: ReviewHandle, works_file: Path) -> None:
    seed_id = _seed_record(review)
    result = chase(review, "backward", OfflineWorks.from_paths([works_file]), seeds=[str(seed_id)])
    assert (result.found, result.by_direction["backward"]) == (2, 2)
    assert result.unresolved == ["W199"] and "1 referenced work(s) could not be retrieved" in result.warnings
    with review.session() as s:
        src = s.get(Source, result.source_id)
        assert src is not None and src.kind == "citation" and src.record_count == 2
        assert src.details["direction"] == "backward" and src.details["seeds"][0]["record_id"] == seed_id
        assert src.details["via"] == "saved_openalex_json"
        found = s.scalars(select(Record).where(Record.source_id == src.id).order_by(Record.position)).all()
        assert [r.openalex_id for r in found] == ["W101", "W102"]
        links = s.scalars(
            select(CitationLink).where(CitationLink.review_id == review.review_id).order_by(CitationLink.id)
        ).all()
        assert {(lk.record_id, lk.seed_record_id, lk.seed_openalex_id, lk.direction, lk.depth) for lk in links} == {
            (found[0].id, seed_id, "W100", "backward", 1),
            (found[1].id, seed_id, "W100", "backward", 1),
        }
    text = record_provenance(review, found[0].id)[0]["text"]
    assert text == f"from the reference list of record {seed_id} (Peer navigation for people who inject drugs)"


def test_prisma_counts_show_chased_records_under_other_methods(review: ReviewHandle, works_file: Path) -> None:
    _seed_record(review)
    chase(review, "both", OfflineWorks.from_paths([works_file]), seeds=["10.1000/seed"])
    counts = identification_counts(review)
    assert counts["databases"] == 1
    assert counts["other_methods"] == {"citation": 4} and counts["other_methods_total"] == 4


def test_forward_chase_credits_each_citing_work_to_its_seeds(review: ReviewHandle, works_file: Path) -> None:
    result = chase(review, "forward", OfflineWorks.from_paths([works_file]), seeds=["W100", "W102"], dedup=False)
    assert result.found == 3  # W100 itself cites W102: seeds can find each other
    with review.session() as s:
        rows = s.execute(
            select(Record.openalex_id, CitationLink.seed_openalex_id)
            .join(CitationLink, CitationLink.record_id == Record.id)
            .where(Record.review_id == review.review_id)
            .order_by(Record.openalex_id, CitationLink.seed_openalex_id)
        ).all()
    assert [tuple(r) for r in rows] == [("W100", "W102"), ("W103", "W100"), ("W104", "W100"), ("W104", "W102")]


def test_chase_deduplicates_against_the_review(review: ReviewHandle, works_file: Path) -> None:
    import_records(
        review,
        [
            RecordData(
                title="Community health workers in HIV care", year=2005, doi="10.1000/a", authors=["Ayon, Sylvia"]
            )
        ],
        source="Embase",
    )
    result = chase(review, "backward", OfflineWorks.from_paths([works_file]), seeds=["10.1000/seed"])
    assert result.found == 2 and result.new_after_dedup == 1


def test_depth_two_chases_the_works_found(review: ReviewHandle, works_file: Path) -> None:
    result = chase(review, "backward", OfflineWorks.from_paths([works_file]), seeds=["W104"], depth=2, dedup=False)
    with review.session() as s:
        links = {
            (lk.seed_openalex_id, lk.depth)
            for lk in s.scalars(select(CitationLink).where(CitationLink.review_id == review.review_id))
        }
        w100 = s.scalar(select(Record.id).where(Record.openalex_id == "W100", Record.review_id == review.review_id))
        seeds_of_depth_2 = set(
            s.scalars(
                select(CitationLink.seed_record_id).where(
                    CitationLink.depth == 2, CitationLink.review_id == review.review_id
                )
            )
        )
    assert result.found == 3  # W100, W102; then W101 (W199 is not saved)
    assert links == {("W104", 1), ("W100", 2), ("W102", 2)} and result.links == 5
    assert w100 in seeds_of_depth_2


def test_unknown_doi_is_a_clear_error_and_changes_nothing(review: ReviewHandle, works_file: Path) -> None:
    before = _counts(review)
    with pytest.raises(NotFound, match=r"10\.9999/none.*not found in OpenAlex"):
        chase(review, "backward", OfflineWorks.from_paths([works_file]), seeds=["10.9999/none"])
    assert _counts(review) == before


def test_seed_without_references_finds_nothing_and_changes_nothing(review: ReviewHandle, works_file: Path) -> None:
    before = _counts(review)
    with pytest.raises(NothingFound, match=r"has no reference list.*review is unchanged"):
        chase(review, "backward", OfflineWorks.from_paths([works_file]), seeds=["10.1000/empty"])
    assert _counts(review) == before


def test_online_chase_through_the_api_matches_the_offline_one(
    review: ReviewHandle, client: OpenAlexClient, works_file: Path
) -> None:
    online = chase(review, "both", OnlineWorks(client), seeds=["pmid:111"], dedup=False)
    assert online.found == 4 and online.by_direction == {"backward": 2, "forward": 2}
    with review.session() as s:
        src = s.get(Source, online.source_id)
        assert src is not None and src.details["via"] == "openalex_api"


def test_failed_chase_leaves_the_review_unchanged(review: ReviewHandle, fake, settings, sleeps) -> None:  # type: ignore[no-untyped-def]
    before = _counts(review)
    fake.fail("500", 10, path="/works")
    client = OpenAlexClient(replace(settings, max_retries=1), sleep=sleeps)
    with pytest.raises(OpenAlexUnavailable):
        chase(review, "backward", OnlineWorks(client), seeds=["W100"])
    assert _counts(review) == before


def test_chase_from_included_records(review: ReviewHandle, works_file: Path) -> None:
    from realist.screen.decisions import decide

    seed_id = _seed_record(review)
    decide(review, seed_id, "include", reviewer="tester")
    result = chase(review, "forward", OfflineWorks.from_paths([works_file]), included=True, dedup=False)
    assert [s.record_id for s in result.seeds] == [seed_id] and result.found == 2
