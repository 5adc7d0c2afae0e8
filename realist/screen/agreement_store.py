"""Agreement statistics for a review's screening, from its stored decisions.

Each reviewer's current (latest, not retracted) decision counts; records
with two or more reviewers are compared.  The statistics themselves live in
:mod:`realist.screen.agreement`.
"""

from __future__ import annotations

from ..review import ReviewHandle
from .agreement import AgreementPoint, AgreementReport, agreement_over_time, agreement_report
from .decisions import _check_stage, _latest_decisions

__all__ = ["review_agreement", "review_agreement_over_time", "stage_ratings"]


def stage_ratings(review: ReviewHandle, stage: str) -> dict[int, dict[str, tuple[str, object]]]:
    """``record_id -> {reviewer: (decision, time)}`` for every decided record."""
    _check_stage(stage)
    with review.session() as session:
        latest = _latest_decisions(session, review.review_id, stage)
    return {rid: {who: (d.decision, d.at) for who, d in row.items()} for rid, row in latest.items() if row}


def review_agreement(
    review: ReviewHandle, stage: str = "title_abstract", *, collapse_maybe: bool = True
) -> AgreementReport:
    ratings = {rid: {who: v[0] for who, v in row.items()} for rid, row in stage_ratings(review, stage).items()}
    return agreement_report(ratings, collapse_maybe=collapse_maybe)


def review_agreement_over_time(
    review: ReviewHandle, stage: str = "title_abstract", *, batch: int = 50
) -> list[AgreementPoint]:
    return agreement_over_time(stage_ratings(review, stage), batch=batch)
