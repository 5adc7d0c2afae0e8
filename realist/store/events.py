"""The append-only event log: every change with actor and time.

Stages call :func:`log_event` inside the same transaction as the change it
describes, so the log and the data never disagree.  Events are never updated
or deleted; :func:`events` reads them back in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Event

__all__ = ["log_event", "events"]


def log_event(
    session: Session,
    review_id: int,
    actor: str,
    action: str,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    **payload: Any,
) -> Event:
    """Append one event (flushed, committed with the caller's transaction)."""
    event = Event(
        review_id=review_id,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        payload=payload,
    )
    session.add(event)
    return event


def events(session: Session, review_id: int, *, action: str | None = None) -> Sequence[Event]:
    """All events of a review, oldest first (optionally one action only)."""
    query = select(Event).where(Event.review_id == review_id)
    if action is not None:
        query = query.where(Event.action == action)
    return session.scalars(query.order_by(Event.id)).all()
