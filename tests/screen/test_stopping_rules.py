"""One-phase stopping rules (knee, Poisson process), the registry, and the plain-words estimate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import hypergeom

from realist.errors import InvalidInput
from realist.screen import stopping


def test_knee_is_the_point_farthest_above_the_line_to_the_current_point():
    # 10 relevant in the first 20, then 1 in the next 180: the curve bends at 20
    y = [1] * 10 + [0] * 10 + [0] * 90 + [1] + [0] * 89
    assert stopping._knee(np.cumsum(y)) == 10
    y = [1, 0] * 10 + [0] * 180  # relevant every other record, then none
    assert stopping._knee(np.cumsum(y)) == 19


def test_knee_rule_needs_the_published_slope_ratio():
    # 20 relevant in the first 20, none after: rho = (20/20) / (1/(s-20)) = s - 20;
    # the threshold is 156 - 20 = 136, so it stops at s = 156 and not before
    ranked = [1] * 20
    assert not stopping.knee_rule(ranked + [0] * 135, total=1000).stop
    verdict = stopping.knee_rule(ranked + [0] * 136, total=1000)
    assert verdict.stop
    assert stopping.first_stop(ranked + [0] * 400, "knee", total=1000) == 156


def test_knee_rule_never_stops_before_its_minimum_screened():
    # with the published threshold the "+ 1" already implies 156 screened
    # (rho <= s - knee and knee >= relevant found); a larger minimum binds
    y = [1] * 20 + [0] * 136
    assert stopping.knee_rule(y, total=1000).stop
    assert not stopping.knee_rule(y, total=1000, min_screened=300).stop
    assert stopping.knee_rule(y + [0] * 144, total=1000, min_screened=300).stop


@pytest.mark.parametrize("prefix", [[1] * 20 + [0] * 5, [1, 0, 0] * 15 + [0] * 30, [1] * 3 + [0] * 10])
def test_knee_estimate_of_records_to_screen_matches_its_replay(prefix):
    est = stopping.evaluate(prefix, total=2000, rule="knee")
    assert est.recommendation == "continue" and est.records_to_screen is not None
    stop = stopping.first_stop(prefix + [0] * 1900, "knee", total=2000)
    assert stop == len(prefix) + est.records_to_screen
    assert f"{est.records_to_screen} more records" in est.explanation


def _poisson_process(rng: np.random.Generator, a: float, k: float, n: int) -> list[int]:
    # thinning: each position x is relevant with probability a * exp(-k x) (<= 1)
    x = np.arange(n) + 0.5
    return [int(u < a * math.exp(-k * xi)) for u, xi in zip(rng.random(n), x)]


def test_poisson_rate_fit_recovers_a_known_falling_rate():
    rng = np.random.default_rng(3)
    fits = []
    for _ in range(20):
        y = np.array(_poisson_process(rng, 0.6, 0.01, 400))
        pos = np.flatnonzero(y == 1) + 0.5
        fits.append(stopping._fit_rate(pos, 400, "exp"))
    a = np.median([f[0] for f in fits])
    k = np.median([f[1] for f in fits])
    assert 0.45 < a < 0.75
    assert 0.007 < k < 0.013


def test_poisson_rule_keeps_going_while_relevant_records_still_arrive_at_the_same_rate():
    y = [1, 0, 0, 0, 0] * 60  # one in five, no sign of falling off
    verdict = stopping.poisson_rule(y, total=1000)
    assert not verdict.stop
    assert verdict.recall_estimate is not None and verdict.recall_estimate < 0.5


def test_poisson_rule_stops_once_the_rate_has_died_away():
    rng = np.random.default_rng(0)
    y = _poisson_process(rng, 0.8, 0.05, 1000)
    R = sum(y)
    stop = stopping.first_stop(y, "poisson", total=1000)
    assert stop is not None and stop < 600
    assert sum(y[:stop]) >= 0.95 * R


def test_poisson_rule_waits_for_a_tenth_of_the_records_and_five_relevant():
    assert "at least 100 records" in stopping.poisson_rule([1] * 50, total=1000).reason
    assert not stopping.poisson_rule([1] * 4 + [0] * 200, total=1000).stop


def test_poisson_bayes_predictive_count_is_a_gamma_poisson_mixture():
    # with the decay integrated out the count left is over-dispersed: its
    # predictive probability of "nothing left" is below the plain Poisson's at
    # the fitted rate, and it agrees with a Monte-Carlo draw from the posterior
    rng = np.random.default_rng(5)
    y = np.array(_poisson_process(rng, 0.5, 0.02, 300))
    pos = np.flatnonzero(y == 1) + 0.5
    a, k = stopping._fit_rate(pos, 300, "exp")
    mu = a * (math.exp(-k * 300) - math.exp(-k * 1000)) / k
    p0 = stopping._predictive_cdf(pos, 300, 1000, "exp", 0)
    assert p0 < math.exp(-mu)
    # Monte Carlo: k from its grid posterior, a from Gamma(m, I(k)), count ~ Poisson
    ks = np.linspace(0.0, 50.0 / 300, 201)
    inside = (1 - np.exp(-ks[1:] * 300)) / ks[1:]
    inside = np.concatenate([[300.0], inside])
    rest = np.concatenate([[700.0], (np.exp(-ks[1:] * 300) - np.exp(-ks[1:] * 1000)) / ks[1:]])
    logw = -len(pos) * np.log(inside) - ks * pos.sum()
    w = np.exp(logw - logw.max())
    j = rng.choice(len(ks), 40000, p=w / w.sum())
    draws = rng.poisson(rng.gamma(len(pos), 1 / inside[j]) * rest[j])
    for x in (0, 1, 3):
        assert abs(stopping._predictive_cdf(pos, 300, 1000, "exp", x) - np.mean(draws <= x)) < 0.01


def test_poisson_bayes_keeps_going_while_relevant_records_still_arrive_at_the_same_rate():
    y = [1, 0, 0, 0, 0] * 60
    assert not stopping.poisson_bayes_rule(y, total=1000).stop
    # at a constant rate 95% recall is reached at record 950: no earlier stop
    full = y + [1, 0, 0, 0, 0] * 140
    stop = stopping.first_stop(full, "poisson_bayes", total=1000)
    assert stop is None or (stop >= 950 and sum(full[:stop]) >= 0.95 * sum(full))


def test_poisson_bayes_sits_between_the_point_estimate_and_the_cautious_rule():
    # on processes that follow the model: reaches 95% recall at least as often as
    # the rule that takes the fitted rate as known, and stops sooner on average
    # than the one that takes the flattest plausible decay
    rng = np.random.default_rng(11)
    reached = {"poisson": 0, "poisson_bayes": 0, "poisson_cautious": 0}
    stops: dict[str, list[int]] = {rule: [] for rule in reached}
    for _ in range(20):
        y = _poisson_process(rng, 0.6, 0.02, 1000)
        for rule in reached:
            stop = stopping.first_stop(y, rule, total=1000)
            at = 1000 if stop is None else stop
            stops[rule].append(at)
            reached[rule] += sum(y[:at]) >= 0.95 * sum(y)
    assert reached["poisson"] <= reached["poisson_bayes"] <= reached["poisson_cautious"]
    assert reached["poisson_bayes"] >= 17
    assert np.mean(stops["poisson"]) <= np.mean(stops["poisson_bayes"]) < np.mean(stops["poisson_cautious"]) < 600


@pytest.mark.parametrize("prefix", [[1, 0] * 50 + [0] * 10, [1, 0, 0] * 40 + [0] * 30])
def test_poisson_bayes_estimate_of_records_to_screen_matches_its_replay(prefix):
    est = stopping.evaluate(prefix, total=1000, rule="poisson_bayes")
    assert est.recommendation == "continue" and est.records_to_screen is not None
    stop = stopping.first_stop(prefix + [0] * (1000 - len(prefix)), "poisson_bayes", total=1000)
    assert stop == len(prefix) + est.records_to_screen
    assert f"{est.records_to_screen} more records" in est.explanation


def test_rules_are_registered_by_name_and_an_outside_rule_can_join():
    assert {"callaghan", "knee", "poisson"} <= set(stopping.RULES)
    assert stopping.DEFAULT_RULE in stopping.RULES

    def never(labels, total, target, confidence, *, explain=True):
        return stopping.RuleVerdict(False, "never stops.", more=None)

    stopping.register_rule(stopping.StoppingRule("never", "never", never))
    try:
        est = stopping.evaluate([1, 0, 0], total=10, rule="never")
        assert est.recommendation == "continue" and est.rule == "never"
        assert "never stops." in est.explanation
    finally:
        del stopping.RULES["never"]


def test_unknown_rule_is_a_user_error_naming_the_known_ones():
    with pytest.raises(InvalidInput, match="knee"):
        stopping.evaluate([1, 0], total=5, rule="nope")
    with pytest.raises(InvalidInput, match="one-phase"):
        stopping.first_stop([1, 0], "callaghan")


def test_random_sampling_decides_whatever_rule_is_named():
    ranked = [1] * 40 + [0] * 60
    est = stopping.evaluate(ranked + [0] * 10, total=1000, sampling_start=100, rule="knee")
    assert est.phase == "sampling" and est.rule == "callaghan"


def test_sampling_estimate_of_records_to_screen_is_the_draws_the_test_needs():
    ranked = [1] * 40 + [0] * 60
    K = stopping.k_target(40, 40, 0.95)
    needed = next(n for n in range(1, 900) if hypergeom.cdf(0, 900, K, n) < 0.05)
    est = stopping.evaluate(ranked + [0] * 25, total=1000, sampling_start=100)
    assert est.records_to_screen == needed - 25
    assert f"about {needed - 25} more records" in est.explanation
    ranked = [1] * 40 + [0] * 700  # long enough a run for the switch; urn of 260
    needed = next(n for n in range(1, 260) if hypergeom.cdf(0, 260, K, n) < 0.05)
    est = stopping.evaluate(ranked, total=1000, rule="callaghan", switch_after=50)
    assert est.recommendation == "start_sampling"
    assert est.records_to_screen == needed


def test_cautious_rule_shares_its_confidence_between_the_decay_and_the_count():
    # Bonferroni: each of the two bounds at 97.5% so that both hold at 95%; the
    # same as the unsplit rule asked for 97.5%, and never sooner than it at 95%
    rng = np.random.default_rng(13)
    for _ in range(5):
        y = _poisson_process(rng, 0.6, 0.02, 1000)
        split = stopping.first_stop(y, "poisson_cautious", total=1000)
        assert split == stopping.first_stop(y, "poisson_cautious_unsplit", total=1000, confidence=0.975)
        unsplit = stopping.first_stop(y, "poisson_cautious_unsplit", total=1000)
        assert unsplit is not None and split is not None and split >= unsplit


def test_cautious_rule_says_its_bound_allows_for_the_rate_uncertainty():
    rng = np.random.default_rng(0)
    y = _poisson_process(rng, 0.8, 0.05, 1000)
    stop = stopping.first_stop(y, "poisson_cautious", total=1000)
    assert stop is not None
    est = stopping.evaluate(y[:stop], total=1000, rule="poisson_cautious")
    assert est.recommendation == "stop"
    assert "at 95%, the uncertainty of the rate included" in est.explanation
