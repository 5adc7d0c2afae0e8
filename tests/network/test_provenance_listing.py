"""Provenance everywhere: `realist records --json`, `--seed`, and the report's identification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realist.errors import InvalidInput
from realist.identify import import_records
from realist.inventory import list_records
from realist.network import OfflineWorks, chase
from realist.network.provenance import seed_contributions
from realist.records import RecordData
from realist.report.collect import collect
from realist.report.narrative import methods_sections
from realist.review import ReviewHandle


def _chased(review: ReviewHandle, works_file: Path) -> int:
    """A MEDLINE seed (W100), its reference list (W101, W102), and works citing W100
    (W103, W104) or W102 (W100 itself, W104); ``dedup=False`` keeps every found work a record."""
    import_records(
        review,
        [RecordData(title="Peer navigation for people who inject drugs", year=2015, doi="10.1000/seed")],
        source="MEDLINE",
    )
    seed_id = list_records(review)[0]["id"]
    works = OfflineWorks.from_paths([works_file])
    chase(review, "backward", works, seeds=[str(seed_id)], dedup=False)
    chase(review, "forward", works, seeds=["W100", "W102"], dedup=False)
    return int(seed_id)


def _by_openalex(rows: list[dict]) -> dict[str, dict]:
    return {r["openalex_id"]: r for r in rows if r["openalex_id"]}


def test_records_listing_gives_each_chased_record_its_provenance(review: ReviewHandle, works_file: Path) -> None:
    seed_id = _chased(review, works_file)
    rows = list_records(review)
    seed_row = next(r for r in rows if r["id"] == seed_id)
    assert seed_row["provenance"] == []  # imported from a file, not chased
    found = _by_openalex(rows)
    assert found["W101"]["provenance"] == [
        {"direction": "backward", "depth": 1, "seed_openalex_id": "W100", "seed_record_id": seed_id}
    ]
    # W104 cites both seeds: one entry per seed
    assert sorted(p["seed_openalex_id"] for p in found["W104"]["provenance"]) == ["W100", "W102"]
    assert {p["direction"] for p in found["W104"]["provenance"]} == {"forward"}


def test_records_filtered_by_seed_openalex_id_or_record_id(review: ReviewHandle, works_file: Path) -> None:
    seed_id = _chased(review, works_file)
    assert set(_by_openalex(list_records(review, seed="W102"))) == {"W100", "W104"}
    assert set(_by_openalex(list_records(review, seed="https://openalex.org/W100"))) == {"W101", "W102", "W103", "W104"}
    backward = {r["openalex_id"] for r in list_records(review, seed=str(seed_id))}
    assert {"W101", "W102"} <= backward
    assert list_records(review, seed="W999") == []


def test_records_seed_filter_refuses_what_is_not_a_seed_id(review: ReviewHandle) -> None:
    with pytest.raises(InvalidInput, match="seed 'peer' is neither an OpenAlex work id"):
        list_records(review, seed="peer")


def test_records_cli_json_has_provenance_and_seed_option(run, works_file: Path) -> None:
    from realist.review import open_review

    review = open_review(run.path, database_url=run.database_url)
    try:
        _chased(review, works_file)
    finally:
        review.close()
    rows = json.loads(run.ok("records", "--json", "--seed", "W102").stdout)
    assert sorted(r["openalex_id"] for r in rows) == ["W100", "W104"]
    w104 = next(r for r in rows if r["openalex_id"] == "W104")
    assert {p["seed_openalex_id"] for p in w104["provenance"]} == {"W100", "W102"}
    bad = run("records", "--seed", "peer")
    assert bad.exit_code != 0 and "neither an OpenAlex work id" in bad.output


def test_report_says_how_many_records_each_seed_and_direction_contributed(
    review: ReviewHandle, works_file: Path
) -> None:
    seed_id = _chased(review, works_file)
    counts = {(r["seed_openalex_id"], r["direction"]): r["records"] for r in seed_contributions(review)}
    assert counts == {("W100", "backward"): 2, ("W100", "forward"): 2, ("W102", "forward"): 2}
    sections = dict(methods_sections(collect(review)))
    text = " ".join(sections["Information sources and search"])
    assert (
        f"Seed W100 (record {seed_id}, \u201cPeer navigation for people who inject drugs\u201d): "
        "2 records from its reference list (backward) and 2 records citing it (forward)."
    ) in text
    assert "Seed W102 (record " in text and "2 records citing it (forward)." in text
