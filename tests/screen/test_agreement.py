"""Agreement statistics, checked against established implementations.

References: statsmodels (Cohen's kappa with the Fleiss-Cohen-Everitt SE,
Fleiss' kappa, Wilson interval), scikit-learn (Cohen's kappa) and irrCAC
(Gwet's own formulas for AC1 and Fleiss' kappa with varying raters, SE, CI).
irrCAC pins an old scipy, so it may be absent: its live comparisons then skip,
while figures it publishes in its documentation are checked without it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from realist.errors import InvalidInput
from realist.screen.agreement import (
    Statistic,
    agreement_by_stage,
    agreement_over_time,
    agreement_report,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
)

THREE = ("include", "exclude", "maybe")
TWO = ("include", "exclude")


# --------------------------------------------------------------------------
# datasets


def from_table(counts: dict[tuple[str, str], int], a: str = "ann", b: str = "bob") -> dict:
    """Two reviewers; ``counts[(cat_a, cat_b)]`` records of each kind."""
    out, i = {}, 0
    for (ca, cb), k in counts.items():
        for _ in range(k):
            out[f"r{i}"] = {a: ca, b: cb}
            i += 1
    return out


BALANCED = from_table(
    {
        ("include", "include"): 14, ("include", "exclude"): 4, ("include", "maybe"): 2,
        ("exclude", "include"): 3, ("exclude", "exclude"): 15, ("exclude", "maybe"): 1,
        ("maybe", "include"): 2, ("maybe", "exclude"): 1, ("maybe", "maybe"): 3,
    }
)  # fmt: skip

# ~95% excluded: high raw agreement, low kappa (the kappa paradox).
SKEWED = from_table(
    {
        ("exclude", "exclude"): 90, ("include", "include"): 1,
        ("include", "exclude"): 4, ("exclude", "include"): 5,
    }
)  # fmt: skip


# Like the reference review: reviewers A, B, C, two per record, plus records
# read by one reviewer only and by all three.  Each record is written as
# reviewer letter + category initial (i/e/m = include/exclude/maybe).
_CODES = """
AeBe AmCe BeCe AeBe AeCe BmCm AmBm AeCe BeCm AeBe AiCi BeCe AeBe AeCe BeCe
AeBm AeCe BeCe AeBe AeCe BeCe AeBi AeCi BeCe AeBe AmCm BeCe AeBe AmCi BeCe
AiBi AiCi BeCe AeBe AeCm BmCm AeBe AeCe BeCe AeBe AeCi BeCe AmBi AeCe BeCe
AmBm AeCe BeCe AiBe AeCe BiCm AeBe Be AmBmCm Be AeBmCe Bm AeBiCe Bi AeBeCe
"""
_WORD = {"i": "include", "e": "exclude", "m": "maybe"}
MISSING = {n: {code[k]: _WORD[code[k + 1]] for k in range(0, len(code), 2)} for n, code in enumerate(_CODES.split())}

# Fleiss (1971), Psychol. Bull. 76:378: 30 patients, 6 psychiatrists, 5
# diagnoses (irr::diagnoses; also in statsmodels' tests).  Published kappa 0.430.
DIAGNOSES = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip
DIAG_CATS = ("1", "2", "3", "4", "5")
DIAG = {i: {f"p{j}": str(c) for j, c in enumerate(row)} for i, row in enumerate(DIAGNOSES)}

# Gwet's 4-raters example (Handbook of Inter-Rater Reliability), as shipped in
# irrCAC.datasets.raw_4raters; None = not rated.  Unit 12 is rated once.
_N = None
GWET4 = [
    [1, 1, _N, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [_N, 5, 5, 5], [_N, _N, 1, 1], [_N, _N, 3, _N],
]  # fmt: skip
GWET4_RATINGS = {
    i: {f"Rater{j + 1}": str(c) for j, c in enumerate(row) if c is not None} for i, row in enumerate(GWET4)
}

# (name, ratings, categories, collapse_maybe)
DATASETS = [
    ("balanced-3cat", BALANCED, THREE, False),
    ("balanced-collapsed", BALANCED, THREE, True),
    ("skewed", SKEWED, THREE, True),
    ("three-reviewers-missing", MISSING, THREE, True),
    ("three-reviewers-missing-3cat", MISSING, THREE, False),
    ("fleiss-1971", DIAG, DIAG_CATS, False),
    ("gwet-4-raters", GWET4_RATINGS, DIAG_CATS, False),
]
IDS = [d[0] for d in DATASETS]


def effective(ratings: dict, collapse: bool) -> dict:
    if not collapse:
        return ratings
    return {k: {rv: ("include" if c == "maybe" else c) for rv, c in v.items()} for k, v in ratings.items()}


def cats_used(categories, collapse):
    return tuple(c for c in categories if not (collapse and c == "maybe"))


def same_report(x, y) -> None:
    """Equal up to floating-point summation order."""
    dx, dy = x.to_dict(), y.to_dict()
    for key in ("percent_agreement", "fleiss_kappa", "gwet_ac1"):
        assert dx[key] == pytest.approx(dy[key])
    assert len(dx["pairs"]) == len(dy["pairs"])
    for px, py in zip(dx["pairs"], dy["pairs"]):
        assert (px["a"], px["b"], px["n"]) == (py["a"], py["b"], py["n"])
        assert px["cohen_kappa"] == pytest.approx(py["cohen_kappa"])
        assert px["percent_agreement"] == pytest.approx(py["percent_agreement"])
    rest = {k for k in dx if k not in ("percent_agreement", "fleiss_kappa", "gwet_ac1", "pairs")}
    assert {k: dx[k] for k in rest} == {k: dy[k] for k in rest}


def close(stat: Statistic, value, se, lo, hi, atol=1e-9):
    assert stat.value == pytest.approx(value, abs=atol)
    assert stat.se == pytest.approx(se, abs=atol)
    assert stat.ci_low == pytest.approx(max(-1.0, lo), abs=atol)
    assert stat.ci_high == pytest.approx(min(1.0, hi), abs=atol)


# irrCAC 0.4.4 (CAC(frame, categories=...).gwet() / .fleiss(), 95%, 5 decimals)
# on the datasets above: (value, se, ci_low, ci_high).  Checked live against
# irrCAC when it is installed (test_recorded_irrcac_figures_are_current).
IRRCAC = {
    "balanced-3cat": {"ac1": (0.58533, 0.10004, 0.38372, 0.78694), "fleiss": (0.52381, 0.11003, 0.30206, 0.74556)},
    "balanced-collapsed": {"ac1": (0.60699, 0.12031, 0.36451, 0.84946), "fleiss": (0.59276, 0.12256, 0.34575, 0.83977)},
    "skewed": {"ac1": (0.89956, 0.03496, 0.83019, 0.96893), "fleiss": (0.1342, 0.16311, -0.18945, 0.45785)},
    "three-reviewers-missing": {"ac1": (0.7083, 0.09558, 0.51704, 0.89956), "fleiss": (0.61118, 0.1139, 0.38327, 0.83908)},
    "three-reviewers-missing-3cat": {"ac1": (0.71101, 0.08081, 0.54932, 0.87271), "fleiss": (0.53711, 0.10642, 0.32416, 0.75006)},
    "fleiss-1971": {"ac1": (0.44788, 0.05566, 0.33404, 0.56173), "fleiss": (0.43024, 0.0542, 0.3194, 0.54109)},
    # also printed in irrCAC's documentation (irrCAC.raw module docstring)
    "gwet-4-raters": {"ac1": (0.77544, 0.14295, 0.46081, 1.0), "fleiss": (0.76117, 0.15302, 0.42438, 1.0)},
}  # fmt: skip


def statsmodels_ir():
    return pytest.importorskip("statsmodels.stats.inter_rater")


# --------------------------------------------------------------------------
# Cohen's kappa: statsmodels (value, FCE-1969 SE, CI) and scikit-learn


def reviewer_pairs(ratings):
    names = sorted({rv for v in ratings.values() for rv in v})
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]


@pytest.mark.parametrize(("name", "ratings", "categories", "collapse"), DATASETS[:5], ids=IDS[:5])
def test_cohen_kappa_matches_statsmodels_and_sklearn(name, ratings, categories, collapse):
    from sklearn.metrics import cohen_kappa_score

    sm_ir = statsmodels_ir()
    eff = effective(ratings, collapse)
    cats = cats_used(categories, collapse)
    for a, b in reviewer_pairs(ratings):
        shared = [v for v in eff.values() if a in v and b in v]
        table = np.zeros((len(cats), len(cats)))
        for v in shared:
            table[cats.index(v[a]), cats.index(v[b])] += 1
        ours = cohen_kappa(ratings, a, b, categories=categories, collapse_maybe=collapse)
        ref = sm_ir.cohens_kappa(table)
        assert ours.n == len(shared)
        close(ours, ref.kappa, ref.std_kappa, ref.kappa_low, ref.kappa_upp)
        sk = cohen_kappa_score([v[a] for v in shared], [v[b] for v in shared])
        assert ours.value == pytest.approx(sk, abs=1e-12)


def test_cohen_kappa_interval_at_other_confidence_uses_normal_quantile():
    # statsmodels fixes 95%; its SE with the 90% normal quantile 1.6448536...
    ref = statsmodels_ir().cohens_kappa(np.array([[1, 4], [5, 90]]))
    ours = cohen_kappa(SKEWED, "ann", "bob", confidence=0.90)
    half = 1.6448536269514722 * ref.std_kappa
    close(ours, ref.kappa, ref.std_kappa, ref.kappa - half, ref.kappa + half)


# --------------------------------------------------------------------------
# Fleiss' kappa: statsmodels (constant raters) and the published 1971 value


@pytest.mark.parametrize("idx", [0, 1, 2, 5], ids=[IDS[i] for i in (0, 1, 2, 5)])
def test_fleiss_kappa_matches_statsmodels_for_constant_raters(idx):
    _, ratings, categories, collapse = DATASETS[idx]
    eff = effective(ratings, collapse)
    cats = cats_used(categories, collapse)
    table = np.array([[list(v.values()).count(c) for c in cats] for v in eff.values()])
    sm_ir = statsmodels_ir()
    ours = fleiss_kappa(ratings, categories=categories, collapse_maybe=collapse)
    assert ours.value == pytest.approx(sm_ir.fleiss_kappa(table, method="fleiss"), abs=1e-12)


def test_fleiss_kappa_reproduces_fleiss_1971_published_value():
    k = fleiss_kappa(DIAG, categories=DIAG_CATS, collapse_maybe=False)
    assert round(k.value, 3) == 0.430  # Fleiss (1971), p. 381
    assert k.value == pytest.approx(0.4302445, abs=1e-7)  # R irr::kappam.fleiss
    assert k.n == 30 and k.ci_low < k.value < k.ci_high


# --------------------------------------------------------------------------
# Gwet's AC1 and generalised Fleiss' kappa: irrCAC


@pytest.mark.parametrize(("name", "ratings", "categories", "collapse"), DATASETS, ids=IDS)
def test_ac1_and_fleiss_match_recorded_irrcac_figures(name, ratings, categories, collapse):
    ac1 = gwet_ac1(ratings, categories=categories, collapse_maybe=collapse)
    fk = fleiss_kappa(ratings, categories=categories, collapse_maybe=collapse)
    close(ac1, *IRRCAC[name]["ac1"], atol=6e-6)
    close(fk, *IRRCAC[name]["fleiss"], atol=6e-6)
    assert ac1.n == fk.n == len(ratings)


def irrcac(ratings, categories, collapse, confidence=0.95):
    raw = pytest.importorskip("irrCAC.raw")
    import pandas as pd

    eff = effective(ratings, collapse)
    frame = pd.DataFrame.from_dict(eff, orient="index").astype(object)
    frame = frame.where(frame.notna(), np.nan)
    cac = raw.CAC(frame, categories=list(cats_used(categories, collapse)), confidence_level=confidence)
    return cac.gwet()["est"], cac.fleiss()["est"]


@pytest.mark.parametrize(("name", "ratings", "categories", "collapse"), DATASETS, ids=IDS)
def test_recorded_irrcac_figures_are_current(name, ratings, categories, collapse):
    ref_ac1, ref_fk = irrcac(ratings, categories, collapse)
    for key, ref in (("ac1", ref_ac1), ("fleiss", ref_fk)):
        live = (ref["coefficient_value"], ref["se"], *ref["confidence_interval"])
        assert IRRCAC[name][key] == pytest.approx(live, abs=1e-12)


def test_ac1_confidence_level_matches_irrcac():
    ref_ac1, _ = irrcac(MISSING, THREE, True, confidence=0.90)
    ours = gwet_ac1(MISSING, confidence=0.90)
    close(ours, ref_ac1["coefficient_value"], ref_ac1["se"], *ref_ac1["confidence_interval"], atol=6e-6)


@pytest.mark.parametrize("seed", range(8))
def test_random_varying_raters_match_irrcac_and_statsmodels(seed):
    rng = np.random.default_rng(seed)
    ratings = {}
    for i in range(int(rng.integers(5, 40))):
        k = int(rng.integers(1, 5))
        who = rng.choice(["A", "B", "C", "D"], size=k, replace=False)
        ratings[i] = {str(rv): str(rng.choice(THREE, p=[0.3, 0.6, 0.1])) for rv in who}
    ref_ac1, ref_fk = irrcac(ratings, THREE, False)
    sm_ir = statsmodels_ir()
    ac1 = gwet_ac1(ratings, collapse_maybe=False)
    if ac1.value is not None:
        close(ac1, ref_ac1["coefficient_value"], ref_ac1["se"], *ref_ac1["confidence_interval"], atol=6e-6)
    fk = fleiss_kappa(ratings, collapse_maybe=False)
    if fk.value is not None and fk.se:
        close(fk, ref_fk["coefficient_value"], ref_fk["se"], *ref_fk["confidence_interval"], atol=6e-6)
    for a, b in reviewer_pairs(ratings):
        shared = [v for v in ratings.values() if a in v and b in v]
        ours = cohen_kappa(ratings, a, b, collapse_maybe=False)
        table = np.zeros((3, 3))
        for v in shared:
            table[THREE.index(v[a]), THREE.index(v[b])] += 1
        if ours.value is not None:
            ref = sm_ir.cohens_kappa(table)
            close(ours, ref.kappa, ref.std_kappa, ref.kappa_low, ref.kappa_upp)


# --------------------------------------------------------------------------
# percent agreement


def test_percent_agreement_with_wilson_interval_matches_statsmodels():
    proportion_confint = pytest.importorskip("statsmodels.stats.proportion").proportion_confint

    pa = percent_agreement(SKEWED)
    lo, hi = proportion_confint(91, 100, alpha=0.05, method="wilson")
    assert (pa.value, pa.n) == (0.91, 100)
    assert (pa.ci_low, pa.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    # three ratings of one record agree only if all three agree
    assert percent_agreement({1: {"A": "exclude", "B": "exclude", "C": "include"}}).value == 0


# --------------------------------------------------------------------------
# behaviour


def test_skewed_data_show_kappa_paradox_while_ac1_stays_high():
    report = agreement_report(SKEWED)
    assert report.percent_agreement.value == pytest.approx(0.91)
    assert report.pairs[0].cohen_kappa.value < 0.2
    assert report.fleiss_kappa.value < 0.2
    assert report.gwet_ac1.value > 0.85


def test_collapse_maybe_counts_maybe_as_include():
    data = {1: {"A": "maybe", "B": "include"}, 2: {"A": "exclude", "B": "exclude"}}
    assert percent_agreement(data).value == 1.0
    assert percent_agreement(data, collapse_maybe=False).value == 0.5
    assert agreement_report(data).categories == TWO
    assert agreement_report(data, collapse_maybe=False).categories == THREE


def test_all_records_in_one_category_leave_kappa_undefined_but_ac1_defined():
    data = {i: {"A": "exclude", "B": "exclude"} for i in range(20)}
    report = agreement_report(data)
    kappa = report.pairs[0].cohen_kappa
    assert kappa.value is None and kappa.reason.startswith("no variation")
    assert report.fleiss_kappa.value is None and "no variation" in report.fleiss_kappa.reason
    assert report.gwet_ac1.value == 1.0
    assert report.percent_agreement.value == 1.0


def test_empty_input_and_single_reviewer_give_reasons_not_errors():
    for data in ({}, {1: {"A": "include"}, 2: {"A": "exclude"}}):
        report = agreement_report(data)
        assert report.pairs == ()
        for stat in (report.percent_agreement, report.fleiss_kappa, report.gwet_ac1):
            assert stat.value is None and stat.se is None and stat.reason
        json.dumps(report.to_dict(), allow_nan=False)
    assert agreement_report({1: {"A": "include"}}).n_reviewers == 1


def test_pairs_with_too_few_or_no_shared_records():
    data = dict(BALANCED)
    data["x"] = {"ann": "include", "cy": "exclude"}
    data["y"] = {"dee": "include"}
    report = agreement_report(data)
    pairs = {(p.a, p.b): p for p in report.pairs}
    assert set(pairs) == {("ann", "bob"), ("ann", "cy")}  # dee shares nothing
    few = pairs[("ann", "cy")].cohen_kappa
    assert few.value is None and few.n == 1 and "too few" in few.reason
    assert report.n_records == len(BALANCED) + 2 and report.n_compared == len(BALANCED) + 1


def test_three_reviewers_report_has_every_pair_and_is_json_friendly():
    report = agreement_report(MISSING)
    assert report.reviewers == ("A", "B", "C") and report.n_reviewers == 3
    assert [(p.a, p.b) for p in report.pairs] == [("A", "B"), ("A", "C"), ("B", "C")]
    for p in report.pairs:
        assert p.cohen_kappa == cohen_kappa(MISSING, p.a, p.b)
    assert report.gwet_ac1 == gwet_ac1(MISSING)
    assert report.fleiss_kappa == fleiss_kappa(MISSING)
    text = json.dumps(report.to_dict(), allow_nan=False)
    assert json.loads(text)["pairs"][0]["cohen_kappa"]["n"] == report.pairs[0].n


def test_reviewers_argument_restricts_the_ratings():
    report = agreement_report(MISSING, reviewers=["A", "B"])
    assert report.reviewers == ("A", "B")
    assert [(p.a, p.b) for p in report.pairs] == [("A", "B")]
    only_ab = {k: {rv: c for rv, c in v.items() if rv in "AB"} for k, v in MISSING.items()}
    only_ab = {k: v for k, v in only_ab.items() if v}
    assert report.gwet_ac1 == gwet_ac1(only_ab)


def test_wider_confidence_gives_wider_intervals():
    narrow, wide = gwet_ac1(MISSING, confidence=0.9), gwet_ac1(MISSING, confidence=0.99)
    assert wide.ci_low < narrow.ci_low < narrow.value < narrow.ci_high < wide.ci_high


def test_malformed_input_raises_invalid_input():
    with pytest.raises(InvalidInput, match="unknown category"):
        agreement_report({1: {"A": "inlcude", "B": "exclude"}})
    with pytest.raises(InvalidInput, match="unknown category"):
        gwet_ac1({1: {"A": None, "B": "exclude"}})
    with pytest.raises(InvalidInput):
        agreement_report({1: ["include", "exclude"]})
    with pytest.raises(InvalidInput, match="confidence"):
        gwet_ac1(SKEWED, confidence=95)
    with pytest.raises(InvalidInput, match="two categories"):
        agreement_report(SKEWED, categories=("exclude",))


def test_by_stage_gives_one_report_per_stage():
    reports = agreement_by_stage({"title_abstract": SKEWED, "full_text": BALANCED})
    assert reports["title_abstract"] == agreement_report(SKEWED)
    assert reports["full_text"].n_records == len(BALANCED)


# --------------------------------------------------------------------------
# over time


def timed(ratings: dict, start: datetime) -> dict:
    """First rating of record i at hour 2i, second at 2i+1 - except that the
    records are decided in reverse order of their ids."""
    n = len(ratings)
    out = {}
    for i, (rid, row) in enumerate(ratings.items()):
        base = start + timedelta(hours=2 * (n - i))
        out[rid] = {rv: (c, base + timedelta(minutes=j)) for j, (rv, c) in enumerate(row.items())}
    return out


def test_agreement_over_time_is_cumulative_in_order_of_second_decision():
    start = datetime(2024, 1, 1)
    data = timed(SKEWED, start)
    points = agreement_over_time(data, batch=30)
    assert [p.n_decided for p in points] == [30, 60, 90, 100]
    same_report(points[-1].report, agreement_report(SKEWED))
    # reverse order: the first batch holds the last 30 records of SKEWED
    first = {k: SKEWED[k] for k in list(SKEWED)[-30:]}
    same_report(points[0].report, agreement_report(first))
    assert points[0].time < points[1].time
    json.dumps([p.to_dict() for p in points], allow_nan=False)


def test_agreement_over_time_window_and_ratings_after_the_cutoff():
    t0 = datetime(2024, 1, 1)
    data = {
        1: {"A": ("include", t0), "B": ("include", t0 + timedelta(hours=1)),
            "C": ("exclude", t0 + timedelta(hours=10))},
        2: {"A": ("exclude", t0), "C": ("exclude", t0 + timedelta(hours=2))},
        3: {"B": ("exclude", t0), "C": ("include", t0 + timedelta(hours=3))},
        4: {"A": ("exclude", t0)},  # never decided
    }  # fmt: skip
    points = agreement_over_time(data, batch=1)
    assert [p.n_decided for p in points] == [1, 2, 3]
    # at the first point C's late rating of record 1 was not yet made
    assert points[0].report.percent_agreement.value == 1.0
    assert points[0].report.reviewers == ("A", "B")
    windowed = agreement_over_time(data, batch=1, window=1)
    assert windowed[1].report.n_records == 1
    assert windowed[2].report.percent_agreement.value == 0.0
    with pytest.raises(InvalidInput):
        agreement_over_time(data, batch=0)
    assert agreement_over_time({}, batch=5) == []
