"""Library helpers the CLI used to hold: atomic writes and the choice of works source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from realist.errors import InvalidInput
from realist.files import write_atomic
from realist.network import OfflineWorks, OnlineWorks, OpenAlexClient
from realist.network.sources import close_source, default_cache_dir, search_source, works_source


def test_write_atomic_replaces_the_whole_file_and_keeps_its_permissions(tmp_path: Path):
    target = tmp_path / "protocol.yaml"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    write_atomic(target, "new\r\nline\n")
    assert target.read_bytes() == b"new\r\nline\n"  # written as given, no newline translation
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["protocol.yaml"]  # no temporary file left


def test_write_atomic_into_a_missing_folder_names_the_file_and_writes_nothing(tmp_path: Path):
    target = tmp_path / "nowhere" / "order.csv"
    with pytest.raises(InvalidInput, match="does not exist") as caught:
        write_atomic(target, "1\n")
    assert caught.value.file == str(target)
    assert not (tmp_path / "nowhere").exists()


def test_saved_works_are_used_offline_and_the_api_otherwise_with_the_review_cache(review, tmp_path: Path):
    saved = tmp_path / "works.json"
    saved.write_text('[{"id": "https://openalex.org/W1", "title": "A work"}]')
    offline = works_source(review, saved=[saved])
    assert isinstance(offline, OfflineWorks) and offline.describe()["works_available"] == 1
    online = works_source(review, base_url="http://127.0.0.1:9", offline=True)
    assert isinstance(online, OnlineWorks)
    assert online.client.settings.cache_dir == default_cache_dir(review)
    assert online.client.settings.cache_dir == review.path / ".realist" / "openalex-cache"
    assert online.client.settings.offline is True
    client = search_source(review, cache_dir=tmp_path / "cache")
    assert isinstance(client, OpenAlexClient) and client.settings.cache_dir == tmp_path / "cache"
    for source in (offline, online, client):
        close_source(source)
