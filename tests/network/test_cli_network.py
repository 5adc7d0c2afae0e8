"""The chase, handsearch and enrich commands, run in-process."""

from __future__ import annotations

from pathlib import Path

from realist.identify import import_records
from realist.records import RecordData
from realist.review import open_review


def test_cli_chase_from_saved_json_reports_found_and_new(run, works_file: Path) -> None:  # type: ignore[no-untyped-def]
    result = run.ok("chase", "backward", "--seed", "10.1000/seed", "--from", str(works_file))
    assert "Chased 1 seed(s) backward: 2 works found (2 backward); 2 new after deduplication" in result.output
    assert "1 referenced work(s) could not be retrieved" in result.output


def test_cli_chase_online_uses_the_url_and_caches_in_the_review(run, fake) -> None:  # type: ignore[no-untyped-def]
    first = run.ok("chase", "forward", "--seed", "W100", "--openalex-url", fake.url)
    assert "2 works found (2 forward)" in first.output
    asked = len(fake.requests)
    again = run.ok("chase", "forward", "--seed", "W100", "--offline", "--no-dedup")
    assert "2 works found" in again.output and len(fake.requests) == asked
    assert any((run.path / ".realist" / "openalex-cache").rglob("*.json"))


def test_cli_errors_are_one_clear_line(run, works_file: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("chase", "backward", "--seed", "10.9999/none", "--from", str(works_file))
    assert result.exit_code == 1 and "was not found in OpenAlex" in result.output
    result = run("chase", "backward", "--seed", "W100", "--offline")
    assert result.exit_code == 1 and "offline, and the answer" in result.output
    assert "chase from saved OpenAlex JSON with --from PATH" in result.output  # the CLI's hint


def test_cli_handsearch_takes_several_terms_after_one_option(run, fake) -> None:  # type: ignore[no-untyped-def]
    result = run.ok(
        "handsearch",
        "--journal",
        "Harm Reduction Journal",
        "--terms",
        "community",
        "harm reduction",
        "peer",
        "--from",
        "1998",
        "--to",
        "2018",
        "--openalex-url",
        fake.url,
    )
    assert "Hand search of Harm Reduction Journal (S1): 2 works found (OpenAlex reported 2)" in result.output
    assert "search=community+OR+%22harm+reduction%22+OR+peer" in " ".join(fake.requests)


def test_cli_handsearch_takes_repeated_terms_options_in_the_same_order(run, fake) -> None:  # type: ignore[no-untyped-def]
    run.ok(
        "handsearch",
        "--journal",
        "Harm Reduction Journal",
        "--terms",
        "community",
        "--terms",
        "harm reduction",
        "--terms",
        "peer",
        "--openalex-url",
        fake.url,
    )
    assert "search=community+OR+%22harm+reduction%22+OR+peer" in " ".join(fake.requests)


def test_cli_handsearch_without_terms_names_the_option(run, fake) -> None:  # type: ignore[no-untyped-def]
    result = run("handsearch", "--journal", "Harm Reduction Journal", "--openalex-url", fake.url)
    assert result.exit_code == 1
    assert "give at least one search term; see --terms" in result.output


def test_cli_enrich_fills_fields(run, works_file: Path, database_url) -> None:  # type: ignore[no-untyped-def]
    review = open_review(run.path, database_url=database_url)
    import_records(review, [RecordData(title="Peer navigation", pmid="111")], source="MEDLINE")
    review.close()
    result = run.ok("enrich", "--from", str(works_file))
    assert "1 records lacked a field; 0 not found in OpenAlex; filled 1 abstract, 1 doi" in result.output
