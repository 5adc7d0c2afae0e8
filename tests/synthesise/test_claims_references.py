"""The claims check with a manuscript's own reference list (realist.synthesise.references, check_claims)."""

from __future__ import annotations

import pytest

from realist.errors import InvalidInput
from realist.synthesise.claims import check_claims, check_manuscript
from realist.synthesise.references import StudyRef, find_references, map_references

VANCOUVER = """\
# Results

Text.

## References

1. Okafor N, Lee J. Community involvement in HIV responses. Health Policy Plan. 2018;33(5):640–9.
2. Des Jarlais DC, et al. Reducing HIV infection among new injecting drug users in the China–Vietnam
   Cross Border Project. AIDS. 2007;21 Suppl 8:S109–14.
3. Hayes-Larson E, et al. Drug users in Hanoi, Vietnam: factors associated with membership in
   community-based drug user groups. Harm Reduct J. 2013;10:33. doi:10.1186/1477-7517-10-33
4. Smith J. Something else entirely. J Other. 2015;1:1–2. PMID: 12345678
"""

AUTHOR_YEAR = """\
Body.

References

Booth, R. E., et al. (2009). Use of a peer leader intervention model to reduce needle-related risk behaviors among drug injectors in Ukraine. Journal of Drug Issues, 39(3), 607–625.
Booth, R. E., et al. (2016). HIV incidence among people who inject drugs (PWIDs) in Ukraine: results from a clustered randomised trial. The Lancet HIV, 3(10), e482–e489.
Mensah, K., & Ortiz, L. (2019). Peer work in harm reduction: a narrative overview. Global Public Health, 14(2), 101–112.
"""

STUDIES = [
    StudyRef(
        "desjarlais2007",
        "Des Jarlais",
        2007,
        "Reducing HIV infection among new injecting drug users in the China–Vietnam Cross Border Project",
        ref_number=65,
    ),
    StudyRef(
        "hayeslarson2013",
        "Hayes-Larson",
        2013,
        "A different title altogether for this study here",
        doi="10.1186/1477-7517-10-33",
        ref_number=45,
    ),
    StudyRef("other", "Jones", 2015, "Unrelated work on another topic entirely", pmid="12345678", ref_number=50),
    StudyRef(
        "booth2009",
        "Booth",
        2009,
        "Use of a Peer Leader Intervention Model to Reduce Needle-Related Risk "
        "Behaviors among Drug Injectors in Ukraine",
        ref_number=59,
    ),
    StudyRef(
        "booth2016",
        "Booth",
        2016,
        "HIV incidence among people who inject drugs (PWIDs) in Ukraine: results from a clustered randomised trial",
        ref_number=60,
    ),
]


def test_numbered_reference_list_is_read_with_wrapped_lines_and_compound_surnames():
    refs = find_references(VANCOUVER)
    assert refs is not None and refs.style == "numbered" and refs.heading_line == 5
    got = [(r.number, r.first_author, r.year) for r in refs.references]
    assert got == [(1, "Okafor", 2018), (2, "Des Jarlais", 2007), (3, "Hayes-Larson", 2013), (4, "Smith", 2015)]
    assert refs.references[1].line == 8 and "Cross Border Project" in refs.references[1].text
    assert refs.references[2].doi == "10.1186/1477-7517-10-33" and refs.references[3].pmid == "12345678"


@pytest.mark.parametrize("prefix", ["[{n}] ", "{n}. ", "{n}) ", "({n}) "])
def test_numbered_entry_forms_are_read(prefix):
    lines = [prefix.format(n=n) + f"Author{n} A. Title {n}. J. 20{10 + n};1:1." for n in (1, 2)]
    refs = find_references("Body.\n\nReferences\n" + "\n".join(lines) + "\n")
    assert refs is not None and [(r.number, r.first_author, r.year) for r in refs.references] == [
        (1, "Author1", 2011),
        (2, "Author2", 2012),
    ]


def test_author_year_reference_list_is_read_in_order():
    refs = find_references(AUTHOR_YEAR)
    assert refs is not None and refs.style == "author-year"
    assert [(r.number, r.first_author, r.year) for r in refs.references] == [
        (1, "Booth", 2009),
        (2, "Booth", 2016),
        (3, "Mensah", 2019),
    ]


def test_text_without_reference_heading_has_no_list():
    assert find_references("Six studies [1–6]. We referenced these above.\n") is None


def test_references_map_by_doi_pmid_and_title_and_say_how():
    refs = find_references(VANCOUVER)
    assert refs is not None
    matches = {m.number: (m.study_key, m.method) for m in map_references(refs.references, STUDIES)}
    assert matches == {2: ("desjarlais2007", "title"), 3: ("hayeslarson2013", "doi"), 4: ("other", "pmid")}


def test_title_match_needs_author_or_year_to_agree_and_online_first_year_is_close_enough():
    study = StudyRef(
        "walsh", "Walsh", 2009, "The development of peer educator-based harm reduction programmes in northern Vietnam"
    )
    ok = find_references(
        "References\n1. Walsh N, et al. The development of peer educator-based harm reduction "
        "programmes in northern Vietnam. Drug Alcohol Rev. 2008;27:200–3.\n"
    )
    other = find_references(
        "References\n1. Brown A. The development of peer educator-based harm reduction "
        "programmes in northern Vietnam. Some J. 2001;1:1.\n"
    )
    assert ok is not None and other is not None
    assert [m.method for m in map_references(ok.references, [study])] == ["title"]
    assert map_references(other.references, [study]) == []


def test_author_and_year_alone_match_only_one_study():
    refs = find_references(
        "References\n1. Booth RE, et al. A title nobody stored. J. 2009;1:1.\n2. Booth RE. Another. J. 2012;1:1.\n"
    )
    assert refs is not None
    assert [(m.number, m.study_key, m.method) for m in map_references(refs.references, STUDIES)] == [
        (1, "booth2009", "author-year")
    ]


def test_author_et_al_is_checked_against_the_manuscripts_own_list():
    text = "Des Jarlais et al. [3] reported this. Hayes-Larson et al. [3] agreed. Okafor and colleagues [2] too.\n\n"
    found = check_manuscript(text + VANCOUVER.split("Text.\n\n", 1)[1])
    assert [(f.kind, f.cited) for f in found] == [("author_mismatch", [3]), ("author_mismatch", [2])]
    assert "Hayes-Larson" in found[0].message and "Des Jarlais" in found[1].message


def test_of_these_n_m_were_design_citing_outside_the_n_is_a_subset_mismatch():
    text = (
        "Six studies described management by peers [3, 5, 6, 13, 14, 20].\n"
        "Of these six, three were cross-sectional surveys [6, 13, 14].\n"
        "Of these six, two were qualitative studies [5, 7].\n"
    )
    [f] = check_manuscript(text)
    assert (f.line, f.kind) == (3, "subset_mismatch") and "[7]" in f.message and "line 1" in f.message


@pytest.mark.parametrize(
    "sentence",
    [
        "Five studies reported testing [1–5], of which two were trials [4, 9].",
        "Five studies reported testing [1–5], among which one was a trial [9].",
        "Five studies reported testing [1–5]. Among them, two used surveys [4, 9].",
        "Five studies reported testing [1–5]. Among these, two were trials [4, 9].",
        "Five studies reported testing [1–5], including two trials [4, 9].",
        "Five studies reported testing [1–5]. Of the 5 studies, 2 involved peers [4, 9].",
        "Five studies reported testing [1–5]; two of them were trials [4, 9].",
    ],
)
def test_subset_statements_in_common_forms_are_checked(sentence):
    [f] = check_manuscript(sentence)
    assert f.kind == "subset_mismatch" and "[9]" in f.message


@pytest.mark.parametrize(
    "sentence",
    [
        "Five studies reported testing [1–5], of which two were trials [4, 5].",
        "Five studies reported testing [1–5]. Among them, two used surveys [4, 5].",
        "Five studies reported testing [1–5], including two trials [4, 5].",
        "Fifteen of the included studies were published [1–15]. Of the 15 studies, 4 involved peers [3, 6, 12, 14].",
    ],
)
def test_subset_statements_within_their_superset_are_not_flagged(sentence):
    assert check_manuscript(sentence) == []


def test_including_refers_only_to_a_count_in_its_own_sentence():
    text = "Five studies reported testing [1–5]. Designs varied, including two trials [8, 9]."
    assert check_manuscript(text) == []


def test_numbered_citation_missing_from_the_list_is_unresolved():
    text = "Two studies agreed [2, 7].\n\n" + VANCOUVER.split("Text.\n\n", 1)[1]
    [f] = check_manuscript(text)
    assert f.kind == "citation_unresolved" and "[7]" in f.message


def test_author_year_citations_are_counted_resolved_and_unresolved_reported():
    body = (
        "Two studies were set in Ukraine (Booth et al., 2009, 2016).\n"
        "Three studies were trials (Booth et al., 2009; Booth et al., 2016).\n"
        "Two studies, Booth et al. (2009) and Mensah & Ortiz (2019), agree.\n"
        "Two trials found this (Booth et al., 2015; Booth et al., 2016).\n\n"
    )
    found = check_manuscript(body + AUTHOR_YEAR.split("Body.\n\n", 1)[1])
    assert [(f.line, f.kind) for f in found] == [(2, "count_mismatch"), (4, "citation_unresolved")]
    assert "(Booth 2009; Booth 2016)" in found[0].message and "Booth, 2015" in found[1].message


def test_codes_are_compared_through_the_map_not_the_review_numbering():
    text = (
        "Two studies reported HIV incidence [1, 2].\n"
        "Two studies reported HIV incidence [1, 3].\n\n"
        "References\n"
        "1. Booth RE, et al. HIV incidence among people who inject drugs (PWIDs) in Ukraine: results from a "
        "clustered randomised trial. Lancet HIV. 2016;3(10):e482–9.\n"
        "2. Des Jarlais DC, et al. Reducing HIV infection among new injecting drug users in the China–Vietnam "
        "Cross Border Project. AIDS. 2007;21:S109–14.\n"
        "3. Booth RE, et al. Use of a peer leader intervention model to reduce needle-related risk behaviors "
        "among drug injectors in Ukraine. J Drug Issues. 2009;39:607–25.\n"
    )
    codes = {"HIV incidence": ["booth2016", "desjarlais2007"]}
    report = check_claims(text, studies=STUDIES, codes=codes)
    assert [(f.line, f.kind) for f in report.findings] == [(2, "code_mismatch")]
    assert "cited but not coded [3]" in report.findings[0].message
    assert {m.number: m.study_key for m in report.matched} == {1: "booth2016", 2: "desjarlais2007", 3: "booth2009"}


def test_unrelated_manuscript_inside_a_review_gets_no_code_findings_and_lists_unmatched():
    text = (
        "Two studies reported HIV incidence [1, 2].\nOne study reported HIV incidence [4].\n\n"
        "References\n1. Ng A. Alpha study of something. J A. 2001;1:1.\n"
        "2. Ortiz B. Beta study of something. J B. 2002;2:2.\n"
        "3. Park C. Gamma. J C. 2003;3:3.\n4. Quinn D. Delta. J D. 2004;4:4.\n"
    )
    report = check_claims(text, studies=STUDIES, codes={"HIV incidence": ["booth2016", "desjarlais2007"]})
    assert report.findings == [] and report.matched == []
    assert [r.number for r in report.unmatched] == [1, 2, 3, 4]


def test_without_a_reference_list_codes_are_not_compared_unless_review_numbering_is_said():
    text = "Two studies reported HIV incidence [59, 65].\n"
    codes = {"HIV incidence": ["booth2016", "desjarlais2007"]}
    plain = check_claims(text, studies=STUDIES, codes=codes)
    assert plain.findings == [] and plain.numbering == "none" and "no reference list" in plain.notes[0]
    review = check_claims(text, studies=STUDIES, codes=codes, numbering="review")
    [f] = review.findings
    assert f.kind == "code_mismatch" and "[59]" in f.message and "[60]" in f.message


def test_review_numbering_checks_authors_with_the_review_studies():
    [f] = check_claims("Booth et al. [65] said so.\n", studies=STUDIES, numbering="review").findings
    assert f.kind == "author_mismatch" and "Des Jarlais" in f.message


def test_unknown_numbering_is_refused():
    with pytest.raises(InvalidInput, match="numbering"):
        check_claims("Text.", numbering="guess")
