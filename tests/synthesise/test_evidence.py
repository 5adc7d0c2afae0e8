"""select_evidence finds the studies behind one number, on hand-made data whose answers are known."""

from __future__ import annotations

import pytest

from realist.errors import InvalidInput, NotFound
from realist.study import StudyInfo
from realist.synthesise.evidence import select_evidence
from realist.synthesise.synth import SynthCmoc, SynthCode, SynthInput


def _data() -> SynthInput:
    studies = [
        StudyInfo(1, "a2001", ref_number=1, year=2001, countries=["KEN"]),
        StudyInfo(2, "b2002", ref_number=2, year=2002, countries=["CHN"]),
        StudyInfo(3, "c2003", ref_number=3, year=2003, countries=["CHN", "VNM"]),
    ]
    codes = [
        SynthCode("roles", "Peer roles", "intervention", codable=False),
        SynthCode("education", "Education", "intervention", parent="roles"),
        SynthCode("distribution", "Distribution", "intervention", parent="roles"),
        SynthCode("trust", "Trust", "mechanism"),
        SynthCode("access", "Access", "outcome"),
        SynthCode("clinic", "Clinic", "context"),
    ]
    codings = [
        (1, "education"),
        (2, "education"),
        (3, "distribution"),
        (1, "trust"),
        (3, "trust"),
        (1, "access"),
    ]
    elements = {"context": ["clinic"], "mechanism": ["trust"], "outcome": ["access"]}
    cmocs = [SynthCmoc(10, 1, "one", dict(elements)), SynthCmoc(11, 3, "three", dict(elements))]
    return SynthInput(studies=studies, codes=codes, codings=codings, cmocs=cmocs, language={2: "person-first"})


def test_a_parent_code_counts_its_sub_codes_studies_and_their_codings() -> None:
    found = select_evidence(_data(), code="roles")
    assert found["studies"] == ["a2001", "b2002", "c2003"]
    assert found["n"] == 3 and found["citation"] == "[1–3]"
    assert found["codes"] == ["distribution", "education", "roles"]


def test_a_crosstab_cell_is_the_studies_with_both() -> None:
    found = select_evidence(_data(), rows="intervention", row="education", columns="mechanism", column="trust")
    assert found["studies"] == ["a2001"]
    assert found["codes"] == ["education", "trust"]
    by_country = select_evidence(_data(), rows="mechanism", row="trust", columns="country", column="China")
    assert by_country["studies"] == ["c2003"] and by_country["codes"] == ["trust"]


def test_an_empty_cell_has_no_studies_but_an_unknown_row_is_not_found() -> None:
    empty = select_evidence(_data(), rows="intervention", row="distribution", columns="outcome", column="access")
    assert empty["n"] == 0 and empty["studies"] == []
    with pytest.raises(NotFound):
        select_evidence(_data(), rows="intervention", row="nothing", columns="outcome", column="access")


def test_a_country_counts_multi_country_studies_in_each_country() -> None:
    assert select_evidence(_data(), characteristic="country", value="China")["studies"] == ["b2002", "c2003"]
    assert select_evidence(_data(), characteristic="country", value="Viet Nam")["studies"] == ["c2003"]


def test_a_recurring_configuration_lists_its_cmocs() -> None:
    found = select_evidence(_data(), chain={"context": "clinic", "mechanism": "trust", "outcome": "access"})
    assert found["studies"] == ["a2001", "c2003"] and found["cmocs"] == [10, 11]
    with pytest.raises(InvalidInput):
        select_evidence(_data(), chain={"context": "clinic"})


def test_language_and_missing_questions() -> None:
    assert select_evidence(_data(), language="person-first")["studies"] == ["b2002"]
    with pytest.raises(NotFound):
        select_evidence(_data(), language="stigmatising")
    with pytest.raises(NotFound):
        select_evidence(_data(), code="nothing")
    with pytest.raises(InvalidInput):
        select_evidence(_data())
