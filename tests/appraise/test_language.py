"""Behaviour of the language appraisal (realist.appraise.language, .regions)."""

from __future__ import annotations

import csv
import re
from importlib import resources

import pytest

from realist.appraise.language import (
    appraise_text,
    classify,
    lexicon_sources,
    load_lexicon,
    pages_from_form_feeds,
)
from realist.appraise.regions import mark_excluded
from realist.errors import InvalidInput


def terms(appraisal):
    return [(h.term_id, h.matched) for h in appraisal.hits]


def test_every_lexicon_entry_has_a_known_source_and_a_working_pattern():
    sources = lexicon_sources()
    lexicon = load_lexicon()
    assert len(lexicon) >= 40
    for entry in lexicon:
        assert entry.sources and set(entry.sources) <= set(sources), entry.id
        assert entry.stance in ("stigmatising", "contested", "person_first", "neutral")
        assert entry.alternatives, entry.id
    path = resources.files("realist.appraise").joinpath("data/lexicon.csv")
    with path.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == [
        "id",
        "term",
        "pattern",
        "category",
        "stance",
        "refers_to_person",
        "alternatives",
        "source",
        "false_positive_notes",
    ]


def test_each_category_is_found_with_exact_offsets():
    text = (
        "Addicts and heroin addicts were recruited. A junkie is a slur, as is crackhead. "
        "Drug abusers and alcoholics were excluded; former addicts joined. "
        "Substance abuse and drug dependence were measured. Clients who stay clean "
        "gave dirty urine samples. Opioid substitution therapy (OST) was offered, "
        "and clean needles and dirty syringes were discussed. People who inject drugs "
        "(PWID) and persons with an opioid use disorder took part; drug users too."
    )
    result = appraise_text(text)
    for hit in result.hits:
        assert text[hit.start : hit.end] == hit.matched
    found = {}
    for h in result.hits:
        found.setdefault(h.term_id, h)
    expected = {
        "L01": "Addicts",
        "L02": "heroin addicts",
        "L04": "junkie",
        "L05": "crackhead",
        "L06": "Drug abusers",
        "L14": "alcoholics",
        "L03": "former addicts",
        "L23": "Substance abuse",
        "L28": "drug dependence",
        "L34": "stay clean",
        "L36": "dirty urine samples",
        "L42": "Opioid substitution therapy",
        "L43": "clean needles",
        "L44": "dirty syringes",
        "L19": "People who inject drugs",
        "L20": "PWID",
        "L21": "persons with an opioid use disorder",
        "L11": "drug users",
    }
    for term_id, matched in expected.items():
        assert found[term_id].matched == matched, term_id
    hit = found["L02"]
    assert hit.start == text.index("heroin addicts") and hit.end == hit.start + len("heroin addicts")
    assert hit.category == "person_label" and hit.counted_as == "stigmatising"
    assert "person with a [heroin] use disorder" in hit.alternatives and "APA7_2019" in hit.sources
    assert found["L43"].counted_as is None  # equipment, not a person
    assert found["L11"].counted_as is None  # contested
    assert result.contested_count == 1


def test_idu_as_behaviour_is_not_counted_but_idus_are():
    text = (
        "HIV spread through IDU and sex. IDUs were recruited. An IDU was interviewed. "
        "The IDU participants agreed. Injecting drug use (IDU) is common."
    )
    result = appraise_text(text)
    read = [(h.matched, h.term_id, h.counted_as) for h in result.hits]
    assert read == [
        ("IDU", "L10", None),
        ("IDUs", "L09", "stigmatising"),
        ("IDU", "L09", "stigmatising"),
        ("IDU", "L09", "stigmatising"),
        ("IDU", "L10", None),
    ]


def test_hiv_relapse_and_treatment_failure_are_not_flagged():
    text = (
        "Virological treatment failure and TB relapse were recorded. "
        "Malaria relapses occurred. Some relapsed to heroin use after drug treatment failure."
    )
    assert terms(appraise_text(text)) == [("L38", "relapsed to heroin"), ("L39", "drug treatment failure")]


def test_clean_needles_are_equipment_not_a_clean_person():
    text = "Needles were clean and peers gave out clean syringes. Water was clean. She stayed clean."
    assert terms(appraise_text(text)) == [("L43", "clean syringes"), ("L34", "stayed clean")]


def test_abuse_in_proper_names_is_excluded_and_reported():
    text = (
        "Funded by the National Institute on Drug Abuse and published in Drug and "
        "Alcohol Dependence, with the Substance Abuse and Mental Health Services "
        "Administration. Police abuse was common. Drug abuse was not."
    )
    result = appraise_text(text)
    assert terms(result) == [("L23", "Drug abuse")]
    names = [r.text.replace("\n", " ") for r in result.excluded if r.kind == "name"]
    assert "National Institute on Drug Abuse" in names
    assert "Drug and Alcohol Dependence" in names
    assert any(n.startswith("Substance Abuse and Mental Health") for n in names)


def test_reference_list_and_participant_quotes_are_excluded():
    text = (
        "We worked with people who use drugs.\n\n"
        "P12: the junkies round here never get clean, man.\n\n"
        "As one woman said, \u201cI was an addict and everyone knew it back then.\u201d\n\n"
        "> Addicts like me never got help.\n\n"
        "They call us crackheads (Participant 7, female, 34)\n\n"
        "References\n\n1. Smith J. Heroin addicts in Delhi. Drug Alcohol Depend. 2001.\n"
    )
    result = appraise_text(text)
    assert terms(result) == [("L19", "people who use drugs")]
    kinds = [r.kind for r in result.excluded]
    assert kinds.count("participant_speech") == 3
    assert "quotation" in kinds and kinds[-1] == "references"
    assert result.excluded[-1].text.startswith("References")


def test_short_quoted_terms_are_mentions_not_usage():
    result = appraise_text("Most papers used acronyms \u2018IDU\u2019 or 'addict' language.")
    assert result.hits == []
    assert [r.kind for r in result.excluded] == ["mention", "mention"]


def test_apostrophes_do_not_close_quotes():
    text = "The peer\u2019s \u2018drug users\u2019 label is quoted, but peers\u2019 drug users are not."
    result = appraise_text(text)
    assert [h.matched for h in result.hits] == ["drug users"]
    assert result.hits[0].start == text.rindex("drug users")


def test_pdf_hyphenation_is_joined_and_offsets_point_at_the_original():
    text = "Among in-\njecting drug users in Kiev."
    [hit] = appraise_text(text).hits
    assert hit.matched == "in-\njecting drug users" and hit.start == 6


def test_page_numbers_from_page_starts_and_form_feeds():
    text = "Page one has addicts.\fPage two has people who use drugs.\fAnd IDUs here."
    pages = [h.page for h in appraise_text(text).hits]
    assert pages == [1, 2, 3]
    journal = [(301, 0), (302, text.index("\f") + 1)]
    assert [h.page for h in appraise_text(text, pages=journal).hits] == [301, 302, 302]
    assert pages_from_form_feeds(text)[1] == (2, text.index("\f") + 1)
    with pytest.raises(InvalidInput):
        appraise_text(text, pages=[(1, 50), (2, 0)])


@pytest.mark.parametrize(
    "p, s, label",
    [
        (0, 0, "none"),
        (9, 1, "person-first"),
        (10, 0, "person-first"),
        (8, 2, "mixed"),
        (1, 9, "stigmatising"),
        (0, 3, "stigmatising"),
    ],
)
def test_classification_rule(p, s, label):
    assert classify(p, s)[0] == label


def test_classification_counts_only_person_referring_hits():
    text = "People who use drugs took part. Substance abuse and clean needles and drug users."
    result = appraise_text(text)
    assert (result.person_first_count, result.stigmatising_count) == (1, 0)
    assert result.classification == "person-first"
    assert result.other_count == 2 and result.contested_count == 1
    assert "P/(P+S)" in result.rule and "1 contested" in result.rule
    mixed = appraise_text("People who inject drugs, addicts and people who use drugs.")
    assert mixed.classification == "mixed"
    data = mixed.to_dict()
    assert data["classification"] == "mixed" and data["hits"][1]["counted_as"] == "stigmatising"


def test_protocol_extends_and_removes_terms():
    text = "Drug users and addicts met key populations."
    lexicon = load_lexicon(
        extra=[
            {
                "id": "L11",
                "term": "drug user",
                "pattern": r"\bdrug\s+users?\b",
                "category": "person_label",
                "stance": "stigmatising",
                "refers_to_person": "yes",
                "alternatives": "people who use drugs",
                "source": "protocol v2",
            },
            {
                "term": "key populations",
                "pattern": r"\bkey\s+populations\b",
                "category": "person_first",
                "refers_to_person": True,
            },
        ],
        remove=["addict (noun)"],
    )
    result = appraise_text(text, lexicon=lexicon)
    assert [(h.term, h.counted_as) for h in result.hits] == [
        ("drug user", "stigmatising"),
        ("key populations", "person_first"),
    ]
    assert result.hits[0].sources == ("protocol v2",)
    assert result.classification == "mixed"


@pytest.mark.parametrize(
    "extra, remove",
    [
        ([{"term": "x", "pattern": "(", "category": "c", "refers_to_person": "no"}], []),
        ([{"term": "x", "category": "c", "refers_to_person": "no"}], []),
        ([{"term": "x", "pattern": "x", "category": "c", "refers_to_person": "maybe"}], []),
        ([], ["no such term"]),
    ],
)
def test_bad_protocol_lexicon_is_a_user_error(extra, remove):
    with pytest.raises(InvalidInput):
        load_lexicon(extra=extra, remove=remove)


def test_mark_excluded_keeps_length_and_line_breaks():
    text = "He said \u201cthe addicts came in\nat night\u201d.\n\nReferences\nA. B."
    ex = mark_excluded(text)
    assert len(ex.masked) == len(text) and ex.masked.count("\n") == text.count("\n")
    assert "addicts" not in ex.masked and ex.region_at(text.index("addicts")).kind == "quotation"


def test_reference_review_prose_is_person_first_and_its_quoted_terms_are_set_aside(seed_review):
    text = seed_review.read_text(encoding="utf-8")
    result = appraise_text(text)
    # The review's own prose: "people who use drugs" throughout; no stigmatising label.
    assert result.classification == "person-first" and result.stigmatising_count == 0
    assert result.person_first_count >= 15
    # Its one contested label is its own: "past and current users of drugs".
    assert [h.matched for h in result.hits if h.stance == "contested"] == ["users of drugs"]
    # 'IDU' and 'addict' appear only as terms it discusses, and the stigmatising
    # labels only inside Table 1's quoted titles of other papers: all excluded.
    quoted = [r for r in result.excluded if r.kind in ("mention", "quotation")]
    assert any(r.text == "\u2018IDU\u2019" for r in quoted)
    assert any(r.text == "\u2018addict\u2019" for r in quoted)
    bare = appraise_text(text, exclude=())
    stigmatising = [h for h in bare.hits if h.counted_as == "stigmatising"]
    assert len(stigmatising) >= 10
    for hit in stigmatising:
        assert any(r.start <= hit.start < r.end for r in quoted), hit.matched
    # What the tool cannot decide: without quotation marks, 'IDU' in "acronyms
    # 'IDU'" has no person context, so it reads as the behaviour and is not counted.
    assert [h.counted_as for h in bare.hits if h.matched == "IDU"] == [None]


def test_reference_review_table_titles_alone_show_what_titles_can_tell(seed_review):
    text = seed_review.read_text(encoding="utf-8")
    table = text[text.index("Table 1 Included papers") :]
    titles = {}
    for region in mark_excluded(table).regions:
        before = table[: region.start].rstrip().splitlines()[-1]
        if region.kind == "quotation" and region.text.startswith('"') and re.match(r"\d+ [A-Z]", before):
            author = re.sub(r"^\d+\s+", "", before).split(",")[0]
            titles.setdefault(author, appraise_text(region.text.strip('"'), exclude=()).classification)
    assert len(titles) >= 25
    assert titles["Dhand"] == "stigmatising"  # "heroin addicts"
    assert titles["Hammett"] == "stigmatising"  # "Injection Drug Users"
    assert titles["Ayon"] == "person-first"  # "women who inject drugs"
    assert titles["Wang"] == "person-first"  # "people who inject drugs"
    # The review judged [42] (Bartlett) person-first from its full text; its title
    # names no one, so the title alone cannot decide.
    assert titles["Bartlett"] == "none"
