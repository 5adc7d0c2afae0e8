"""Store tables of accounts and the web app (migration 0007; ``account.locale`` 0008;
``api_token.last_used_at`` 0010; ``ranking.version`` 0011).

Accounts are per *store* (one SQLite review file, or one PostgreSQL server
holding many reviews); membership ties an account to a review with a role.
Secrets are never stored: sessions, API tokens and setup links keep only a
SHA-256 hash of the random value the person holds.  Login attempts are kept
so throttling holds across worker processes.  ``request_key`` remembers the
answer to a state-changing request sent with an idempotency key, so a
re-sent form or a double click never acts twice.  ``ranking`` keeps the last
computed screening order per reviewer and stage, so any worker process can
serve the next record while a refit runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

__all__ = [
    "Account",
    "Membership",
    "WebSession",
    "ApiToken",
    "SetupToken",
    "LoginAttempt",
    "RequestKey",
    "StoredRanking",
]


class Account(Base):
    """A person who signs in; ``name`` is the actor written to the event log."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    # the web app's language for this person (migration 0008); None: the browser's
    locale: Mapped[str | None] = mapped_column(String(20), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Membership(Base):
    """An account's role in one review: owner | reviewer | viewer (+ resolver flag)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("review_id", "account_id", name="uq_membership_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    role: Mapped[str] = mapped_column(String(20))
    resolver: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: the member's own highlight terms {"include": [...], "exclude": [...]} (migration 0009);
    #: None: the protocol's terms
    highlights: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random id, this row its hash."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


class ApiToken(Base):
    """A personal API token for scripts (only its hash is kept)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    label: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: when a request last came with it (migration 0010; at most once a minute); None: never
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class SetupToken(Base):
    """A one-time link that creates the first owner of a store with no account."""

    __tablename__ = "setup_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class LoginAttempt(Base):
    """One failed sign-in, by name and client address (throttling)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_name_at", "name", "at"),
        Index("ix_login_attempt_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RequestKey(Base):
    """The answer to a state-changing request made with an idempotency key."""

    __tablename__ = "request_key"
    __table_args__ = (UniqueConstraint("actor", "key", name="uq_request_key_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(100))
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StoredRanking(Base):
    """The last screening order computed for a reviewer at a stage.

    ``version`` goes up by one each time the order is stored, so a process
    that keeps a copy of ``record_ids`` knows from this one number whether it
    is still the stored order (see :mod:`realist.screen.served`).
    """

    __tablename__ = "ranking"
    __table_args__ = (UniqueConstraint("review_id", "stage", "reviewer", name="uq_ranking_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    stage: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(200))
    record_ids: Mapped[list[Any]] = mapped_column(default=list)
    decisions_seen: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
