"""The event log as people see it: filterable, and blind where screening is blinded.

While a screening stage is blinded, a reviewer must not learn another
reviewer's decision, reason or note there; the log of decisions carries all
three, so :func:`activity` hides them from everyone but the reviewer who
made them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from .review import ReviewHandle
from .screen.decisions import STAGES, is_blinded
from .store.models import Event

__all__ = ["ActivityEntry", "activity", "BLINDED_FIELDS"]

BLINDED_FIELDS = ("decision", "reason", "note", "decisions")
_SCREENING = ("screen.decided", "screen.retracted", "screen.resolved")


@dataclass(frozen=True)
class ActivityEntry:
    id: int
    at: str
    actor: str
    action: str
    entity: str | None
    entity_id: int | None
    payload: dict[str, Any]
    hidden: bool  # details withheld by blinding

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "payload": self.payload,
            "hidden": self.hidden,
        }


def activity(
    review: ReviewHandle,
    viewer: str,
    *,
    action: str | None = None,
    actor: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ActivityEntry], int]:
    """Events newest first, as ``viewer`` may see them, and the total that match."""
    blinded = {stage for stage in STAGES if is_blinded(review, stage)}
    query = select(Event).where(Event.review_id == review.review_id)
    if action:
        query = query.where(Event.action.like(f"{action}%"))
    if actor:
        query = query.where(Event.actor == actor)
    with review.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(Event.id.desc()).limit(limit).offset(offset)).all()
    out = []
    for e in rows:
        payload = dict(e.payload or {})
        hidden = False
        if e.action in _SCREENING and payload.get("stage") in blinded and payload.get("reviewer", e.actor) != viewer:
            payload = {k: v for k, v in payload.items() if k not in BLINDED_FIELDS}
            hidden = True
        if e.action == "protocol.changed":
            payload = {"sha256": payload.get("sha256")}
        out.append(
            ActivityEntry(
                e.id, e.at.isoformat(timespec="seconds"), e.actor, e.action, e.entity, e.entity_id, payload, hidden
            )
        )
    return out, total
