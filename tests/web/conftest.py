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
from realist.store.models import (
    Account,
    ApiToken,
    LoginAttempt,
    Membership,
    RequestKey,
    SetupToken,
    StoredRanking,
    WebSession,
)


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
def cli(run: Cli) -> Cli:
    """The CLI on a fresh review whose store has no accounts yet."""
    from realist.review import open_review

    handle = open_review(run.path, database_url=run.database_url)
    try:
        _empty_account_tables(handle)
    finally:
        handle.close()
    return run


from web_support import PASSWORD, TEAM, TOPICS, Team  # noqa: E402


@pytest.fixture
def team(store: ReviewHandle) -> Iterator[Team]:
    """A review with 12 records and a team: owner, two reviewers, a viewer, and an outsider."""
    from realist import accounts
    from realist.identify import import_records
    from realist.protocol import read_protocol, write_protocol
    from realist.records import RecordData
    from realist.screen.decisions import statuses
    from realist.web import WebStore, create_app

    records = [
        RecordData(
            title=f"{TOPICS[i % 4][0]} ({i})",
            abstract=f"{TOPICS[i % 4][1]} study {i}",
            authors=[f"Author{i}, A."],
            year=2000 + i,
        )
        for i in range(12)
    ]
    import_records(store, records, source="PubMed", kind="database")
    protocol = read_protocol(store.protocol_path)
    protocol["eligibility"]["title_abstract"]["exclude"] = [
        {"id": "wrong-population", "label": "Not people who use drugs"},
        {"id": "wrong-topic", "label": "Not about peer involvement"},
    ]
    write_protocol(store.protocol_path, protocol)
    for role, name in TEAM.items():
        accounts.add_user(store.engine, name, PASSWORD)
        if role != "outsider":
            accounts.add_member(store, name, "reviewer" if role.startswith("reviewer") else role)
    app = create_app(WebStore(store.engine, {store.review_id: store.path}), immediate_jobs=True)
    ids = sorted(statuses(store, "title_abstract"))
    from realist.store.models import DuplicateLink

    with store.session() as session:  # a pair left for a person, as the matcher leaves uncertain ones
        link = DuplicateLink(
            review_id=store.review_id,
            record_id=ids[-2],
            other_id=ids[-1],
            score=0.8,
            status="pending",
            method="rules",
            matched_fields=["year"],
            differing_fields=["title", "doi"],
            reason="similar titles",
        )
        session.add(link)
        session.flush()
        pair_id = link.id
    from realist.fulltext import add_fulltext_bytes

    add_fulltext_bytes(store, ids[0], "first.txt", b"Full text of the first record: peer educators in Kyiv.")
    owner = accounts.authenticate(store.engine, TEAM["owner"], PASSWORD)
    job_id = app.state.jobs.submit_refit(store.review_id, owner.id, "title_abstract")
    yield Team(store, app, ids, pair_id, job_id)
