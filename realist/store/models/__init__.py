"""The review store's schema (SQLAlchemy 2, typed ``Mapped`` models).

Every table carries ``review_id`` so one PostgreSQL server can hold many
reviews; an SQLite file holds one.  Constraint names follow one naming
convention so migrations match across backends.  These models are the live
schema: Alembic revisions never import them (they describe the tables they
create themselves), so an old revision keeps working after the models move
on.

Modules: :mod:`.base` (the declarative base), :mod:`.core` (reviews, events,
sources, records, duplicates, screening, studies, citation links) and
:mod:`.coding` (full texts, excerpts, codings, CMOCs, appraisals) and
:mod:`.accounts` (accounts, membership, sessions, tokens, idempotency keys,
stored rankings: the web app's tables).  Import
the models from this package: ``from realist.store.models import Record``.
"""

from __future__ import annotations

from .accounts import (
    Account,
    ApiToken,
    LoginAttempt,
    Membership,
    RequestKey,
    SetupToken,
    StoredRanking,
    WebSession,
)
from .base import NAMING_CONVENTION, Base, utcnow
from .coding import Appraisal, Cmoc, CmocElement, CmocEvidence, Coding, CodingValidation, Excerpt, FullText
from .core import (
    Assignment,
    CitationLink,
    Decision,
    DuplicateLink,
    Event,
    Record,
    Resolution,
    Review,
    Source,
    Study,
)

__all__ = [
    "Account",
    "ApiToken",
    "LoginAttempt",
    "Membership",
    "RequestKey",
    "SetupToken",
    "StoredRanking",
    "WebSession",
    "NAMING_CONVENTION",
    "Base",
    "utcnow",
    "Review",
    "Event",
    "Source",
    "Record",
    "DuplicateLink",
    "Assignment",
    "Decision",
    "Resolution",
    "Study",
    "CitationLink",
    "FullText",
    "Excerpt",
    "Coding",
    "CodingValidation",
    "Cmoc",
    "CmocElement",
    "CmocEvidence",
    "Appraisal",
]
