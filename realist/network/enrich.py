"""Enrichment: fill missing abstracts, DOIs, ids and reference lists from OpenAlex.

Only empty normalised fields are filled; ``raw`` (the record as imported)
is never touched.  Every record changed gets one ``record.enriched`` event
listing each field with its old and new value, in the same transaction as
the change.  Filling ``referenced_works`` (and the record's own OpenAlex id)
lets the screening ranker use citation links between records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..identify.formats.jsonfmt import OpenAlexJSON
from ..review import ReviewHandle
from ..store.models import Record
from .openalex import Identifier
from .works import Progress, WorkSource

__all__ = ["ENRICH_FIELDS", "EnrichResult", "enrich"]

#: Fields enrichment may fill, in this order.
ENRICH_FIELDS = ("abstract", "doi", "pmid", "openalex_id", "referenced_works")


@dataclass
class EnrichResult:
    candidates: int
    looked_up: int
    not_found: int
    records_changed: int
    filled: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _ids(rec: Record) -> list[Identifier]:
    pairs = (("openalex", rec.openalex_id), ("doi", rec.doi), ("pmid", rec.pmid))
    return [(k, v) for k, v in pairs if v]


def enrich(
    review: ReviewHandle,
    source: WorkSource,
    *,
    fields: tuple[str, ...] = ENRICH_FIELDS,
    record_ids: list[int] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> EnrichResult:
    """Fill empty ``fields`` of records that have an identifier; all in one transaction."""
    bad = [f for f in fields if f not in ENRICH_FIELDS]
    if bad:
        from ..errors import InvalidInput

        raise InvalidInput(f"cannot enrich {', '.join(bad)}: choose from {', '.join(ENRICH_FIELDS)}")
    with review.session() as session:
        query = (
            select(Record)
            .where(Record.review_id == review.review_id, Record.duplicate_of_id.is_(None))
            .order_by(Record.id)
        )
        if record_ids is not None:
            query = query.where(Record.id.in_(record_ids))
        candidates = [r for r in session.scalars(query) if _ids(r) and any(_empty(getattr(r, f)) for f in fields)]
        wanted = {r.id: _ids(r) for r in candidates}
    # Fetch everything before writing anything.
    answers = source.lookup([i for ids in wanted.values() for i in ids]) if wanted else {}
    if progress is not None:
        progress("Looking up", len(wanted), len(wanted))
    fmt = OpenAlexJSON()
    result = EnrichResult(len(candidates), len(wanted), 0, 0, {f: 0 for f in fields}, dry_run)
    with review.session() as session:
        for rid, ids in wanted.items():
            work = next((answers[i] for i in ids if answers.get(i)), None)
            if work is None:
                result.not_found += 1
                continue
            fresh = fmt.record(work)
            rec = session.get(Record, rid)
            assert rec is not None
            changes: dict[str, dict[str, Any]] = {}
            for name in fields:
                old, new = getattr(rec, name), getattr(fresh, name)
                if _empty(old) and not _empty(new):
                    changes[name] = {"old": old, "new": new}
                    setattr(rec, name, new)
                    result.filled[name] += 1
            if changes:
                result.records_changed += 1
                review.log(
                    session,
                    "record.enriched",
                    entity="record",
                    entity_id=rid,
                    source="openalex",
                    openalex_id=fresh.openalex_id,
                    changes=changes,
                )
        if dry_run:
            session.rollback()
    return result
