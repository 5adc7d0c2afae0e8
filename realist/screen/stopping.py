"""When may screening stop?  A statistical stopping rule and simple heuristics.

The rule is the one of Callaghan & Müller-Hansen (2020), "Statistical
stopping criteria for automated screening in systematic reviews", Systematic
Reviews 9:273, doi:10.1186/s13643-020-01521-4.  Screening has two phases:

1. **Ranked phase.**  Records are screened in active-learning order.  No
   valid recall estimate exists here (the order is not random).  The rule
   recommends ``start_sampling`` once the ranked phase itself suggests the
   target is reached: at least ``switch_after`` consecutive exclusions
   (default ``max(30, 5% of all records)``) *and* the "ranked
   quasi-sampling" p-value below ``1 - confidence`` (each run of
   last-screened records treated as if it were a random sample of what was
   left, minimum over runs - buscar's ranked test).  That p-value is not a
   valid test (the runs are not random; the minimum is over many runs), so it
   only triggers the switch; it never stops screening.  Switching late keeps
   the ranking's work saving intact (the random sample would otherwise
   interleave with the ranked order before most relevant records are found);
   the price is a smaller saving from the stop itself.
2. **Random sampling phase.**  Records are drawn uniformly at random, without
   replacement, from those left unscreened at the switch (``N0`` of them).
   After ``n`` draws with ``k`` relevant, and ``r_AL`` relevant found before
   the switch, ``r_seen = r_AL + k``.  The null hypothesis is that recall is
   still below the target ``tau``, i.e. the urn held at least

       K_tar = floor(r_seen / tau - r_AL) + 1

   relevant records (computed in exact arithmetic).  The p-value is the
   probability of seeing at most ``k`` relevant in ``n`` draws if it held
   exactly ``K_tar`` (the hypergeometric CDF; larger ``K`` only lowers it):

       p = hypergeom.cdf(k, N0, K_tar, n)

   If ``K_tar`` exceeds what the urn can hold (``k + N0 - n``) the null is
   impossible and ``p = 0``.  Stop when ``p < 1 - confidence``.  The reported
   recall bound is ``r_seen / (r_AL + K_max)`` where ``K_max`` is the largest
   urn count not rejected at that confidence; the point estimate puts
   ``k / n`` of the undrawn remainder as relevant.

Heuristics (``consecutive_exclusions``: stop after N exclusions in a row) are
reported for comparison only; they carry no guarantee.

Public API::

    est = evaluate(labels_in_screening_order, total=N, sampling_start=None)
    est.recommendation   # "continue" | "start_sampling" | "stop"
    est.p_value, est.recall_estimate, est.recall_lower_bound, est.explanation

``sampling_start`` is the number of records screened before random sampling
began (``None`` while still in the ranked phase); every decision after it must
be a random draw from the records then unscreened.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.stats import hypergeom

from realist.errors import InvalidInput
from realist.results import Result

__all__ = [
    "StoppingEstimate",
    "evaluate",
    "k_target",
    "hypergeometric_p_value",
    "recall_lower_bound",
    "ranked_p_value",
    "consecutive_exclusions",
    "default_switch_after",
]


@dataclass(frozen=True)
class StoppingEstimate(Result):
    """What the stopping rule says after the decisions so far.

    ``to_dict()`` is its JSON form (``realist screen progress --json``'s
    ``stopping``).
    """

    phase: str  # "ranked" or "sampling"
    recommendation: str  # "continue", "start_sampling" or "stop"
    target_recall: float
    confidence: float
    total: int
    screened: int
    relevant_found: int
    p_value: float | None  # of H0 "recall < target"; sampling phase only
    recall_estimate: float | None
    recall_lower_bound: float | None
    sample_size: int = 0
    sample_relevant: int = 0
    ranked_p_value: float | None = None  # indicative only
    heuristics: dict[str, int | bool] = field(default_factory=dict)
    explanation: str = ""

    @property
    def should_stop(self) -> bool:
        return self.recommendation == "stop"


def k_target(r_seen: int, r_al: int, target_recall: float) -> int:
    """Fewest relevant records in the urn for which recall < ``target_recall``."""
    tau = Fraction(str(target_recall))
    return math.floor(Fraction(r_seen) / tau - r_al) + 1


def hypergeometric_p_value(
    n_urn: int, n_drawn: int, k_drawn: int, r_al: int, target_recall: float
) -> float:
    """p-value of H0 "recall < target" after ``k_drawn`` relevant in ``n_drawn``
    random draws from an urn of ``n_urn`` records (``r_al`` found before)."""
    if n_drawn == 0:
        return 1.0
    K = k_target(r_al + k_drawn, r_al, target_recall)
    if K > k_drawn + (n_urn - n_drawn):
        return 0.0
    return float(hypergeom.cdf(k_drawn, n_urn, K, n_drawn))


def recall_lower_bound(
    n_urn: int, n_drawn: int, k_drawn: int, r_al: int, confidence: float
) -> float:
    """One-sided lower confidence bound on recall from the random sample."""
    r_seen = r_al + k_drawn
    if n_drawn == 0:
        return 0.0 if r_seen == 0 else r_seen / (r_al + n_urn)
    # the CDF falls as the urn's relevant count K rises: bisect for the largest
    # K not rejected (K = k_drawn is never rejected: its CDF is at least P(X = k))
    alpha = 1 - confidence
    lo, hi = k_drawn, k_drawn + (n_urn - n_drawn)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if hypergeom.cdf(k_drawn, n_urn, mid, n_drawn) >= alpha:
            lo = mid
        else:
            hi = mid - 1
    k_max = lo
    denom = r_al + k_max
    return 1.0 if denom == 0 else r_seen / denom


def ranked_p_value(labels: Sequence[int], total: int, target_recall: float) -> float:
    """Indicative p-value treating each tail of the ranked decisions as a sample.

    For every run of the last ``n`` decisions: urn = ``total`` minus those
    screened before the run; minimum p over all runs.  Not a valid test (the
    runs are not random and the minimum is taken over many); shown only.
    """
    y = np.asarray(labels, dtype=np.int64)
    if len(y) == 0:
        return 1.0
    r_seen = int(y.sum())
    tail = y[::-1]
    n = np.arange(1, len(y) + 1)
    k = np.cumsum(tail)
    r_al = r_seen - k
    n_urn = total - (len(y) - n)
    tau = Fraction(str(target_recall))
    a, b = tau.numerator, tau.denominator
    # floor(r_seen / tau - r_al) + 1 in exact integer arithmetic
    K = (r_seen * b - r_al * a) // a + 1
    impossible = K > k + (n_urn - n)
    p = np.where(impossible, 0.0, hypergeom.cdf(k, n_urn, np.minimum(K, n_urn), n))
    return float(np.nanmin(p))


def consecutive_exclusions(labels: Sequence[int]) -> int:
    run = 0
    for value in reversed(labels):
        if value:
            break
        run += 1
    return run


def default_switch_after(total: int) -> int:
    """Consecutive ranked exclusions after which random sampling is suggested."""
    return max(30, math.ceil(0.05 * total))


def evaluate(
    labels: Sequence[int],
    *,
    total: int,
    sampling_start: int | None = None,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    switch_after: int | None = None,
    heuristic_run: int = 50,
    with_ranked_p: bool = True,
) -> StoppingEstimate:
    """Evaluate the stopping rule on decisions in screening order (1 = include).

    ``total`` is the number of records to screen (screened + unscreened).
    ``sampling_start``: see the module docstring.
    """
    if not 0 < target_recall < 1 or not 0 < confidence < 1:
        raise InvalidInput("target recall and confidence must be between 0 and 1")
    y = [1 if v else 0 for v in labels]
    screened = len(y)
    if screened > total:
        raise InvalidInput(f"{screened} decisions but only {total} records")
    found = sum(y)
    run = consecutive_exclusions(y)
    heur = {"consecutive_exclusions": run, "heuristic_stop": run >= heuristic_run}
    switch_after = default_switch_after(total) if switch_after is None else switch_after
    common: dict[str, Any] = dict(
        target_recall=target_recall, confidence=confidence, total=total,
        screened=screened, relevant_found=found, heuristics=heur,
    )
    pct = f"{target_recall:.0%}"
    if screened == total:
        return StoppingEstimate(
            phase="ranked" if sampling_start is None else "sampling",
            recommendation="stop", p_value=0.0, recall_estimate=1.0,
            recall_lower_bound=1.0,
            explanation="Every record has been screened: recall is 100%.", **common,
        )
    if sampling_start is None:
        alpha = 1 - confidence
        rp = ranked_p_value(y, total, target_recall) if found and (with_ranked_p or run >= switch_after) else None
        if found and run >= switch_after and rp is not None and rp < alpha:
            rec = "start_sampling"
            text = (f"{run} exclusions in a row in ranked order and the ranked-order test "
                    f"suggests recall {pct} (indicative p = {rp:.3g}). Switch to screening a "
                    f"random sample of the {total - screened} unscreened records to test "
                    f"whether recall has reached {pct}.")
        else:
            rec = "continue"
            text = (f"Ranked phase: {found} relevant in {screened} screened; keep screening "
                    f"in ranked order ({run} exclusions in a row; random sampling is suggested "
                    f"after at least {switch_after} and an indicative ranked-order p below "
                    f"{alpha:.2g}). No recall estimate is possible yet.")
        return StoppingEstimate(
            phase="ranked", recommendation=rec, p_value=None, recall_estimate=None,
            recall_lower_bound=None, ranked_p_value=rp, explanation=text, **common,
        )
    if not 0 <= sampling_start <= screened:
        raise InvalidInput("sampling_start must lie between 0 and the number screened")
    r_al = sum(y[:sampling_start])
    sample = y[sampling_start:]
    n, k = len(sample), sum(sample)
    n_urn = total - sampling_start
    p = hypergeometric_p_value(n_urn, n, k, r_al, target_recall)
    lb = recall_lower_bound(n_urn, n, k, r_al, confidence)
    est = None
    if n:
        remaining = k / n * (n_urn - n)
        est = found / (found + remaining) if found + remaining > 0 else 1.0
    stop = p < 1 - confidence
    text = (f"Random sample of {n} from the {n_urn} records unscreened at the switch: "
            f"{k} relevant. p = {p:.3g} for 'recall < {pct}'; recall is at least "
            f"{lb:.1%} with {confidence:.0%} confidence")
    text += (f" - stop: recall {pct} reached at {confidence:.0%} confidence." if stop
             else f" - keep sampling at random.")
    return StoppingEstimate(
        phase="sampling", recommendation="stop" if stop else "continue", p_value=p,
        recall_estimate=est, recall_lower_bound=lb, sample_size=n, sample_relevant=k,
        explanation=text, **common,
    )
