"""Studies: made from records, further reports linked, and one per included record."""

from __future__ import annotations

import json

import pytest

from realist.code import studies as st
from realist.errors import InvalidInput, NotFound
from realist.identify import import_records
from realist.records import RecordData
from realist.screen import decisions as d


def test_studies_have_keys_reports_and_reference_numbers(coded):
    ayon = st.get_study(coded, "[40]")
    assert (ayon.key, ayon.label, ayon.countries, ayon.design) == (
        "ayon2017",
        "Ayon et al. 2017",
        ["KEN"],
        "Qualitative",
    )
    second = coded.record_ids[3]
    assert st.link_record(coded, "ayon2017", second).record_ids == [coded.record_ids[0], second]
    with pytest.raises(InvalidInput, match="already a report"):
        st.link_record(coded, "[40]", second)
    with pytest.raises(InvalidInput, match="already belongs to study ayon2017"):
        st.add_study(coded, second)
    updated = st.update_study(coded, ayon.id, countries=["ken", "UGA"], design="Mixed methods")
    assert updated.countries == ["KEN", "UGA"] and updated.design == "Mixed methods"
    with pytest.raises(InvalidInput, match="ISO 3166-1 alpha-3"):
        st.update_study(coded, ayon.id, countries=["Kenya"])
    with pytest.raises(InvalidInput, match="taken"):
        st.update_study(coded, ayon.id, key="le2016")
    with pytest.raises(NotFound):
        st.get_study(coded, "nobody1999")
    assert [s.ref_number for s in st.list_studies(coded)] == [40, 42, 49]
    texts = st.study_texts(coded, "[40]")
    assert [(t.record_id, t.source) for t in texts] == [(coded.record_ids[0], "abstract"), (second, "abstract")]


def test_a_study_names_the_first_author_of_its_first_report(coded):
    ayon = st.get_study(coded, "[40]")
    assert (ayon.first_author, ayon.authors_count) == ("Ayon", 3)
    assert ayon.to_dict()["first_author"] == "Ayon"
    bartlett = st.update_study(coded, "[42]", details={"et_al": True})
    assert (bartlett.first_author, bartlett.authors_count) == ("Bartlett", 2)
    named = st.update_study(coded, "[49]", details={"first_author": "Giang"})
    assert named.first_author == "Giang"


def test_one_study_per_record_included_at_the_last_stage(review):
    import_records(
        review,
        [RecordData(title=f"T{i}", authors=["Smith, J."], year=2010) for i in range(3)],
        source="s",
        kind="other",
    )
    ids = sorted(d.statuses(review, "title_abstract"))
    for rid, choice in zip(ids, ["include", "include", "exclude"]):
        d.decide(review, rid, choice, reviewer="ana", stage="title_abstract")
    made = st.studies_from_included(review)
    assert [s.key for s in made] == ["smith2010", "smith2010b"]
    assert st.studies_from_included(review) == []


def test_full_text_decisions_take_over(review):
    import_records(
        review,
        [RecordData(title=f"T{i}", authors=["Lee, K."], year=2000 + i) for i in range(2)],
        source="s",
        kind="other",
    )
    ids = sorted(d.statuses(review, "title_abstract"))
    for rid in ids:
        d.decide(review, rid, "include", reviewer="ana", stage="title_abstract")
    d.decide(review, ids[0], "exclude", reviewer="ana", stage="full_text", reason="wrong-design")
    d.decide(review, ids[1], "include", reviewer="ana", stage="full_text")
    assert [s.record_ids for s in st.studies_from_included(review)] == [[ids[1]]]


def test_study_commands(run, tmp_path):
    ris = tmp_path / "two.ris"
    ris.write_text(
        "TY  - JOUR\nTI  - A\nAU  - Ayon, S.\nPY  - 2017\nER  - \n"
        "TY  - JOUR\nTI  - B\nAU  - Ayon, S.\nPY  - 2018\nER  - \n"
    )
    run.ok("import", str(ris), "--source", "s")
    first, second = (str(r["id"]) for r in json.loads(run.ok("records", "--json").output))
    run.ok("study", "add", first, "--ref", "40", "--countries", "KEN", "--design", "Qualitative")
    run.ok("study", "link", "[40]", second)
    run.ok("study", "set", "ayon2017", "--label", "Ayon et al. 2017")
    rows = json.loads(run.ok("study", "list", "--json").output)
    assert rows[0]["record_ids"] == [int(first), int(second)] and rows[0]["label"] == "Ayon et al. 2017"
    assert "ayon2017" in run.ok("study", "list").output
    assert run("study", "link", "[41]", second).exit_code == 1
    assert "Created 0 studies" in run.ok("study", "from-included").output
