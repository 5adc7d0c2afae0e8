"""The OpenAlex client against the fake server: lookups, paging, retries, cache."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from realist.network import OnlineWorks, OpenAlexClient, OpenAlexError, OpenAlexSettings, OpenAlexUnavailable
from realist.network.openalex import parse_identifier


def test_parse_identifier_reads_doi_pmid_and_openalex_id() -> None:
    assert parse_identifier("https://doi.org/10.1000/SEED") == ("doi", "10.1000/seed")
    assert parse_identifier("pmid:111") == ("pmid", "111")
    assert parse_identifier("https://openalex.org/W100") == ("openalex", "W100")
    with pytest.raises(OpenAlexError, match="not a DOI"):
        parse_identifier("peer navigation")


def test_looks_up_works_by_doi_pmid_and_openalex_id(client: OpenAlexClient) -> None:
    for ident in [("doi", "10.1000/seed"), ("pmid", "111"), ("openalex", "W100")]:
        work = client.work(ident)
        assert work is not None and work["id"].endswith("W100")


def test_unknown_doi_is_none_not_an_error(client: OpenAlexClient) -> None:
    assert client.work(("doi", "10.9999/nothing")) is None


def test_batched_lookup_puts_ids_per_filter_in_one_request(fake, settings, sleeps) -> None:  # type: ignore[no-untyped-def]
    client = OpenAlexClient(replace(settings, ids_per_filter=2), sleep=sleeps)
    found = OnlineWorks(client).works(["W101", "W102", "W103", "W104"])
    assert sorted(found) == ["W101", "W102", "W103", "W104"]
    lists = [r for r in fake.requests if r.startswith("/works?")]
    assert len(lists) == 2 and "W101%7CW102" in lists[0]


def test_cursor_paging_follows_next_cursor_to_the_end(fake, settings, sleeps) -> None:  # type: ignore[no-untyped-def]
    client = OpenAlexClient(replace(settings, per_page=2), sleep=sleeps)
    pages: list[tuple[int, int]] = []
    works = list(
        client.iter_works(
            "doi:" + "|".join(f"10.1000/{x}" for x in "abcd"), on_page=lambda seen, total: pages.append((seen, total))
        )
    )
    assert [w["id"][-4:] for w in works] == ["W101", "W102", "W103", "W104"]
    assert "cursor=%2A" in fake.requests[0] and "cursor=c2" in fake.requests[1]
    assert pages[:2] == [(2, 4), (4, 4)]


def test_chase_retries_after_429_with_retry_after(fake, client, sleeps) -> None:  # type: ignore[no-untyped-def]
    fake.fail("429")
    assert client.work(("openalex", "W100")) is not None
    assert sleeps.calls == [7.0]
    assert len(fake.requests) == 2


def test_retry_after_is_capped_by_backoff_max(fake, settings, sleeps) -> None:  # type: ignore[no-untyped-def]
    fake.retry_after = "3600"
    fake.fail("429")
    OpenAlexClient(replace(settings, backoff_max=2.0), sleep=sleeps).work(("openalex", "W100"))
    assert sleeps.calls == [2.0]


def test_retries_server_errors_with_growing_backoff(fake, client, sleeps) -> None:  # type: ignore[no-untyped-def]
    fake.fail("500", 2)
    assert client.work(("openalex", "W101")) is not None
    assert len(sleeps.calls) == 2 and sleeps.calls[1] > sleeps.calls[0]


def test_gives_up_after_max_retries_with_a_clear_message(fake, client) -> None:  # type: ignore[no-untyped-def]
    fake.fail("500", 3)
    with pytest.raises(OpenAlexUnavailable, match=r"after 3 tries \(HTTP 500\).*saved OpenAlex JSON") as caught:
        client.work(("openalex", "W101"))
    assert caught.value.key == "openalex-unavailable"


def test_timeout_is_retried(fake, client) -> None:  # type: ignore[no-untyped-def]
    fake.fail("timeout")
    assert client.work(("openalex", "W101")) is not None


def test_repeated_timeouts_say_so(fake, client) -> None:  # type: ignore[no-untyped-def]
    fake.fail("timeout", 3)
    with pytest.raises(OpenAlexUnavailable, match=r"no answer within 0\.2 s"):
        client.work(("openalex", "W101"))


def test_malformed_json_is_retried_then_reported(fake, client) -> None:  # type: ignore[no-untyped-def]
    fake.fail("malformed")
    assert len(list(client.iter_works("openalex:W101"))) == 1
    fake.fail("malformed", 3)
    with pytest.raises(OpenAlexUnavailable, match="not valid JSON"):
        list(client.iter_works("openalex:W102"))


def test_refusal_401_suggests_an_api_key(fake, client) -> None:  # type: ignore[no-untyped-def]
    fake.fail("401")
    with pytest.raises(OpenAlexError, match="API key") as caught:
        client.work(("openalex", "W101"))
    assert caught.value.key == "openalex-needs-key"


def test_sends_api_key_and_mailto_but_caches_without_them(fake, settings, sleeps) -> None:  # type: ignore[no-untyped-def]
    keyed = OpenAlexClient(replace(settings, api_key="k123", mailto="me@example.org"), sleep=sleeps)
    keyed.work(("openalex", "W100"))
    assert "api_key=k123" in fake.requests[0] and "mailto=me%40example.org" in fake.requests[0]
    other = OpenAlexClient(replace(settings, api_key="another"), sleep=sleeps)
    other.work(("openalex", "W100"))
    assert len(fake.requests) == 1  # same question, answered from the cache


def test_rerun_costs_nothing_and_works_offline_from_the_cache(fake, settings, sleeps) -> None:  # type: ignore[no-untyped-def]
    OpenAlexClient(settings, sleep=sleeps).work(("doi", "10.1000/seed"))
    OpenAlexClient(settings, sleep=sleeps).work(("doi", "10.9999/nothing"))
    asked = len(fake.requests)
    offline = OpenAlexClient(replace(settings, offline=True, base_url="http://127.0.0.1:9"), sleep=sleeps)
    assert offline.work(("doi", "10.1000/seed")) is not None
    assert offline.work(("doi", "10.9999/nothing")) is None  # the 404 was cached too
    assert len(fake.requests) == asked and offline.requests == 0


def test_offline_without_a_cached_answer_is_a_clear_error(settings, sleeps) -> None:  # type: ignore[no-untyped-def]
    offline = OpenAlexClient(replace(settings, offline=True), sleep=sleeps)
    with pytest.raises(OpenAlexUnavailable, match="offline, and the answer to /works/W100 is not cached"):
        offline.work(("openalex", "W100"))


def test_unreachable_api_without_cache_is_a_clear_error(tmp_path, sleeps) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = OpenAlexSettings(
        base_url=f"http://127.0.0.1:{port}", cache_dir=tmp_path / "c", max_retries=1, backoff_base=0.001, timeout=0.5
    )
    with pytest.raises(OpenAlexUnavailable, match=r"cannot connect.*not cached"):
        OpenAlexClient(settings, sleep=sleeps).work(("openalex", "W100"))


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALIST_OPENALEX_URL", "http://mirror.example")
    monkeypatch.setenv("REALIST_OPENALEX_MAILTO", "team@example.org")
    monkeypatch.setenv("REALIST_OPENALEX_API_KEY", "secret")
    s = OpenAlexSettings.from_env(per_page=50, api_key=None)
    assert (s.base_url, s.mailto, s.api_key, s.per_page) == ("http://mirror.example", "team@example.org", "secret", 50)
