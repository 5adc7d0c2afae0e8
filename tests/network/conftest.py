"""Fixtures for network search: small hand-written OpenAlex works and a fake API."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from realist.network import OpenAlexClient, OpenAlexSettings

from .fake_openalex import FakeOpenAlex
from support import shared_path

HRJ = {
    "id": "https://openalex.org/S1",
    "display_name": "Harm Reduction Journal",
    "issn_l": "1477-7517",
    "issn": ["1477-7517"],
    "alternate_titles": ["Harm Reduct J"],
}
IJDP = {
    "id": "https://openalex.org/S2",
    "display_name": "International Journal of Drug Policy",
    "issn_l": "0955-3959",
    "issn": ["0955-3959"],
}
HRJ_REVIEWS = {
    "id": "https://openalex.org/S3",
    "display_name": "Harm Reduction Journal Reviews",
    "issn_l": "9999-9999",
    "issn": ["9999-9999"],
}


def make_work(
    n: int,
    title: str,
    *,
    refs: tuple[int, ...] = (),
    doi: str | None = None,
    pmid: str | None = None,
    year: int = 2010,
    source: dict[str, Any] | None = None,
    abstract: str | None = None,
    author: str = "Ayon, Sylvia",
) -> dict[str, Any]:
    """An OpenAlex-shaped work object (the fields realist reads, in their real shapes)."""
    wid = f"https://openalex.org/W{n}"
    ids: dict[str, Any] = {"openalex": wid}
    if doi:
        ids["doi"] = f"https://doi.org/{doi}"
    if pmid:
        ids["pmid"] = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}"
    inverted: dict[str, list[int]] | None = None
    if abstract:
        inverted = {}
        for pos, word in enumerate(abstract.split()):
            inverted.setdefault(word, []).append(pos)
    return {
        "id": wid,
        "doi": ids.get("doi"),
        "ids": ids,
        "display_name": title,
        "title": title,
        "publication_year": year,
        "publication_date": f"{year}-06-01",
        "type": "article",
        "authorships": [{"author": {"display_name": author}}],
        "primary_location": {"source": source or IJDP, "landing_page_url": ids.get("doi")},
        "biblio": {"volume": "3", "issue": "1", "first_page": "10", "last_page": "20"},
        "referenced_works": [f"https://openalex.org/W{r}" for r in refs],
        "abstract_inverted_index": inverted,
        "cited_by_count": 0,
    }


def small_works() -> list[dict[str, Any]]:
    """Seed W100 cites W101, W102 and W199 (not served); W103 and W104 cite W100."""
    return [
        make_work(
            100,
            "Peer navigation for people who inject drugs",
            refs=(101, 102, 199),
            doi="10.1000/seed",
            pmid="111",
            year=2015,
            source=HRJ,
            abstract="Peer navigators supported people who inject drugs",
        ),
        make_work(
            101,
            "Community health workers in HIV care",
            doi="10.1000/a",
            year=2005,
            abstract="Community health workers delivered HIV care",
        ),
        make_work(
            102,
            "Needle exchange outcomes in Kenya",
            refs=(101,),
            doi="10.1000/b",
            year=2001,
            source=HRJ,
            abstract="Needle exchange reduced sharing",
        ),
        make_work(
            103,
            "Peer support and harm reduction",
            refs=(100,),
            doi="10.1000/c",
            year=2017,
            source=HRJ,
            abstract="Peer workers in community settings",
        ),
        make_work(
            104,
            "Stigma among people who use drugs",
            refs=(100, 102),
            doi="10.1000/d",
            year=2019,
            source=HRJ,
            abstract="Stigma and harm reduction services",
        ),
        make_work(105, "A commentary without references", doi="10.1000/empty", year=2012),
    ]


@pytest.fixture
def works() -> list[dict[str, Any]]:
    return small_works()


@pytest.fixture
def works_file(tmp_path: Path, works: list[dict[str, Any]]) -> Path:
    """The small works saved as JSON Lines, as a snapshot slice would be."""
    path = tmp_path / "saved" / "works.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(json.dumps(w) for w in works) + "\n")
    return path


@pytest.fixture
def fake(works: list[dict[str, Any]]) -> Iterator[FakeOpenAlex]:
    server = FakeOpenAlex(works, [HRJ, IJDP, HRJ_REVIEWS])
    server.url = server.start()  # type: ignore[attr-defined]
    yield server
    server.stop()


class SleepRecorder:
    """Stands in for time.sleep: remembers the delays, sleeps not at all."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def settings(fake: FakeOpenAlex, tmp_path: Path) -> OpenAlexSettings:
    return OpenAlexSettings(
        base_url=fake.url,
        cache_dir=tmp_path / "cache",  # type: ignore[attr-defined]
        timeout=0.2,
        max_retries=2,
        backoff_base=0.001,
        backoff_max=10.0,
    )


@pytest.fixture
def client(settings: OpenAlexSettings, sleeps: SleepRecorder) -> Iterator[OpenAlexClient]:
    with OpenAlexClient(settings, sleep=sleeps) as c:
        yield c


@pytest.fixture
def donners(shared: Path) -> Path:
    return shared_path("data", "synergy", "Donners_2021_openalex_works.zip")


@pytest.fixture
def donners_works(donners: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with zipfile.ZipFile(donners) as archive:
        for name in sorted(archive.namelist()):
            out.extend(json.loads(archive.read(name)))
    return out
