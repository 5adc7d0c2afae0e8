"""What a web app serves: one store (engine) and the review folders in it.

A review's protocol (``protocol.yaml``) and full-text files live in its
folder; everything else lives in the store.  An app is given either folders
(one SQLite review, or several folders whose reviews share one server
database), or a server database and a *data directory*: then it serves every
review in that database, each in ``DATA_DIR/<review uuid>`` (written on first
use, the protocol restored from the event log), and a signed-in person can
create a new review from the home page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from ..errors import InvalidInput, ReviewNotFound
from ..review import ReviewHandle, create_review_in, open_database, open_review, review_folder
from ..store.db import session_scope
from ..store.models import Review

__all__ = ["WebStore", "open_store", "DEFAULT_DATA_DIR"]

DEFAULT_DATA_DIR = "realist-data"


@dataclass
class WebStore:
    """One engine and the reviews the app serves: named folders (id -> folder), or, with a
    ``data_dir``, every review in the store."""

    engine: Engine
    reviews: dict[int, Path] = field(default_factory=dict)
    data_dir: Path | None = None

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def serves_all(self) -> bool:
        """Every review in the store is served (and new ones can be created)."""
        return self.data_dir is not None

    def folder(self, review_id: int) -> Path | None:
        """The review's folder, or None when this app does not serve it."""
        found = self.reviews.get(review_id)
        if found is not None or self.data_dir is None:
            return found
        try:
            return review_folder(self.engine, review_id, self.data_dir)
        except ReviewNotFound:
            return None

    def create_review(self, title: str, *, actor: str) -> ReviewHandle:
        """A new review in ``DATA_DIR/<uuid>``, acting as ``actor`` (the caller makes the owner)."""
        if self.data_dir is None:
            raise InvalidInput(
                "this server serves named review folders: create a review with `realist init`, "
                "or serve a server database with --database-url (and --data-dir) to create reviews here"
            )
        import uuid

        review_uuid = str(uuid.uuid4())
        return create_review_in(self.engine, self.data_dir / review_uuid, title, actor=actor, review_uuid=review_uuid)

    def close(self) -> None:
        self.engine.dispose()


def open_store(
    review_dirs: Sequence[str | Path],
    *,
    database_url: str | None = None,
    data_dir: str | Path | None = None,
) -> WebStore:
    """Open the reviews in ``review_dirs`` (all in one store) for serving.

    With a ``data_dir``, or with no folder but a database URL: every review in
    that database, each in its folder under ``data_dir`` except those named in
    ``review_dirs``, which keep theirs.
    """
    if not review_dirs or data_dir is not None:
        if not database_url:
            raise InvalidInput(
                "name a review folder to serve (--review DIR), or a server database (--database-url URL)"
            )
        engine = open_database(database_url)
        try:
            folder = Path(data_dir or DEFAULT_DATA_DIR).resolve()
            folder.mkdir(parents=True, exist_ok=True)
            named: dict[int, Path] = {}
            for d in review_dirs:
                with open_review(d, database_url=database_url, actor="web") as handle:
                    named[handle.review_id] = handle.path
        except BaseException:
            engine.dispose()
            raise
        return WebStore(engine, named, folder)
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


def review_ids(store: WebStore) -> set[int]:
    """The ids of the reviews the app serves now."""
    if store.data_dir is None:
        return set(store.reviews)
    with session_scope(store.engine) as session:
        return set(session.scalars(select(Review.id))) | set(store.reviews)
