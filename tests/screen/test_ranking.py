"""Ranking: relevant records rise, criteria text helps cold start, citations help."""

from __future__ import annotations

import numpy as np
import pytest

from realist.errors import InvalidInput
from realist.screen.ranking import (
    CLASSIFIERS,
    MODELS,
    QUERIES,
    Corpus,
    ModelSpec,
    Ranker,
    RetrainSchedule,
    rank_records,
)


def _relevant(rows):
    return {i for i, r in enumerate(rows) if r["label_included"] == "1"}


def test_relevant_records_rise_to_the_top_of_a_toy_corpus(toy_rows):
    rel = sorted(_relevant(toy_rows))
    irrelevant = next(i for i in range(len(toy_rows)) if i not in rel)
    labels = {rel[0]: 1, irrelevant: 0}
    order = rank_records(toy_rows, labels, rng=np.random.default_rng(0))
    assert len(order) == len(toy_rows) - 2
    assert set(order[: len(rel) - 1]) == set(rel[1:])


def test_criteria_text_ranks_relevant_records_before_any_include(toy_rows):
    rel = _relevant(toy_rows)
    order = Ranker(toy_rows, criteria_text="peer navigator harm reduction for HIV").fit_rank(
        {}, rng=np.random.default_rng(0)
    )
    top = set(int(i) for i in order[: len(rel)])
    assert len(top & rel) >= len(rel) - 1


def test_without_criteria_or_include_the_order_is_random_but_seeded(toy_rows):
    a = Ranker(toy_rows).fit_rank({}, rng=np.random.default_rng(1))
    b = Ranker(toy_rows).fit_rank({}, rng=np.random.default_rng(1))
    c = Ranker(toy_rows).fit_rank({}, rng=np.random.default_rng(2))
    assert list(a) == list(b)
    assert list(a) != list(c)


def test_shared_references_lift_records_text_alone_cannot_find():
    # Relevant records share no words with each other, only references.
    rows = []
    for i in range(60):
        relevant = i < 6
        rows.append(
            {
                "openalex_id": f"W{i + 1}",
                "title": f"topic{i} alpha{i}",
                "abstract": f"unique{i} words{i} here{i}",
                "referenced_works": "W900 W901 W902" if relevant else f"W{500 + i} W{700 + i % 20}",
            }
        )
    labels = {0: 1, 10: 0, 11: 0}
    # the default less its presumed negatives: on a toy set where one record in ten is
    # relevant, a random draw of presumed excludes would hold some of them, and the
    # subject here is the signal of the references
    model = "neighbourhood_chars"
    with_refs = Ranker(rows, model=model).fit_rank(labels, rng=np.random.default_rng(0))
    assert set(int(i) for i in with_refs[:5]) == {1, 2, 3, 4, 5}
    text_only = Ranker([{k: v for k, v in r.items() if k != "referenced_works"} for r in rows], model=model)
    order = text_only.fit_rank(labels, rng=np.random.default_rng(0))
    assert len(set(int(i) for i in order[:5]) & {1, 2, 3, 4, 5}) < 5


def test_direct_citation_links_count_as_shared_evidence():
    # text carries no signal: one unique word per record (no title, so no title
    # character n-grams either - "t1" and "t12" would share some)
    rows = [
        {"openalex_id": f"W{i}", "title": "", "abstract": f"t{i} a{i}", "referenced_works": ""} for i in range(1, 41)
    ]
    rows[0]["referenced_works"] = "W2"  # the included record cites W2 ...
    rows[2]["referenced_works"] = "https://openalex.org/W1"  # ... and W3 cites it
    # without presumed negatives: a random draw of them could hold the two linked records
    order = Ranker(rows, model="neighbourhood_chars").fit_rank({0: 1, 39: 0}, rng=np.random.default_rng(0))
    assert set(int(i) for i in order[:2]) == {1, 2}


def test_corpus_reads_records_strings_and_space_separated_references():
    corpus = Corpus.from_records(
        [
            "plain text",
            {
                "title": "T",
                "abstract": None,
                "openalex_id": "https://openalex.org/W5",
                "referenced_works": "W1 https://openalex.org/W2",
            },
        ]
    )
    assert corpus.texts == ("plain text", "T")
    assert corpus.ids == (None, "W5")
    assert corpus.references == ((), ("W1", "W2"))


def test_every_registered_model_ranks_the_toy_corpus(toy_rows):
    rel = sorted(_relevant(toy_rows))
    labels = {rel[0]: 1, rel[1]: 1, 1: 0, 2: 0}
    for name in MODELS.names():
        order = Ranker(toy_rows, model=name).fit_rank(labels, rng=np.random.default_rng(0))
        assert len(set(int(i) for i in order[:10]) & set(rel)) >= 8, name


def test_outside_code_can_register_a_classifier(toy_rows, registered):
    class Constant:
        def fit(self, X, y):
            return self

        def score(self, X):
            return np.zeros(X.shape[0])

    registered(CLASSIFIERS, "test-constant", Constant)
    spec = ModelSpec(features="tfidf", classifier="test-constant")
    order = Ranker(toy_rows, model=spec).fit_rank({0: 1, 1: 0}, rng=np.random.default_rng(0))
    assert sorted(order) == list(range(2, len(toy_rows)))
    with pytest.raises(ValueError):
        CLASSIFIERS.register("test-constant", Constant)


def test_unknown_model_name_is_a_user_error(toy_rows):
    with pytest.raises(InvalidInput, match="unknown ranking model 'nope'"):
        Ranker(toy_rows, model="nope")


def test_max_random_query_returns_a_permutation():
    rng = np.random.default_rng(3)
    scores = rng.random(50)
    order = QUERIES.create("max_random", p_random=0.3).query(scores, rng)
    assert sorted(order) == list(range(50))


def test_retrain_schedule_retrains_every_record_early_then_in_growing_batches():
    s = RetrainSchedule(every_until=100, growth=0.02)
    assert s.batch_size(10) == 1 and s.batch_size(99) == 1
    assert s.batch_size(100) == 2 and s.batch_size(1000) == 20
    assert s.due(500, 510) and not s.due(500, 509)
    assert RetrainSchedule(growth=0).batch_size(10_000) == 1


def test_ensemble_averages_rank_normalised_scores(toy_rows):
    rel = sorted(_relevant(toy_rows))
    labels = {rel[0]: 1, rel[1]: 1, 1: 0, 2: 0}
    spec = ModelSpec(
        features="tfidf",
        classifier="ensemble",
        classifier_params={"members": [("svm", {"C": 1.0}), ("logistic", {"C": 10.0})]},
    )
    order = Ranker(toy_rows, model=spec).fit_rank(labels, rng=np.random.default_rng(0))
    assert len(set(int(i) for i in order[:10]) & set(rel)) >= 8


def test_citation_variants_keep_direct_links_and_title_weighting_is_optional():
    rows = [
        {"openalex_id": f"W{i}", "title": f"t{i}", "abstract": f"a{i}", "referenced_works": ""} for i in range(1, 41)
    ]
    rows[0]["referenced_works"] = "W2"
    rows[2]["referenced_works"] = "https://openalex.org/W1"
    spec = ModelSpec(
        features="tfidf+citations", features_params={"weight": 0.5, "direct_weight": 1.0, "title_repeat": 1}
    )
    order = Ranker(rows, model=spec).fit_rank({0: 1, 39: 0}, rng=np.random.default_rng(0))
    assert set(int(i) for i in order[:2]) == {1, 2}
    corpus = Corpus.from_records(rows[:2] + ["plain"])
    assert corpus.titles == ("t1", "t2", "")


def _adaptive_rows(informative: bool):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(80):
        relevant = i < 10
        words = " ".join(f"w{j}" for j in rng.choice(40, 8)) + (" common shared topic" if relevant else "")
        if informative:
            refs = "W900 W901 W902 W903" if relevant else f"W{500 + i % 15} W{700 + i % 7}"
        else:
            refs = f"W{500 + i % 15} W{700 + i % 7}"
        rows.append(
            {
                "openalex_id": f"W{i + 1}",
                "title": words,
                "abstract": "",
                "referenced_works": refs,
                "label_included": "1" if relevant else "0",
            }
        )
    return rows


def test_adaptive_citation_weight_follows_how_well_references_mark_relevance():
    spec = ModelSpec(
        features="tfidf+citations",
        features_params={"weight": 0.3},
        classifier="svm",
        classifier_params={"C": 0.5},
        adaptive_citations={"ref": 2.0, "shrink": 1.0},
    )
    labels = {0: 1, 1: 1, 2: 1, 3: 1, 40: 0, 41: 0, 42: 0, 43: 0, 44: 0}
    factors = {}
    for informative in (True, False):
        ranker = Ranker(_adaptive_rows(informative), model=spec)
        order = ranker.fit_rank(labels, rng=np.random.default_rng(0))
        assert sorted(order) == sorted(set(range(80)) - set(labels))
        factors[informative] = ranker.citation_factor
    assert factors[True] > 1.0 > factors[False] >= 0.0
    # one include: no estimate yet, the prior factor (1) is used
    ranker = Ranker(_adaptive_rows(True), model=spec)
    ranker.fit_rank({0: 1, 40: 0}, rng=np.random.default_rng(0))
    assert ranker.citation_factor == 1.0
    # no references at all: the adaptive weight is a no-op on text-only features
    text_only = Ranker(
        [{k: v for k, v in r.items() if k != "referenced_works"} for r in _adaptive_rows(True)], model=spec
    )
    text_only.fit_rank(labels, rng=np.random.default_rng(0))
    assert text_only._cit is None


def test_sgd_classifier_ranks_relevant_records_first(toy_rows):
    rel = sorted(_relevant(toy_rows))
    labels = {rel[0]: 1, rel[1]: 1, 1: 0, 2: 0}
    spec = ModelSpec(features="tfidf", classifier="sgd")
    order = Ranker(toy_rows, model=spec).fit_rank(labels, rng=np.random.default_rng(0))
    assert len(set(int(i) for i in order[:10]) & set(rel)) >= 6


def _neighbourhood_rows():
    # identical-looking text; only references tell the records apart
    rows = [
        {
            "openalex_id": f"W{i + 1}",
            "title": "screening record",
            "abstract": f"body{i}",
            "referenced_works": f"W{500 + i} W{600 + i % 5}",
        }
        for i in range(40)
    ]
    rows[0]["referenced_works"] = "W900 W901 W902 W600"  # the include
    rows[1]["referenced_works"] = "W601 W602"  # the exclude
    rows[7]["referenced_works"] = "W900 W901 W777"  # shares two references with the include
    rows[8]["referenced_works"] = "W601 W602 W603"  # shares references with the exclude only
    rows[9]["referenced_works"] = "W1"  # cites the include directly
    return rows


def test_citation_neighbourhood_score_ranks_records_sharing_references_with_includes_first():
    from scipy import sparse

    from realist.screen.ranking import FEATURES

    rows = _neighbourhood_rows()
    C = sparse.csr_matrix(FEATURES.create("citations").fit_transform(Corpus.from_records(rows)))
    for agg in ("mean", "max", "topk"):
        scorer = CLASSIFIERS.create("neighbourhood", agg=agg).fit(C[[0, 1]], np.array([1, 0]))
        s = scorer.score(C)
        assert int(np.argmax(np.delete(s, [0, 1]))) + 2 == 7, agg
        assert s[8] < 0 < s[7]
    # in a model: the citation view (with direct links) lifts both neighbours of the include
    spec = ModelSpec(
        features="tfidf+citations",
        features_params={"weight": 0.3},
        classifier="svm",
        citation_view={"weight": 2.0, "evidence": 0, "direct": 1.0},
    )
    order = Ranker(rows, model=spec).fit_rank({0: 1, 1: 0}, rng=np.random.default_rng(0))
    assert set(int(i) for i in order[:2]) == {7, 9}
    assert int(order[-1]) == 8


def test_two_view_model_fits_text_and_citations_separately():
    rows = _neighbourhood_rows()
    spec = ModelSpec(
        features="tfidf+citations",
        classifier="svm",
        citation_view={"main": "text", "scorer": "svm", "combine": "z", "weight": 2.0, "evidence": 0},
    )
    order = Ranker(rows, model=spec).fit_rank({0: 1, 1: 0}, rng=np.random.default_rng(0))
    assert int(order[0]) == 7 and int(order[-1]) == 8
    # without references the citation view is a no-op
    plain = [{k: v for k, v in r.items() if k != "referenced_works"} for r in rows]
    a = Ranker(plain, model=spec).scores({0: 1, 1: 0}, rng=np.random.default_rng(0))
    b = Ranker(plain, model=ModelSpec(features="tfidf+citations", classifier="svm")).scores(
        {0: 1, 1: 0}, rng=np.random.default_rng(0)
    )
    assert np.allclose(a, b, atol=1e-4)  # liblinear shuffles: equal up to solver noise


def test_title_character_ngrams_match_spelling_variants(toy_rows):
    rows = [
        {"title": t, "abstract": ""}
        for t in [
            "randomised trials of navigation",
            "randomized trial navigators",
            "soil wheat yield",
            "bridge steel girder",
            "telescope quasar",
        ]
    ]
    plain = FEATURES_create("tfidf").fit_transform(Corpus.from_records(rows))
    chars = FEATURES_create("tfidf", title_chars=0.5).fit_transform(Corpus.from_records(rows))
    assert chars.shape[1] > plain.shape[1]
    sim = lambda X: (X[0] @ X[1].T).toarray()[0, 0]
    assert sim(chars) > sim(plain)
    rel = sorted(_relevant(toy_rows))
    spec = ModelSpec(features="tfidf+citations", features_params={"title_chars": 0.3}, classifier="svm")
    ranker = Ranker(toy_rows, model=spec, criteria_text="peer navigator")
    order = ranker.fit_rank({rel[0]: 1, 1: 0}, rng=np.random.default_rng(0))
    assert len(set(int(i) for i in order[:10]) & set(rel)) >= 8


def FEATURES_create(name, **params):
    from realist.screen.ranking import FEATURES

    return FEATURES.create(name, **params)


def test_early_exploration_and_pseudo_relevance_feedback_keep_relevant_records_on_top(toy_rows):
    rel = sorted(_relevant(toy_rows))
    spec = ModelSpec(
        features="tfidf",
        classifier="svm",
        explore={"until_includes": 3, "prf": 3, "query": "mixed", "query_params": {"p": 0.2}},
    )
    order = Ranker(toy_rows, model=spec).fit_rank({rel[0]: 1, 1: 0}, rng=np.random.default_rng(0))
    assert sorted(order) == sorted(set(range(len(toy_rows))) - {rel[0], 1})
    assert len(set(int(i) for i in order[:10]) & set(rel)) >= 7


def test_mixed_query_returns_a_permutation_and_p0_is_max():
    rng = np.random.default_rng(3)
    scores = rng.normal(size=50)
    order = QUERIES.create("mixed", p=0.5).query(scores, rng)
    assert sorted(order) == list(range(50))
    assert list(QUERIES.create("mixed", p=0.0).query(scores, rng)) == list(np.argsort(-scores))


def test_citation_propagation_lifts_records_coupled_only_to_the_includes_neighbours():
    from scipy import sparse

    from realist.screen.ranking import FEATURES

    rows = _neighbourhood_rows()
    # record 12 shares nothing with the include, only a reference with record 7,
    # which shares two with the include
    rows[12]["referenced_works"] = "W777 W778"
    C = sparse.csr_matrix(FEATURES.create("citations").fit_transform(Corpus.from_records(rows)))
    first = CLASSIFIERS.create("neighbourhood").fit(C[[0, 1]], np.array([1, 0])).score(C)
    spread = CLASSIFIERS.create("propagation", alpha=0.5).fit(C[[0, 1]], np.array([1, 0])).score(C)
    assert first[12] == pytest.approx(0.0)  # nothing shared with the labelled records
    # among the records sharing nothing with the labelled ones, it comes first
    unlinked = [i for i in range(2, 40) if i != 12 and first[i] == pytest.approx(0.0)]
    assert unlinked and spread[12] > max(spread[i] for i in unlinked)
    assert spread[7] > spread[12]  # the direct neighbour stays ahead


def test_label_spreading_reaches_records_two_couplings_away_where_one_step_does_not():
    from scipy import sparse

    from realist.screen.ranking import FEATURES

    rows = _neighbourhood_rows()
    # a chain: include 0 -- 7 (two shared references) -- 12 -- 13
    rows[12]["referenced_works"] = "W777 W778"
    rows[13]["referenced_works"] = "W778 W779"
    C = sparse.csr_matrix(FEATURES.create("citations").fit_transform(Corpus.from_records(rows)))
    fit = (C[[0, 1]], np.array([1, 0]))
    first = CLASSIFIERS.create("neighbourhood").fit(*fit).score(C)
    one = CLASSIFIERS.create("propagation", alpha=0.5).fit(*fit).score(C)
    spread = CLASSIFIERS.create("label_propagation", alpha=0.8, iterations=20).fit(*fit).score(C)
    unlinked = [i for i in range(2, 40) if i not in (12, 13) and first[i] == pytest.approx(0.0)]
    assert unlinked
    # one step lifts 12 (a neighbour of a neighbour) but not 13, one step further
    assert one[13] <= max(one[i] for i in unlinked) + 1e-9
    assert spread[13] > max(spread[i] for i in unlinked)
    assert spread[7] > spread[12] > spread[13]


def _synonym_rows():
    """Includes say "peer navigator"; other records say "lay health worker";
    a few bridging records say both.  Plus unrelated topics."""
    v1 = "peer navigator outreach linkage"
    v2 = "lay health worker accompaniment"
    rows = [{"title": f"{v1} study", "abstract": f"{v1} for people who inject drugs"} for _ in range(3)]
    rows += [{"title": f"{v1} and {v2}", "abstract": f"{v1} {v2} programme"} for _ in range(6)]
    rows += [{"title": f"{v2} trial", "abstract": f"{v2} visits at home"} for _ in range(4)]
    topics = [
        "soil wheat yield fertiliser",
        "bridge steel girder fatigue",
        "telescope quasar redshift survey",
        "battery cathode lithium cycling",
        "coral reef bleaching temperature",
        "compiler register allocation",
    ]
    for t in topics:
        rows += [{"title": t, "abstract": t} for _ in range(4)]
    return rows


def test_latent_semantic_features_lift_records_that_share_only_synonyms_with_the_includes():
    from realist.screen.ranking import FEATURES

    rows = _synonym_rows()
    targets = list(range(9, 13))  # "lay health worker" only: no word shared with the includes
    unrelated = list(range(13, len(rows)))
    corpus = Corpus.from_records(rows)
    words = FEATURES.create("tfidf").fit_transform(corpus)
    assert (words[targets] @ words[0].T).nnz == 0  # plain TF-IDF sees nothing in common
    lsa = FEATURES.create("tfidf", lsa=5)
    lsa.fit_transform(corpus)
    Z = lsa.latent
    assert Z is not None and Z.shape == (len(rows), 5)
    assert np.allclose(np.linalg.norm(Z, axis=1), 1.0)
    sim = Z @ Z[0]
    assert min(sim[targets]) > max(sim[unrelated])
    # labelled: two includes (the first vocabulary) and an exclude on soil; the
    # other topics share no word with any labelled record, no more than the targets do
    labels = {0: 1, 1: 1, 13: 0}
    others = unrelated[4:]
    # (the registered models keep 200 dimensions: more than this toy corpus has,
    # where LSA would only rotate TF-IDF; 5 here, as on a real review, compress it)
    from dataclasses import replace

    for name in ("lsa", "lsa_view"):
        spec = MODELS.create(name)
        spec = replace(spec, features_params={**spec.features_params, "lsa": 5})
        for seed in range(3):
            order = [int(i) for i in Ranker(rows, model=spec).fit_rank(labels, rng=np.random.default_rng(seed))]
            assert max(order.index(t) for t in targets) < min(order.index(u) for u in others), (name, seed)
    plain = [int(i) for i in Ranker(rows, model="default").fit_rank(labels, rng=np.random.default_rng(0))]
    assert max(plain.index(t) for t in targets) > min(plain.index(u) for u in others)  # text alone cannot


def test_title_character_weight_ramps_up_with_the_includes_known(toy_rows):
    rel = sorted(_relevant(toy_rows))
    exc = [i for i in range(len(toy_rows)) if i not in set(rel)]
    spec = ModelSpec(features="tfidf", features_params={"title_chars": 0.3}, classifier="svm", char_ramp=3.0)
    ranker = Ranker(toy_rows, model=spec)
    a, b = ranker.extractor.char_span
    assert b > a
    cols = ranker.X.indices
    in_chars = (cols >= a) & (cols < b)
    built = ranker.X.data[in_chars].copy()
    words = ranker.X.data[~in_chars].copy()
    rng = np.random.default_rng(0)
    ranker.fit_rank({rel[0]: 1, exc[0]: 0}, rng=rng)
    assert np.allclose(ranker.X.data[in_chars], built * 1 / (1 + 3))
    ranker.fit_rank({**{i: 1 for i in rel[:6]}, exc[0]: 0}, rng=rng)
    assert np.allclose(ranker.X.data[in_chars], built * 6 / (6 + 3))
    assert np.array_equal(ranker.X.data[~in_chars], words)  # word columns untouched


def test_presumed_negatives_are_unlabelled_records_capped_by_a_share_of_them(toy_rows, registered):
    seen = []

    class Recording:
        def fit(self, X, y):
            seen.append((X.shape[0], int(np.sum(y == 1)), int(np.sum(y == 0))))
            return self

        def score(self, X):
            return np.zeros(X.shape[0])

    registered(CLASSIFIERS, "test-recording", Recording)
    n = len(toy_rows)
    labels = {0: 1, 1: 0, 2: 0, 3: 0}
    pool = n - len(labels)
    rng = np.random.default_rng(0)

    def fit(**spec):
        seen.clear()
        Ranker(toy_rows, model=ModelSpec(features="tfidf", classifier="test-recording", **spec)).fit_rank(
            labels, rng=rng
        )
        return seen[0]

    assert fit(presumed_negatives=5) == (4 + 5, 1, 3 + 5)
    assert fit(presumed_negatives=100, presumed_share=0.1) == (4 + int(0.1 * pool), 1, 3 + int(0.1 * pool))
    assert fit(presumed_negatives=100, presumed_share=0.001) == (4, 1, 3)  # share rounds to none: none
