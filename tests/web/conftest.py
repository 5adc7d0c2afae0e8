"""Fixtures for accounts and the web app: a review with members, on each backend.

Accounts are per store, and the PostgreSQL test database is one store shared
by every test, so account tables are emptied before each test there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


# ---------------------------------------------------------------- the web app

PASSWORD = "correct horse battery"
TEAM = {"owner": "olu", "reviewer": "rae", "reviewer2": "ren", "viewer": "vic", "outsider": "eve"}


class Client:
    """An in-process browser: a TestClient that signs in through the real login form."""

    def __init__(self, app: Any, name: str | None = None) -> None:
        from fastapi.testclient import TestClient

        self.http = TestClient(app, base_url="http://testserver")
        self.name = name
        self.csrf = ""
        if name is not None:
            self.login(name)

    def login(self, name: str, password: str = PASSWORD) -> Any:
        form = self.http.get("/login")
        token = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
        assert token, form.text
        response = self.http.post("/login", data={"username": name, "password": password,
                                                  "login_csrf": token.group(1), "next": "/"},
                                  follow_redirects=False)
        if response.status_code == 303:
            page = self.http.get("/")
            found = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
            self.csrf = found.group(1) if found else ""
        return response

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, follow_redirects=False, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any) -> Any:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.http.post(url, data=data, follow_redirects=False, **kw)

    def api(self, method: str, url: str, json: Any = None, *, csrf: bool = True) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        return self.http.request(method, url, json=json, headers=headers, follow_redirects=False)


@dataclass
class Team:
    review: ReviewHandle
    app: Any
    record_ids: list[int]
    pair_id: int

    def client(self, role: str | None) -> Client:
        return Client(self.app, TEAM[role] if role else None)


TOPICS = [
    ("Peer educators and HIV testing among people who inject drugs", "peer educators HIV testing harm reduction"),
    ("Needle exchange uptake in a peer-led drop-in centre", "peer-led needle syringe programme"),
    ("Soil nitrogen dynamics under maize rotation", "agronomy soil nitrogen fertiliser maize"),
    ("Bridge deck corrosion monitoring with sensors", "civil engineering corrosion sensors"),
]


@pytest.fixture
def team(store: ReviewHandle) -> Iterator[Team]:
    """A review with 12 records and a team: owner, two reviewers, a viewer, and an outsider."""
    from realist import accounts
    from realist.identify import import_records
    from realist.protocol import read_protocol, write_protocol
    from realist.records import RecordData
    from realist.screen.decisions import statuses
    from realist.web import WebStore, create_app

    records = [RecordData(title=f"{TOPICS[i % 4][0]} ({i})", abstract=f"{TOPICS[i % 4][1]} study {i}",
                          authors=[f"Author{i}, A."], year=2000 + i) for i in range(12)]
    import_records(store, records, source="PubMed", kind="database")
    protocol = read_protocol(store.protocol_path)
    protocol["eligibility"]["title_abstract"]["exclude"] = [
        {"id": "wrong-population", "label": "Not people who use drugs"},
        {"id": "wrong-topic", "label": "Not about peer involvement"}]
    write_protocol(store.protocol_path, protocol)
    for role, name in TEAM.items():
        accounts.add_user(store.engine, name, PASSWORD)
        if role != "outsider":
            accounts.add_member(store, name, "reviewer" if role.startswith("reviewer") else role)
    app = create_app(WebStore(store.engine, {store.review_id: store.path}))
    ids = sorted(statuses(store, "title_abstract"))
    from realist.store.models import DuplicateLink

    with store.session() as session:  # a pair left for a person, as the matcher leaves uncertain ones
        link = DuplicateLink(review_id=store.review_id, record_id=ids[-2], other_id=ids[-1], score=0.8,
                             status="pending", method="rules", matched_fields=["year"],
                             differing_fields=["title", "doi"], reason="similar titles")
        session.add(link)
        session.flush()
        pair_id = link.id
    yield Team(store, app, ids, pair_id)
