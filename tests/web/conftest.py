"""Fixtures for accounts and the web app: a review with members, on each backend.

Accounts are per store, and the PostgreSQL test database is one store shared
by every test, so account tables are emptied before each test there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete

from realist.review import ReviewHandle

if TYPE_CHECKING:
    from conftest import Cli
from realist.store.models import Account, ApiToken, LoginAttempt, Membership, RequestKey, SetupToken, StoredRanking, WebSession


def _empty_account_tables(review: ReviewHandle) -> None:
    with review.session() as session:
        for table in (Membership, WebSession, ApiToken, SetupToken, LoginAttempt, RequestKey, StoredRanking):
            session.execute(delete(table))
        session.execute(delete(Account))


@pytest.fixture
def store(review: ReviewHandle) -> Iterator[ReviewHandle]:
    """A fresh review whose store has no accounts yet."""
    _empty_account_tables(review)
    yield review


@pytest.fixture
def cli(run: "Cli") -> "Cli":
    """The CLI on a fresh review whose store has no accounts yet."""
    from realist.review import open_review

    handle = open_review(run.path, database_url=run.database_url)
    try:
        _empty_account_tables(handle)
    finally:
        handle.close()
    return run
