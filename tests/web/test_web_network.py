"""Network search in the browser: chases and hand searches as jobs, offline from
uploaded OpenAlex works or online through a fake OpenAlex on loopback (never the
internet), with their provenance on the page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from web_support import Team

from network.conftest import HRJ, HRJ_REVIEWS, IJDP, small_works
from network.fake_openalex import FakeOpenAlex
from realist.identify import import_records
from realist.records import RecordData
from realist.screen.decisions import decide
from realist.store.models import CitationLink, Source


def _saved() -> list[tuple[str, tuple[str, bytes, str]]]:
    body = "\n".join(json.dumps(w) for w in small_works()).encode()
    return [("saved", ("works.jsonl", body, "application/json"))]


def _seed(team: Team) -> int:
    """An included record the chase can start from (W100 in the saved works, by its DOI)."""
    import_records(
        team.review,
        [RecordData(title="Peer navigation for people who inject drugs", year=2015, doi="10.1000/seed")],
        source="MEDLINE",
    )
    with team.review.session() as session:
        rid = session.scalar(select(func.max(Source.id)).where(Source.review_id == team.review.review_id))
        from realist.store.models import Record

        record_id = int(session.scalar(select(Record.id).where(Record.source_id == rid)) or 0)
    decide(team.review, record_id, "include", reviewer="olu")
    return record_id


def _counts(team: Team) -> tuple[int, int]:
    rid = team.review.review_id
    with team.review.session() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Source).where(Source.review_id == rid)) or 0),
            int(
                session.scalar(select(func.count()).select_from(CitationLink).where(CitationLink.review_id == rid)) or 0
            ),
        )


def _job(client: Any, response: Any) -> Any:
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"])


def test_an_offline_chase_from_uploaded_openalex_works_is_stored_with_its_provenance(team: Team) -> None:
    rid = team.review.review_id
    seed = _seed(team)
    reviewer = team.client("reviewer")
    page = reviewer.get(f"/reviews/{rid}/network")
    assert f'name="records" value="{seed}"' in page.text  # the included record is offered as a seed
    job = _job(
        reviewer,
        reviewer.http.post(
            f"/reviews/{rid}/network/chase",
            data={"csrf_token": reviewer.csrf, "direction": "both", "records": str(seed)},
            files=_saved(),
            follow_redirects=False,
        ),
    )
    assert job.status_code == 200, job.text
    # W100 cites W101, W102 (W199 is not in the file); W103 and W104 cite W100.
    assert "4 works found" in job.text
    with team.review.session() as session:
        source = session.scalars(
            select(Source).where(Source.review_id == team.review.review_id, Source.kind == "citation")
        ).one()
        assert source.details["via"] == "saved_openalex_json"
        assert source.details["files"] == ["uploaded works.jsonl"]
        links = session.scalars(select(CitationLink).where(CitationLink.source_id == source.id)).all()
        assert {link.seed_record_id for link in links} == {seed}
        assert {link.direction for link in links} == {"backward", "forward"}
    page = team.client("viewer").get(f"/reviews/{rid}/network")
    assert "saved files" in page.text and "both, depth 1, from 1 seed(s)" in page.text
    rows = re.findall(r"<tr><td>(\d+) · [^<]*</td><td>(backward|forward)</td><td>(\d+)</td></tr>", page.text)
    assert sorted((d, int(n)) for r, d, n in rows if int(r) == seed) == [("backward", 2), ("forward", 2)]
    assert 'action="/reviews/' not in page.text.split("<h1>", 1)[1].split("<h2>Chases", 1)[0]  # viewers get no forms


def test_a_hand_search_logged_with_the_cli_fields_is_a_hand_search_source(team: Team) -> None:
    rid = team.review.review_id
    owner = team.client("owner")
    job = _job(
        owner,
        owner.http.post(
            f"/reviews/{rid}/network/handsearch",
            data={
                "csrf_token": owner.csrf,
                "journal": "Harm Reduction Journal",
                "terms": "peer\nharm reduction",
                "match": "any",
                "year_from": "2014",
                "year_to": "2018",
            },
            files=_saved(),
            follow_redirects=False,
        ),
    )
    assert job.status_code == 200, job.text
    # Harm Reduction Journal, 2014-2018, "peer" or "harm reduction": W100 (2015) and W103 (2017).
    assert "Hand search of Harm Reduction Journal: 2 works found" in job.text
    with team.review.session() as session:
        source = session.scalars(
            select(Source).where(Source.review_id == team.review.review_id, Source.kind == "hand_search")
        ).one()
        assert source.details["terms"] == ["peer", "harm reduction"]
        assert (source.details["from"], source.details["to"]) == ("2014-01-01", "2018-12-31")
    page = owner.get(f"/reviews/{rid}/network")
    assert "Harm Reduction Journal: peer, harm reduction (any), 2014-01-01 – 2018-12-31" in page.text


def test_bad_network_requests_are_named_and_change_nothing(team: Team) -> None:
    rid = team.review.review_id
    owner = team.client("owner")
    before = _counts(team)
    no_seed = owner.post(f"/reviews/{rid}/network/chase", {"direction": "backward"})
    assert no_seed.status_code == 400 and "choose at least one seed" in no_seed.text
    direction = owner.post(f"/reviews/{rid}/network/chase", {"direction": "sideways", "seeds": "10.1000/seed"})
    assert direction.status_code == 400 and "unknown direction" in direction.text
    no_journal = owner.post(f"/reviews/{rid}/network/handsearch", {"terms": "peer"})
    assert no_journal.status_code == 400 and "give the journal" in no_journal.text
    nothing = _job(
        owner,
        owner.http.post(
            f"/reviews/{rid}/network/chase",
            data={"csrf_token": owner.csrf, "direction": "backward", "seeds": "10.1000/empty"},
            files=_saved(),
            follow_redirects=False,
        ),
    )
    # the failed job's page: found (200), and it says why
    assert nothing.status_code == 200 and "found no works" in nothing.text and "the review is unchanged" in nothing.text
    assert _counts(team) == before
    refused = team.client("viewer").post(f"/reviews/{rid}/network/chase", {"seeds": "10.1000/seed"})
    assert refused.status_code == 403 and _counts(team) == before


@pytest.fixture
def fake_openalex(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAlex]:
    server = FakeOpenAlex(small_works(), [HRJ, IJDP, HRJ_REVIEWS])
    url = server.start()
    monkeypatch.setenv("REALIST_OPENALEX_URL", url)  # the server's OpenAlex: a fake on loopback
    yield server
    server.stop()


def test_an_online_chase_shows_its_retries_and_fills_the_cache(team: Team, fake_openalex: FakeOpenAlex) -> None:
    rid = team.review.review_id
    owner = team.client("owner")
    fake_openalex.fail("500", 1)
    job = _job(owner, owner.post(f"/reviews/{rid}/network/chase", {"direction": "backward", "seeds": "10.1000/seed"}))
    assert job.status_code == 200, job.text
    assert "2 works found" in job.text  # W101 and W102; W199 is unknown to OpenAlex
    assert re.search(r"retried 1 time\(s\), after waiting [0-9.]+ s", job.text)
    with team.review.session() as session:
        source = session.scalars(
            select(Source).where(Source.review_id == team.review.review_id, Source.kind == "citation")
        ).one()
        assert source.details["via"] == "openalex_api"
    cache = team.review.path / ".realist" / "openalex-cache"
    assert cache.is_dir() and any(cache.rglob("*"))


def test_while_screening_is_blinded_reviewers_are_not_shown_which_records_are_included(team: Team) -> None:
    from realist.screen.decisions import set_blinded

    rid = team.review.review_id
    seed = _seed(team)
    set_blinded(team.review, "title_abstract", True)
    reviewer = team.client("reviewer")
    assert f'name="records" value="{seed}"' not in reviewer.get(f"/reviews/{rid}/network").text
    assert f'name="records" value="{seed}"' in team.client("owner").get(f"/reviews/{rid}/network").text
    refused = reviewer.post(f"/reviews/{rid}/network/chase", {"direction": "backward", "included": "yes"})
    assert refused.status_code == 400 and "screening is blinded" in refused.text
