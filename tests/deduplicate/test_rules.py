"""The classic traps of deduplication, one small hand-written case each."""

from __future__ import annotations

import random

import pytest

from realist.deduplicate import canonical_of, find_duplicates
from realist.errors import InvalidInput

from .conftest import rec


def verdict(a, b):
    res = find_duplicates([(1, a), (2, b)])
    return ([m.verdict for m in res.matches] or [None])[0], res


def test_same_study_from_pubmed_and_embase_is_a_duplicate():
    pubmed = rec(
        title="Intestinal lipoprotein overproduction in insulin-resistant states",
        authors=["Adeli, K.", "Lewis, G. F."],
        journal="Curr Opin Lipidol",
        volume="19",
        issue="3",
        pages="221-8",
        year=2008,
        doi="10.1097/mol.0b013e3282ffaf82",
    )
    embase = rec(
        title="Intestinal lipoprotein overproduction in insulin-resistant states.",
        authors=["Adeli, Khosrow", "Lewis, Gary F."],
        journal="Current Opinion in Lipidology",
        volume="19",
        issue="3",
        pages="221-228",
        year=2008,
        doi=None,
    )
    v, res = verdict(pubmed, embase)
    assert v == "duplicate"
    assert res.groups == [[1, 2]]
    m = res.matches[0]
    assert {"title", "authors", "journal", "pages", "volume"} <= set(m.matched_fields)
    assert m.reason


def test_same_doi_and_title_is_a_duplicate():
    v, _ = verdict(rec(doi="10.1000/abc"), rec(doi="10.1000/abc", pages=None, journal="J Int AIDS Soc"))
    assert v == "duplicate"


def test_erratum_notice_is_linked_to_its_article_not_merged_and_says_so():
    # An erratum is another document about the study: linked, never merged.
    article = rec(pages="e25201")
    erratum = rec(title="Erratum: " + article.title, pages="e25399", issue="6", year=2020)
    v, res = verdict(article, erratum)
    assert v == "notice" and res.groups == []
    m = res.matches[0]
    assert (m.notice, m.kind) == (2, "erratum")
    assert "2 is an erratum notice of 1" in m.reason


def test_erratum_citing_the_article_location_is_linked_even_with_its_own_doi():
    article = rec(volume="360", issue="5", pages="542-544", doi="10.1056/nejmc0808527")
    erratum = rec(
        title=article.title + " (vol 360, pg 542, 2009)",
        authors=["Smith,"],
        volume="360",
        issue="23",
        pages="2487",
        doi="10.1056/nejmx090024",
    )
    v, res = verdict(article, erratum)
    assert v == "notice" and res.groups == [] and res.matches[0].notice == 2


def test_erratum_at_the_place_the_articles_medline_note_names_is_linked():
    article = rec(title=rec().title + ".[Erratum appears in J Int AIDS Soc. 2019 Sep;22(9):2205]", pages="1223-1229")
    notice = rec(issue="9", pages="2205")
    v, res = verdict(article, notice)
    assert v == "notice" and res.matches[0].notice == 2 and res.groups == []


def test_erratum_in_another_journal_or_of_another_article_is_not_merged():
    article = rec(volume="22", pages="e25201")
    elsewhere = rec(title="Erratum: " + article.title, journal="Drug and Alcohol Dependence", volume="171", pages="e12")
    assert verdict(article, elsewhere)[0] is None
    other = rec(title=article.title + " (vol 21, pg 100, 2018)", volume="22", issue="6", pages="e25399")
    assert verdict(article, other)[0] is None
    years_later = rec(title="Erratum: " + article.title, year=2026, pages="e25399")
    assert verdict(article, years_later)[0] is None


def test_a_title_that_opens_with_correction_is_not_an_erratum():
    study = rec(title="Correction of anaemia with epoetin in people who inject drugs", pages="10-19")
    other = rec(title="Anaemia with epoetin in people who inject drugs", pages="30-39")
    assert verdict(study, other)[0] is None


def test_reply_by_other_authors_is_linked_to_the_letter_not_merged():
    letter = rec(
        title="Atypical haemolytic uraemic syndrome after streptococcal infection",
        authors=["Yildiz, B.", "Kural, N."],
        pages="943-944",
    )
    reply = rec(title=letter.title + " - Reply", authors=["Shepherd, A. B.", "Palmer, A. L."], pages="944-945")
    v, res = verdict(letter, reply)
    assert v == "notice" and res.groups == []
    assert (res.matches[0].notice, res.matches[0].kind) == (2, "reply")


def test_same_title_authors_journal_and_volume_on_other_pages_is_merged():
    # a meeting abstract in the journal's supplement and the full article
    abstract = rec(issue="9", pages="1875")
    article = rec(issue="12", pages="2539-2542")
    v, res = verdict(abstract, article)
    assert v == "duplicate" and res.groups == [[1, 2]]


def test_generic_heading_or_other_authors_on_other_pages_is_not_merged():
    one = rec(title="Highlights of this issue", authors=["Editor, A.", "Editor, B."], pages="1")
    two = rec(title="Highlights of this issue", authors=["Editor, A.", "Editor, B."], pages="201")
    assert verdict(one, two)[0] != "duplicate"
    # two abstracts on adjacent supplement pages, near-same titles, other author lists
    a = rec(
        title="The effects of incretin on artery lesions in a model of atherosclerosis in mice",
        authors=["Chen, R.", "Wang, J.", "Yan, C.", "Wang, Y.", "Liang, L."],
        pages="52",
    )
    b = rec(
        title="Effects of incretin on artery lesions in a model of atherosclerosis in mice",
        authors=["Chen, R.", "Wang, Y.", "Liang, L."],
        pages="51",
    )
    assert verdict(a, b)[0] != "duplicate"


def test_page_range_cut_or_mistyped_by_one_database_is_no_clash():
    assert verdict(rec(pages="487-488"), rec(pages="488"))[0] == "duplicate"
    assert verdict(rec(pages="2297-2108"), rec(pages="2097-2108"))[0] == "duplicate"
    assert verdict(rec(pages="S78-S89"), rec(pages="S3-89"))[0] == "duplicate"
    one_author = ["Smith, John"]  # (same title, all authors, journal and volume would merge)
    assert verdict(rec(pages="10-19", authors=one_author), rec(pages="20-29", authors=one_author))[0] != "duplicate"


def test_a_doi_that_belongs_to_another_journal_says_nothing():
    base = dict(
        title="Liraglutide and linagliptin in a novel hamster model of diet-induced obesity",
        journal="Appetite",
        volume="59",
        pages="e24",
        abstract="Unlike mice and rats, hamsters ...",
    )
    own = rec(doi="10.1016/j.appet.2012.05.003", **base)
    foreign = rec(doi="10.1016/j.regpep.2012.05.039", **base)
    assert verdict(own, foreign)[0] == "duplicate"
    # two DOIs that both fit the journal still keep the records apart
    other = rec(doi="10.1016/j.appet.2012.05.004", **base)
    assert verdict(own, other)[0] != "duplicate"


def test_medline_erratum_note_on_the_article_title_is_ignored():
    noted = rec(title=rec().title + ".[Erratum appears in J Int AIDS Soc. 2019;22(6):e25399]")
    v, _ = verdict(rec(), noted)
    assert v == "duplicate"


def test_part_one_and_part_two_are_different_papers():
    one = rec(title="Harm reduction in prisons: Part I. Needle exchange", pages="10-20")
    two = rec(title="Harm reduction in prisons: Part II. Needle exchange", pages="21-30")
    assert verdict(one, two)[0] is None


def test_different_dois_with_the_same_title_are_never_merged():
    a = rec(doi="10.1002/14651858.cd001.pub2", year=2019)
    b = rec(doi="10.1002/14651858.cd001.pub3", year=2019)
    v, res = verdict(a, b)
    assert v != "duplicate" and res.groups == []


def test_updated_review_with_same_title_years_apart_is_not_merged():
    assert verdict(rec(year=2010, volume=None, pages=None), rec(year=2014, volume=None, pages=None))[0] is None


def test_missing_doi_on_one_side_still_matches():
    v, _ = verdict(rec(doi="10.7448/ias.22.4.25201"), rec(doi=None))
    assert v == "duplicate"


def test_accents_and_html_in_titles_are_normalised():
    a = rec(title="Effet des pairs &amp; de la <i>réduction</i> des risques à Hanoï")
    b = rec(title="Effet des pairs & de la reduction des risques a Hanoi", authors=["Smith, J.", "Okafor, A."])
    assert verdict(a, b)[0] == "duplicate"


def test_conference_abstract_in_another_journal_is_not_merged():
    article = rec(journal="International Journal of Drug Policy", volume="70", pages="1-9")
    abstract = rec(journal="Drug and Alcohol Dependence", volume="171", pages="e12")
    assert verdict(article, abstract)[0] != "duplicate"


def test_a_missing_title_is_at_most_uncertain():
    v, res = verdict(rec(), rec(title=None))
    assert v == "uncertain" and res.groups == []


def test_shuffled_input_gives_the_same_result():
    records = [
        (i, rec(title=f"Study number {w} of peer support", pages=str(i * 10)))
        for i, w in enumerate(["alpha", "beta", "gamma", "delta"], 1)
    ]
    records += [(10 + i, rec(title=r.title.upper(), pages=r.pages)) for i, r in records]
    first = find_duplicates(records)
    shuffled = records[:]
    random.Random(3).shuffle(shuffled)
    again = find_duplicates(shuffled)
    assert first.groups == again.groups == [[1, 11], [2, 12], [3, 13], [4, 14]]
    assert first.matches == again.matches


def test_cannot_link_is_respected_and_must_link_joins():
    res = find_duplicates(
        [(1, rec()), (2, rec()), (3, rec(title="Another thing entirely", pages="9"))],
        cannot_link=[frozenset({1, 2})],
        must_link=[frozenset({1, 3})],
    )
    assert res.groups == [[1, 3]]
    assert all({m.a, m.b} != {1, 2} for m in res.matches)


def test_chaining_guard_keeps_two_studies_apart():
    # 2 resembles both 1 and 3, but 1 and 3 carry different DOIs.
    res = find_duplicates([(1, rec(doi="10.1000/one")), (2, rec(doi=None)), (3, rec(doi="10.1000/two"))])
    assert all(not {1, 3} <= set(g) for g in res.groups)
    assert len(res.groups) == 1


def test_canonical_is_the_most_complete_record_then_lowest_id():
    sparse, full = rec(doi=None, pages=None), rec(doi="10.1000/x", abstract="Background ...")
    assert canonical_of([1, 2], [(1, sparse), (2, full)]) == 2
    assert canonical_of([5, 3], {5: rec(), 3: rec()}) == 3


def test_progress_is_reported_and_ids_must_be_unique():
    seen = []
    find_duplicates([(1, rec()), (2, rec())], progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
    with pytest.raises(InvalidInput):
        find_duplicates([(1, rec()), (1, rec())])
