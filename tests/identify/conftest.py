from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from realist.review import ReviewHandle
from realist.store.models import Record, Source

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_path():
    return lambda name: FIXTURES / name


@pytest.fixture
def review(review: ReviewHandle) -> Iterator[ReviewHandle]:
    """The shared ``review`` fixture, emptied of its records and sources afterwards.

    The PostgreSQL test database holds every test's review for the whole
    session, and tests/test_review_store.py downgrades it past migration 0006,
    which cannot shorten the long values real exports carry (an EndNote XML
    issue of 159 characters, ...): the import tests leave none behind.
    """
    yield review
    with review.session() as session:
        session.execute(delete(Record).where(Record.review_id == review.review_id))
        session.execute(delete(Source).where(Source.review_id == review.review_id))
