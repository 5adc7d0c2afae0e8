"""Shared fixtures: one review per test, on SQLite and (when configured) PostgreSQL.

``REALIST_TEST_DATABASE_URL`` names a PostgreSQL database; when it is set,
every test that uses ``database_url`` runs twice, once per backend (habit 6
of STYLE.md).  The PostgreSQL schema is rebuilt from the migrations once per
test session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from realist.cli import cli
from realist.registry import Registry
from realist.review import ReviewHandle, init_review

from support import BACKENDS, PG_URL, REPO, SAMPLE, SHARED, shared_path  # noqa: F401  (re-exported for fixtures)


def _reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from realist.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def _postgres_ready() -> bool:
    if PG_URL:
        _reset_postgres(PG_URL)
    return True


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, _postgres_ready: bool) -> str | None:
    """None for the embedded SQLite default, else the PostgreSQL URL."""
    return PG_URL if request.param == "postgresql" else None


@pytest.fixture
def review(tmp_path: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReviewHandle]:
    monkeypatch.delenv("REALIST_DATABASE_URL", raising=False)
    handle = init_review(tmp_path / "review", "Test review", database_url=database_url, actor="tester")
    yield handle
    handle.close()


@pytest.fixture
def registered() -> Iterator[Callable[[Registry[Any], str, Any], Any]]:
    """Register into a global registry for one test; every name is unregistered afterwards."""
    added: list[tuple[Registry[Any], str, Any]] = []

    def register(registry: Registry[Any], name: str, item: Any) -> Any:
        previous = registry.get(name) if name in registry else None
        registry.register(name, item, replace=previous is not None)
        added.append((registry, name, previous))
        return item

    yield register
    for registry, name, previous in reversed(added):
        registry.unregister(name)
        if previous is not None:
            registry.register(name, previous)


@pytest.fixture
def shared() -> Path:
    """The ../shared folder, or a clean skip when it is absent (see ``support.shared_path``)."""
    return shared_path()


@pytest.fixture
def seed_review(shared: Path) -> Path:
    """The text of the reference review (../shared/seed)."""
    return shared_path("seed", "peer-involvement-rapid-realist-review.txt")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that reads ../shared (through the ``shared`` fixture, directly or not) is marked ``shared``."""
    for item in items:
        if "shared" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared)


class Cli:
    """Runs ``realist`` in-process against one review folder."""

    def __init__(self, path: Path, database_url: str | None) -> None:
        self.path = path
        self.database_url = database_url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        base = ["--review", str(self.path), "--as", "tester"]
        if self.database_url:
            base += ["--database-url", self.database_url]
        return self.runner.invoke(cli, [*base, *args], input=input, catch_exceptions=False)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, result.output
        return result


@pytest.fixture
def run(tmp_path: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A CLI bound to a freshly initialised review."""
    monkeypatch.delenv("REALIST_DATABASE_URL", raising=False)
    path = tmp_path / "review"
    runner = Cli(path, database_url)
    base = ["--as", "tester"] + (["--database-url", database_url] if database_url else [])
    result = runner.runner.invoke(cli, [*base, "init", str(path), "--title", "CLI review"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return runner
