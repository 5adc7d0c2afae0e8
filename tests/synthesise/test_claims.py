"""Behaviour of the manuscript claims check (realist.synthesise.claims)."""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realist.errors import ImportFormatError, InvalidInput, RealistError
from realist.synthesise.claims import (
    check_manuscript,
    format_citations,
    parse_citations,
    parse_number,
    read_manuscript,
    split_sentences,
)

CONSISTENT = """\
# Results

Nineteen studies described peer distribution of commodities [40–47, 50, 51,
53–58, 65–67]. Peer counselling was described in three studies [41, 44, 50].
Of these three, two studies reported on referral to clinics [41, 50].
Two studies were set in Africa, in Kenya [40] and Senegal respectively [41].
Seventeen papers were set in Asia; three from China [42–44], six studies from
Vietnam [45–50], four in Thailand [51–54] and India respectively [55–58].
Fourteen studies reported on risk behaviours across seven countries [43–46,
48, 52, 56, 57, 59, 61, 64, 66–68]. Eight of the studies found that
criminalisation mattered [42, 43, 46, 49–51, 64, 67]. In Ayon et al. [40],
peer educators made referrals, e.g. to clinics. Hammett et al.'s [66]
evaluation covered three cities.
"""


def kinds(findings):
    return [(f.line, f.kind) for f in findings]


def test_consistent_manuscript_raises_no_false_alarm():
    authors = {40: "Ayon", 66: "Hammett", 42: "Bartlett"}
    codes = {"criminalisation": {42, 43, 46, 49, 50, 51, 64, 67}, "referral": {41, 50}}
    assert check_manuscript(CONSISTENT, codes=codes, first_authors=authors) == []


def test_count_mismatch_reports_stated_and_cited_with_line():
    text = "Intro line.\n\nOnly seven studies reported on management [44, 46, 49, 51, 53, 54].\n"
    [f] = check_manuscript(text)
    assert (f.line, f.kind, f.stated, f.cited) == (3, "count_mismatch", 7, [44, 46, 49, 51, 53, 54])
    assert "[44, 46, 49, 51, 53, 54]" in f.message


@pytest.mark.parametrize(
    "phrase, n",
    [
        ("Twenty-nine studies", 29),
        ("twenty nine papers", 29),
        ("A dozen trials", 12),
        ("12 studies", 12),
        ("Eleven randomised controlled trials", 11),
        ("one study", 1),
        ("ten of the review papers", 10),
        ("Thirty-one articles", 31),
    ],
)
def test_number_words_and_digits_are_counted(phrase, n):
    refs = list(range(1, n + 2))  # one too many
    [f] = check_manuscript(f"{phrase} reported this {format_citations(refs)}.")
    assert f.kind == "count_mismatch" and f.stated == n and len(f.cited) == n + 1


def test_subset_citing_outside_its_parent_is_reported():
    text = (
        "Only six studies reported on management [44, 46, 49, 51, 53, 54].\n"
        "Peers were paid.\nOf these six, three studies reported on advocacy [45, 49, 51].\n"
    )
    [f] = check_manuscript(text)
    assert f.kind == "subset_mismatch" and f.line == 3 and "[45]" in f.message and "line 1" in f.message


def test_subset_of_them_in_the_same_sentence():
    text = "Five studies reported trust [1–5], and two of them reported empathy [5, 9]."
    [f] = check_manuscript(text)
    assert f.kind == "subset_mismatch" and "[9]" in f.message


def test_multiple_bracket_groups_and_nested_brackets_are_pooled():
    assert check_manuscript("Four studies [1, 2] found this [3], [[4]].") == []
    [f] = check_manuscript("Four studies [1, 2] found this [3, [4–6]].")
    assert f.cited == [1, 2, 3, 4, 5, 6]


def test_pdf_line_breaks_and_hyphenation_keep_original_line_numbers():
    text = (
        "Outcomes\n"
        "Six studies, of which two were randomised control tri-\n"
        "als, documented changes. Peer work varied et al. and\n"
        "so on. Four studies reported a reduction in HIV inci-\n"
        "dence as a result of involving peers [42, \n"
        "52, 60, 63, 65, 66]. Bartlett et al. \n"
        "[44] found more.\n"
    )
    found = check_manuscript(
        text, codes={"HIV incidence": [60, 63, 65, 66]}, first_authors={42: "Bartlett", 44: "Wang"}
    )
    assert kinds(found) == [(4, "count_mismatch"), (4, "code_mismatch"), (6, "author_mismatch")]
    code = found[1]
    assert "'HIV incidence'" in code.message and "cited but not coded [42, 52]" in code.message


def test_page_break_inside_a_sentence_is_joined():
    text = "Five studies were multi-country comparative\n\nresearch projects [64–68].\n"
    assert check_manuscript(text) == []
    assert len(split_sentences(text)) == 1


def test_sentences_survive_et_al_and_eg():
    sentences = split_sentences("Le et al. [49] found trust, e.g. Peers. Next one (Fig. 1) here. Done.")
    assert [s.text for s in sentences] == [
        "Le et al. [49] found trust, e.g. Peers.",
        "Next one (Fig. 1) here.",
        "Done.",
    ]


def test_code_match_uses_longest_name_and_reports_it():
    codes = {"advocacy": {45, 49, 51, 53}, "peer-led advocacy": {45, 49, 51}}
    assert check_manuscript("Three studies reported peer led advocacy [45, 49, 51].", codes=codes) == []
    [f] = check_manuscript("Three studies reported advocacy [45, 49, 51].", codes=codes)
    assert f.kind == "code_mismatch" and "'advocacy'" in f.message and "[53]" in f.message


def test_codes_with_study_keys_need_reference_numbers():
    with pytest.raises(InvalidInput):
        check_manuscript("Two studies [1, 2].", codes={"trust": ["ayon2017"]})


def test_author_forms_are_checked_but_places_are_not_authors():
    authors = {40: "Ayon", 41: "Stengel", 42: "Bartlett", 44: "Wang", 65: "Des Jarlais"}
    text = (
        "Sites were Kenya [40] and Senegal [41]. Bartlett [44] stated this. "
        "Smith et al.'s [42] paper. Des Jarlais et al. [65] agree. Wang [44] too."
    )
    found = check_manuscript(text, first_authors=authors)
    assert [f.message.split("'")[1] for f in found] == ["Bartlett [44]", "Smith [42]"]


@pytest.mark.parametrize(
    "text, refs",
    [
        ("[40–47, 50]", [40, 41, 42, 43, 44, 45, 46, 47, 50]),
        ("[42, 44-46]", [42, 44, 45, 46]),
        ("[3]; [1—2]", [1, 2, 3]),
        ("[]", []),
        ("[42, [44–45]]", [42, 44, 45]),
    ],
)
def test_parse_citations_reads_ranges_lists_and_groups(text, refs):
    assert parse_citations(text) == refs


@pytest.mark.parametrize("bad", ["[Smith 2010]", "[47–40]", "[4, x]"])
def test_parse_citations_rejects_non_numeric_or_reversed(bad):
    with pytest.raises(InvalidInput):
        parse_citations(bad)


def test_format_citations_collapses_runs_of_three():
    assert format_citations([40, 41, 42, 43, 50]) == "[40–43, 50]"
    assert format_citations([50, 49, 49, 1]) == "[1, 49, 50]"
    assert format_citations([]) == ""


@given(st.sets(st.integers(min_value=1, max_value=300), min_size=1, max_size=40))
def test_format_then_parse_round_trips(refs):
    assert parse_citations(format_citations(refs)) == sorted(refs)


def test_parse_number_words():
    assert [parse_number(w) for w in ("Nineteen", "twenty-nine", "a dozen", "7", "many")] == [19, 29, 12, 7, None]


def test_read_manuscript_markdown_text_and_docx(tmp_path):
    md = tmp_path / "m.md"
    md.write_text("# Results\n\nThree studies [1, 2].\n", encoding="utf-8")
    assert "Three studies" in read_manuscript(md)
    latin = tmp_path / "m.txt"
    latin.write_bytes("Caf\xe9 r\xe9sum\xe9: three studies [1, 2, 3] r\xe9f\xe9rence.".encode("latin-1"))
    assert "three studies" in read_manuscript(latin)
    docx = tmp_path / "m.docx"
    body = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in ("Results", "Only seven studies [1, 2].", "Fine."))
    xml = (
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
    )
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("word/document.xml", xml)
    text = read_manuscript(docx)
    [f] = check_manuscript(text)
    assert f.line == 2 and f.kind == "count_mismatch"


def test_read_manuscript_errors_are_user_errors(tmp_path):
    with pytest.raises(InvalidInput):
        read_manuscript(tmp_path / "missing.md")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ImportFormatError, match=r"broken\.docx"):
        read_manuscript(broken)
    pdf = tmp_path / "m.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(RealistError):
        read_manuscript(pdf)


def test_reference_review_known_inconsistencies_are_found(seed_review):
    text = read_manuscript(seed_review)
    # First authors from the clues in ../shared/seed/NOTES.md (40 Ayon, 41 Stengel,
    # 42 Bartlett, 49 Le, 62 Smyrnov, 63 Hoffman, 66 Hammett, 52 Sherman; China
    # block 42-44 alphabetical: Bartlett, Liu, Wang).
    authors = {
        40: "Ayon",
        41: "Stengel",
        42: "Bartlett",
        43: "Liu",
        44: "Wang",
        49: "Le",
        52: "Sherman",
        62: "Smyrnov",
        63: "Hoffman",
        66: "Hammett",
    }
    found = check_manuscript(text, first_authors=authors)
    lines = text.splitlines()
    summary = [(f.kind, f.stated, f.cited) for f in found]
    assert summary == [
        ("count_mismatch", 7, [44, 46, 49, 51, 53, 54]),  # "Only seven studies ... management"
        ("subset_mismatch", 3, [45, 49, 51]),  # "Of these seven, three ..." : 45 not among them
        ("author_mismatch", None, [44]),  # "Bartlett [44]"
        ("count_mismatch", 4, [42, 52, 60, 63, 65, 66]),  # "Four studies reported a reduction"
    ]
    assert "Only seven studies" in lines[found[0].line - 1]
    assert "Of these seven, three" in lines[found[1].line - 1]
    assert "Bartlett [44]" in lines[found[2].line - 1]
    assert "Four studies reported a reduction" in lines[found[3].line - 1]
    # without the author map, only the three counting problems
    assert [f.kind for f in check_manuscript(text)] == ["count_mismatch", "subset_mismatch", "count_mismatch"]
