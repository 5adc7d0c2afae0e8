"""Synthesis: pure functions over plain data, the income lookup, and the CLI."""

from __future__ import annotations

import json

import pytest

from realist.errors import InvalidInput
from realist.study import StudyInfo
from realist.synthesise.income import country_name, income_group, region_of
from realist.synthesise.synth import (
    SynthCmoc,
    SynthCode,
    SynthInput,
    SynthSettings,
    characteristics,
    cite,
    cmo_configurations,
    code_counts,
    crosstab,
    language_summary,
    settings_from_protocol,
    study_characteristics,
    synthesise,
)

CODES = [
    SynthCode("roles", "Peer roles", "intervention", codable=False),
    SynthCode("education", "Education", "intervention", parent="roles"),
    SynthCode("services", "Direct services", "intervention", parent="roles"),
    SynthCode("overdose", "Overdose response", "intervention", parent="services"),
    SynthCode("trust", "Trust", "mechanism"),
    SynthCode("bridge", "Bridging", "mechanism"),
    SynthCode("access", "Access", "outcome"),
    SynthCode("crime", "Criminalisation", "context"),
    SynthCode("police", "Police target peers", "context", parent="crime"),
]
STUDIES = [
    StudyInfo(
        1,
        "ayon2017",
        ref_number=40,
        first_author="Ayon",
        authors_count=3,
        year=2017,
        design="Qualitative study",
        countries=["KEN"],
    ),
    StudyInfo(
        2,
        "bartlett2011",
        ref_number=42,
        first_author="Bartlett",
        authors_count=2,
        year=2011,
        design="Qualitative study",
        countries=["CHN"],
    ),
    StudyInfo(
        3,
        "hoffman2013",
        ref_number=43,
        first_author="Hoffman",
        authors_count=2,
        year=2013,
        design="RCT",
        countries=["RUS"],
        data_years=[2014],
    ),
    StudyInfo(
        4,
        "latkin2009",
        ref_number=44,
        first_author="Latkin",
        authors_count=1,
        year=2009,
        design="RCT",
        countries=["USA", "THA"],
    ),
]


def _data(**settings) -> SynthInput:
    codings = [
        (1, "education"),
        (2, "education"),
        (3, "education"),
        (4, "education"),
        (2, "overdose"),
        (1, "services"),
        (1, "trust"),
        (2, "trust"),
        (2, "bridge"),
        (1, "access"),
        (2, "access"),
        (2, "police"),
        (3, "crime"),
    ]
    cmocs = [
        SynthCmoc(
            1,
            1,
            "Ayon",
            {"intervention": ["services"], "context": ["crime"], "mechanism": ["trust"], "outcome": ["access"]},
        ),
        SynthCmoc(
            2,
            2,
            "Bartlett",
            {
                "intervention": ["overdose"],
                "context": ["police"],
                "mechanism": ["trust", "bridge"],
                "outcome": ["access"],
            },
        ),
        SynthCmoc(
            3,
            None,
            "Theme",
            {"intervention": ["services"], "mechanism": ["trust"], "outcome": ["access"]},
            based_on=[1, 2],
        ),
    ]
    return SynthInput(
        STUDIES,
        CODES,
        codings,
        cmocs,
        {1: "person-first", 2: "person-first", 3: "stigmatising"},
        SynthSettings(**settings),
        title="Test",
    )


def test_cite_formats_reference_numbers_the_way_papers_do():
    assert cite(STUDIES) == "[40, 42–44]"
    assert cite(STUDIES[:2]) == "[40, 42]"
    assert cite([]) == ""


def test_cite_by_author_and_year_adds_et_al_for_several_authors():
    assert cite(STUDIES, "author-year") == "(Ayon et al. 2017; Bartlett et al. 2011; Hoffman et al. 2013; Latkin 2009)"


def test_cite_falls_back_to_study_keys_without_reference_numbers():
    assert cite([StudyInfo(9, "smith2020"), STUDIES[0]]) == "[40, smith2020]"


def test_code_counts_roll_up_children_and_count_distinct_studies():
    rows = {r["id"]: r for r in code_counts(_data())}
    assert rows["services"]["n"] == 2 and rows["services"]["n_direct"] == 1
    assert rows["services"]["citation"] == "[40, 42]"
    assert rows["crime"]["refs"] == [42, 43]
    assert rows["roles"]["n"] == 4
    flat = {r["id"]: r for r in code_counts(_data(rollup=False))}
    assert flat["services"]["n"] == 1 and flat["crime"]["refs"] == [43]


def test_crosstab_of_two_code_kinds_lists_studies_per_cell():
    tab = crosstab(_data(), "mechanism", "outcome")
    cells = {(c["row"], c["column"]): c for c in tab["cells"]}
    assert cells[("trust", "access")]["citation"] == "[40, 42]"
    assert cells[("bridge", "access")]["n"] == 1


def test_crosstab_by_study_characteristic_and_unknown_axis():
    tab = crosstab(_data(), "intervention", "region")
    cells = {(c["row"], c["column"]): c["n"] for c in tab["cells"]}
    assert cells[("education", "Multi-country")] == 1
    with pytest.raises(InvalidInput):
        crosstab(_data(), "intervention", "colour")


def test_income_group_uses_the_classification_in_force_that_year():
    assert income_group("RUS", 2013).label == "Upper middle income"
    assert income_group("RUS", 2014).label == "High income"
    assert income_group("vnm", 2009).group == "L" and income_group("VNM", 2011).group == "LM"
    assert income_group("KEN", 1950).fiscal_year == 1989  # clamped to the first classification
    assert income_group("XXX", 2000).group is None
    assert region_of("AFG", "fy2020") == "SAS" and region_of("AFG", "fy2026") == "MEA"
    assert country_name("VNM") == "Viet Nam"
    with pytest.raises(InvalidInput):
        income_group("Kenya", 2000)


def test_study_characteristics_follow_the_protocols_income_year():
    hoffman = STUDIES[2]
    assert study_characteristics(hoffman, SynthSettings())["income_groups"] == ["Upper middle income"]
    by_data = study_characteristics(hoffman, SynthSettings(income_year="data_collection"))
    assert by_data["income_groups"] == ["High income"] and by_data["income_year"] == 2014


def test_characteristics_group_regions_and_mark_multi_country_studies():
    settings = SynthSettings(region_groups={"Asia–Pacific": ["EAS", "SAS"]})
    chars = characteristics(SynthInput(STUDIES, settings=settings))
    regions = {r["value"]: r["refs"] for r in chars["region"]}
    assert regions == {
        "Asia–Pacific": [42],
        "Europe & Central Asia": [43],
        "Multi-country": [44],
        "Sub-Saharan Africa": [40],
    }
    countries = {r["value"]: r["n"] for r in chars["country"]}
    assert countries["Thailand"] == 1 and countries["United States"] == 1


def test_cmo_configurations_rank_chains_by_supporting_studies():
    rows = cmo_configurations(_data())
    assert rows[0]["support"] == 2
    assert (rows[0]["context"]["id"], rows[0]["mechanism"]["id"], rows[0]["outcome"]["id"]) == (
        "crime",
        "trust",
        "access",
    )
    assert rows[0]["citation"] == "[40, 42]"
    assert all(r["support"] >= 2 for r in rows)
    unrolled = cmo_configurations(_data(rollup=False))
    assert unrolled == []  # "police" and "crime" differ without the roll-up


def test_language_summary_writes_the_papers_sentence():
    summary = language_summary(_data())
    assert (
        summary["summary"] == "2 studies used person-first language [40, 42]. 1 study used stigmatising language [43]."
    )
    assert summary["not_appraised"] == 1


def test_settings_come_from_the_protocol_and_are_checked():
    settings = settings_from_protocol(
        {"synthesis": {"citation_style": "author-year", "income_year": "data_collection"}}
    )
    assert settings.citation_style == "author-year"
    with pytest.raises(InvalidInput):
        settings_from_protocol({"synthesis": {"income_year": "whenever"}})
    with pytest.raises(InvalidInput):
        settings_from_protocol({"synthesis": {"chain": ["context"]}})


def test_synthesise_output_is_json_with_the_documented_sections():
    result = synthesise(_data())
    assert result["schema"] == "realist.synthesis/1"
    assert set(result) >= {
        "settings",
        "n_studies",
        "studies",
        "characteristics",
        "codes",
        "crosstabs",
        "cmo_configurations",
        "cmocs",
        "language",
    }
    json.dumps(result)
    theme = next(c for c in result["cmocs"] if c["level"] == "review")
    assert theme["based_on"] == [1, 2] and theme["study"] is None


def test_synth_command_on_an_empty_review_and_check_exit_codes(run, tmp_path):
    out = run.ok("synth", "--json")
    assert json.loads(out.output)["n_studies"] == 0
    text = tmp_path / "m.md"
    text.write_text("Three studies reported it [1, 2].\n", encoding="utf-8")
    bad = run("check", str(text))
    assert bad.exit_code == 1 and "line 1: count_mismatch" in bad.output
    text.write_text("Two studies reported it [1, 2].\n", encoding="utf-8")
    assert run("check", str(text)).exit_code == 0
    assert run("synth", "--crosstab", "intervention").exit_code == 1
