"""Chasing on real OpenAlex works: the Donners 2021 set in ../shared (skipped without it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from realist.network import OfflineWorks, OnlineWorks, OpenAlexClient, OpenAlexSettings, chase, identification_counts
from realist.network.works import cited_ids, work_id
from realist.review import ReviewHandle
from realist.store.models import CitationLink, Record

from .fake_openalex import FakeOpenAlex


def _best_seed(works: list[dict[str, Any]]) -> tuple[str, set[str], set[str]]:
    """The work with most references inside the set, its references and its citers there."""
    ids = {work_id(w) for w in works}
    seed = max(works, key=lambda w: (len(set(cited_ids(w)) & ids), work_id(w)))
    sid = work_id(seed)
    assert sid
    refs = set(cited_ids(seed)) & ids
    citers = {work_id(w) for w in works if sid in cited_ids(w)}
    return sid, refs, citers  # type: ignore[return-value]


def test_offline_chase_of_real_works_from_the_zip(
    review: ReviewHandle, donners: Path, donners_works: list[dict[str, Any]]
) -> None:
    sid, refs, citers = _best_seed(donners_works)
    result = chase(review, "both", OfflineWorks.from_paths([donners]), seeds=[sid], dedup=False)
    assert result.by_direction == {"backward": len(refs), "forward": len(citers)}
    assert result.found == len(refs | citers) and len(refs) >= 5
    with review.session() as s:
        found = set(s.scalars(select(Record.openalex_id).where(Record.source_id == result.source_id)))
        abstracts = s.scalars(select(Record.abstract).where(Record.source_id == result.source_id)).all()
        assert (
            s.scalar(select(CitationLink.seed_openalex_id).where(CitationLink.source_id == result.source_id).limit(1))
            == sid
        )
    assert found == refs | citers and any(abstracts)
    assert identification_counts(review)["other_methods"] == {"citation": result.found}


def test_online_chase_through_a_fake_server_serving_real_works(
    review: ReviewHandle, tmp_path: Path, donners_works: list[dict[str, Any]]
) -> None:
    sid, refs, _ = _best_seed(donners_works)
    fake = FakeOpenAlex(donners_works)
    url = fake.start()
    try:
        settings = OpenAlexSettings(
            base_url=url, cache_dir=tmp_path / "cache", per_page=2, ids_per_filter=8, backoff_base=0.001
        )
        with OpenAlexClient(settings, sleep=lambda s: None) as client:
            result = chase(review, "backward", OnlineWorks(client), seeds=[sid], dedup=False)
        assert result.found == len(refs)
        assert len(result.unresolved) == len(cited_ids(next(w for w in donners_works if work_id(w) == sid))) - len(refs)
        assert any("cursor=c2" in r for r in fake.requests)  # batches of 8 ids paged 2 at a time
    finally:
        fake.stop()
