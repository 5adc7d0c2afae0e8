"""Choosing where works come from: saved OpenAlex JSON, or OpenAlex through a cached client.

The command line and the web app make the same choice through these
functions: saved files when given (offline by construction), else the API
with the review's own response cache (``.realist/openalex-cache``), settings
from ``REALIST_OPENALEX_*`` unless overridden.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..review import STATE_DIR, ReviewHandle
from .offline import OfflineWorks
from .openalex import OpenAlexClient, OpenAlexSettings
from .works import OnlineWorks

__all__ = [
    "CACHE_FOLDER",
    "default_cache_dir",
    "openalex_settings",
    "works_source",
    "search_source",
    "close_source",
]

#: The response cache's folder inside the review's ``.realist`` folder.
CACHE_FOLDER = "openalex-cache"


def default_cache_dir(review: ReviewHandle) -> Path:
    """Where the review keeps OpenAlex answers: ``<review>/.realist/openalex-cache``."""
    return review.path / STATE_DIR / CACHE_FOLDER


def openalex_settings(
    review: ReviewHandle,
    *,
    base_url: str | None = None,
    mailto: str | None = None,
    api_key: str | None = None,
    cache_dir: str | Path | None = None,
    offline: bool = False,
) -> OpenAlexSettings:
    """Settings from the environment, overridden by what is given; the review's cache by default."""
    return OpenAlexSettings.from_env(
        base_url=base_url,
        mailto=mailto,
        api_key=api_key,
        cache_dir=Path(cache_dir) if cache_dir else default_cache_dir(review),
        offline=offline or None,
    )


def works_source(
    review: ReviewHandle,
    *,
    saved: Sequence[str | Path] = (),
    base_url: str | None = None,
    mailto: str | None = None,
    api_key: str | None = None,
    cache_dir: str | Path | None = None,
    offline: bool = False,
) -> OnlineWorks | OfflineWorks:
    """Works for chasing and enrichment: the ``saved`` files if any, else OpenAlex (cached)."""
    if saved:
        return OfflineWorks.from_paths(list(saved))
    settings = openalex_settings(
        review, base_url=base_url, mailto=mailto, api_key=api_key, cache_dir=cache_dir, offline=offline
    )
    return OnlineWorks(OpenAlexClient(settings))


def search_source(
    review: ReviewHandle,
    *,
    saved: Sequence[str | Path] = (),
    base_url: str | None = None,
    mailto: str | None = None,
    api_key: str | None = None,
    cache_dir: str | Path | None = None,
    offline: bool = False,
) -> OpenAlexClient | OfflineWorks:
    """What a hand search searches: the ``saved`` files if any, else the OpenAlex client (cached)."""
    if saved:
        return OfflineWorks.from_paths(list(saved))
    return OpenAlexClient(
        openalex_settings(
            review, base_url=base_url, mailto=mailto, api_key=api_key, cache_dir=cache_dir, offline=offline
        )
    )


def close_source(source: object) -> None:
    """Close the HTTP connections behind a source (saved works hold none)."""
    client = source.client if isinstance(source, OnlineWorks) else source
    if isinstance(client, OpenAlexClient):
        client.close()
