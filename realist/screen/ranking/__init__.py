"""Active-learning ranking of unscreened records.

Stages, one module each (ASReview's split by role):
:mod:`.features` (records -> sparse matrix, text and citation links),
:mod:`.classifiers` (fit on decisions, score the rest),
:mod:`.queries` (scores -> order), composed by :mod:`.learner`
(:class:`Ranker`, :class:`RetrainSchedule`).  Each stage has a
:class:`~.registry.Registry` that outside code can add to.

Quick use::

    import numpy as np
    from realist.screen.ranking import Ranker
    ranker = Ranker(records, criteria_text="RCTs of peer navigation ...")
    order = ranker.fit_rank({0: 1, 5: 0}, rng=np.random.default_rng(1))
"""

from realist.screen.ranking.classifiers import CLASSIFIERS
from realist.screen.ranking.features import FEATURES, Corpus
from realist.screen.ranking.learner import (
    DEFAULT_MODEL,
    MODELS,
    ModelSpec,
    Ranker,
    RetrainSchedule,
    get_model,
    rank_records,
)
from realist.screen.ranking.queries import QUERIES
from realist.screen.ranking.registry import Registry

__all__ = [
    "CLASSIFIERS",
    "FEATURES",
    "QUERIES",
    "MODELS",
    "DEFAULT_MODEL",
    "Corpus",
    "ModelSpec",
    "Ranker",
    "RetrainSchedule",
    "Registry",
    "get_model",
    "rank_records",
]
