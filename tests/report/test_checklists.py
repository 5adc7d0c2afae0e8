"""Each reporting-checklist item is answered from the right data.

Every test checks an item against a review where it should be reported and
one where it should not (the ``reviewed`` review of conftest, changed through
the public APIs).
"""

from __future__ import annotations

import pytest

from realist.appraise.rigour import record_rigour
from realist.appraise.store import record_judgement
from realist.code.studies import list_studies
from realist.errors import InvalidInput
from realist.report.checklists import checklists_for, fill_checklist
from realist.report.collect import collect

from .conftest import set_protocol

NO_TOOL = {
    "formal": False,
    "reason": "Formal tools fit realist questions poorly.",
    "approach": "Relevance and rigour are judged per study.",
}


def items(review, name):
    return {it.item: it for it in fill_checklist(collect(review), name)}


def test_prisma_1_needs_systematic_review_and_rameses_1_needs_realist(reviewed):
    data = collect(reviewed)
    data.title = "Peer work in harm reduction: a systematic review"
    prisma = {it.item: it for it in fill_checklist(data, "prisma2020")}
    rameses = {it.item: it for it in fill_checklist(data, "rameses")}
    assert prisma["1"].status == "reported"
    assert rameses["1"].status == "partly" and "not called realist" in rameses["1"].answer
    data.title = "Peer driven or driven peers? A rapid realist review"
    prisma = {it.item: it for it in fill_checklist(data, "prisma2020")}
    rameses = {it.item: it for it in fill_checklist(data, "rameses")}
    assert rameses["1"].status == "reported"
    assert prisma["1"].status == "partly" and "not called a systematic review" in prisma["1"].answer
    data.title = "Peer work in harm reduction"
    assert {it.item: it for it in fill_checklist(data, "rameses")}["1"].status == "missing"


def test_prisma_11_and_18_are_not_answered_by_the_language_appraisal(reviewed):
    key = list_studies(reviewed)[0].key
    record_judgement(reviewed, key, "person-first", "uses person-first terms")
    prisma = items(reviewed, "prisma2020")
    assert prisma["11"].status == "missing" and "quality_appraisal" in prisma["11"].answer
    assert prisma["18"].status == "missing"
    assert "anguage" not in prisma["11"].answer + prisma["18"].answer


def test_prisma_11_reports_a_declared_decision_not_to_appraise_and_18_is_not_applicable(reviewed):
    set_protocol(reviewed, quality_appraisal=NO_TOOL)
    prisma = items(reviewed, "prisma2020")
    assert prisma["11"].status == "reported"
    assert (
        "No formal risk-of-bias or quality appraisal: Formal tools fit realist questions poorly" in prisma["11"].answer
    )
    assert prisma["18"].status == "na" and "as the protocol declares" in prisma["18"].answer


def test_prisma_11_names_a_declared_tool_and_18_needs_the_judgements(reviewed):
    set_protocol(reviewed, quality_appraisal={"formal": True, "tool": "CASP qualitative checklist"})
    prisma = items(reviewed, "prisma2020")
    assert prisma["11"].status == "reported" and "CASP qualitative checklist" in prisma["11"].answer
    assert prisma["18"].status == "missing" and "no judgement is recorded" in prisma["18"].answer
    studies = list_studies(reviewed)
    record_rigour(reviewed, studies[0].key, "high", "moderate", "small sample")
    assert items(reviewed, "prisma2020")["18"].status == "partly"
    for s in studies[1:]:
        record_rigour(reviewed, s.key, "moderate", "low")
    prisma = items(reviewed, "prisma2020")
    assert prisma["18"].status == "reported"
    assert f"judged per study for {len(studies)} of {len(studies)} studies (by tester)" in prisma["11"].answer
    assert f"Judgements for all {len(studies)} studies" in prisma["18"].answer
    assert f"rigour: moderate 1, low {len(studies) - 1}" in prisma["18"].answer


def test_rameses_9_needs_selection_and_appraisal(reviewed):
    rameses = items(reviewed, "rameses")
    assert rameses["9"].status == "partly" and "How documents were appraised is not stated" in rameses["9"].answer
    set_protocol(reviewed, quality_appraisal=NO_TOOL)
    rameses = items(reviewed, "rameses")
    assert rameses["9"].status == "reported"
    assert "Selection: title/abstract: 2 reviewers" in rameses["9"].answer and "Appraisal:" in rameses["9"].answer


def test_rameses_19_needs_funding_and_competing_interests(reviewed):
    set_protocol(reviewed, report={"funding": "Open Society Foundations"})
    rameses = items(reviewed, "rameses")
    assert rameses["19"].status == "partly" and "Not stated: competing interests" in rameses["19"].answer
    set_protocol(reviewed, report={"funding": "Open Society Foundations", "competing_interests": "None declared"})
    rameses = items(reviewed, "rameses")
    assert rameses["19"].status == "reported" and "None declared" in rameses["19"].answer


def test_rr_m1_is_the_iterative_methods_not_the_amendments(reviewed):
    set_protocol(
        reviewed,
        report={"amendments": "Criteria narrowed to low- and middle-income countries"},
        reporting_standards=["rapid review"],
    )
    rr = items(reviewed, "rapid review")
    assert rr["RR-M1"].status == "missing" and "iterative" in rr["RR-M1"].answer
    set_protocol(reviewed, report={"iterative_methods": "Codebook refined after the first ten papers"})
    rr = items(reviewed, "rapid review")
    assert rr["RR-M1"].status == "reported" and "Codebook refined" in rr["RR-M1"].answer


def test_prisma_base_item_needs_prisma_named_in_the_protocol(reviewed):
    set_protocol(reviewed, reporting_standards=["RAMESES", "rapid review"])
    rr = items(reviewed, "rapid review")
    assert rr["BASE-1"].status == "missing" and "do not name PRISMA 2020" in rr["BASE-1"].answer
    set_protocol(reviewed, reporting_standards=["PRISMA 2020", "rapid review"])
    assert items(reviewed, "rapid review")["BASE-1"].status == "reported"


def test_prisma_13a_says_how_studies_join_each_synthesis_not_13d(reviewed):
    prisma = items(reviewed, "prisma2020")
    assert prisma["13a"].status == "reported" and "coded with that code" in prisma["13a"].answer
    assert prisma["13a"].answer != prisma["13d"].answer
    data = collect(reviewed)
    for study in data.studies:  # as before any coding
        study.codes = {}
    assert {it.item: it for it in fill_checklist(data, "prisma2020")}["13a"].status == "missing"


def test_prisma_20a_needs_characteristics_and_risk_of_bias_of_contributing_studies(reviewed):
    prisma = items(reviewed, "prisma2020")
    assert prisma["20a"].status == "partly" and "no relevance-and-rigour judgement" in prisma["20a"].answer
    set_protocol(reviewed, quality_appraisal=NO_TOOL)
    prisma = items(reviewed, "prisma2020")
    assert prisma["20a"].status == "reported" and "design, country and year" in prisma["20a"].answer
    data = collect(reviewed)
    data.studies[0].design = None  # the first study contributes a CMO configuration
    answer = {it.item: it for it in fill_checklist(data, "prisma2020")}["20a"]
    assert answer.status == "partly" and "design, country or year missing" in answer.answer
    data.cmocs = []  # as before any CMO configuration
    assert {it.item: it for it in fill_checklist(data, "prisma2020")}["20a"].status == "missing"


def test_amendments_status_agrees_with_the_logged_versions(reviewed):
    data = collect(reviewed)
    data.protocol_versions = 1
    one = {it.item: it for it in fill_checklist(data, "prisma2020")}["24c"]
    assert one.status == "reported" and "one logged version" in one.answer and "version(s)" not in one.answer
    data.protocol_versions = 3
    three = {it.item: it for it in fill_checklist(data, "prisma2020")}["24c"]
    assert three.status == "partly" and "3 logged versions" in three.answer
    data.protocol_versions = 0
    none = {it.item: it for it in fill_checklist(data, "prisma2020")}["24c"]
    assert none.status == "missing"
    set_protocol(reviewed, report={"amendments": "Added a hand search in May"})
    stated = items(reviewed, "prisma2020")["24c"]
    assert stated.status == "reported" and "hand search" in stated.answer


def test_prisma_27_topic_is_the_published_wording(reviewed):
    assert items(reviewed, "prisma2020")["27"].topic == "Availability of data, code and other materials"


def test_there_is_no_prisma_rr_checklist(reviewed):
    data = collect(reviewed)
    with pytest.raises(InvalidInput, match="no published PRISMA extension for rapid reviews"):
        fill_checklist(data, "PRISMA-RR")
    data.protocol["reporting_standards"] = ["PRISMA-RR"]
    assert checklists_for(data) == {}
    data.protocol["reporting_standards"] = ["rapid review"]
    assert list(checklists_for(data)) == ["rapid_review"]
