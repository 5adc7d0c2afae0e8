"""Simulation: metrics by hand, seeded orders, CLI output and bad input."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from realist.cli.simulate_cmd import simulate as simulate_cmd
from realist.errors import InvalidInput
from realist.screen.ranking import RetrainSchedule
from realist.screen.simulate import (
    average_time_to_discovery,
    load_labelled_csv,
    recall_at,
    records_to_recall,
    screening_metrics,
    simulate,
    wss,
)


def test_metrics_match_hand_computation():
    labels = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0]  # N = 10, R = 3
    assert records_to_recall(labels, 0.95) == 6  # ceil(2.85) = 3 found at record 6
    assert records_to_recall(labels, 0.5) == 3  # ceil(1.5) = 2
    assert wss(labels, 0.95) == pytest.approx((10 - 6) / 10 - 0.05)
    assert wss(labels, 1.0) == pytest.approx(0.4)
    assert recall_at(labels, 0.1) == pytest.approx(1 / 3)  # first 1 record
    assert recall_at(labels, 0.2) == pytest.approx(1 / 3)  # first 2 records
    assert average_time_to_discovery(labels) == pytest.approx((1 + 3 + 6) / 3 / 10)
    m = screening_metrics(labels)
    assert (m["N"], m["R"], m["n_to_100"]) == (10, 3, 6)


def test_same_seed_same_order_and_different_seeds_differ(toy_rows):
    a = simulate(toy_rows, seed=1)
    b = simulate(toy_rows, seed=1)
    c = simulate(toy_rows, seed=2)
    assert a.order == b.order
    assert a.order != c.order


def test_simulation_screens_every_record_priors_first(toy_rows):
    res = simulate(toy_rows, seed=3, prior_included=2, prior_excluded=3)
    assert sorted(res.order) == list(range(len(toy_rows)))
    assert res.order[:5] == res.priors
    assert [toy_rows[i]["label_included"] for i in res.priors] == ["1", "1", "0", "0", "0"]
    assert res.metrics["N"] == len(toy_rows) - 5
    assert res.metrics["wss_95"] > 0.5
    assert 0 <= res.stopping["stop_recall"] <= 1


def test_two_phase_rule_replay_reaches_target_on_the_toy_corpus(toy_rows):
    res = simulate(toy_rows * 3, seed=4, stopping_rule="callaghan")
    s = res.stopping
    assert s["sampling_started_at"] is not None
    assert s["stop_recall"] >= 0.95
    assert s["stop_screened"] == s["sampling_started_at"] + s["stop_sample_size"]
    assert s["stop_work_saved"] == pytest.approx((res.metrics["N"] - s["stop_screened"]) / res.metrics["N"])


def test_order_is_pure_ranking_and_the_stopping_replay_does_not_change_it(toy_rows):
    rows = toy_rows * 3
    a = simulate(rows, seed=4, target_recall=0.95, stopping_rule="callaghan")
    b = simulate(rows, seed=4, target_recall=0.5, stopping_rule="callaghan")
    assert a.order == b.order and a.metrics == b.metrics
    assert a.stopping["sampling_started_at"] is not None
    # every relevant record comes before the first long run of exclusions: no
    # random sample is interleaved into the order the metrics are computed on
    y = [int(rows[i]["label_included"]) for i in a.order[len(a.priors) :]]
    assert a.metrics["n_to_100"] == max(i for i, v in enumerate(y) if v) + 1
    assert a.metrics["n_to_100"] <= a.stopping["sampling_started_at"]
    assert a.metrics == screening_metrics(y)


def test_stop_recall_counts_the_ranked_prefix_and_the_random_sample(toy_rows):
    rows = toy_rows * 3
    res = simulate(rows, seed=6, stopping_rule="callaghan")
    s = res.stopping
    y = [int(rows[i]["label_included"]) for i in res.order[len(res.priors) :]]
    R = sum(y)
    before = sum(y[: s["sampling_started_at"]])
    # the sample can only add relevant records to those found before the switch
    assert before / R <= s["stop_recall"] <= 1
    assert s["stop_reached_target"] == (s["stop_recall"] >= 0.95)


def test_retrain_schedule_is_used(toy_rows):
    every = simulate(toy_rows * 2, seed=0, schedule=RetrainSchedule(growth=0))
    batched = simulate(toy_rows * 2, seed=0, schedule=RetrainSchedule(every_until=10, growth=0.1))
    assert batched.n_retrains < every.n_retrains


def test_too_many_priors_is_a_user_error(toy_rows):
    with pytest.raises(InvalidInput, match="included priors"):
        simulate(toy_rows, prior_included=50)


def _write_csv(path: Path, rows, columns, gz=False):
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def test_cli_writes_order_covering_every_record_with_priors_first(tmp_path, toy_rows):
    data = tmp_path / "toy.csv.gz"
    _write_csv(data, toy_rows, ["openalex_id", "title", "abstract", "label_included", "referenced_works"], gz=True)
    out = tmp_path / "order.csv"
    result = CliRunner().invoke(simulate_cmd, [str(data), "--seed", "5", "--order-out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    ids = out.read_text().splitlines()
    assert sorted(ids) == sorted(r["openalex_id"] for r in toy_rows)
    summary = json.loads(result.stdout)
    assert ids[:2] == summary["priors"]
    labels = {r["openalex_id"]: r["label_included"] for r in toy_rows}
    assert [labels[i] for i in ids[:2]] == ["1", "0"]
    for key in (
        "recall_at_10",
        "recall_at_20",
        "wss_95",
        "wss_100",
        "n_to_95",
        "n_to_100",
        "atd",
        "stop_screened",
        "stop_recall",
        "wall_time_s",
    ):
        assert key in summary


def test_cli_uses_row_numbers_when_there_is_no_id(tmp_path, toy_rows):
    data = tmp_path / "toy.csv"
    _write_csv(data, toy_rows, ["title", "abstract", "label_included"])
    out = tmp_path / "order.csv"
    result = CliRunner().invoke(simulate_cmd, [str(data), "--order-out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(int(i) for i in out.read_text().split()) == list(range(len(toy_rows)))
    assert "WSS@95" in result.output


@pytest.mark.parametrize(
    "columns,rows,message",
    [
        (["title", "abstract"], [{"title": "a", "abstract": "b"}], "missing column(s) label_included"),
        (["title", "label_included"], [{"title": "a", "label_included": "1"}], "missing column(s) abstract"),
        (
            ["title", "abstract", "label_included"],
            [{"title": "a", "abstract": "b", "label_included": "0"}] * 3,
            "no record is labelled included",
        ),
        (
            ["title", "abstract", "label_included"],
            [{"title": "a", "abstract": "b", "label_included": "yes"}],
            "label_included must be 0 or 1",
        ),
    ],
)
def test_bad_input_names_the_file_and_problem_and_writes_nothing(tmp_path, columns, rows, message):
    data = tmp_path / "bad.csv"
    _write_csv(data, rows, columns)
    out = tmp_path / "order.csv"
    result = CliRunner().invoke(simulate_cmd, [str(data), "--order-out", str(out)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidInput)
    assert str(data) in str(result.exception) and message in str(result.exception)
    assert not out.exists()


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read"):
        load_labelled_csv(tmp_path / "nope.csv")


def test_synergy_dataset_simulates_as_it_is(synergy, tmp_path):
    out = tmp_path / "order.csv"
    result = CliRunner().invoke(
        simulate_cmd, [str(synergy / "Donners_2021.csv.gz"), "--seed", "1", "--order-out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["N"] == 256 and summary["R"] == 14
    assert summary["wss_95"] > 0.3
    assert len(out.read_text().splitlines()) == 258


def test_synergy_criteria_rank_relevant_records_early(synergy):
    import numpy as np

    from realist.screen.ranking import Ranker

    rows = load_labelled_csv(synergy / "Oud_2018.csv.gz")
    criteria = json.loads((synergy / "eligibility_criteria.json").read_text())["Oud_2018"]
    order = Ranker(rows, criteria_text=criteria).fit_rank({}, rng=np.random.default_rng(0))
    top = [int(rows[i]["label_included"]) for i in order[: len(rows) // 10]]
    assert sum(top) >= 6  # 20 relevant in 952: a random tenth holds about 2


def test_simulation_makes_one_generator_and_passes_it_down(toy_rows, monkeypatch):
    import numpy as np

    made = []
    real = np.random.default_rng

    def counting(*args, **kwargs):
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(np.random, "default_rng", counting)
    simulate(toy_rows * 2, seed=9)
    assert made == [(9,)]


@pytest.mark.parametrize("rule", ["knee", "poisson", "poisson_cautious", "poisson_bayes"])
def test_simulation_replays_a_one_phase_rule_where_it_first_says_stop(toy_rows, rule):
    from realist.screen import stopping

    res = simulate(toy_rows, seed=2, stopping_rule=rule)
    s = res.stopping
    y = [int(toy_rows[i]["label_included"]) for i in res.order]
    first = stopping.first_stop(y, rule, total=len(y), start=len(res.priors))
    stop_at = len(y) if first is None else first
    assert s["stop_rule"] == rule and s["sampling_started_at"] is None
    assert s["stop_screened"] == stop_at - len(res.priors)
    after = y[len(res.priors) :]
    assert s["stop_recall"] == pytest.approx(sum(after[: s["stop_screened"]]) / sum(after))
    # the rule never changes the order
    assert simulate(toy_rows, seed=2, stopping_rule="callaghan").order == res.order


def test_simulation_and_real_screening_use_the_same_default_rule(toy_rows):
    from realist.screen import stopping

    assert simulate(toy_rows, seed=0).stopping["stop_rule"] == stopping.DEFAULT_RULE
    assert stopping.evaluate([1, 0, 0], total=10).rule == stopping.DEFAULT_RULE


def test_unknown_stopping_rule_is_a_user_error(toy_rows):
    with pytest.raises(InvalidInput, match="unknown stopping rule"):
        simulate(toy_rows, seed=0, stopping_rule="nope")
