"""Callaghan & Müller-Hansen rule: the hypergeometric test, the switch to sampling, heuristics."""

from __future__ import annotations

import pytest
from scipy.stats import hypergeom

from realist.errors import InvalidInput
from realist.screen import stopping


def test_k_target_is_the_fewest_remaining_relevant_that_keep_recall_below_target():
    # 19 found, target 95%: 19/20 = 95% is not below target, 19/21 is -> 2
    assert stopping.k_target(19, 19, 0.95) == 2
    assert stopping.k_target(14, 14, 0.95) == 1
    assert stopping.k_target(88, 88, 0.95) == 5
    # found 10 before sampling and 2 in the sample: need > 12/0.95 - 10 = 2.63
    assert stopping.k_target(12, 10, 0.95) == 3


@pytest.mark.parametrize("n_urn,n,k,r_al", [(500, 100, 0, 40), (500, 250, 1, 40), (900, 300, 2, 70), (50, 10, 0, 5)])
def test_hypergeometric_p_value_matches_scipy(n_urn, n, k, r_al):
    K = stopping.k_target(r_al + k, r_al, 0.95)
    expected = hypergeom.cdf(k, n_urn, K, n)
    assert stopping.hypergeometric_p_value(n_urn, n, k, r_al, 0.95) == pytest.approx(expected)


def test_p_value_is_zero_when_the_null_is_impossible():
    # 3 records left undrawn cannot hold the 5 needed for recall < 95%
    assert stopping.hypergeometric_p_value(100, 97, 0, 88, 0.95) == 0.0


def test_recall_bound_and_p_value_agree_on_the_target():
    for n in range(0, 400, 20):
        p = stopping.hypergeometric_p_value(400, n, 0, 60, 0.95)
        lb = stopping.recall_lower_bound(400, n, 0, 60, 0.95)
        assert (p < 0.05) == (lb >= 0.95)


def test_ranked_phase_never_recommends_stopping():
    labels = [1] * 20 + [0] * 900
    est = stopping.evaluate(labels, total=1000, rule="callaghan")
    assert est.phase == "ranked"
    assert est.recommendation == "start_sampling"
    assert not est.should_stop and est.recall_estimate is None


def test_switch_waits_for_enough_consecutive_exclusions():
    est = stopping.evaluate([1] * 60 + [0] * 29, total=300, rule="callaghan")
    assert est.recommendation == "continue"
    est = stopping.evaluate([1] * 60 + [0] * 200, total=300, rule="callaghan")
    assert est.recommendation == "start_sampling"


def test_switch_waits_for_the_ranked_order_test():
    # 40 exclusions in a row but 14 relevant and 850 unscreened: too early
    est = stopping.evaluate([1] * 14 + [0] * 40, total=904, rule="callaghan")
    assert est.recommendation == "continue"
    assert est.ranked_p_value is not None and est.ranked_p_value >= 0.05


def test_stop_only_after_a_large_enough_random_sample():
    ranked = [1] * 40 + [0] * 60  # 100 ranked, 40 relevant, urn of 900 left
    K = stopping.k_target(40, 40, 0.95)  # 3
    needed = next(n for n in range(1, 900) if hypergeom.cdf(0, 900, K, n) < 0.05)
    before = stopping.evaluate(ranked + [0] * (needed - 1), total=1000, sampling_start=100)
    after = stopping.evaluate(ranked + [0] * needed, total=1000, sampling_start=100)
    assert not before.should_stop and before.p_value >= 0.05
    assert after.should_stop and after.recall_lower_bound >= 0.95
    for n in (0, 1, 50, needed // 2):
        assert not stopping.evaluate(ranked + [0] * n, total=1000, sampling_start=100).should_stop


def test_relevant_records_in_the_sample_delay_the_stop():
    ranked = [1] * 40 + [0] * 60
    clean = stopping.evaluate(ranked + [0] * 400, total=1000, sampling_start=100)
    found = stopping.evaluate(ranked + [1] + [0] * 399, total=1000, sampling_start=100)
    assert found.p_value > clean.p_value
    assert 0 < found.recall_estimate < 1


def test_all_screened_means_stop_with_full_recall():
    est = stopping.evaluate([1, 0, 0], total=3)
    assert est.should_stop and est.recall_estimate == 1.0


def test_heuristic_is_reported_not_acted_on():
    est = stopping.evaluate([1] + [0] * 60, total=10_000, switch_after=1000)
    assert est.heuristics == {"consecutive_exclusions": 60, "heuristic_stop": True}
    assert est.recommendation == "continue"


def test_bad_arguments_are_user_errors():
    with pytest.raises(InvalidInput):
        stopping.evaluate([0, 1], total=1)
    with pytest.raises(InvalidInput):
        stopping.evaluate([0, 1], total=5, target_recall=1.5)


def test_ranked_p_value_is_a_probability():
    p = stopping.ranked_p_value([1, 1, 0, 1] + [0] * 200, 1000, 0.95)
    assert 0.0 <= p <= 1.0
    assert stopping.ranked_p_value([1] * 5 + [0] * 995, 1000, 0.95) == 0.0
