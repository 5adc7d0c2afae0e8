"""The failures seen on an information-systems search (issue 12), as tests.

Each case is written from the description of a real failure: notices merged
with their articles, generic editorial headings merged across issues,
conference papers missed for want of journal, DOI and pages, online-first
and print records left for a person.
"""

from __future__ import annotations

import pytest

from realist.deduplicate import find_duplicates

from .conftest import rec

ARTICLE = dict(
    title="Digital platform work and the algorithmic management of gig workers",
    authors=["Möhlmann, Mareike", "Zalmanson, Lior", "Henfridsson, Ola", "Gregory, Robert Wayne"],
    journal="MIS Quarterly",
    volume="45",
    issue="4",
    pages="1999-2022",
    year=2021,
    doi="10.25300/misq/2021/15333",
)


def run(*records):
    return find_duplicates(list(enumerate(records, start=1)))


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Erratum: " + ARTICLE["title"], "erratum"),
        ("Corrigendum to “" + ARTICLE["title"] + "”", "erratum"),
        ("Correction to: " + ARTICLE["title"], "erratum"),
        ("Retraction notice to: " + ARTICLE["title"], "retraction"),
        ("Expression of concern: " + ARTICLE["title"], "concern"),
        ("Comment on: " + ARTICLE["title"], "comment"),
        ("Reply to: " + ARTICLE["title"], "reply"),
    ],
)
def test_notices_are_linked_to_their_article_never_merged(title, kind):
    article = rec(**ARTICLE)
    notice = rec(
        **{**ARTICLE, "title": title, "issue": "1", "pages": "501", "year": 2022, "doi": "10.25300/misq/2022/0001"}
    )
    res = run(article, notice)
    assert res.groups == []
    assert [(m.verdict, m.notice, m.kind) for m in res.matches] == [("notice", 2, kind)]


def test_erratum_with_the_article_doi_and_pages_is_still_not_merged():
    # Some databases give the notice the article's own DOI and location.
    article = rec(**ARTICLE)
    notice = rec(**{**ARTICLE, "title": "Corrigendum: " + ARTICLE["title"]})
    res = run(article, notice)
    assert res.groups == [] and res.matches[0].verdict == "notice"


def test_an_erratum_never_joins_a_group_through_a_copy_of_its_article():
    article = rec(**ARTICLE)
    copy = rec(**{**ARTICLE, "doi": None, "journal": "MIS Q"})
    notice = rec(**{**ARTICLE, "title": "Erratum: " + ARTICLE["title"], "pages": "2023"})
    res = run(article, copy, notice)
    assert res.groups == [[1, 2]]
    assert sorted((m.a, m.b) for m in res.notices) == [(1, 3), (2, 3)]


@pytest.mark.parametrize(
    "heading",
    ["Editor's Comments", "Introduction", "Preface", "Book Review", "Letter", "Reply", "Erratum", "Editorial"],
)
def test_generic_headings_in_one_volume_but_other_issues_are_not_merged(heading):
    editor = ["Rai, Arun"]
    one = rec(
        title=heading, authors=editor, journal="MIS Quarterly", volume="41", issue="1", pages="iii-vii", year=2017
    )
    two = rec(title=heading, authors=editor, journal="MIS Quarterly", volume="41", issue="2", pages=None, year=2017)
    three = rec(title=heading, authors=editor, journal="MIS Quarterly", volume="41", issue="3", pages=None, year=2017)
    res = run(one, two, three)
    assert res.groups == []
    assert [m for m in res.matches if m.verdict == "duplicate"] == []


def test_generic_heading_with_the_same_doi_or_the_same_issue_and_page_is_merged():
    base = dict(title="Editor's comments", authors=["Rai, Arun"], journal="MIS Quarterly", volume="41", year=2017)
    by_doi = run(
        rec(**base, issue="1", pages="iii-vii", doi="10.25300/misq/2017/41:1.iii"),
        rec(**base, issue=None, pages=None, doi="10.25300/MISQ/2017/41:1.iii"),
    )
    assert by_doi.groups == [[1, 2]]
    by_place = run(rec(**base, issue="1", pages="iii-vii"), rec(**base, issue="1", pages="iii"))
    assert by_place.groups == [[1, 2]]


def test_conference_papers_with_the_same_title_year_and_authors_are_merged():
    # The venue sits in booktitle (read as the container) or is missing.
    paper = dict(
        title="Collaborative innovation in healthcare: boundary resources for peripheral actors",
        authors=["Aanestad, Margunn", "Vassilakopoulou, Polyxeni", "Øvrelid, Egil"],
        year=2019,
        volume=None,
        issue=None,
        pages=None,
        doi=None,
    )
    in_proceedings = rec(
        **paper, journal="International Conference on Information Systems", publication_type="inproceedings"
    )
    no_venue = rec(**{**paper, "title": paper["title"].upper()}, journal=None)
    initials = rec(
        **{**paper, "authors": ["Aanestad, M.", "Vassilakopoulou, P.", "Ovrelid, E."], "year": 2020}, journal=None
    )
    res = run(in_proceedings, no_venue, initials)
    assert res.groups == [[1, 2, 3]]


def test_conference_papers_with_another_first_author_venue_or_doi_are_not_merged():
    paper = dict(
        title="Collaborative innovation in healthcare: boundary resources for peripheral actors",
        authors=["Aanestad, Margunn", "Vassilakopoulou, Polyxeni"],
        year=2019,
        volume=None,
        issue=None,
        pages=None,
        doi=None,
        journal=None,
    )
    base = rec(**paper)
    other_first = rec(**{**paper, "authors": ["Vassilakopoulou, Polyxeni", "Aanestad, Margunn"]})
    assert [m.verdict for m in run(base, other_first).matches if m.verdict == "duplicate"] == []
    icis = rec(
        **{**paper, "journal": "International Conference on Information Systems"}, publication_type="inproceedings"
    )
    ecis = rec(**{**paper, "journal": "European Conference on Information Systems"}, publication_type="inproceedings")
    assert run(icis, ecis).groups == []
    with_doi = rec(**{**paper, "doi": "10.1000/a1"})
    other_doi = rec(**{**paper, "doi": "10.1000/b2"})
    assert run(with_doi, other_doi).groups == []


def test_online_first_and_print_with_the_same_doi_are_merged_automatically():
    online = rec(**{**ARTICLE, "year": 2020, "volume": None, "issue": None, "pages": "1-24"})
    printed = rec(**ARTICLE)
    res = run(online, printed)
    assert res.groups == [[1, 2]] and res.uncertain == []


def test_same_doi_years_apart_by_more_than_one_is_not_merged_automatically():
    res = run(rec(**{**ARTICLE, "year": 2018, "pages": "1-24"}), rec(**ARTICLE))
    assert res.groups == []


def test_a_doi_shared_by_two_supplement_abstracts_does_not_merge_them():
    # Two different abstracts on adjacent pages of one supplement, one DOI.
    a = rec(
        title="The effects of incretin on artery lesions in a model of atherosclerosis in mice",
        authors=["Chen, R.", "Wang, J.", "Yan, C.", "Wang, Y.", "Liang, L."],
        pages="52",
        doi="10.1002/dmrr.2604",
    )
    b = rec(
        title="Effects of incretin on artery lesions in a model of atherosclerosis in mice",
        authors=["Chen, R.", "Wang, Y.", "Liang, L."],
        pages="51",
        doi="10.1002/dmrr.2604",
    )
    assert run(a, b).groups == []
