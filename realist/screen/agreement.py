"""Inter-rater agreement for screening: percent agreement, Cohen, Fleiss, Gwet.

Pure functions; no database.  Ratings are a mapping
``record_id -> {reviewer: category}``; any subset of reviewers may rate a
record (the reference review: three reviewers, two per record).

Which records count.  A record rated once says nothing about agreement:
percent agreement uses the records with at least two ratings, Cohen's kappa
the records *both* reviewers of the pair rated.  Fleiss' kappa and AC1 follow
Gwet (2014) exactly: a singly rated record does not enter the observed
agreement ``p_a`` but does enter the category prevalences ``pi_k`` and the
variance (its ``n``) - so the figures equal those of Gwet's irrCAC.

Categories.  Default ``("include", "exclude", "maybe")``.  With
``collapse_maybe=True`` (the default) "maybe" is counted as "include" -
in screening "maybe" means "not excluded" - and the category set becomes
``("include", "exclude")``.  The category set matters for AC1 (its chance
agreement divides by ``q - 1``), so it is fixed in advance, not read from the
data; a rating outside it raises :class:`~realist.errors.InvalidInput`.

Notation: ``n`` records, ``q`` categories, ``r_i`` ratings of record ``i``,
``r_ik`` of them in category ``k``.

* **Percent agreement**: share of records on which all ratings agree;
  Wilson score interval.
* **Cohen's kappa** (Cohen 1960) for reviewers ``a``, ``b``:
  ``kappa = (p_o - p_e) / (1 - p_e)``, ``p_e = sum_k p_k. p_.k``.  Standard
  error: the large-sample (non-null) formula of Fleiss, Cohen & Everitt
  (1969), Psychol. Bull. 72:323,

      var = [ sum_k p_kk (1 - (p_k. + p_.k)(1 - kappa))^2
              + (1 - kappa)^2 sum_{k != l} p_kl (p_.k + p_l.)^2
              - (kappa - p_e (1 - kappa))^2 ] / (n (1 - p_e)^2);

  normal interval ``kappa +- z SE`` (as statsmodels' ``cohens_kappa``).
* **Fleiss' kappa**, generalised to varying ``r_i`` as in Gwet (2014),
  *Handbook of Inter-Rater Reliability*, 4th ed., ch. 2 and 5 (reduces to
  Fleiss 1971 when every record has the same number of ratings):
  ``p_a = mean_{i: r_i >= 2} sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))``,
  ``pi_k = mean_i r_ik / r_i``, ``p_e = sum_k pi_k^2``.
* **Gwet's AC1** (Gwet 2008, Br. J. Math. Stat. Psychol. 61:29; 2014):
  same ``p_a``, ``p_e = sum_k pi_k (1 - pi_k) / (q - 1)``.  Unlike kappa it
  stays meaningful when nearly every record falls in one category (the
  "kappa paradox" of screening, where most records are excluded).

For both multi-rater coefficients ``c`` the variance is Gwet's (2014)
linearisation: with ``c_i = (n / n_2) (p_a|i - p_e [r_i >= 2]) / (1 - p_e)``
(``n_2`` records rated at least twice; ``p_a|i = 0`` when ``r_i = 1``), ``p_e|i`` the
record-level chance agreement (Fleiss: ``sum_k (r_ik/r_i) pi_k``; AC1:
``sum_k (r_ik/r_i)(1 - pi_k) / (q - 1)``) and
``c*_i = c_i - 2 (1 - c)(p_e|i - p_e) / (1 - p_e)``,
``var = sum_i (c*_i - c)^2 / (n (n - 1))``; the interval uses Student's t
with ``n - 1`` degrees of freedom (as Gwet's irrCAC).  All intervals are
clipped to [-1, 1] ([0, 1] for percent agreement).

An undefined statistic is not an error: it comes back as a
:class:`Statistic` whose ``value`` is ``None`` and whose ``reason`` says why
("no variation", "no shared records", ...).  Per stage: call
:func:`agreement_report` once per stage's ratings (:func:`agreement_by_stage`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from scipy import stats

from realist.errors import InvalidInput

__all__ = [
    "DEFAULT_CATEGORIES",
    "Statistic",
    "PairAgreement",
    "AgreementReport",
    "AgreementPoint",
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "agreement_report",
    "agreement_by_stage",
    "agreement_over_time",
]

DEFAULT_CATEGORIES: tuple[str, ...] = ("include", "exclude", "maybe")
Ratings = Mapping[Any, Mapping[str, str]]

NO_VARIATION = "no variation: every rating is in the same category"
NO_PAIRS = "no record rated by two or more reviewers"


@dataclass(frozen=True)
class Statistic:
    """A coefficient with its standard error and confidence interval.

    ``value`` (and then ``se``, ``ci_low``, ``ci_high``) is ``None`` when the
    statistic is undefined; ``reason`` says why.  ``se`` and the interval
    may also be ``None`` alone (a single record has no standard error).
    ``n`` is the number of records used.
    """

    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _undefined(n: int, reason: str) -> Statistic:
    return Statistic(None, None, None, None, n, reason)


@dataclass(frozen=True)
class PairAgreement:
    """Agreement between reviewers ``a`` and ``b`` on the ``n`` records both rated."""

    a: str
    b: str
    n: int
    percent_agreement: Statistic
    cohen_kappa: Statistic

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "n": self.n,
            "percent_agreement": self.percent_agreement.to_dict(),
            "cohen_kappa": self.cohen_kappa.to_dict(),
        }


@dataclass(frozen=True)
class AgreementReport:
    """All agreement statistics for one set of ratings.

    ``n_records``: records with at least one rating (by the reviewers
    considered); ``n_compared``: those with two or more.
    """

    n_records: int
    n_compared: int
    n_reviewers: int
    reviewers: tuple[str, ...]
    categories: tuple[str, ...]
    percent_agreement: Statistic
    fleiss_kappa: Statistic
    gwet_ac1: Statistic
    pairs: tuple[PairAgreement, ...] = field(default_factory=tuple)
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (only str, int, float, None, lists and dicts)."""
        return {
            "n_records": self.n_records,
            "n_compared": self.n_compared,
            "n_reviewers": self.n_reviewers,
            "reviewers": list(self.reviewers),
            "categories": list(self.categories),
            "confidence": self.confidence,
            "percent_agreement": self.percent_agreement.to_dict(),
            "fleiss_kappa": self.fleiss_kappa.to_dict(),
            "gwet_ac1": self.gwet_ac1.to_dict(),
            "pairs": [p.to_dict() for p in self.pairs],
        }


# --------------------------------------------------------------------------
# input handling


def _categories(categories: Sequence[str], collapse_maybe: bool) -> tuple[str, ...]:
    cats = tuple(dict.fromkeys(categories))
    if collapse_maybe and "maybe" in cats and "include" in cats:
        cats = tuple(c for c in cats if c != "maybe")
    if len(cats) < 2:
        raise InvalidInput(f"need at least two categories, got {list(cats)}")
    return cats


def _prepare(
    ratings: Ratings,
    categories: Sequence[str],
    collapse_maybe: bool,
    reviewers: Iterable[str] | None = None,
) -> tuple[list[dict[str, str]], tuple[str, ...]]:
    """Validate and normalise; returns the non-empty records and the categories."""
    cats = _categories(categories, collapse_maybe)
    known = set(categories)
    keep = None if reviewers is None else set(reviewers)
    if not isinstance(ratings, Mapping):
        raise InvalidInput("ratings must map record id -> {reviewer: category}")
    out: list[dict[str, str]] = []
    for rid, row in ratings.items():
        if not isinstance(row, Mapping):
            raise InvalidInput(f"ratings of record {rid!r} must map reviewer -> category")
        rec: dict[str, str] = {}
        for reviewer, cat in row.items():
            if not isinstance(cat, str) or cat not in known:
                raise InvalidInput(
                    f"record {rid!r}, reviewer {reviewer!r}: unknown category {cat!r} "
                    f"(known: {', '.join(sorted(known))})"
                )
            if keep is not None and reviewer not in keep:
                continue
            if collapse_maybe and cat == "maybe" and "maybe" not in cats:
                cat = "include"
            rec[str(reviewer)] = cat
        if rec:
            out.append(rec)
    return out, cats


def _check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise InvalidInput(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return confidence


def _clip(x: float, lo: float = -1.0, hi: float = 1.0) -> float:
    return float(min(hi, max(lo, x)))


# --------------------------------------------------------------------------
# the statistics


def _wilson(agree: int, n: int, confidence: float) -> Statistic:
    p = agree / n
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    se = math.sqrt(p * (1 - p) / n)
    return Statistic(p, se, _clip(centre - half, 0.0), _clip(centre + half, 0.0), n)


def percent_agreement(
    ratings: Ratings,
    *,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    collapse_maybe: bool = True,
    confidence: float = 0.95,
) -> Statistic:
    """Share of records (with >= 2 ratings) on which all ratings agree.

    ``se = sqrt(p (1 - p) / n)``; the interval is Wilson's score interval.
    """
    recs, _ = _prepare(ratings, categories, collapse_maybe)
    _check_confidence(confidence)
    multi = [r for r in recs if len(r) >= 2]
    if not multi:
        return _undefined(0, NO_PAIRS)
    agree = sum(len(set(r.values())) == 1 for r in multi)
    return _wilson(agree, len(multi), confidence)


def _cohen_from_table(table: np.ndarray, confidence: float) -> Statistic:
    n = int(table.sum())
    p = table / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    po, pe = float(np.trace(p)), float(row @ col)
    if pe >= 1 - 1e-12:
        return _undefined(n, NO_VARIATION)
    kappa = (po - pe) / (1 - pe)
    diag = np.diag(p)
    term_a = float((diag * (1 - (row + col) * (1 - kappa)) ** 2).sum())
    off = p * (col[:, None] + row[None, :]) ** 2
    np.fill_diagonal(off, 0.0)
    term_b = (1 - kappa) ** 2 * float(off.sum())
    term_c = (kappa - pe * (1 - kappa)) ** 2
    var = max(0.0, (term_a + term_b - term_c) / ((1 - pe) ** 2 * n))
    se = math.sqrt(var)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return Statistic(kappa, se, _clip(kappa - z * se), _clip(kappa + z * se), n)


def cohen_kappa(
    ratings: Ratings,
    a: str,
    b: str,
    *,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    collapse_maybe: bool = True,
    confidence: float = 0.95,
    min_records: int = 2,
) -> Statistic:
    """Cohen's kappa of reviewers ``a`` and ``b`` over the records both rated.

    SE by Fleiss, Cohen & Everitt (1969); normal-theory interval.  Undefined
    (``value=None``) with fewer than ``min_records`` shared records or when
    chance agreement is 1 (both reviewers used one and the same category).
    """
    recs, cats = _prepare(ratings, categories, collapse_maybe)
    _check_confidence(confidence)
    return _cohen(recs, cats, a, b, confidence, min_records)


def _cohen(
    recs: list[dict[str, str]],
    cats: tuple[str, ...],
    a: str,
    b: str,
    confidence: float,
    min_records: int,
) -> Statistic:
    index = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for r in recs:
        if a in r and b in r:
            table[index[r[a]], index[r[b]]] += 1
    n = int(table.sum())
    if n == 0:
        return _undefined(0, f"no shared records between {a!r} and {b!r}")
    if n < min_records:
        return _undefined(n, f"too few shared records ({n} < {min_records})")
    return _cohen_from_table(table, confidence)


def _counts(recs: list[dict[str, str]], cats: tuple[str, ...]) -> np.ndarray:
    """``n x q`` matrix of ``r_ik`` (records with at least one rating)."""
    index = {c: i for i, c in enumerate(cats)}
    out = np.zeros((len(recs), len(cats)))
    for i, r in enumerate(recs):
        for c in r.values():
            out[i, index[c]] += 1
    return out


def _multirater(counts: np.ndarray, kind: str, confidence: float) -> Statistic:
    """Fleiss' kappa (``kind="fleiss"``) or AC1 (``"ac1"``); see module docstring."""
    n, q = counts.shape
    r = counts.sum(axis=1)
    multi = r >= 2
    n2 = int(multi.sum())
    if n2 == 0:
        return _undefined(n, NO_PAIRS)
    pa_i = np.where(multi, (counts * (counts - 1)).sum(axis=1) / np.maximum(r * (r - 1), 1), 0.0)
    pa = float(pa_i[multi].mean())
    share = counts / r[:, None]
    pi = share.mean(axis=0)
    if kind == "fleiss":
        pe = float(pi @ pi)
        pe_i = share @ pi
    else:
        pe = float(pi @ (1 - pi)) / (q - 1)
        pe_i = share @ (1 - pi) / (q - 1)
    if pe >= 1 - 1e-12:
        return _undefined(n, NO_VARIATION)
    coef = (pa - pe) / (1 - pe)
    if n < 2:
        return Statistic(coef, None, None, None, n, "one record: no standard error")
    c_i = (n / n2) * (pa_i - pe * multi) / (1 - pe) - 2 * (1 - coef) * (pe_i - pe) / (1 - pe)
    se = math.sqrt(float(((c_i - coef) ** 2).sum()) / (n * (n - 1)))
    t = float(stats.t.ppf(0.5 + confidence / 2, df=n - 1))
    return Statistic(coef, se, _clip(coef - t * se), _clip(coef + t * se), n)


def fleiss_kappa(
    ratings: Ratings,
    *,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    collapse_maybe: bool = True,
    confidence: float = 0.95,
) -> Statistic:
    """Fleiss' kappa, generalised to a varying number of ratings per record (Gwet 2014)."""
    recs, cats = _prepare(ratings, categories, collapse_maybe)
    return _multirater(_counts(recs, cats), "fleiss", _check_confidence(confidence))


def gwet_ac1(
    ratings: Ratings,
    *,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    collapse_maybe: bool = True,
    confidence: float = 0.95,
) -> Statistic:
    """Gwet's AC1 for any number of raters, varying per record (Gwet 2008, 2014)."""
    recs, cats = _prepare(ratings, categories, collapse_maybe)
    return _multirater(_counts(recs, cats), "ac1", _check_confidence(confidence))


# --------------------------------------------------------------------------
# reports


def agreement_report(
    ratings: Ratings,
    *,
    reviewers: Iterable[str] | None = None,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    collapse_maybe: bool = True,
    confidence: float = 0.95,
    min_shared: int = 2,
) -> AgreementReport:
    """Every statistic at once.

    ``reviewers`` restricts the ratings to those reviewers (default: all who
    rated).  Pairs are all pairs of reviewers with at least one shared
    record; a pair with fewer than ``min_shared`` shared records, or a
    degenerate table, gets ``cohen_kappa.value = None`` and a reason.
    Never raises on empty or degenerate input, only on malformed input.
    """
    recs, cats = _prepare(ratings, categories, collapse_maybe, reviewers)
    _check_confidence(confidence)
    seen = sorted({rv for r in recs for rv in r})
    names = tuple(seen if reviewers is None else [str(rv) for rv in dict.fromkeys(reviewers)])
    counts = _counts(recs, cats)
    multi = [r for r in recs if len(r) >= 2]
    if multi:
        agree = sum(len(set(r.values())) == 1 for r in multi)
        pct = _wilson(agree, len(multi), confidence)
    else:
        pct = _undefined(0, NO_PAIRS)
    pairs = []
    for a, b in combinations(names, 2):
        shared = [r for r in recs if a in r and b in r]
        if not shared:
            continue
        same = sum(r[a] == r[b] for r in shared)
        pairs.append(
            PairAgreement(
                a,
                b,
                len(shared),
                _wilson(same, len(shared), confidence),
                _cohen(shared, cats, a, b, confidence, min_shared),
            )
        )
    return AgreementReport(
        n_records=len(recs),
        n_compared=len(multi),
        n_reviewers=len(names),
        reviewers=names,
        categories=cats,
        percent_agreement=pct,
        fleiss_kappa=_multirater(counts, "fleiss", confidence),
        gwet_ac1=_multirater(counts, "ac1", confidence),
        pairs=tuple(pairs),
        confidence=confidence,
    )


def agreement_by_stage(ratings_by_stage: Mapping[str, Ratings], **options: Any) -> dict[str, AgreementReport]:
    """One :func:`agreement_report` per screening stage (same keyword options)."""
    return {stage: agreement_report(r, **options) for stage, r in ratings_by_stage.items()}


@dataclass(frozen=True)
class AgreementPoint:
    """Agreement after ``n_decided`` records reached their second rating, at ``time``."""

    n_decided: int
    time: Any
    report: AgreementReport

    def to_dict(self) -> dict[str, Any]:
        t = self.time.isoformat() if hasattr(self.time, "isoformat") else self.time
        return {"n_decided": self.n_decided, "time": t, "report": self.report.to_dict()}


def agreement_over_time(
    ratings_with_times: Mapping[Any, Mapping[str, tuple[str, Any]]],
    *,
    batch: int = 50,
    window: int | None = None,
    **options: Any,
) -> list[AgreementPoint]:
    """Agreement as screening went on, for a progress plot.

    ``ratings_with_times`` maps ``record_id -> {reviewer: (category, time)}``
    (times: anything comparable, e.g. datetimes).  A record is *decided* when
    its second rating was made; records are ordered by that time.  After every
    ``batch`` decided records (and after the last) a report is computed over
    the decided records - all of them so far (cumulative, the default) or
    only the last ``window`` - using only the ratings made by then.
    Records never rated twice are left out.  ``options`` go to
    :func:`agreement_report`.
    """
    if batch < 1 or (window is not None and window < 1):
        raise InvalidInput("batch and window must be positive")
    decided = []
    for rid, row in ratings_with_times.items():
        try:
            times = sorted(t for _, t in row.values())
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"record {rid!r}: ratings must be (category, time) pairs") from exc
        if len(times) >= 2:
            decided.append((times[1], rid))
    decided.sort(key=lambda d: d[0])
    points = []
    ends = list(range(batch, len(decided) + 1, batch))
    if decided and (not ends or ends[-1] != len(decided)):
        ends.append(len(decided))
    for end in ends:
        now = decided[end - 1][0]
        chosen = decided[max(0, end - window) if window else 0 : end]
        subset = {rid: {rv: cat for rv, (cat, t) in ratings_with_times[rid].items() if t <= now} for _, rid in chosen}
        points.append(AgreementPoint(end, now, agreement_report(subset, **options)))
    return points
