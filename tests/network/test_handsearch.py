"""Hand searching a journal through the fake API and in saved works."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from realist.errors import InvalidInput, NotFound
from realist.network import OfflineWorks, OpenAlexClient, handsearch, identification_counts
from realist.network.handsearch import search_query
from realist.review import ReviewHandle
from realist.store.models import Event, Record, Source


def test_search_query_quotes_phrases_and_joins_terms() -> None:
    assert search_query(["community", "harm reduction", "peer"]) == 'community OR "harm reduction" OR peer'
    assert search_query(["peer", "stigma"], "all") == "peer AND stigma"


def test_handsearch_finds_the_journals_works_for_the_terms_in_the_dates(
    review: ReviewHandle, client: OpenAlexClient
) -> None:
    result = handsearch(
        review, "Harm Reduction Journal", ["community", "harm reduction", "peer"], client, year_from=1998, year_to=2018
    )
    assert result.journal.id == "S1" and result.found == 2 and result.count_reported == 2
    with review.session() as s:
        src = s.get(Source, result.source_id)
        assert src is not None and src.kind == "hand_search"
        d = src.details
        assert d["terms"] == ["community", "harm reduction", "peer"] and (d["from"], d["to"]) == (
            "1998-01-01",
            "2018-12-31",
        )
        assert d["query"]["filter"] == (
            "primary_location.source.id:S1,from_publication_date:1998-01-01,to_publication_date:2018-12-31"
        )
        assert d["run_at"] and d["count_reported"] == 2
        titles = s.scalars(select(Record.title).where(Record.source_id == src.id).order_by(Record.position)).all()
        assert titles == ["Peer navigation for people who inject drugs", "Peer support and harm reduction"]
        assert (
            s.scalar(
                select(Event.payload).where(Event.action == "source.imported", Event.review_id == review.review_id)
            )["kind"]
            == "hand_search"
        )
    assert identification_counts(review)["other_methods"] == {"hand_search": 2}


def test_handsearch_resolves_a_journal_by_issn(review: ReviewHandle, client: OpenAlexClient) -> None:
    result = handsearch(review, "1477-7517", ["stigma"], client)
    assert result.journal.display_name == "Harm Reduction Journal" and result.found == 1


def test_handsearch_that_finds_nothing_is_still_logged(review: ReviewHandle, client: OpenAlexClient) -> None:
    result = handsearch(review, "Harm Reduction Journal", ["cryptocurrency"], client)
    assert result.found == 0
    with review.session() as s:
        assert s.get(Source, result.source_id) is not None


def test_ambiguous_or_unknown_journal_is_a_clear_error(review: ReviewHandle, client: OpenAlexClient) -> None:
    with pytest.raises(InvalidInput, match=r"matches several journals.*S1.*S3"):
        handsearch(review, "Harm Reduction", ["peer"], client)
    with pytest.raises(NotFound, match="no journal called 'Lancet Peers'"):
        handsearch(review, "Lancet Peers", ["peer"], client)


def test_bad_dates_are_refused(review: ReviewHandle, client: OpenAlexClient) -> None:
    with pytest.raises(InvalidInput, match="after"):
        handsearch(review, "Harm Reduction Journal", ["peer"], client, year_from=2018, year_to=1998)


def test_handsearch_in_saved_works(review: ReviewHandle, works_file: Path) -> None:
    result = handsearch(
        review,
        "Harm Reduction Journal",
        ["peer", "needle"],
        OfflineWorks.from_paths([works_file]),
        year_from=2000,
        year_to=2016,
    )
    assert result.found == 2 and result.journal.id == "S1"
