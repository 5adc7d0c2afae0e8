"""Replay screening on labelled data: the same ranking and stopping code as real screening.

``simulate(rows, seed=..., model=...)`` takes rows with ``title``,
``abstract``, ``label_included`` (optional ``referenced_works``,
``openalex_id``/``id``), picks the prior records at random and then runs two
things on the same run:

1. **The ranked order (ORDER).**  Every record is screened in active-learning
   order - the model refitted on the :class:`RetrainSchedule`, each batch
   taken best first - until *every* record is screened, not just until the
   last relevant one.  This order is never interrupted by the stopping rule:
   it is the order written to ``--order-out`` (priors first) and the one all
   ranking metrics below are computed from, so they measure the ranking
   alone and compare directly with tools that rank to the end (ASReview).
2. **The stopping-rule replay** (:mod:`realist.screen.stopping`), exactly as
   the rule prescribes for real screening.  After each ranked decision the
   rule is evaluated on the ranked decisions so far; at the first
   ``start_sampling`` recommendation (the *switch point*, ``s`` records
   screened) the ``N0`` records then unscreened form the urn.  A uniformly
   random order of the urn is drawn with the run's generator (after the
   ranked pass, so drawing it cannot change ORDER; ORDER is the same for any
   ``target_recall``/``confidence``), the records are "screened" in that order
   one by one, and the hypergeometric test is evaluated after each draw.  The
   rule stops at the first draw with ``p < 1 - confidence`` (or when the urn
   is empty).  If the rule never recommends sampling, it stops when every
   record is screened.  Stopping never changes ORDER or the ranking metrics.
   That is the two-phase rule ``"callaghan"``; a one-phase rule
   (``stopping_rule="knee"``, ``"poisson"``...; see
   :data:`realist.screen.stopping.RULES`) is asked after every ranked
   decision on ORDER (priors included) and the replay stops at its first
   "stop".  The default is :data:`realist.screen.stopping.DEFAULT_RULE`, the
   rule real screening uses.

One ``numpy.random.Generator`` made from ``seed`` drives everything (priors,
tie breaks, the stopping rule's random sample).

Metric definitions (priors excluded from all of them; all on ORDER):

* ``N`` = records after the priors, ``R`` = relevant records after the priors.
* ``n(r)`` = the fewest records screened whose relevant count reaches
  ``ceil(r * R)`` (``n_to_95``, ``n_to_100``).
* ``WSS@r = (N - n(r)) / N - (1 - r)`` (work saved over sampling, Cohen 2006).
* ``recall@x`` = relevant found in the first ``floor(x * N)`` screened, over R.
* ``ATD`` (average time to discovery) = mean, over the R relevant records, of
  the 1-based position (after the priors) at which each was screened, divided
  by N.

Stopping replay (after the priors, too):

* ``sampling_started_at`` = ranked records screened at the switch point
  (``None`` if the rule never switched to sampling).
* ``stop_sample_size`` = random draws made before the rule stopped.
* ``stop_screened`` = records screened when the rule said stop
  (``sampling_started_at + stop_sample_size``; ``N`` if it never stopped
  early).
* ``stop_recall`` = relevant found by then (ranked prefix plus random sample)
  / R; ``stop_reached_target`` = ``stop_recall >= target_recall``;
  ``stop_work_saved = (N - stop_screened) / N``.
* ``heuristic_*``: the same for the ``consecutive_exclusions`` heuristic
  (stop after ``heuristic_run`` exclusions in a row in ORDER), for comparison
  only.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from realist.errors import InvalidInput
from realist.screen import stopping
from realist.screen.ranking import DEFAULT_MODEL, ModelSpec, Ranker, RetrainSchedule

__all__ = [
    "SimulationResult",
    "simulate",
    "load_labelled_csv",
    "record_id",
    "records_to_recall",
    "wss",
    "recall_at",
    "average_time_to_discovery",
    "screening_metrics",
]


# --------------------------------------------------------------------- input
def load_labelled_csv(path: str | Path) -> list[dict[str, str]]:
    """Read a labelled CSV (plain or gzipped) and check it can be simulated.

    Raises :class:`InvalidInput` naming the file when it cannot be read, lacks
    ``title``/``abstract``/``label_included`` columns, has a label other than
    0/1, or has no included record.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InvalidInput(f"{path}: cannot read file ({err.strerror or err})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise InvalidInput(f"{path}: not a readable gzip file ({err})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text") from None
    csv.field_size_limit(2**31 - 1)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in ("title", "abstract", "label_included") if c not in columns]
    if missing:
        raise InvalidInput(
            f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(columns) or 'no header'})"
        )
    rows: list[dict[str, str]] = []
    try:
        for n, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "") for k, v in row.items()}
            label = row["label_included"].strip()
            if label not in ("0", "1"):
                raise InvalidInput(f"{path}, line {n}: label_included must be 0 or 1, not {label!r}")
            rows.append(row)
    except csv.Error as err:
        raise InvalidInput(f"{path}: malformed CSV ({err})") from None
    if not rows:
        raise InvalidInput(f"{path}: no records")
    if not any(r["label_included"].strip() == "1" for r in rows):
        raise InvalidInput(f"{path}: no record is labelled included (label_included = 1)")
    return rows


def record_id(row: Mapping[str, Any], index: int) -> str:
    """``openalex_id``, else ``id``, else the 0-based row number."""
    for key in ("openalex_id", "id"):
        value = str(row.get(key) or "").strip()
        if value:
            return value
    return str(index)


# ------------------------------------------------------------------- metrics
def _ceil_frac(r: float, R: int) -> int:
    return math.ceil(Fraction(str(r)) * R)


def records_to_recall(labels: Sequence[int], r: float) -> int:
    """n(r): fewest records screened (after priors) whose relevant count reaches ceil(r*R)."""
    y = np.asarray(labels, dtype=np.int64)
    R = int(y.sum())
    need = _ceil_frac(r, R)
    if need == 0:
        return 0
    return int(np.searchsorted(np.cumsum(y), need) + 1)


def wss(labels: Sequence[int], r: float) -> float:
    """WSS@r = (N - n(r)) / N - (1 - r), N = len(labels)."""
    N = len(labels)
    return (N - records_to_recall(labels, r)) / N - (1 - r)


def recall_at(labels: Sequence[int], x: float) -> float:
    """Relevant in the first floor(x*N) screened, over R."""
    y = np.asarray(labels, dtype=np.int64)
    R = int(y.sum())
    k = math.floor(Fraction(str(x)) * len(y))
    return float(y[:k].sum() / R) if R else 1.0


def average_time_to_discovery(labels: Sequence[int]) -> float:
    """Mean 1-based position of the relevant records, over N."""
    y = np.asarray(labels, dtype=np.int64)
    pos = np.flatnonzero(y == 1) + 1
    return float(pos.mean() / len(y)) if len(pos) else 0.0


def screening_metrics(labels: Sequence[int]) -> dict[str, float | int]:
    """All ranking metrics for labels in screening order (priors removed)."""
    return {
        "N": len(labels),
        "R": int(sum(labels)),
        "recall_at_10": recall_at(labels, 0.10),
        "recall_at_20": recall_at(labels, 0.20),
        "wss_95": wss(labels, 0.95),
        "wss_100": wss(labels, 1.0),
        "n_to_95": records_to_recall(labels, 0.95),
        "n_to_100": records_to_recall(labels, 1.0),
        "atd": average_time_to_discovery(labels),
    }


# ---------------------------------------------------------------- simulation
@dataclass
class SimulationResult:
    """Order screened (row indices, priors first), ids, metrics and stopping replay."""

    order: list[int]
    ids: list[str]
    priors: list[int]
    model: str
    seed: int
    metrics: dict[str, float | int]
    stopping: dict[str, Any]
    n_retrains: int
    retrain_seconds: float
    wall_seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def time_per_retrain(self) -> float:
        return self.retrain_seconds / self.n_retrains if self.n_retrains else 0.0

    def summary(self) -> dict[str, Any]:
        """The numbers ``realist simulate --json`` prints."""
        out: dict[str, Any] = {"model": self.model, "seed": self.seed, "priors": [self.ids[i] for i in self.priors]}
        out.update(self.metrics)
        out.update(self.stopping)
        out["n_retrains"] = self.n_retrains
        out["time_per_retrain_s"] = self.time_per_retrain
        out["wall_time_s"] = self.wall_seconds
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choose_priors(y: np.ndarray, k_inc: int, k_exc: int, rng: np.random.Generator) -> list[int]:
    inc, exc = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    if k_inc < 0 or k_exc < 0:
        raise InvalidInput("the number of prior records cannot be negative")
    if k_inc > len(inc):
        raise InvalidInput(f"{k_inc} included priors asked for, but only {len(inc)} included records")
    if k_exc > len(exc):
        raise InvalidInput(f"{k_exc} excluded priors asked for, but only {len(exc)} excluded records")
    if k_inc + k_exc >= len(y):
        raise InvalidInput("the priors would leave no record to screen")
    chosen = list(rng.choice(inc, k_inc, replace=False)) + list(rng.choice(exc, k_exc, replace=False))
    return [int(i) for i in chosen]


def simulate(
    rows: Sequence[Mapping[str, Any]],
    *,
    seed: int = 0,
    model: str | ModelSpec = DEFAULT_MODEL,
    prior_included: int = 1,
    prior_excluded: int = 1,
    criteria_text: str | None = None,
    schedule: RetrainSchedule | None = None,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    use_references: bool = True,
    heuristic_run: int = 50,
    progress: Callable[[int], None] | None = None,
    stopping_rule: str | None = None,
) -> SimulationResult:
    """Screen every row in ranked order and replay the stopping rule; see the module docstring.

    ``use_references=False`` hides ``referenced_works`` (text-only replay).
    ``progress`` is called with the number of records just screened.
    ``stopping_rule``: a name in :data:`realist.screen.stopping.RULES`
    (default: :data:`~realist.screen.stopping.DEFAULT_RULE`, the one real
    screening uses); a one-phase rule is asked after every ranked decision
    and the replay stops at its first "stop".
    """
    rule = stopping.DEFAULT_RULE if stopping_rule is None else stopping_rule
    if rule not in stopping.RULES:
        raise InvalidInput(f"unknown stopping rule {rule!r} (known: {', '.join(stopping.RULES)})")
    two_phase = rule == "callaghan"
    t_start = time.perf_counter()
    schedule = schedule or RetrainSchedule()
    rng = np.random.default_rng(seed)
    y = np.array([1 if str(r.get("label_included", "")).strip() in ("1", "True", "true") else 0 for r in rows])
    if len(y) == 0 or y.sum() == 0:
        raise InvalidInput("no record is labelled included")
    total = len(y)
    priors = _choose_priors(y, prior_included, prior_excluded, rng)
    records = rows if use_references else [{k: v for k, v in r.items() if k != "referenced_works"} for r in rows]
    ranker = Ranker(records, model=model, criteria_text=criteria_text)

    # ---- 1. the ranked order, to the end
    labels: dict[int, int] = {i: int(y[i]) for i in priors}
    order: list[int] = list(priors)
    seq: list[int] = [int(y[i]) for i in priors]  # decisions in order, priors included
    queue: list[int] = []
    last_fit = -1
    retrain_s = 0.0
    n_retrains = 0
    switch_at: int | None = None  # records screened (priors included) at the switch
    heuristic_at: int | None = None
    switch_after = stopping.default_switch_after(total)
    run = stopping.consecutive_exclusions(seq)

    while len(order) < total:
        if not queue or schedule.due(last_fit, len(labels)):
            t0 = time.perf_counter()
            queue = [int(i) for i in ranker.fit_rank(labels, rng=rng)]
            retrain_s += time.perf_counter() - t0
            n_retrains += 1
            last_fit = len(labels)
        i = queue.pop(0)
        labels[i] = int(y[i])
        order.append(i)
        seq.append(int(y[i]))
        run = 0 if y[i] else run + 1
        if heuristic_at is None and run >= heuristic_run:
            heuristic_at = len(order)
        if progress is not None:
            progress(1)
        # the rule can only change its advice once the run of exclusions is long
        # enough: skip the O(n) call otherwise
        if two_phase and switch_at is None and run >= switch_after and len(order) < total:
            est = stopping.evaluate(
                seq,
                total=total,
                target_recall=target_recall,
                confidence=confidence,
                heuristic_run=heuristic_run,
                switch_after=switch_after,
                with_ranked_p=False,
                rule="callaghan",
            )
            if est.recommendation == "start_sampling":
                switch_at = len(order)

    # ---- 2. the stopping rule's random sample, drawn from the records
    # unscreened at the switch (after the ranked pass, so ORDER is unaffected)
    stop_at = total
    stop_info: dict[str, Any] = {}
    if not two_phase:
        first = stopping.first_stop(
            seq, rule, total=total, target_recall=target_recall, confidence=confidence, start=len(priors)
        )
        stop_at = total if first is None else first
        stop_found = sum(seq[len(priors) : stop_at])
    elif switch_at is not None:
        urn = np.sort(np.asarray(order[switch_at:], dtype=np.intp))
        sample = [int(i) for i in rng.permutation(urn)]
        replay = seq[:switch_at]
        for n_drawn, i in enumerate(sample, start=1):
            replay.append(int(y[i]))
            est = stopping.evaluate(
                replay,
                total=total,
                sampling_start=switch_at,
                target_recall=target_recall,
                confidence=confidence,
                heuristic_run=heuristic_run,
                with_ranked_p=False,
                rule="callaghan",
            )
            if est.should_stop:
                stop_at = switch_at + n_drawn
                stop_info = {
                    "stop_p_value": est.p_value,
                    "stop_recall_lower_bound": est.recall_lower_bound,
                    "stop_sample_size": est.sample_size,
                }
                break
        stop_found = sum(replay) - sum(seq[: len(priors)])
    else:
        stop_found = int(y.sum()) - sum(seq[: len(priors)])

    after = seq[len(priors) :]
    N = total - len(priors)
    R = int(sum(after))
    metrics = screening_metrics(after)

    def saved(n_total: int) -> tuple[int, float]:
        n = n_total - len(priors)
        return n, (N - n) / N

    s_n, s_saved = saved(stop_at)
    s_rec = stop_found / R if R else 1.0
    h_n, h_saved = saved(heuristic_at if heuristic_at is not None else total)
    h_rec = (sum(after[:h_n]) / R) if R else 1.0
    stop_summary = {
        "stop_rule": rule,
        "target_recall": target_recall,
        "confidence": confidence,
        "sampling_started_at": (switch_at - len(priors)) if switch_at is not None else None,
        "stop_screened": s_n,
        "stop_recall": s_rec,
        "stop_work_saved": s_saved,
        "stop_reached_target": s_rec >= target_recall,
        **stop_info,
        "heuristic": f"{heuristic_run} consecutive exclusions",
        "heuristic_screened": h_n,
        "heuristic_recall": h_rec,
        "heuristic_work_saved": h_saved,
    }
    model_name = model if isinstance(model, str) else (model.description or "custom")
    ids = [record_id(r, i) for i, r in enumerate(rows)]
    return SimulationResult(
        order=order,
        ids=ids,
        priors=priors,
        model=model_name,
        seed=seed,
        metrics=metrics,
        stopping=stop_summary,
        n_retrains=n_retrains,
        retrain_seconds=retrain_s,
        wall_seconds=time.perf_counter() - t_start,
    )
