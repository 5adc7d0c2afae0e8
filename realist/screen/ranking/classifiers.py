"""Classifiers: learn include/exclude from the labelled rows, score the rest.

A classifier has ``fit(X, y)`` (``y`` 0/1, both classes present) and
``score(X) -> ndarray`` (higher = more likely relevant; any monotone scale).
Class imbalance is handled inside each classifier by sample weights under
which the included class as a whole weighs ``ratio`` times the excluded class
(``ratio=1``: balanced; ASReview's "balanced" balancer uses the same
convention).

Registered (``CLASSIFIERS``): ``logistic``, ``svm`` (linear; ``loss`` squared hinge or
hinge), ``sgd`` (linear, stochastic gradient descent), ``nb``
(multinomial naive Bayes), ``ensemble`` (rank-averaged members),
``neighbourhood`` (similarity to the labelled includes minus to the excludes;
meant for the citation block, see ``citation_view`` in :mod:`.learner`).
Liblinear-based models use a fixed ``random_state`` so a seeded simulation
is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from realist.screen.ranking.registry import FactoryRegistry

__all__ = [
    "Classifier",
    "CLASSIFIERS",
    "Logistic",
    "LinearSVM",
    "SGDLinear",
    "NaiveBayes",
    "balanced_weights",
    "Ensemble",
    "rank_normalise",
    "CitationNeighbourhood",
    "CitationPropagation",
]


class Classifier(Protocol):
    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> Classifier: ...

    def score(self, X: sp.csr_matrix) -> np.ndarray: ...


CLASSIFIERS: FactoryRegistry[Classifier] = FactoryRegistry("classifier")


def balanced_weights(y: np.ndarray, ratio: float = 1.0) -> np.ndarray:
    """Sample weights: the included class totals ``ratio`` times the excluded class.

    Normalised so the weights sum to ``len(y)``.
    """
    y = np.asarray(y)
    n1 = max(int((y == 1).sum()), 1)
    n0 = max(int((y == 0).sum()), 1)
    w = np.where(y == 1, 1.0 / n1, 1.0 / (ratio * n0))
    return np.asarray(w * (len(y) / w.sum()), dtype=float)


class Logistic:
    def __init__(self, C: float = 1.0, ratio: float = 1.0) -> None:
        self.C = C
        self.ratio = ratio
        self.model = LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=0)

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> Logistic:
        self.model.fit(X, y, sample_weight=balanced_weights(y, self.ratio))
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(self.model.decision_function(X), dtype=float)


class LinearSVM:
    """Linear SVM (liblinear); ``loss`` ``squared_hinge`` (default) or ``hinge``."""

    def __init__(self, C: float = 0.1, ratio: float = 1.0, loss: str = "squared_hinge", tol: float = 1e-4) -> None:
        self.ratio = ratio
        self.model = LinearSVC(
            C=C, loss=loss, max_iter=5000, tol=tol, random_state=0, dual=True if loss == "hinge" else "auto"
        )

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> LinearSVM:
        self.model.fit(X, y, sample_weight=balanced_weights(y, self.ratio))
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(self.model.decision_function(X), dtype=float)


class SGDLinear:
    """Linear model by stochastic gradient descent (``loss`` hinge / log_loss / modified_huber)."""

    def __init__(
        self, alpha: float = 1e-4, ratio: float = 1.0, loss: str = "hinge", max_iter: int = 20, seed: int = 0
    ) -> None:
        from sklearn.linear_model import SGDClassifier

        self.ratio = ratio
        self.model = SGDClassifier(loss=loss, alpha=alpha, max_iter=max_iter, tol=None, random_state=seed)

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> SGDLinear:
        self.model.fit(X, y, sample_weight=balanced_weights(y, self.ratio))
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(self.model.decision_function(X), dtype=float)


class NaiveBayes:
    def __init__(self, alpha: float = 3.8, ratio: float = 1.0) -> None:
        self.ratio = ratio
        self.model = MultinomialNB(alpha=alpha)

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> NaiveBayes:
        self.model.fit(X, y, sample_weight=balanced_weights(y, self.ratio))
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        log_p = self.model.predict_log_proba(X)
        return np.asarray(log_p[:, 1] - log_p[:, 0], dtype=float)


def rank_normalise(scores: np.ndarray) -> np.ndarray:
    """Scores mapped to their ranks in (0, 1] (ties share the mean rank)."""
    from scipy.stats import rankdata

    scores = np.asarray(scores, dtype=float)
    return rankdata(scores) / max(len(scores), 1)


class Ensemble:
    """Average of rank-normalised scores of several classifiers.

    ``members`` is a sequence of ``(name, params)``; ``weights`` (default
    equal) weigh their rank-normalised scores.
    """

    def __init__(
        self,
        members: Sequence[tuple[str, Mapping[str, Any]]] = (("svm", {"C": 1.0}), ("nb", {"alpha": 3.8})),
        weights: Sequence[float] | None = None,
    ) -> None:
        self.members = [(name, dict(params)) for name, params in members]
        self.weights = list(weights) if weights is not None else [1.0] * len(self.members)
        self.models: list[Classifier] = []

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> Ensemble:
        self.models = []
        for name, params in self.members:
            self.models.append(CLASSIFIERS.create(name, **params).fit(X, y))
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        total = np.zeros(X.shape[0])
        for w, model in zip(self.weights, self.models):
            total += w * rank_normalise(model.score(X))
        return total / sum(self.weights)


CLASSIFIERS.register("logistic", Logistic)
CLASSIFIERS.register("svm", LinearSVM)
CLASSIFIERS.register("nb", NaiveBayes)
CLASSIFIERS.register("sgd", SGDLinear)
CLASSIFIERS.register("ensemble", Ensemble)


class CitationNeighbourhood:
    """Neighbourhood score on a (citation) bag: similarity to the labelled includes
    minus ``beta`` times similarity to the labelled excludes.

    Meant for the citation block (idf-weighted, l2 rows of shared references and
    own ids), where a linear model with few includes cannot exploit a handful of
    sparse shared references.  ``agg``: ``mean`` (similarity to the class
    centroid: the share of a record's references shared with that class),
    ``max`` (nearest labelled record of the class) or ``topk`` (mean of the ``k``
    most similar).  Labelled rows with an empty bag are ignored.
    """

    def __init__(self, agg: str = "mean", beta: float = 1.0, k: int = 3) -> None:
        self.agg = agg
        self.beta = beta
        self.k = k
        self.inc: sp.csr_matrix | None = None
        self.exc: sp.csr_matrix | None = None

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> CitationNeighbourhood:
        X = sp.csr_matrix(X)
        y = np.asarray(y)
        has = np.diff(X.indptr) > 0
        self.inc = X[(y == 1) & has]
        self.exc = X[(y == 0) & has]
        return self

    def _sim(self, X: sp.csr_matrix, M: sp.csr_matrix | None) -> np.ndarray:
        if M is None or M.shape[0] == 0:
            return np.zeros(X.shape[0])
        if self.agg == "mean":
            centroid = np.asarray(M.mean(axis=0)).ravel()
            return np.asarray(X @ centroid).ravel()
        S = (X @ M.T).toarray()
        if self.agg == "max":
            return np.asarray(S.max(axis=1), dtype=float)
        k = min(self.k, S.shape[1])
        return np.asarray(np.sort(S, axis=1)[:, -k:].mean(axis=1), dtype=float)

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        X = sp.csr_matrix(X)
        return self._sim(X, self.inc) - self.beta * self._sim(X, self.exc)


CLASSIFIERS.register("neighbourhood", CitationNeighbourhood)


class CitationPropagation(CitationNeighbourhood):
    """The neighbourhood score spread one step further over the whole candidate set.

    With ``S = X X^T`` the bibliographic-coupling graph of *all* records (shared
    references, own ids: citation links), the first-order score ``s`` (as
    :class:`CitationNeighbourhood`) is propagated once: ``s + alpha * z(S s - s)``,
    the second term rescaled to the spread of ``s``.  A record coupled to records
    that are coupled to labelled includes rises even when it shares nothing with
    the includes themselves.  ``S`` is never formed: ``X (X^T s)``.
    """

    def __init__(self, agg: str = "mean", beta: float = 1.0, k: int = 3, alpha: float = 0.5) -> None:
        super().__init__(agg=agg, beta=beta, k=k)
        self.alpha = alpha

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        X = sp.csr_matrix(X)
        s = super().score(X)
        self_sim = np.asarray(X.multiply(X).sum(axis=1)).ravel()
        spread = np.asarray(X @ (X.T @ s)).ravel() - self_sim * s
        sd_s, sd_p = float(s.std()), float(spread.std())
        if sd_p <= 0 or sd_s <= 0:
            return s
        return np.asarray(s + self.alpha * spread * (sd_s / sd_p), dtype=float)


CLASSIFIERS.register("propagation", CitationPropagation)


class CitationLabelPropagation(CitationNeighbourhood):
    """The neighbourhood score propagated to convergence over the whole candidate set.

    Label spreading (Zhou et al. 2004, "Learning with local and global
    consistency"): with ``W = X X^T`` (diagonal removed) the coupling graph of
    *all* records and ``S = D^-1/2 W D^-1/2`` its normalised form, the seed
    ``s`` (the first-order neighbourhood score, as
    :class:`CitationNeighbourhood`) is spread by ``F <- alpha S F + (1 - alpha) s``
    for ``iterations`` steps (``alpha**iterations`` of the seed's echo is left).
    ``S`` is never formed: ``X (X^T v)``.
    """

    def __init__(
        self, agg: str = "mean", beta: float = 1.0, k: int = 3, alpha: float = 0.8, iterations: int = 20
    ) -> None:
        super().__init__(agg=agg, beta=beta, k=k)
        self.alpha = alpha
        self.iterations = iterations

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        X = sp.csr_matrix(X)
        s = super().score(X)
        self_sim = np.asarray(X.multiply(X).sum(axis=1)).ravel()
        degree = np.asarray(X @ (X.T @ np.ones(X.shape[0]))).ravel() - self_sim
        inv = np.zeros_like(degree)
        inv[degree > 1e-12] = 1.0 / np.sqrt(degree[degree > 1e-12])
        f = s.copy()
        for _ in range(self.iterations):
            v = inv * f
            f = self.alpha * inv * (np.asarray(X @ (X.T @ v)).ravel() - self_sim * v) + (1 - self.alpha) * s
        return np.asarray(f, dtype=float)


CLASSIFIERS.register("label_propagation", CitationLabelPropagation)
