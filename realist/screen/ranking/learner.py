"""The active learner: features once, then fit-and-rank as decisions arrive.

Public API (used by real screening and by :mod:`realist.screen.simulate`)::

    ranker = Ranker(records, model="default", criteria_text=protocol_text)
    order = ranker.fit_rank({3: 1, 17: 0}, rng=np.random.default_rng(seed))
    # -> ndarray of the unlabelled record positions, best first

``records`` are strings, mappings or record objects (see
:class:`~realist.screen.ranking.features.Corpus`); ``referenced_works`` are
used when present.  ``labels`` maps a record position to 1 (include) or 0
(exclude).  :func:`rank_records` does both steps in one call.

How the order is made:

* **No include yet** (cold start): by TF-IDF cosine similarity to the
  protocol's criteria / question text when it is given, else at random from
  the generator passed in.
* **Includes but no exclude**: by similarity to the included records (and
  criteria text).
* **Both classes**: the model's classifier is fitted on the labelled rows
  (the criteria text added as one extra included pseudo-record when given)
  and its query strategy orders the rest by score.

A *model* is a :class:`ModelSpec` (feature extractor, classifier, query
strategy, each by registered name with parameters) registered in ``MODELS``.
``"default"`` is the one chosen by ``benchmarks/screening_benchmark.py``
(variants compared with ``benchmarks/screening_explore.py``; the citation
block's weight 0.3 was chosen by the mean and the worst dataset over the five
SYNERGY sets: 0.5 and above let references that do not mark relevance pull
the ranking down, 0.2 loses most of their benefit).  ``adaptive_citations``
(on in the default) rescales that block at every retrain by how much better
the references separate the labelled includes from the excludes than the text
does (see :meth:`Ranker._citation_factor`), so a review whose references do
not mark relevance falls back toward text, and one whose references do leans
on them more; with fewer than two includes the factor is 1.

Two optional parts of a :class:`ModelSpec` (both on/off per model):

* ``citation_view`` - a second score from the citation block alone, added to
  the classifier's (see :meth:`Ranker._with_citation_view`).  The default uses
  the ``neighbourhood`` scorer (similarity of a record's references to those of
  the labelled includes minus to those of the excludes, plus 0.1 per direct
  citation link to an include), z-scores summed with weight 0.25 x m/(m+3)
  (m = includes with references) x the adaptive citation factor: the linear
  SVM alone cannot exploit a few sparse shared references with few includes.
  ``main="text"`` with ``scorer="svm"`` gives a two-view ensemble (model
  ``two_view``).
* ``explore`` - while fewer than ``until_includes`` includes are known: a
  different query (``query``, e.g. ``mixed``) and/or pseudo-relevance feedback
  (``prf``: the best-scored unlabelled records join the includes, rows scaled
  by ``prf_weight``, and the classifier is refitted).  Off in the default (it
  did not raise recall@10% reliably).

A third optional part, ``latent_view``: a second classifier on the dense
latent semantic (LSA) features the extractor builds once (``lsa=k``), its
z-score added with ``weight`` (model ``lsa_view``; model ``lsa`` appends the
same features to the matrix instead).  Neither is in the default: measured
for issue 13, both lowered the mean WSS@95, Menon_2022 by 6-14 points.

The default also draws **presumed negatives** at each refit (after Cormack &
Grossman's BMI): ``presumed_negatives`` random unlabelled records (200, at most
``presumed_share`` = a fifth of the unlabelled records) join the training set
as excludes at ``presumed_weight`` 1.  Most unlabelled records are irrelevant,
so the classifier learns what sets the includes apart from the review's
records at large and not only from the few excludes known early on; the draw
comes from the generator passed in, so a seed still gives one order.  Chosen
for issue 13 by ``benchmarks/screening_loo.py`` (the mean and the worst
dataset, leave-one-dataset-out); the model without it stays registered as
``neighbourhood_chars``.  The price: a relevant record drawn into the sample
counts as an exclude until the next refit (on a toy set where one record in
ten is relevant that shows; on the benchmark reviews it is a net gain).

The default also adds title character 3-5-grams (``title_chars=0.3``): chosen
by ``benchmarks/screening_variants.py`` (5 seeds) - it lifts four of the five
SYNERGY sets (Menon, van der Valk most) and costs Donners (the smallest).

:class:`RetrainSchedule` says when to refit: after every decision while few
records are screened, then in batches that grow with the number screened.
Simulation and real screening use the same schedule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn

from realist.errors import InvalidInput
from realist.screen.ranking.classifiers import CLASSIFIERS, rank_normalise
from realist.screen.ranking.features import FEATURES, Corpus
from realist.screen.ranking.queries import QUERIES
from realist.screen.ranking.registry import FactoryRegistry

__all__ = [
    "ModelSpec",
    "MODELS",
    "DEFAULT_MODEL",
    "Ranker",
    "RetrainSchedule",
    "rank_records",
]


@dataclass(frozen=True)
class ModelSpec:
    """A named combination of registered components and their parameters."""

    features: str = "tfidf+citations"
    features_params: Mapping[str, Any] = field(default_factory=dict)
    classifier: str = "logistic"
    classifier_params: Mapping[str, Any] = field(default_factory=dict)
    query: str = "max"
    query_params: Mapping[str, Any] = field(default_factory=dict)
    criteria_weight: float = 1.0
    presumed_negatives: int = 0
    presumed_weight: float = 1.0
    presumed_share: float = 0.0
    adaptive_citations: Mapping[str, Any] = field(default_factory=dict)
    citation_view: Mapping[str, Any] = field(default_factory=dict)
    explore: Mapping[str, Any] = field(default_factory=dict)
    latent_view: Mapping[str, Any] = field(default_factory=dict)
    char_ramp: float = 0.0
    description: str = ""


MODELS: FactoryRegistry[ModelSpec] = FactoryRegistry("ranking model")
DEFAULT_MODEL = "default"


def _spec(**kw: Any) -> Any:
    return lambda: ModelSpec(**kw)


def _variant(base: ModelSpec, **changes: Any) -> Any:
    """A registry factory for ``base`` with some fields changed."""
    return lambda: replace(base, **changes)


_NEIGHBOURHOOD = {"weight": 0.25, "combine": "z", "adaptive": True, "direct": 0.1}

# The base most models vary: word TF-IDF + citation bag (weight 0.3) scaled per
# retrain by how well references separate the labelled includes, and a
# class-balanced linear SVM (C=0.5).
_ADAPTIVE_SVM = ModelSpec(
    features="tfidf+citations",
    features_params={"weight": 0.3},
    classifier="svm",
    classifier_params={"C": 0.5, "ratio": 1.0},
    adaptive_citations={"ref": 2.0},
)
_CHARS_NEIGHBOURHOOD = replace(
    _ADAPTIVE_SVM,
    features_params={"weight": 0.3, "title_chars": 0.3},
    citation_view=_NEIGHBOURHOOD,
    description=(
        "word 1-2gram TF-IDF + title character 3-5grams (weight 0.3) + shared-reference/citation "
        "bag (weight 0.3, scaled per retrain by how well references separate the labelled "
        "includes), class-balanced linear SVM (C=0.5), plus a citation-neighbourhood score "
        "(similarity to includes minus excludes, + direct links to includes; z-scores, weight "
        "0.25 x evidence x adaptive factor), max query"
    ),
)
# Presumed negatives (Cormack & Grossman's BMI): at each refit, random unlabelled
# records join the training set as excludes - 200 of them, at most a fifth of the
# unlabelled records, at full weight.  Most unlabelled records are irrelevant, so the
# classifier learns what sets the includes apart from the review's records at large,
# not only from the few excludes known early on.
_DEFAULT = replace(
    _CHARS_NEIGHBOURHOOD,
    # liblinear's stopping tolerance 1e-3 (its default is 1e-4): the same orders to
    # within 0.1 WSS@95 points on the benchmark, and the larger training set fits sooner
    classifier_params={"C": 0.5, "ratio": 1.0, "tol": 1e-3},
    presumed_negatives=200,
    presumed_share=0.2,
    presumed_weight=1.0,
    description=(
        "as neighbourhood_chars (word 1-2gram TF-IDF + title character 3-5grams + adaptive "
        "citation bag, class-balanced linear SVM C=0.5, citation-neighbourhood score, max query) "
        "+ presumed negatives: at each refit 200 random unlabelled records (at most a fifth of "
        "them) join the training set as excludes"
    ),
)

MODELS.register("default", _variant(_DEFAULT))
MODELS.register(
    "neighbourhood_chars",
    _variant(
        _CHARS_NEIGHBOURHOOD,
        description="the previous default (until issue 13's fourth round): " + _CHARS_NEIGHBOURHOOD.description,
    ),
)
MODELS.register(
    "adaptive_svm",
    _variant(
        _ADAPTIVE_SVM,
        description=(
            "the previous default: as default without title character n-grams and without the "
            "citation-neighbourhood score"
        ),
    ),
)
MODELS.register(
    "title_chars",
    _variant(
        _ADAPTIVE_SVM,
        features_params={"weight": 0.3, "title_chars": 0.3},
        description="adaptive_svm + title character 3-5grams (weight 0.3); no neighbourhood score",
    ),
)
MODELS.register(
    "neighbourhood",
    _variant(
        _ADAPTIVE_SVM,
        citation_view=_NEIGHBOURHOOD,
        description="adaptive_svm + the citation-neighbourhood score; no title character n-grams",
    ),
)
MODELS.register(
    "two_view",
    _variant(
        _ADAPTIVE_SVM,
        citation_view={
            "main": "text",
            "scorer": "svm",
            "params": {"C": 0.5},
            "combine": "z",
            "weight": 0.5,
            "adaptive": True,
        },
        description=(
            "separate SVMs on text and on the citation bag, z-scores summed (citation weight "
            "0.5 x evidence x adaptive factor); measured worse than one SVM on both blocks"
        ),
    ),
)
MODELS.register(
    "explore_prf",
    _variant(
        _CHARS_NEIGHBOURHOOD,
        explore={"until_includes": 3, "prf": 3, "prf_weight": 0.5},
        description=(
            "default + pseudo-relevance feedback while fewer than 3 includes are known (the 3 "
            "best-scored records join the includes at half weight); not better on recall@10%"
        ),
    ),
)
MODELS.register(
    "fixed_citations",
    _variant(
        _ADAPTIVE_SVM,
        classifier_params={"C": 1.0, "ratio": 1.0},
        adaptive_citations={},
        description=("the previous default: citation bag at a fixed weight 0.3, class-balanced linear SVM (C=1)"),
    ),
)
MODELS.register(
    "text",
    _spec(
        features="tfidf",
        classifier="svm",
        classifier_params={"C": 0.5, "ratio": 1.0},
        description="as default, text only (references ignored)",
    ),
)
MODELS.register(
    "logistic",
    _spec(
        features="tfidf+citations",
        features_params={"weight": 0.3},
        classifier="logistic",
        classifier_params={"C": 10.0, "ratio": 1.0},
        description="as default with balanced logistic regression (C=10): same quality, slower",
    ),
)
MODELS.register(
    "elas_u4",
    _spec(
        features="tfidf",
        classifier="svm",
        classifier_params={"C": 0.11, "ratio": 9.8},
        description="ASReview ELAS u4-like: TF-IDF 1-2grams, linear SVM C=0.11, includes x9.8, max query",
    ),
)
MODELS.register(
    "nb",
    _spec(
        features="tfidf",
        features_params={"ngram_range": (1, 1), "stop_words": "english", "sublinear_tf": False, "max_df": 1.0},
        classifier="nb",
        classifier_params={"alpha": 3.822, "ratio": 1.2},
        description="ASReview ELAS u3-like: TF-IDF unigrams, naive Bayes, max query",
    ),
)
MODELS.register(
    "label_propagation",
    _variant(
        _CHARS_NEIGHBOURHOOD,
        citation_view={**_NEIGHBOURHOOD, "scorer": "label_propagation", "params": {"alpha": 0.8, "iterations": 20}},
        description=(
            "default with the citation-neighbourhood score spread to convergence over the "
            "normalised coupling graph of all records (label spreading, alpha 0.8); measured "
            "for issue 13, not adopted"
        ),
    ),
)
MODELS.register(
    "propagation",
    _variant(
        _CHARS_NEIGHBOURHOOD,
        citation_view={**_NEIGHBOURHOOD, "scorer": "propagation", "params": {"alpha": 0.5}},
        description=(
            "default with the citation-neighbourhood score propagated one step over the "
            "coupling graph of all records (alpha 0.5); measured for issue 13, not adopted"
        ),
    ),
)
MODELS.register(
    "lsa",
    _variant(
        _CHARS_NEIGHBOURHOOD,
        features_params={**_CHARS_NEIGHBOURHOOD.features_params, "lsa": 200, "lsa_weight": 0.3},
        description=(
            "default + latent semantic features: a 200-dimensional truncated SVD (LSA) of the "
            "review's own word TF-IDF matrix, fitted once per feature build, appended at weight "
            "0.3; measured for issue 13, not adopted"
        ),
    ),
)
MODELS.register(
    "lsa_view",
    _variant(
        _CHARS_NEIGHBOURHOOD,
        features_params={**_CHARS_NEIGHBOURHOOD.features_params, "lsa": 200},
        latent_view={"scorer": "svm", "params": {"C": 0.5}, "weight": 0.5},
        description=(
            "default + a second linear SVM on 200 LSA dimensions of the review's own word TF-IDF "
            "matrix, z-scores summed (weight 0.5); measured for issue 13, not adopted"
        ),
    ),
)

MODELS.register(
    "char_ramp",
    _variant(
        _CHARS_NEIGHBOURHOOD,
        char_ramp=3.0,
        description=(
            "neighbourhood_chars with the title character block scaled by m/(m+3), m = labelled "
            "includes (less weight while few includes are known); measured for issue 13, not adopted"
        ),
    ),
)
MODELS.register(
    "early_weights",
    _variant(
        _CHARS_NEIGHBOURHOOD,
        explore={"until_includes": 5, "classifier_params": {"C": 0.11, "ratio": 9.8}},
        description=(
            "neighbourhood_chars with ASReview's SVM settings (C=0.11, includes x9.8) while fewer "
            "than 5 includes are known; measured for issue 13, not adopted"
        ),
    ),
)


def get_model(model: str | ModelSpec) -> ModelSpec:
    return model if isinstance(model, ModelSpec) else MODELS.create(model)


@dataclass(frozen=True)
class RetrainSchedule:
    """Refit after every decision until ``every_until`` records are labelled,
    then once per batch of ``ceil(growth * n_labelled)`` new decisions.

    With the defaults: batches of 1 up to 100 labelled, 2 at 100, 5 at 250,
    20 at 1,000, 200 at 10,000 - the cost of retraining stays a small,
    constant share of screening time, and the order is fresh where it
    matters most (early on).  ``growth=0`` retrains after every decision.
    """

    every_until: int = 100
    growth: float = 0.02

    def batch_size(self, n_labelled: int) -> int:
        if self.growth <= 0 or n_labelled < self.every_until:
            return 1
        return max(1, math.ceil(self.growth * n_labelled))

    def due(self, n_labelled_at_last_fit: int, n_labelled_now: int) -> bool:
        """Whether a refit is due given labels at the last fit and now."""
        return n_labelled_now - n_labelled_at_last_fit >= self.batch_size(n_labelled_at_last_fit)


class Ranker:
    """Features for one corpus, computed once; :meth:`fit_rank` per decision batch."""

    def __init__(
        self,
        records: Sequence[Any] | Corpus,
        *,
        model: str | ModelSpec = DEFAULT_MODEL,
        criteria_text: str | None = None,
    ) -> None:
        self.spec = get_model(model)
        self.corpus = records if isinstance(records, Corpus) else Corpus.from_records(records)
        self.extractor = FEATURES.create(self.spec.features, **dict(self.spec.features_params))
        self.X = sp.csr_matrix(self.extractor.fit_transform(self.corpus))
        self.criteria_text = (criteria_text or "").strip() or None
        self.q = sp.csr_matrix(self.extractor.transform_text(self.criteria_text)) if self.criteria_text else None
        if self.q is not None and self.q.nnz == 0:
            self.q = None
        self.n_fits = 0
        self.citation_factor = 1.0
        # adaptive citation weight: the citation columns' share of X.data, and
        # the text / citation blocks for the per-fit informativeness estimate
        self._cit = None
        self._blocks: tuple[sp.csr_matrix, sp.csr_matrix] | None = None
        self._links: sp.csr_matrix | None = None
        # title-character columns scaled by m / (m + char_ramp), m = labelled includes
        self._chars: tuple[np.ndarray, np.ndarray] | None = None
        a, b = getattr(self.extractor, "char_span", (0, 0))
        if self.spec.char_ramp > 0 and b > a:
            cmask = (self.X.indices >= a) & (self.X.indices < b)
            self._chars = (self.X.data[cmask].copy(), cmask)
        latent = getattr(self.extractor, "latent", None)
        self._latent: np.ndarray | None = latent if self.spec.latent_view else None
        n_text = getattr(self.extractor, "n_text", None)
        if n_text is not None and self.X.shape[1] > n_text:
            T, C = sp.csr_matrix(self.X[:, :n_text]), sp.csr_matrix(self.X[:, n_text:])
            self._blocks = (T, C)
            if self.spec.adaptive_citations:
                mask = self.X.indices >= n_text
                sq = tuple(np.asarray(M.multiply(M).sum(axis=1)).ravel() for M in (T, C))
                self._cit = (self.X.data[mask].copy(), mask, T, C, sq)
            if self.spec.citation_view.get("direct", 0.0):
                self._links = _link_matrix(self.corpus)

    def __len__(self) -> int:
        return self.X.shape[0]

    def scores(self, labels: Mapping[int, int], *, rng: np.random.Generator) -> np.ndarray:
        """A score for every record (labelled ones included); higher = rank first."""
        n = len(self)
        idx = np.fromiter(labels.keys(), dtype=np.intp, count=len(labels))
        y = np.fromiter((1 if labels[i] else 0 for i in idx), dtype=np.int8, count=len(idx))
        if len(idx) and (idx.min() < 0 or idx.max() >= n):
            raise InvalidInput(f"label for record {int(idx.max())} outside 0..{n - 1}")
        n_inc = int(y.sum())
        n_exc = len(y) - n_inc
        if n_inc and n_exc:
            X = self.X
            if self._cit is not None:  # rescale the citation entries of X in place
                self.citation_factor = f = self._citation_factor(idx, y)
                cit_data, mask = self._cit[0], self._cit[1]
                X.data[mask] = cit_data * f
            if self._chars is not None:
                char_data, cmask = self._chars
                X.data[cmask] = char_data * (n_inc / (n_inc + self.spec.char_ramp))
            cv = self.spec.citation_view
            q = self.q
            if cv and self._blocks is not None and cv.get("main", "all") == "text":
                X = self._blocks[0]  # two views: the main classifier sees text only
                q = sp.csr_matrix(q[:, : X.shape[1]]) if q is not None else None
            X_train = X[idx]
            y_train = y
            if q is not None and self.spec.criteria_weight > 0:
                X_train = sp.vstack([X_train, self.spec.criteria_weight * q]).tocsr()
                y_train = np.append(y_train, 1)
            m = self.spec.presumed_negatives
            if m:
                pool = np.setdiff1d(np.arange(n), idx)
                if self.spec.presumed_share > 0:  # at most this share of the unlabelled records
                    m = min(m, int(self.spec.presumed_share * len(pool)))
                if m < len(pool):
                    pool = rng.choice(pool, m, replace=False) if m > 0 else pool[:0]
                if len(pool):
                    X_train = sp.vstack([X_train, self.spec.presumed_weight * X[pool]]).tocsr()
                    y_train = np.append(y_train, np.zeros(len(pool), dtype=y_train.dtype))
            ex = self.spec.explore
            clf_params = dict(self.spec.classifier_params)
            if ex.get("classifier_params") and n_inc < int(ex.get("until_includes", 3)):
                clf_params.update(ex["classifier_params"])  # e.g. ASReview-like weights early on
            clf = CLASSIFIERS.create(self.spec.classifier, **clf_params)
            # inputs are finite sparse matrices built here: skip sklearn's per-call
            # checks, a large share of a retrain's time on a few hundred labels
            with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
                clf.fit(X_train, y_train)
                self.n_fits += 1
                s = clf.score(X)
                if ex.get("prf", 0) and n_inc < int(ex.get("until_includes", 3)):
                    # pseudo-relevance feedback: the best-scored unlabelled records
                    # join the includes (rows scaled down) and the model is refitted
                    free = np.ones(n, dtype=bool)
                    free[idx] = False
                    pool = np.flatnonzero(free)
                    top = pool[np.argsort(-s[pool], kind="stable")[: int(ex["prf"])]]
                    X_train = sp.vstack([X_train, float(ex.get("prf_weight", 0.5)) * X[top]]).tocsr()
                    y_train = np.append(y_train, np.ones(len(top), dtype=y_train.dtype))
                    clf = CLASSIFIERS.create(self.spec.classifier, **dict(self.spec.classifier_params))
                    clf.fit(X_train, y_train)
                    s = clf.score(X)
                if self.spec.latent_view and self._latent is not None:
                    s = self._with_latent_view(s, idx, y)
                if cv and self._blocks is not None:
                    s = self._with_citation_view(s, idx, y)
                return s
        # cold start: similarity to what is known to be relevant
        profile = None
        if n_inc:
            profile = sp.csr_matrix(self.X[idx[y == 1]].mean(axis=0))
        if self.q is not None:
            profile = self.q if profile is None else profile + self.q
        if profile is not None and profile.nnz:
            return np.asarray((self.X @ profile.T).todense()).ravel()
        return rng.random(n)

    def _with_latent_view(self, s: np.ndarray, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Add a second score from the latent semantic (LSA) features alone.

        ``latent_view`` keys: ``scorer`` (a registered classifier, default
        ``svm``) with ``params``, fitted on the labelled rows of the dense LSA
        matrix the feature extractor built once (``lsa=k``); ``weight``: the
        z-scores are summed, ``z(s) + weight * z(latent score)``.
        """
        lv = self.spec.latent_view
        assert self._latent is not None, "latent view without latent features"
        scorer = CLASSIFIERS.create(lv.get("scorer", "svm"), **dict(lv.get("params", {})))
        Z: Any = self._latent  # dense: the linear classifiers take either
        scorer.fit(Z[idx], y)
        c = np.asarray(scorer.score(Z), dtype=np.float64)
        zs = (s - s.mean()) / (s.std() + 1e-12)
        zc = (c - c.mean()) / (c.std() + 1e-12)
        return np.asarray(zs + float(lv.get("weight", 0.5)) * zc, dtype=float)

    def _with_citation_view(self, s: np.ndarray, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Combine the main score ``s`` with a score from the citation block alone.

        ``citation_view`` keys: ``scorer`` (a registered classifier, default
        ``neighbourhood``) with ``params``, fitted on the labelled rows that have
        references; ``direct`` adds that many points per labelled include the
        record cites or is cited by; ``weight`` times ``m / (m + evidence)``
        (``m`` = labelled includes with references) times the adaptive
        citation factor when ``adaptive`` is true (its excess over 1 when
        ``"excess"``) gives the citation score's
        weight; ``combine`` ``rank`` (default: rank-normalised scores summed, a
        record without references gets the neutral rank 0.5) ``z`` (z-scores
        summed, z of the citation score over records with references) or ``scaled``
        (z of the main score plus the citation score divided by its largest magnitude).
        """
        cv = self.spec.citation_view
        assert self._blocks is not None, "citation view without a citation block"
        C = self._blocks[1]
        has = np.diff(C.indptr) > 0
        lab_has = has[idx]
        m = int((lab_has & (y == 1)).sum())
        if m < int(cv.get("min_includes", 1)) or not (lab_has & (y == 0)).any() or not has.any():
            return s
        scorer = CLASSIFIERS.create(cv.get("scorer", "neighbourhood"), **dict(cv.get("params", {})))
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            scorer.fit(C[idx[lab_has]], y[lab_has])
            c = np.asarray(scorer.score(C), dtype=float)
        d = float(cv.get("direct", 0.0))
        if d and self._links is not None:
            c = c + d * np.asarray(self._links[:, idx[y == 1]].sum(axis=1)).ravel()
            has = has | (np.asarray(self._links.sum(axis=1)).ravel() > 0)
        k = float(cv.get("evidence", 3.0))
        w = float(cv.get("weight", 1.0)) * (m / (m + k) if k > 0 else 1.0)
        adaptive = cv.get("adaptive", False)
        if adaptive and self._cit is not None:
            f = self.citation_factor
            # True: scale by the factor; "excess": only as far as references separate
            # the labelled classes better than the reference level (factor above 1)
            w *= max(f - 1.0, 0.0) if adaptive == "excess" else f
        if w <= 0:
            return s
        combine = cv.get("combine", "rank")
        if combine in ("z", "scaled"):
            zs = (s - s.mean()) / (s.std() + 1e-12)
            ch = c[has]
            zc = np.zeros(len(s))
            if combine == "z":
                zc[has] = (ch - ch.mean()) / (ch.std() + 1e-12)
            else:  # the citation score over its largest magnitude: at most w standard deviations
                zc[has] = ch / (np.abs(ch).max() + 1e-12)
            return np.asarray(zs + w * zc, dtype=float)
        rs = rank_normalise(s)
        rc = np.full(len(s), 0.5)
        rc[has] = rank_normalise(c[has])
        return rs + w * (rc - 0.5)

    def _citation_factor(self, idx: np.ndarray, y: np.ndarray) -> float:
        """Scale for the citation block: how much better references separate the
        labelled includes from the excludes than text does, shrunk toward 1.

        Separation of a block = log(mean include-include similarity / mean
        include-exclude similarity); factor = (citation separation / text
        separation) / ``ref``, clipped to [``lo``, ``hi``], then averaged with 1
        with weight ``shrink`` against (includes - 1).
        """
        p = self.spec.adaptive_citations
        assert self._cit is not None, "adaptive citations without a citation block"
        _, _, T, C, (sq_t, sq_c) = self._cit
        inc, exc = idx[y == 1], idx[y == 0]
        if len(inc) < 2:
            return float(p.get("start", 1.0))
        eps = float(p.get("eps", 1e-3))

        def sep(M: sp.csr_matrix, sq: np.ndarray) -> float:
            cI = np.asarray(M[inc].sum(axis=0)).ravel()
            cE = np.asarray(M[exc].sum(axis=0)).ravel()
            n_i, n_e = len(inc), len(exc)
            s_ii = (cI @ cI - sq[inc].sum()) / (n_i * (n_i - 1))
            s_ie = (cI @ cE) / (n_i * n_e)
            return float(np.log((s_ii + eps) / (s_ie + eps)))

        st = sep(T, sq_t)
        raw = sep(C, sq_c) / st / float(p.get("ref", 2.0)) if st > 1e-6 else 1.0
        raw = min(max(raw, float(p.get("lo", 0.0))), float(p.get("hi", 3.0)))
        k = float(p.get("shrink", 5.0))
        m = len(inc) - 1
        return (m * raw + k * float(p.get("start", 1.0))) / (m + k)

    def fit_rank(self, labels: Mapping[int, int], *, rng: np.random.Generator) -> np.ndarray:
        """Positions of the unlabelled records, most likely relevant first."""
        scores = self.scores(labels, rng=rng)
        mask = np.ones(len(self), dtype=bool)
        if labels:
            mask[np.fromiter(labels.keys(), dtype=np.intp, count=len(labels))] = False
        pool = np.flatnonzero(mask)
        if len(pool) == 0:
            return pool
        ex = self.spec.explore
        name, params = self.spec.query, dict(self.spec.query_params)
        if ex.get("query") and sum(1 for v in labels.values() if v) < int(ex.get("until_includes", 3)):
            name, params = ex["query"], dict(ex.get("query_params", {}))
        query = QUERIES.create(name, **params)
        return np.asarray(pool[query.query(scores[pool], rng)])


def _link_matrix(corpus: Corpus) -> sp.csr_matrix:
    """Symmetric 0/1 matrix of direct citation links between corpus records."""
    pos = {own: i for i, own in enumerate(corpus.ids) if own}
    rows, cols = [], []
    for i, refs in enumerate(corpus.references):
        for r in refs:
            j = pos.get(r)
            if j is not None and j != i:
                rows += [i, j]
                cols += [j, i]
    n = len(corpus)
    A = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    A.data[:] = 1.0
    return A


def rank_records(
    records: Sequence[Any],
    labels: Mapping[int, int],
    *,
    rng: np.random.Generator,
    criteria_text: str | None = None,
    model: str | ModelSpec = DEFAULT_MODEL,
) -> np.ndarray:
    """One-shot :class:`Ranker` ``(records).fit_rank(labels)``."""
    return Ranker(records, model=model, criteria_text=criteria_text).fit_rank(labels, rng=rng)
