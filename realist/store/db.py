"""Engines, sessions and migrations: the one access path to a review's data.

SQLite (one file per review) is the embedded default; any SQLAlchemy URL
(PostgreSQL for a team server) can be given instead.  An SQLite file is
backed up and upgraded automatically when the package's schema is newer; a
server database is upgraded only by an explicit ``realist migrate``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import RealistError

if TYPE_CHECKING:  # Alembic loads when a schema is checked or upgraded, not on import
    from alembic.config import Config

__all__ = [
    "make_engine",
    "session_scope",
    "upgrade",
    "current_revision",
    "head_revision",
    "ensure_schema",
    "SchemaOutdated",
]

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaOutdated(RealistError):
    """A server database is behind the package's schema."""


# How long an SQLite connection waits for another writer before "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30
# Execution option naming a transaction that writes (see ``session_scope(write=True)``).
_WRITE = "realist_write"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own BEGIN handling is off: the "begin" hook below issues BEGIN itself,
    # so that a writing transaction can take SQLite's write lock at its start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """BEGIN IMMEDIATE for a writing transaction, BEGIN (deferred) otherwise.

    A deferred transaction that reads and then writes must upgrade its read
    lock; in WAL mode that fails at once with "database is locked" when
    another connection wrote in between, whatever the busy timeout.  Taking
    the write lock at BEGIN makes a concurrent writer wait (up to the busy
    timeout) instead.
    """
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with foreign keys enforced on SQLite."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise RealistError(f"not a database URL: {url!r} ({exc})") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, object] = {}
    if parsed.get_backend_name() != "sqlite":
        kwargs["pool_pre_ping"] = True
    if parsed.drivername == "postgresql+psycopg":
        # No server-side prepared statements: after five runs psycopg prepares a query, and
        # PostgreSQL may then switch to a generic plan; for "ids IN (100 values) of one review"
        # that plan scanned the whole review (49 ms instead of under 1 ms at 50,000 records).
        kwargs["connect_args"] = {"prepare_threshold": None}
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error.

    ``write=True`` marks a transaction that reads and then writes (a decision):
    on SQLite it takes the write lock when it begins (BEGIN IMMEDIATE), so
    concurrent writers queue on the busy timeout instead of failing.
    """
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        if write and engine.dialect.name == "sqlite":
            session.connection(execution_options={_WRITE: True})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(engine: Engine | None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise RealistError(f"cannot open the review database: {exc.orig}") from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (explicit; used by init and migrate)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the package's schema, or say what to do.

    SQLite: back the file up next to itself (``review.db.bak-<rev>``), then
    upgrade.  A server database: refuse and ask for ``realist migrate``.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if engine.dialect.name == "sqlite":
        db_path = engine.url.database
        if db_path and db_path != ":memory:" and current is not None:
            shutil.copy2(db_path, f"{db_path}.bak-{current}")
        upgrade(engine)
        return
    raise SchemaOutdated(
        f"the review database is at schema {current or 'none'}, this realist needs {head}",
        key="schema-outdated",
    )
