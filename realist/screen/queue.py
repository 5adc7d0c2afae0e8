"""What to screen next, and whether screening may stop.

The queue offers a reviewer the records they still have to decide, most
likely relevant first, by the active learner of
:mod:`realist.screen.ranking`.  It learns only from what the reviewer may
see — their own decisions and records whose status is settled — so the
order cannot leak another reviewer's blinded decision.  Before any include
exists it ranks by similarity to the protocol's question and inclusion
criteria.

Once the stopping rule recommends it, ``start_sampling`` switches the stage
to random sampling: the remaining records are then offered in a random
order fixed by a seed, so that the hypergeometric test of
:mod:`realist.screen.stopping` is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidInput
from ..results import Result
from ..review import ReviewHandle
from ..store.events import events
from ..store.models import Record
from .decisions import _assignments, _check_stage, _latest_decisions, _resolutions, _statuses, eligible_records

if TYPE_CHECKING:  # numpy, scipy and scikit-learn load when a ranking or estimate is asked for
    from .stopping import StoppingEstimate

__all__ = ["SamplingStarted", "criteria_text", "next_records", "stopping_estimate", "start_sampling"]


def criteria_text(protocol: dict[str, Any], stage: str) -> str:
    """Question, sub-questions and inclusion criteria as one text for cold-start ranking."""
    parts = [str(protocol.get("question") or "")]
    parts += [str(q) for q in protocol.get("sub_questions") or []]
    include = ((protocol.get("eligibility") or {}).get(stage) or {}).get("include") or []
    for item in include:
        if isinstance(item, dict):
            parts += [str(item.get("label") or ""), str(item.get("description") or "")]
        else:
            parts.append(str(item))
    return " ".join(p for p in parts if p.strip())


def _sampling_event(review: ReviewHandle, session: Session, stage: str) -> dict[str, Any] | None:
    found = [
        e.payload
        for e in events(session, review.review_id, action="screen.sampling_started")
        if e.payload.get("stage") == stage
    ]
    return found[-1] if found else None


def _settled(session: Session, review_id: int, stage: str) -> list[tuple[int, int]]:
    ids = eligible_records(session, review_id, stage)
    states = _statuses(session, review_id, stage, ids)
    latest = _latest_decisions(session, review_id, stage)
    resolved = _resolutions(session, review_id, stage)
    done = []
    for rid, state in states.items():
        if state.status not in ("included", "excluded"):
            continue
        when = resolved[rid].at if rid in resolved else max(d.at for d in latest[rid].values())
        done.append((when, rid, 1 if state.status == "included" else 0))
    done.sort()
    return [(rid, label) for _, rid, label in done]


def next_records(
    review: ReviewHandle,
    reviewer: str,
    *,
    stage: str = "title_abstract",
    limit: int | None = 1,
    model: str = "default",
    seed: int = 0,
    ranker_cache: dict[str, Any] | None = None,
) -> list[int]:
    """The records ``reviewer`` should screen next, best first.

    ``model`` names a ranking model (:data:`realist.screen.ranking.MODELS`).
    """
    import numpy as np

    from .ranking.learner import Ranker

    _check_stage(stage)
    rid_ = review.review_id
    protocol = review.protocol()
    with review.session() as session:
        ids = eligible_records(session, rid_, stage)
        states = _statuses(session, rid_, stage, ids)
        assigned = _assignments(session, rid_, stage)
        latest = _latest_decisions(session, rid_, stage)
        sampling = _sampling_event(review, session, stage)
        if assigned:
            todo = [r for r in ids if reviewer in assigned.get(r, []) and reviewer not in latest.get(r, {})]
        else:
            todo = [r for r in ids if not latest.get(r)]
        if not todo:
            return []
        if sampling is not None:
            rng = np.random.default_rng(int(sampling.get("seed", 0)))
            keys = rng.random(max(ids) + 1)
            todo.sort(key=lambda r: keys[r])
            return todo[:limit] if limit else todo
        labels_by_id: dict[int, int] = {}
        for r, state in states.items():
            if state.status in ("included", "excluded"):
                labels_by_id[r] = 1 if state.status == "included" else 0
            elif reviewer in latest.get(r, {}):
                labels_by_id[r] = 0 if latest[r][reviewer].decision == "exclude" else 1
        cache = ranker_cache if ranker_cache is not None else {}
        # The features depend on the records (their ids: an import or a merge changes them) and
        # the criteria text, not on anyone's decisions: one cache serves every reviewer.
        key = (stage, tuple(ids), model, criteria_text(protocol, stage))
        if cache.get("key") != key:
            rows = session.execute(
                select(Record.id, Record.title, Record.abstract, Record.keywords, Record.referenced_works).where(
                    Record.id.in_(ids)
                )
            ).all()
            by_id = {r.id: r for r in rows}
            docs = [
                {
                    "title": by_id[i].title or "",
                    "abstract": by_id[i].abstract or "",
                    "keywords": by_id[i].keywords or [],
                    "referenced_works": by_id[i].referenced_works or [],
                }
                for i in ids
            ]
            cache["key"] = key
            cache["ranker"] = Ranker(docs, model=model, criteria_text=criteria_text(protocol, stage))
        ranker: Ranker = cache["ranker"]
    position = {r: i for i, r in enumerate(ids)}
    labels = {position[r]: y for r, y in labels_by_id.items()}
    order = ranker.fit_rank(labels, rng=np.random.default_rng(seed))
    wanted = set(todo)
    ranked = [ids[i] for i in order if ids[i] in wanted]
    seen = set(ranked)
    ranked += [r for r in todo if r not in seen]  # labelled by others but not by me
    return ranked[:limit] if limit else ranked


def stopping_estimate(
    review: ReviewHandle,
    stage: str = "title_abstract",
    *,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    rule: str | None = None,
) -> StoppingEstimate:
    """The stopping rule on the settled records of a stage, in the order settled.

    ``rule``: a name in :data:`realist.screen.stopping.RULES` (default: the
    same :data:`~realist.screen.stopping.DEFAULT_RULE` that ``realist
    simulate`` and the benchmark replay).  Its ``explanation`` says in plain
    words how many more records to screen and why.
    """
    _check_stage(stage)
    with review.session() as session:
        total = len(eligible_records(session, review.review_id, stage))
        settled = _settled(session, review.review_id, stage)
        sampling = _sampling_event(review, session, stage)
    if not total:
        raise InvalidInput(f"no records to screen at {stage}")
    start = None if sampling is None else min(int(sampling["screened"]), len(settled))
    from . import stopping

    return stopping.evaluate(
        [y for _, y in settled],
        total=total,
        sampling_start=start,
        target_recall=target_recall,
        confidence=confidence,
        rule=rule,
    )


@dataclass(frozen=True)
class SamplingStarted(Result):
    """A stage switched to random sampling: records screened so far and left to draw from."""

    stage: str
    screened: int
    remaining: int


def start_sampling(review: ReviewHandle, stage: str = "title_abstract", *, seed: int = 0) -> SamplingStarted:
    """Switch a stage to random sampling of the unscreened records (logged)."""
    _check_stage(stage)
    with review.session() as session:
        if _sampling_event(review, session, stage) is not None:
            raise InvalidInput(f"{stage} is already in random sampling")
        settled = _settled(session, review.review_id, stage)
        total = len(eligible_records(session, review.review_id, stage))
        review.log(
            session,
            "screen.sampling_started",
            stage=stage,
            screened=len(settled),
            remaining=total - len(settled),
            seed=seed,
        )
    return SamplingStarted(stage, len(settled), total - len(settled))
