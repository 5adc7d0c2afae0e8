"""Screening through the core and the CLI: assignment, blinding, conflicts, resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realist.errors import InvalidInput, NotFound
from realist.identify import import_records
from realist.records import RecordData
from realist.screen import decisions as d
from realist.screen.queue import next_records, start_sampling, stopping_estimate

TOPICS = [
    (
        "Peer educators and HIV testing among people who inject drugs",
        "peer educators HIV testing harm reduction outreach",
    ),
    ("Needle exchange uptake in a peer-led drop-in centre", "peer-led needle syringe programme harm reduction"),
    ("Soil nitrogen dynamics under maize rotation", "agronomy soil nitrogen fertiliser maize yield"),
    ("Bridge deck corrosion monitoring with sensors", "civil engineering corrosion sensors bridge"),
]


def _records(n: int) -> list[RecordData]:
    out = []
    for i in range(n):
        title, words = TOPICS[i % len(TOPICS)]
        out.append(
            RecordData(
                title=f"{title} ({i})",
                abstract=f"{words} study number {i}",
                authors=[f"Author{i}, A."],
                year=2000 + i % 19,
            )
        )
    return out


@pytest.fixture
def screened(review):
    """A review with 48 unique records, like the reference review's network search."""
    import_records(review, _records(48), source="network search", kind="other")
    return review


def _ids(review):
    return sorted(d.statuses(review, "title_abstract"))


def test_balanced_assignment_gives_each_record_two_of_three_reviewers(screened):
    counts = d.assign(screened, "title_abstract", ["ana", "ben", "chi"], per_record=2, seed=1)
    assert sum(counts.values()) == 96
    assert max(counts.values()) - min(counts.values()) <= 1
    for state in d.statuses(screened, "title_abstract").values():
        assert len(state.assigned) == 2 and len(set(state.assigned)) == 2


def test_assignment_is_incremental(screened):
    d.assign(screened, "title_abstract", ["ana", "ben"], per_record=2)
    import_records(screened, _records(4), source="late", kind="other")
    counts = d.assign(screened, "title_abstract", ["ana", "ben"], per_record=2)
    assert counts == {"ana": 4, "ben": 4}


def test_single_screening_with_a_double_screened_fraction(screened):
    counts = d.assign(screened, "title_abstract", ["ana", "ben"], mode="single", fraction=0.25, seed=3)
    assert sum(counts.values()) == 48 + 12


def test_reviewer_cannot_decide_a_record_not_assigned_to_them(screened):
    d.assign(screened, "title_abstract", ["ana", "ben", "chi"], per_record=2, seed=1)
    state = next(iter(d.statuses(screened, "title_abstract").values()))
    outsider = ({"ana", "ben", "chi"} - set(state.assigned)).pop()
    with pytest.raises(InvalidInput, match="not assigned"):
        d.decide(screened, state.record_id, "include", reviewer=outsider)


def test_full_text_needs_inclusion_at_title_abstract(screened):
    rid = _ids(screened)[0]
    with pytest.raises(InvalidInput, match="has not reached full_text"):
        d.decide(screened, rid, "include", reviewer="ana", stage="full_text")
    d.decide(screened, rid, "include", reviewer="ana")
    d.decide(screened, rid, "include", reviewer="ana", stage="full_text")


def test_same_instant_twice_is_refused_and_changes_nothing(screened):
    import datetime as dt

    rid = _ids(screened)[0]
    when = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    d.decide(screened, rid, "include", reviewer="ana", at=when)
    with pytest.raises(InvalidInput, match="at this instant"):
        d.decide(screened, rid, "exclude", reviewer="ana", at=when)
    assert d.statuses(screened, "title_abstract")[rid].decisions["ana"]["decision"] == "include"


def test_unknown_record_and_decision_are_clear_errors(screened):
    with pytest.raises(NotFound):
        d.decide(screened, 10**9, "include", reviewer="ana")
    with pytest.raises(InvalidInput, match="decision must be"):
        d.decide(screened, _ids(screened)[0], "yes", reviewer="ana")


def test_blinding_hides_the_other_decision_until_both_decided(screened):
    d.assign(screened, "title_abstract", ["ana", "ben"], per_record=2)
    rid = _ids(screened)[0]
    d.decide(screened, rid, "exclude", reviewer="ana")
    assert d.visible_decisions(screened, rid, reviewer="ben") == {}
    assert set(d.visible_decisions(screened, rid, reviewer="ana")) == {"ana"}
    d.decide(screened, rid, "include", reviewer="ben")
    assert set(d.visible_decisions(screened, rid, reviewer="ben")) == {"ana", "ben"}


def test_changing_ones_mind_appends_and_the_latest_counts(screened):
    rid = _ids(screened)[0]
    d.decide(screened, rid, "exclude", reviewer="ana")
    d.decide(screened, rid, "include", reviewer="ana")
    assert d.statuses(screened, "title_abstract")[rid].status == "included"
    with screened.session() as s:
        from sqlalchemy import func, select

        from realist.store.models import Decision

        assert s.scalar(select(func.count()).select_from(Decision).where(Decision.record_id == rid)) == 2


def test_disagreement_is_a_conflict_until_resolved(screened):
    d.assign(screened, "title_abstract", ["ana", "ben"], per_record=2)
    rid = _ids(screened)[0]
    d.decide(screened, rid, "include", reviewer="ana")
    assert d.statuses(screened, "title_abstract")[rid].status == "pending"
    d.decide(screened, rid, "exclude", reviewer="ben", reason="wrong population")
    assert [c.record_id for c in d.conflicts(screened)] == [rid]
    d.resolve(screened, rid, "include", note="peer role described in methods")
    state = d.statuses(screened, "title_abstract")[rid]
    assert state.status == "included" and state.resolution["resolved_by"] == "tester"
    assert d.conflicts(screened) == []


def test_maybe_with_include_moves_on_but_maybe_with_exclude_conflicts(screened):
    d.assign(screened, "title_abstract", ["ana", "ben"], per_record=2)
    a, b = _ids(screened)[:2]
    d.decide(screened, a, "maybe", reviewer="ana")
    d.decide(screened, a, "include", reviewer="ben")
    d.decide(screened, b, "maybe", reviewer="ana")
    d.decide(screened, b, "exclude", reviewer="ben")
    states = d.statuses(screened, "title_abstract")
    assert (states[a].status, states[b].status) == ("included", "conflict")


def test_resolving_what_is_not_a_conflict_is_refused(screened):
    rid = _ids(screened)[0]
    with pytest.raises(InvalidInput, match="not a conflict"):
        d.resolve(screened, rid, "include")


def test_reasons_must_be_protocol_criteria_when_the_protocol_has_them(screened):
    text = screened.protocol_path.read_text().replace(
        "title_abstract:\n    include: []\n    exclude: []",
        "title_abstract:\n    include: []\n    exclude:\n    - {id: not-lmic, label: Not in a low- or middle-income country}",
    )
    screened.protocol_path.write_text(text)
    rid = _ids(screened)[0]
    with pytest.raises(InvalidInput, match="not-lmic"):
        d.decide(screened, rid, "exclude", reviewer="ana", reason="off topic")
    out = d.decide(screened, rid, "exclude", reviewer="ana", reason="Not in a low- or middle-income country")
    assert out["status"] == "excluded"
    assert d.progress(screened)["exclusion_reasons"] == {"not-lmic": 1}


def test_queue_puts_likely_relevant_records_first(screened):
    ids = _ids(screened)
    text = screened.protocol_path.read_text().replace(
        "question: ''", "question: 'How do peer educators support harm reduction and HIV services?'"
    )
    screened.protocol_path.write_text(text)
    first = next_records(screened, "ana", limit=8)
    titles = {s.record_id: s for s in d.statuses(screened, "title_abstract").values()}
    assert set(first) <= set(ids) and len(first) == 8
    relevant = [i for i, rid in enumerate(ids) if i % 4 in (0, 1)]
    relevant_ids = {ids[i] for i in relevant}
    assert sum(r in relevant_ids for r in first) >= 7, titles


def test_queue_excludes_what_the_reviewer_already_decided(screened):
    first = next_records(screened, "ana", limit=None)
    d.decide(screened, first[0], "include", reviewer="ana")
    assert first[0] not in next_records(screened, "ana", limit=None)


def test_stopping_rule_switches_to_random_sampling(screened):
    est = stopping_estimate(screened)
    assert est.recommendation == "continue" and est.recall_lower_bound is None
    start_sampling(screened, seed=5)
    with pytest.raises(InvalidInput, match="already"):
        start_sampling(screened)
    order = next_records(screened, "ana", limit=None)
    assert sorted(order) == _ids(screened)
    for rid in order:
        d.decide(screened, rid, "exclude", reviewer="ana")
    assert stopping_estimate(screened).recommendation == "stop"


# ------------------------------------------------------------------ CLI scenario


def _write_ris(path: Path, n: int) -> None:
    lines = []
    for rec in _records(n):
        lines += [
            "TY  - JOUR",
            f"TI  - {rec.title}",
            f"AU  - {rec.authors[0]}",
            f"PY  - {rec.year}",
            f"AB  - {rec.abstract}",
            "ER  - ",
            "",
        ]
    path.write_text("\n".join(lines))


def test_reference_review_scenario_end_to_end(run, tmp_path):
    """48 records, three reviewers, two per record, conflicts, resolution, kappa."""
    export = tmp_path / "network.ris"
    _write_ris(export, 48)
    run.ok("import", str(export), "--source", "network search", "--kind", "other")
    out = run.ok("screen", "assign", "--reviewers", "ana,ben,chi", "--per-record", "2").output
    assert "ana: 32" in out and "ben: 32" in out and "chi: 32" in out
    rows = json.loads(run.ok("records", "--json").stdout)
    relevant = {r["id"] for r in rows if "Peer" in r["title"] or "peer" in r["title"]}
    conflicts_made = 0
    for reviewer in ("ana", "ben", "chi"):
        queue = json.loads(run.ok("screen", "next", "--reviewer", reviewer, "--limit", "100", "--json").stdout)
        for rec in queue:
            decision = "include" if rec["id"] in relevant else "exclude"
            # ben disagrees on three of the records he shares with chi
            if reviewer == "chi" and rec["id"] % 7 == 0 and conflicts_made < 3:
                decision = "exclude" if decision == "include" else "include"
                conflicts_made += 1
            run.ok("screen", "decide", str(rec["id"]), decision, "--reviewer", reviewer)
    assert conflicts_made == 3
    conflicts = json.loads(run.ok("screen", "conflicts", "--json").stdout)
    assert len(conflicts) == 3
    for c in conflicts:
        decision = "include" if c["record"] in relevant else "exclude"
        run.ok("screen", "resolve", str(c["record"]), decision, "--note", "discussed")
    assert json.loads(run.ok("screen", "conflicts", "--json").stdout) == []
    progress = json.loads(run.ok("screen", "progress", "--json").stdout)
    assert progress["included"] == len(relevant) and progress["excluded"] == 48 - len(relevant)
    assert progress["conflict"] == 0 and progress["pending"] == 0 and progress["resolved"] == 3
    agreement = json.loads(run.ok("screen", "agreement", "--json").stdout)
    assert agreement["n_records"] == 48 and agreement["n_compared"] == 48
    assert agreement["percent_agreement"]["value"] == pytest.approx(45 / 48)
    status = json.loads(run.ok("status", "--json").stdout)
    assert status["stages"]["title_abstract"]["included"] == len(relevant)


def test_deciding_outside_the_assignment_is_refused_by_the_cli(run, tmp_path):
    export = tmp_path / "network.ris"
    _write_ris(export, 6)
    run.ok("import", str(export))
    run.ok("screen", "assign", "--reviewers", "ana,ben", "--per-record", "1")
    rows = json.loads(run.ok("screen", "next", "--reviewer", "ana", "--json", "--limit", "10").stdout)
    ben_only = json.loads(run.ok("screen", "next", "--reviewer", "ben", "--json", "--limit", "10").stdout)
    assert rows and ben_only
    result = run("screen", "decide", str(ben_only[0]["id"]), "include", "--reviewer", "ana")
    assert result.exit_code == 1 and "not assigned to ana" in result.output


def test_terminal_loop_takes_keys_and_undo(run, tmp_path):
    export = tmp_path / "network.ris"
    _write_ris(export, 4)
    run.ok("import", str(export))
    out = run.ok("screen", "--reviewer", "ana", input="i\nu\ne\nm\nx\ne\ns\nq\n").output
    assert "Undid your decision" in out
    assert "Unknown key" in out
    assert "Stopping rule" in out
    progress = json.loads(run.ok("screen", "progress", "--json").stdout)
    assert progress["reviewers"]["ana"]["decided"] == 3


def test_progress_explains_the_named_rule_in_plain_words(screened):
    ids = _ids(screened)
    relevant = ids[:3]
    for rid in ids[:20]:
        d.decide(screened, rid, "include" if rid in relevant else "exclude", reviewer="ana")
    from realist.screen.stopping import DEFAULT_RULE

    assert stopping_estimate(screened).rule == DEFAULT_RULE  # what the screening page shows
    for rule in ("knee", "poisson", "poisson_bayes", "callaghan"):
        est = stopping_estimate(screened, rule=rule)
        assert est.rule == rule and est.screened == 20 and est.recommendation == "continue"
        assert f"{est.relevant_found} relevant in 20 screened" in est.explanation
    with pytest.raises(InvalidInput, match="unknown stopping rule"):
        stopping_estimate(screened, rule="nope")


def test_progress_cli_prints_the_rule_and_records_to_screen(run, tmp_path):
    export = tmp_path / "network.ris"
    _write_ris(export, 48)
    run.ok("import", str(export), "--source", "network search", "--kind", "other")
    for rec in json.loads(run.ok("screen", "next", "--reviewer", "ana", "--limit", "10", "--json").stdout):
        run.ok("screen", "decide", str(rec["id"]), "exclude", "--reviewer", "ana")
    out = run.ok("screen", "progress", "--rule", "knee").output
    assert "Stopping (knee): continue" in out and "No relevant record found yet" in out
    progress = json.loads(run.ok("screen", "progress", "--json").stdout)
    assert set(progress["stopping"]) >= {"rule", "records_to_screen", "explanation"}


def test_terminal_loop_driven_through_a_pipe_stops_at_the_end_of_input(run, tmp_path):
    export = tmp_path / "network.ris"
    _write_ris(export, 4)
    run.ok("import", str(export))
    result = run("screen", "--reviewer", "ana", input="i\ne\n")  # no q: the input just ends
    assert result.exit_code == 0, result.output
    assert "Stopped. 2 decided so far." in result.output
    progress = json.loads(run.ok("screen", "progress", "--json").stdout)
    assert progress["reviewers"]["ana"]["decided"] == 2


def test_terminal_loop_on_a_terminal_decides_on_one_key_press(run, tmp_path, monkeypatch):
    import click

    from realist.cli import screen_loop

    export = tmp_path / "network.ris"
    _write_ris(export, 4)
    run.ok("import", str(export))
    presses = iter(["i", "E", "q"])  # no Enter anywhere
    monkeypatch.setattr(screen_loop, "_stdin_is_terminal", lambda: True)
    monkeypatch.setattr(click, "getchar", lambda echo=False: next(presses))
    out = run.ok("screen", "--reviewer", "ana").output
    assert "include — record is" in out and "exclude — record is" in out
    progress = json.loads(run.ok("screen", "progress", "--json").stdout)
    assert progress["included"] + progress["excluded"] == 2
