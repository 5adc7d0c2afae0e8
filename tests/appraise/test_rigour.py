"""Relevance-and-rigour judgements per study, and the protocol's quality_appraisal declaration."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from realist.appraise.rigour import quality_appraisal, record_rigour, rigour_summary
from realist.code.studies import add_study
from realist.errors import InvalidInput, NotFound
from realist.identify import import_records
from realist.records import RecordData
from realist.store.models import Appraisal, Event, Record


@pytest.fixture
def two_studies(review):
    import_records(
        review,
        [
            RecordData(title="A", authors=["Ayon, S."], year=2017),
            RecordData(title="B", authors=["Booth, R."], year=2013),
        ],
        source="s",
        kind="other",
    )
    with review.session() as s:
        ids = list(s.scalars(select(Record.id).where(Record.review_id == review.review_id).order_by(Record.id)))
    for n, rid in enumerate(ids):
        add_study(review, rid, ref_number=40 + n)
    return review


def test_rigour_judgement_is_stored_as_an_appraisal_and_the_latest_counts(two_studies):
    record_rigour(two_studies, "[40]", "high", "low", "small convenience sample")
    record_rigour(two_studies, "[40]", "High", "moderate", "re-read the methods", by="ben")
    rows = {r["ref_number"]: r for r in rigour_summary(two_studies)}
    assert (rows[40]["relevance"], rows[40]["rigour"], rows[40]["judged_by"]) == ("high", "moderate", "ben")
    assert rows[40]["note"] == "re-read the methods"
    assert rows[41]["relevance"] is None and rows[41]["rigour"] is None
    with two_studies.session() as s:
        kinds = [a.kind for a in s.scalars(select(Appraisal).where(Appraisal.review_id == two_studies.review_id))]
        actions = [e.action for e in s.scalars(select(Event).where(Event.review_id == two_studies.review_id))]
    assert kinds == ["rigour", "rigour"] and actions.count("appraisal.rigour") == 2


def test_rigour_judgement_refuses_unknown_levels_and_studies_and_changes_nothing(two_studies):
    with pytest.raises(InvalidInput, match="rigour must be one of high, moderate, low, unclear"):
        record_rigour(two_studies, "[40]", "high", "excellent")
    with pytest.raises(NotFound):
        record_rigour(two_studies, "[99]", "high", "low")
    assert all(r["relevance"] is None for r in rigour_summary(two_studies))


def test_quality_appraisal_declaration_is_checked():
    assert quality_appraisal({}) is None
    declared = quality_appraisal({"quality_appraisal": {"formal": False, "reason": "Debate on tools."}})
    assert declared is not None and not declared.formal and declared.reason == "Debate on tools."
    tool = quality_appraisal({"quality_appraisal": {"formal": True, "tool": "CASP"}})
    assert tool is not None and tool.formal and tool.tool == "CASP"
    for bad, message in [
        ({"formal": False}, "say why"),
        ({"formal": True}, "name the tool"),
        ({"formal": "maybe", "reason": "x"}, "formal must be yes or no"),
        ({"formal": False, "reason": "x", "score": 3}, "unknown key"),
        ("no", "must be a mapping"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            quality_appraisal({"quality_appraisal": bad})


def test_appraise_rigour_command(run, tmp_path):
    ris = tmp_path / "one.ris"
    ris.write_text("TY  - JOUR\nTI  - A\nAU  - Ayon, S.\nPY  - 2017\nER  - \n")
    run.ok("import", str(ris), "--source", "s")
    rid = str(json.loads(run.ok("records", "--json").output)[0]["id"])
    run.ok("study", "add", rid, "--ref", "40")
    out = run.ok(
        "appraise",
        "rigour",
        "[40]",
        "--relevance",
        "high",
        "--rigour",
        "moderate",
        "--note",
        "thin description of sampling",
    ).output
    assert "relevance high, rigour moderate" in out
    assert run("appraise", "rigour", "[40]", "--relevance", "high", "--rigour", "great").exit_code == 2
    summary = json.loads(run.ok("appraise", "rigour-summary", "--json").output)
    assert summary["quality_appraisal"] is None
    assert summary["studies"][0]["rigour"] == "moderate"
    text = run.ok("appraise", "rigour-summary").output
    assert "no quality_appraisal section" in text and "thin description of sampling" in text
