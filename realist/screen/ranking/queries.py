"""Query strategies: from scores of the unlabelled records to an order.

A query strategy is ``query(scores, rng) -> ndarray`` of positions into
``scores``, best first.  Ties are broken at random with the generator passed
in (never one created here), so equal scores do not fall back to file order.

Registered (``QUERIES``): ``max`` (most likely relevant first; the
certainty-based order suited to screening), ``uncertainty`` (closest to the
decision boundary first), ``max_random`` (``max``, but each position is taken
from a random record with probability ``p_random``), ``mixed`` (``max``, each
position taken from another strategy's order with probability ``p``).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from realist.screen.ranking.registry import FactoryRegistry

__all__ = ["QueryStrategy", "QUERIES", "MaxQuery", "UncertaintyQuery", "MaxRandomQuery", "MixedQuery"]


class QueryStrategy(Protocol):
    def query(self, scores: np.ndarray, rng: np.random.Generator) -> np.ndarray: ...


QUERIES: FactoryRegistry[QueryStrategy] = FactoryRegistry("query strategy")


def _order_desc(keys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    tiebreak = rng.random(len(keys))
    return np.lexsort((tiebreak, -np.asarray(keys, dtype=float)))


class MaxQuery:
    def query(self, scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return _order_desc(scores, rng)


class UncertaintyQuery:
    def query(self, scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return _order_desc(-np.abs(np.asarray(scores, dtype=float)), rng)


class MaxRandomQuery:
    def __init__(self, p_random: float = 0.05) -> None:
        self.p_random = p_random

    def query(self, scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        best = list(_order_desc(scores, rng))
        shuffled = list(rng.permutation(len(scores)))
        taken: set[int] = set()
        out: list[int] = []
        take_random = rng.random(len(scores)) < self.p_random
        bi = ri = 0
        for pick_random in take_random:
            source, pos = (shuffled, ri) if pick_random else (best, bi)
            while source[pos] in taken:
                pos += 1
            out.append(int(source[pos]))
            taken.add(int(source[pos]))
            if pick_random:
                ri = pos + 1
            else:
                bi = pos + 1
        return np.asarray(out, dtype=np.intp)


class MixedQuery:
    """``max``, but each position is taken with probability ``p`` from the
    ``secondary`` strategy's order (``uncertainty`` by default) - a small share
    of exploration, e.g. while few includes are known."""

    def __init__(self, p: float = 0.2, secondary: str = "uncertainty") -> None:
        self.p = p
        self.secondary = secondary

    def query(self, scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        best = list(_order_desc(scores, rng))
        other = list(QUERIES.create(self.secondary).query(scores, rng))
        taken: set[int] = set()
        out: list[int] = []
        pos = [0, 0]
        for pick_other in rng.random(len(scores)) < self.p:
            k = int(pick_other)
            source = other if k else best
            while source[pos[k]] in taken:
                pos[k] += 1
            out.append(int(source[pos[k]]))
            taken.add(int(source[pos[k]]))
        return np.asarray(out, dtype=np.intp)


QUERIES.register("max", MaxQuery)
QUERIES.register("mixed", MixedQuery)
QUERIES.register("uncertainty", UncertaintyQuery)
QUERIES.register("max_random", MaxRandomQuery)
