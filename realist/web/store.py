"""What a web app serves: one store (engine) and the review folders in it.

A review's protocol lives in its folder (``protocol.yaml``), so the app is
given folders: one SQLite review, or several folders whose reviews share one
server database (``--database-url``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from ..errors import InvalidInput
from ..review import open_review

__all__ = ["WebStore", "open_store"]


@dataclass
class WebStore:
    """One engine and the reviews (id -> folder) the app serves."""

    engine: Engine
    reviews: dict[int, Path] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def open_store(review_dirs: Sequence[str | Path], *, database_url: str | None = None) -> WebStore:
    """Open the reviews in ``review_dirs`` (all in one store) for serving."""
    if not review_dirs:
        raise InvalidInput("name at least one review folder to serve (--review DIR)")
    handles = [open_review(d, database_url=database_url, actor="web") for d in review_dirs]
    first = handles[0]
    url = first.engine.url.render_as_string(hide_password=False)
    for other in handles[1:]:
        if other.engine.url.render_as_string(hide_password=False) != url:
            for h in handles:
                h.close()
            raise InvalidInput(
                f"{other.path} is not in the same store as {first.path}: one app serves one store "
                "(one SQLite review, or reviews in one server database given with --database-url)"
            )
        other.close()
    return WebStore(first.engine, {h.review_id: h.path for h in handles})
