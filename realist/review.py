"""Opening and creating reviews: the handle every stage works through.

A review lives in a directory: ``protocol.yaml`` (human-editable) and
``.realist/`` (``config.json`` naming the review, and ``review.db``, the
embedded SQLite store).  Like git, commands act on the review in the current
directory or the nearest one above it.  A database URL (``--database-url`` /
``REALIST_DATABASE_URL``) points the review at a server database instead of
the SQLite file; one schema, one code path.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from . import protocol as protocol_mod
from .errors import InvalidInput, ReviewNotFound
from .store.db import ensure_schema, make_engine, session_scope, upgrade
from .store.events import log_event
from .store.models import Event, Review

__all__ = [
    "ReviewHandle",
    "init_review",
    "open_review",
    "find_review_dir",
    "default_actor",
    "migrate_review",
    "sync_protocol",
    "create_review_in",
    "review_folder",
    "open_database",
]

STATE_DIR = ".realist"
CONFIG_FILE = "config.json"
SQLITE_FILE = "review.db"
DATABASE_URL_ENV = "REALIST_DATABASE_URL"


def default_actor() -> str:
    """Who is acting: ``REALIST_USER``, else the login name."""
    name = os.environ.get("REALIST_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


@dataclass
class ReviewHandle:
    """An open review: where it lives, its database, and who is acting.

    A context manager: ``with realist.open_review("my-review") as review:``
    closes the database connections on leaving the block.
    """

    path: Path
    engine: Engine
    review_id: int
    uuid: str
    title: str
    actor: str

    def __enter__(self) -> ReviewHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def protocol_path(self) -> Path:
        return self.path / protocol_mod.PROTOCOL_FILE

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction on this review's store (``write``: see :func:`~realist.store.db.session_scope`)."""
        with session_scope(self.engine, write=write) as session:
            yield session

    def log(self, session: Session, action: str, **kwargs: Any) -> None:
        log_event(session, self.review_id, self.actor, action, **kwargs)

    def protocol(self) -> dict[str, Any]:
        """The protocol as ``protocol.yaml`` holds it now.  Reading writes nothing."""
        return protocol_mod.read_protocol(self.protocol_path)

    def write_protocol(self, data: dict[str, Any]) -> None:
        """Write ``protocol.yaml`` and log the new version (``protocol.changed``)."""
        protocol_mod.write_protocol(self.protocol_path, data)
        self.sync_protocol()

    def sync_protocol(self) -> bool:
        """Log the protocol file's version if the log does not hold it yet.

        The one place ``protocol.changed`` events are written: after realist
        writes the protocol, and when a review is opened (so an edit made by
        hand is logged the first time realist sees it).  A missing or broken
        file is not logged (reading it fails with its own message).  Returns
        whether a new version was logged.
        """
        try:
            digest = protocol_mod.protocol_hash(self.protocol_path)
            data = protocol_mod.read_protocol(self.protocol_path)
        except (OSError, InvalidInput):
            return False
        with self.session() as session:
            last = session.scalars(
                select(Event)
                .where(Event.review_id == self.review_id, Event.action == "protocol.changed")
                .order_by(Event.id.desc())
                .limit(1)
            ).first()
            if last is not None and last.payload.get("sha256") == digest:
                return False
            self.log(session, "protocol.changed", sha256=digest, protocol=data)
        return True

    def close(self) -> None:
        self.engine.dispose()


def sync_protocol(review: ReviewHandle) -> bool:
    """Log the review's protocol version if it is new (see :meth:`ReviewHandle.sync_protocol`)."""
    return review.sync_protocol()


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path / STATE_DIR / SQLITE_FILE}"


def _resolve_url(path: Path, database_url: str | None, config: dict[str, Any]) -> str:
    return database_url or os.environ.get(DATABASE_URL_ENV) or config.get("database_url") or _sqlite_url(path)


def init_review(
    directory: str | Path,
    title: str,
    *,
    database_url: str | None = None,
    actor: str | None = None,
) -> ReviewHandle:
    """Create a review in ``directory`` (created if needed; must not hold one)."""
    path = Path(directory).resolve()
    if not title.strip():
        raise InvalidInput("a review needs a title", field="title")
    if (path / STATE_DIR / CONFIG_FILE).exists():
        raise InvalidInput(f"{path} already holds a review", file=str(path))
    actor = actor or default_actor()
    url = database_url or os.environ.get(DATABASE_URL_ENV)
    (path / STATE_DIR).mkdir(parents=True, exist_ok=True)
    engine = make_engine(url or _sqlite_url(path))
    try:
        upgrade(engine)
        review_uuid = str(uuidlib.uuid4())
        with session_scope(engine) as session:
            review = Review(uuid=review_uuid, title=title)
            session.add(review)
            session.flush()
            log_event(session, review.id, actor, "review.created", entity="review", entity_id=review.id, title=title)
            review_id = review.id
    except BaseException:
        engine.dispose()
        raise
    config = {"uuid": review_uuid, "title": title}
    if database_url:
        config["database_url"] = database_url
    (path / STATE_DIR / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    handle = ReviewHandle(path, engine, review_id, review_uuid, title, actor)
    if not (path / protocol_mod.PROTOCOL_FILE).exists():
        handle.write_protocol(protocol_mod.default_protocol(title))
    else:
        handle.sync_protocol()
    return handle


def create_review_in(
    engine: Engine, directory: str | Path, title: str, *, actor: str, review_uuid: str | None = None
) -> ReviewHandle:
    """Create a review in a store that is already open (a server database the web app serves).

    Like :func:`init_review`, but on ``engine`` (no new connection) and
    without writing the database URL (it may hold a password) into the
    folder's ``config.json``: the folder keeps the protocol and files, the
    store keeps everything else.
    """
    path = Path(directory).resolve()
    if not title.strip():
        raise InvalidInput("a review needs a title", field="title")
    if (path / STATE_DIR / CONFIG_FILE).exists():
        raise InvalidInput(f"{path} already holds a review", file=str(path))
    review_uuid = review_uuid or str(uuidlib.uuid4())
    with session_scope(engine) as session:
        review = Review(uuid=review_uuid, title=title.strip())
        session.add(review)
        session.flush()
        log_event(
            session, review.id, actor, "review.created", entity="review", entity_id=review.id, title=title.strip()
        )
        review_id = review.id
    handle = _write_folder(engine, path, review_id, review_uuid, title.strip(), actor, None)
    return handle


def _write_folder(
    engine: Engine,
    path: Path,
    review_id: int,
    review_uuid: str,
    title: str,
    actor: str,
    protocol: dict[str, Any] | None,
) -> ReviewHandle:
    (path / STATE_DIR).mkdir(parents=True, exist_ok=True)
    config = {"uuid": review_uuid, "title": title}
    (path / STATE_DIR / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    handle = ReviewHandle(path, engine, review_id, review_uuid, title, actor)
    if not (path / protocol_mod.PROTOCOL_FILE).exists():
        if protocol is None:
            handle.write_protocol(protocol_mod.default_protocol(title))
        else:
            protocol_mod.write_protocol(handle.protocol_path, protocol)
            handle.sync_protocol()
    return handle


def review_folder(engine: Engine, review_id: int, data_dir: str | Path, *, actor: str = "web") -> Path:
    """The folder of a review in a server database, under ``data_dir`` (``DATA_DIR/<uuid>``).

    A review made elsewhere (``realist init --database-url`` in some other
    folder) has no folder here yet: it is written now, its protocol restored
    from the latest version the event log holds (every ``protocol.changed``
    event carries the whole protocol), so a server can serve every review in
    its database.  Raises :class:`ReviewNotFound` for an unknown review.
    """
    with session_scope(engine) as session:
        review = session.get(Review, review_id)
        if review is None:
            raise ReviewNotFound(f"no review {review_id}")
        review_uuid, title = review.uuid, review.title
        last = session.scalars(
            select(Event)
            .where(Event.review_id == review_id, Event.action == "protocol.changed")
            .order_by(Event.id.desc())
            .limit(1)
        ).first()
        protocol = dict(last.payload["protocol"]) if last is not None and "protocol" in last.payload else None
    path = (Path(data_dir) / review_uuid).resolve()
    if not (path / STATE_DIR / CONFIG_FILE).exists() or not (path / protocol_mod.PROTOCOL_FILE).exists():
        _write_folder(engine, path, review_id, review_uuid, title, actor, protocol)
    return path


def open_database(database_url: str) -> Engine:
    """A server database as a store, without a review folder (its accounts, or every review
    in it for the web app).  A new, empty database gets the schema; an older one must be
    upgraded with ``realist migrate`` first."""
    from .store.db import current_revision

    engine = make_engine(database_url)
    try:
        if current_revision(engine) is None:
            upgrade(engine)
        else:
            ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def find_review_dir(start: str | Path | None = None) -> Path:
    """The nearest directory at or above ``start`` that holds a review."""
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / STATE_DIR / CONFIG_FILE).is_file():
            return candidate
    raise ReviewNotFound(f"no review in {here} or any folder above it", file=str(here), key="no-review")


def open_review(
    directory: str | Path | None = None,
    *,
    database_url: str | None = None,
    actor: str | None = None,
) -> ReviewHandle:
    """Open the review at (or above) ``directory``, upgrading SQLite if needed."""
    if directory is not None and not Path(directory).exists():
        raise ReviewNotFound(f"{directory}: no such folder")
    path = find_review_dir(directory)
    try:
        config = json.loads((path / STATE_DIR / CONFIG_FILE).read_text())
        review_uuid = config["uuid"]
    except (ValueError, KeyError) as exc:
        raise ReviewNotFound(f"{path / STATE_DIR / CONFIG_FILE} is damaged ({exc})") from None
    engine = make_engine(_resolve_url(path, database_url, config))
    try:
        ensure_schema(engine)
        with session_scope(engine) as session:
            review = session.scalar(select(Review).where(Review.uuid == review_uuid))
            if review is None:
                raise ReviewNotFound(
                    f"the review of {path} ({review_uuid}) is not in database "
                    f"{engine.url.render_as_string(hide_password=True)}"
                )
            review_id, title = review.id, review.title
    except BaseException:
        engine.dispose()
        raise
    handle = ReviewHandle(path, engine, review_id, review_uuid, title, actor or default_actor())
    try:
        handle.sync_protocol()
    except BaseException:
        handle.close()
        raise
    return handle


def migrate_review(directory: str | Path | None = None, *, database_url: str | None = None) -> tuple[str | None, str]:
    """Upgrade the review's database to this realist's schema: (before, after).  With a
    ``database_url`` and no review folder, that database."""
    from .store.db import current_revision, head_revision

    try:
        path = find_review_dir(directory)
    except ReviewNotFound:
        # A server database with no review folder here (a server that serves every review of it).
        if database_url is None or directory is not None:
            raise
        url = database_url
    else:
        config = json.loads((path / STATE_DIR / CONFIG_FILE).read_text())
        url = _resolve_url(path, database_url, config)
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        upgrade(engine)
        return before, head_revision()
    finally:
        engine.dispose()
