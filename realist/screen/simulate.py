"""Replay screening on labelled data: the same ranking and stopping code as real screening.

``simulate(rows, seed=..., model=...)`` takes rows with ``title``,
``abstract``, ``label_included`` (optional ``referenced_works``,
``openalex_id``/``id``), picks the prior records at random, and screens
*every* record: in ranked order (refitting on the :class:`RetrainSchedule`),
switching to a random sample of the remainder when the stopping rule suggests
it, and back to ranked order after the rule says stop - so both the ranking
metrics and the stopping rule are replayed.  One ``numpy.random.Generator``
made from ``seed`` drives everything (priors, tie breaks, random sampling).

Metric definitions (priors excluded from all of them):

* ``N`` = records after the priors, ``R`` = relevant records after the priors.
* ``n(r)`` = the fewest records screened whose relevant count reaches
  ``ceil(r * R)``.
* ``WSS@r = (N - n(r)) / N - (1 - r)`` (work saved over sampling, Cohen 2006).
* ``recall@x`` = relevant found in the first ``floor(x * N)`` screened, over R.
* ``ATD`` (average time to discovery) = mean, over the R relevant records, of
  the 1-based position (after the priors) at which each was screened, divided
  by N.
* stopping: ``stop_screened`` = records screened after the priors when the
  statistical rule said stop; ``stop_recall`` = relevant found by then / R;
  ``stop_work_saved = (N - stop_screened) / N``.  The same for the
  ``consecutive_exclusions`` heuristic (``heuristic_*``), for comparison only.
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
            f"{path}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(columns) or 'no header'})"
        )
    rows: list[dict[str, str]] = []
    try:
        for n, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "") for k, v in row.items()}
            label = row["label_included"].strip()
            if label not in ("0", "1"):
                raise InvalidInput(
                    f"{path}, line {n}: label_included must be 0 or 1, not {label!r}"
                )
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
        out: dict[str, Any] = {"model": self.model, "seed": self.seed,
                               "priors": [self.ids[i] for i in self.priors]}
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
) -> SimulationResult:
    """Screen every row in simulated order; see the module docstring.

    ``use_references=False`` hides ``referenced_works`` (text-only replay).
    ``progress`` is called with the number of records just screened.
    """
    t_start = time.perf_counter()
    schedule = schedule or RetrainSchedule()
    rng = np.random.default_rng(seed)
    y = np.array([1 if str(r.get("label_included", "")).strip() in ("1", "True", "true") else 0 for r in rows])
    if len(y) == 0 or y.sum() == 0:
        raise InvalidInput("no record is labelled included")
    total = len(y)
    priors = _choose_priors(y, prior_included, prior_excluded, rng)
    records = rows if use_references else [
        {k: v for k, v in r.items() if k != "referenced_works"} for r in rows
    ]
    ranker = Ranker(records, model=model, criteria_text=criteria_text)

    labels: dict[int, int] = {i: int(y[i]) for i in priors}
    order: list[int] = list(priors)
    seq: list[int] = [int(y[i]) for i in priors]  # decisions in order, priors included
    queue: list[int] = []
    last_fit = -1
    retrain_s = 0.0
    n_retrains = 0
    phase = "ranked"
    sampling_start: int | None = None
    sample_queue: list[int] = []
    stop_at: int | None = None
    stop_info: dict[str, Any] = {}
    heuristic_at: int | None = None
    switch_after = stopping.default_switch_after(total)
    run = stopping.consecutive_exclusions(seq)

    def screen(i: int) -> None:
        nonlocal run, heuristic_at
        labels[i] = int(y[i])
        order.append(i)
        seq.append(int(y[i]))
        run = 0 if y[i] else run + 1
        if heuristic_at is None and run >= heuristic_run:
            heuristic_at = len(order)
        if progress is not None:
            progress(1)

    while len(order) < total:
        if phase == "sampling":
            screen(sample_queue.pop(0))
            est = stopping.evaluate(seq, total=total, sampling_start=sampling_start,
                                    target_recall=target_recall, confidence=confidence,
                                    heuristic_run=heuristic_run, with_ranked_p=False)
            if est.should_stop or not sample_queue:
                stop_at = len(order)
                stop_info = {"stop_p_value": est.p_value,
                             "stop_recall_lower_bound": est.recall_lower_bound,
                             "stop_sample_size": est.sample_size}
                phase = "after_stop"
                queue = []
            continue
        if not queue or schedule.due(last_fit, len(labels)):
            t0 = time.perf_counter()
            queue = [int(i) for i in ranker.fit_rank(labels, rng=rng)]
            retrain_s += time.perf_counter() - t0
            n_retrains += 1
            last_fit = len(labels)
        screen(queue.pop(0))
        # the rule can only change its advice once the run of exclusions is long
        # enough (or everything is screened): skip the O(n) call otherwise
        if phase == "ranked" and (run >= switch_after or len(order) == total):
            est = stopping.evaluate(seq, total=total, target_recall=target_recall,
                                    confidence=confidence, heuristic_run=heuristic_run,
                                    switch_after=switch_after, with_ranked_p=False)
            if est.recommendation == "start_sampling":
                phase = "sampling"
                sampling_start = len(order)
                unscreened = np.setdiff1d(np.arange(total), np.asarray(order))
                sample_queue = [int(i) for i in rng.permutation(unscreened)]
            elif est.should_stop:
                stop_at = len(order)

    after = [int(y[i]) for i in order[len(priors):]]
    N = total - len(priors)
    R = int(sum(after))
    metrics = screening_metrics(after)

    def at(n_total: int | None) -> tuple[int, float, float]:
        if n_total is None:
            n_total = total
        n = n_total - len(priors)
        found = sum(after[:n])
        return n, (found / R if R else 1.0), (N - n) / N

    s_n, s_rec, s_saved = at(stop_at)
    h_n, h_rec, h_saved = at(heuristic_at)
    stop_summary = {
        "target_recall": target_recall,
        "confidence": confidence,
        "sampling_started_at": (sampling_start - len(priors)) if sampling_start is not None else None,
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
        order=order, ids=ids, priors=priors, model=model_name, seed=seed,
        metrics=metrics, stopping=stop_summary, n_retrains=n_retrains,
        retrain_seconds=retrain_s, wall_seconds=time.perf_counter() - t_start,
    )
