"""Citation chasing: backward (reference lists) and forward (citing works).

:func:`chase` resolves the seeds (review records, DOIs, PMIDs or OpenAlex
ids), fetches everything it needs from a work source (the OpenAlex API or
saved JSON) and only then writes: one source of kind ``citation`` holding the
works found, each with :class:`~realist.store.models.CitationLink` rows
naming its seed(s), the direction and the depth.  A failure while fetching
leaves the review unchanged.  Deduplication runs afterwards (as after any
import), so works already in the review are merged, not counted twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from ..errors import InvalidInput, NotFound, RealistError
from ..identify.formats.jsonfmt import OpenAlexJSON
from ..review import ReviewHandle
from ..store.models import Record
from .openalex import Identifier, parse_identifier, work_identifiers
from .store import Link, new_after_dedup, store_found
from .works import Progress, WorkSource, cited_ids, work_id

__all__ = ["DIRECTIONS", "Seed", "ChaseResult", "NothingFound", "chase", "resolve_seeds", "included_record_ids"]

DIRECTIONS = ("backward", "forward", "both")
MAX_DEPTH = 3


class NothingFound(RealistError):
    """A chase or search found no works; nothing was written."""


@dataclass
class Seed:
    """A work chased from: its OpenAlex id, reference list and review record (if any)."""

    label: str
    openalex_id: str
    references: list[str]
    record_id: int | None = None
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "openalex_id": self.openalex_id,
            "record_id": self.record_id,
            "title": self.title,
            "references": len(self.references),
        }


@dataclass
class ChaseResult:
    """What a chase found and stored."""

    source_id: int
    direction: str
    depth: int
    seeds: list[Seed]
    found: int
    by_direction: dict[str, int]
    links: int
    unresolved: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_after_dedup: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["seeds"] = [s.to_dict() for s in self.seeds]
        return out


def included_record_ids(review: ReviewHandle) -> list[int]:
    """Records included at full text, or at title/abstract when no full text is decided yet."""
    from ..screen.decisions import statuses

    full = statuses(review, "full_text")
    if any(s.status != "pending" for s in full.values()):
        return sorted(r for r, s in full.items() if s.status == "included")
    return sorted(r for r, s in statuses(review, "title_abstract").items() if s.status == "included")


def _record_ids(rec: Record) -> list[Identifier]:
    pairs = (("openalex", rec.openalex_id), ("doi", rec.doi), ("pmid", rec.pmid))
    return [(k, v) for k, v in pairs if v]


def _find_record(session: Any, review: ReviewHandle, ids: list[Identifier]) -> Record | None:
    conds = [getattr(Record, {"openalex": "openalex_id"}.get(k, k)) == v for k, v in ids]
    if not conds:
        return None
    rec: Record | None = session.scalars(
        select(Record).where(Record.review_id == review.review_id, or_(*conds)).order_by(Record.id)
    ).first()
    while rec is not None and rec.duplicate_of_id is not None:
        rec = session.get(Record, rec.duplicate_of_id)
    return rec


def resolve_seeds(
    review: ReviewHandle, specs: list[str], source: WorkSource, *, included: bool = False
) -> tuple[list[Seed], list[str]]:
    """Seeds from record ids (digits), DOIs, ``pmid:`` ids or OpenAlex ids, and/or the included records.

    Explicitly named seeds that cannot be found are errors; included records
    without an identifier are skipped with a warning.
    """
    warnings: list[str] = []
    wanted: list[tuple[str, list[Identifier], Record | None, bool]] = []
    with review.session() as session:
        for spec in specs:
            text = spec.strip()
            if text.isdigit():
                rec = session.get(Record, int(text))
                if rec is None or rec.review_id != review.review_id:
                    raise NotFound(f"no record {text} in this review (use pmid:{text} for a PubMed id)")
                ids = _record_ids(rec)
                if not ids:
                    raise InvalidInput(
                        f"record {text} has no DOI, PMID or OpenAlex id to chase from; "
                        "add one, or name the work by its DOI",
                        field="seeds",
                        key="seed-without-identifier",
                    )
                wanted.append((f"record {rec.id}", ids, rec, True))
            else:
                ident = parse_identifier(text)
                wanted.append((text, [ident], _find_record(session, review, [ident]), True))
        if included:
            ids_in = included_record_ids(review)
            if not ids_in:
                warnings.append("no included records to chase from")
            for rid in ids_in:
                rec = session.get(Record, rid)
                assert rec is not None
                if _record_ids(rec):
                    wanted.append((f"record {rid}", _record_ids(rec), rec, False))
                else:
                    warnings.append(f"record {rid} has no DOI, PMID or OpenAlex id: not chased")
        answers = source.lookup([i for _, ids, _, _ in wanted for i in ids])
        seeds: dict[str, Seed] = {}
        for label, ids, rec, explicit in wanted:
            work = next((answers.get(i) for i in ids if answers.get(i)), None)
            if rec is None and work is not None:
                rec = _find_record(session, review, work_identifiers(work))
            wid = work_id(work) if work else (rec.openalex_id if rec is not None else None)
            if not wid:
                problem = f"{label} ({', '.join(f'{k} {v}' for k, v in ids)}) was not found in OpenAlex"
                if explicit:
                    raise NotFound(problem + "; check the identifier")
                warnings.append(problem + ": not chased")
                continue
            refs = cited_ids(work) if work else list(rec.referenced_works or []) if rec is not None else []
            title = (work or {}).get("display_name") or (work or {}).get("title") or (rec.title if rec else None)
            if wid not in seeds:
                seeds[wid] = Seed(label, wid, refs, rec.id if rec is not None else None, title)
    if not seeds:
        raise InvalidInput(
            "nothing to chase from: name seed works, or chase from the included records"
            + (f" ({'; '.join(warnings)})" if warnings else ""),
            field="seeds",
            key="no-seeds",
        )
    return list(seeds.values()), warnings


def _collect(
    seeds: list[Seed], direction: str, depth: int, source: WorkSource, progress: Progress | None
) -> tuple[dict[str, dict[str, Any]], list[Link], list[str], list[str]]:
    found: dict[str, dict[str, Any]] = {}
    links: list[Link] = []
    unresolved: set[str] = set()
    warnings: list[str] = []
    known = {s.openalex_id for s in seeds}
    frontier = list(seeds)
    for level in range(1, depth + 1):
        fresh: list[str] = []
        if direction in ("backward", "both"):
            refs = list(dict.fromkeys(r for s in frontier for r in s.references))
            if level == 1:
                warnings += [f"{s.label} has no reference list in OpenAlex" for s in frontier if not s.references]
            hydrated = source.works(refs, progress) if refs else {}
            for s in frontier:
                for ref in s.references:
                    if ref not in hydrated:
                        unresolved.add(ref)
                        continue
                    links.append(Link(ref, s.openalex_id, "backward", level, s.record_id))
                    if ref not in found:
                        found[ref] = hydrated[ref]
                        fresh.append(ref)
        if direction in ("forward", "both"):
            by_seed = {s.openalex_id: s for s in frontier}
            citing = sorted(source.citing(list(by_seed), progress), key=lambda p: _order(work_id(p[0])))
            for work, cited in citing:
                wid = work_id(work)
                assert wid is not None
                for seed_id in cited:
                    if seed_id in by_seed:
                        links.append(Link(wid, seed_id, "forward", level, by_seed[seed_id].record_id))
                if wid not in found:
                    found[wid] = work
                    fresh.append(wid)
        frontier = [Seed(w, w, cited_ids(found[w])) for w in fresh if w not in known]
        known.update(fresh)
        if not frontier:
            break
    return found, _unique(links), sorted(unresolved, key=_order), warnings


def _order(wid: str | None) -> tuple[int, str]:
    digits = (wid or "")[1:]
    return (int(digits) if digits.isdigit() else 0, wid or "")


def _unique(links: list[Link]) -> list[Link]:
    seen: dict[tuple[str, str, str], Link] = {}
    for link in links:
        seen.setdefault((link.found, link.seed, link.direction), link)
    return list(seen.values())


def chase(
    review: ReviewHandle,
    direction: str,
    source: WorkSource,
    *,
    seeds: list[str] | tuple[str, ...] = (),
    included: bool = False,
    depth: int = 1,
    name: str | None = None,
    dedup: bool = True,
    progress: Progress | None = None,
) -> ChaseResult:
    """Chase citations from the seeds and store what is found as one ``citation`` source."""
    if direction not in DIRECTIONS:
        raise InvalidInput(f"unknown direction {direction!r}: use backward, forward or both")
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidInput(f"depth must be between 1 and {MAX_DEPTH}, not {depth}", field="depth")
    resolved, warnings = resolve_seeds(review, list(seeds), source, included=included)
    found, links, unresolved, more = _collect(resolved, direction, depth, source, progress)
    warnings += more
    if unresolved:
        warnings.append(f"{len(unresolved)} referenced work(s) could not be retrieved")
    if not found:
        raise NothingFound(
            f"the {direction} chase from {', '.join(s.label for s in resolved)} found no works"
            + (f" ({'; '.join(warnings)})" if warnings else "")
            + "; the review is unchanged"
        )
    fmt = OpenAlexJSON()
    records = [fmt.record(work) for work in found.values()]
    by_direction = {d: len({link.found for link in links if link.direction == d}) for d in ("backward", "forward")}
    details = {
        "method": "citation_chase",
        "direction": direction,
        "depth": depth,
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seeds": [s.to_dict() for s in resolved],
        "found": len(found),
        "found_by_direction": by_direction,
        "unresolved_references": unresolved,
        **source.describe(),
    }
    label = name or f"Citation chase ({direction}) from {len(resolved)} seed(s)"
    source_id = store_found(
        review, records, links, name=label, kind="citation", format="openalex_json", details=details
    )
    result = ChaseResult(
        source_id, direction, depth, resolved, len(found), by_direction, len(links), unresolved, warnings
    )
    if dedup:
        from ..deduplicate.store import run_dedup

        run_dedup(review)
        result.new_after_dedup = new_after_dedup(review, source_id)
    return result
