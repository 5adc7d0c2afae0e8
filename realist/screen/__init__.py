"""The screening stage: decisions, work queues, ranking, agreement and stopping.

Everything a client does to a review's screening is a function here, e.g.
``realist.screen.decide(review, 17, "include", reviewer="ana")``:
assignment (:func:`assign`), decisions (:func:`decide`, :func:`retract`),
blinding (:func:`visible_decisions`), conflicts and resolutions
(:func:`conflicts`, :func:`resolve`), progress (:func:`progress`), the
active-learning queue (:func:`next_records`), the stopping rule
(:func:`stopping_estimate`, :func:`start_sampling`) and agreement
(:func:`review_agreement`).  ``realist.screen.simulate`` is the module that
replays screening on labelled data (:func:`realist.screen.simulate.simulate`).  Modules: :mod:`~realist.screen.decisions`,
:mod:`~realist.screen.queue`, :mod:`~realist.screen.ranking`,
:mod:`~realist.screen.agreement`, :mod:`~realist.screen.stopping` and
:mod:`~realist.screen.simulate`.  Names load lazily: importing the package
does not import scikit-learn or SciPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .agreement import (
        AgreementReport as AgreementReport,
    )
    from .agreement_store import (
        review_agreement as review_agreement,
    )
    from .agreement_store import (
        review_agreement_over_time as review_agreement_over_time,
    )
    from .decisions import (
        ASSIGN_MODES as ASSIGN_MODES,
    )
    from .decisions import (
        DECISIONS as DECISIONS,
    )
    from .decisions import (
        STAGES as STAGES,
    )
    from .decisions import (
        DecisionOutcome as DecisionOutcome,
    )
    from .decisions import (
        RecordStatus as RecordStatus,
    )
    from .decisions import (
        ResolutionOutcome as ResolutionOutcome,
    )
    from .decisions import (
        ReviewerProgress as ReviewerProgress,
    )
    from .decisions import (
        ScreeningProgress as ScreeningProgress,
    )
    from .decisions import (
        assign as assign,
    )
    from .decisions import (
        conflicts as conflicts,
    )
    from .decisions import (
        decide as decide,
    )
    from .decisions import (
        eligible_records as eligible_records,
    )
    from .decisions import (
        exclusion_criteria as exclusion_criteria,
    )
    from .decisions import (
        progress as progress,
    )
    from .decisions import (
        resolve as resolve,
    )
    from .decisions import (
        retract as retract,
    )
    from .decisions import (
        statuses as statuses,
    )
    from .decisions import (
        visible_decisions as visible_decisions,
    )
    from .queue import (
        SamplingStarted as SamplingStarted,
    )
    from .queue import (
        next_records as next_records,
    )
    from .queue import (
        start_sampling as start_sampling,
    )
    from .queue import (
        stopping_estimate as stopping_estimate,
    )
    from .simulate import (
        SimulationResult as SimulationResult,
    )
    from .simulate import (
        load_labelled_csv as load_labelled_csv,
    )
    from .stopping import (
        StoppingEstimate as StoppingEstimate,
    )

_EXPORTS = {
    "ASSIGN_MODES": ".decisions",
    "ScreeningProgress": ".decisions",
    "ReviewerProgress": ".decisions",
    "ResolutionOutcome": ".decisions",
    "DecisionOutcome": ".decisions",
    "DECISIONS": ".decisions",
    "RecordStatus": ".decisions",
    "STAGES": ".decisions",
    "assign": ".decisions",
    "conflicts": ".decisions",
    "decide": ".decisions",
    "eligible_records": ".decisions",
    "exclusion_criteria": ".decisions",
    "progress": ".decisions",
    "resolve": ".decisions",
    "retract": ".decisions",
    "statuses": ".decisions",
    "visible_decisions": ".decisions",
    "next_records": ".queue",
    "SamplingStarted": ".queue",
    "start_sampling": ".queue",
    "stopping_estimate": ".queue",
    "StoppingEstimate": ".stopping",
    "review_agreement": ".agreement_store",
    "review_agreement_over_time": ".agreement_store",
    "AgreementReport": ".agreement",
    "SimulationResult": ".simulate",
    "load_labelled_csv": ".simulate",
}
__all__ = [
    "ASSIGN_MODES",
    "AgreementReport",
    "DECISIONS",
    "DecisionOutcome",
    "RecordStatus",
    "ResolutionOutcome",
    "ReviewerProgress",
    "STAGES",
    "SamplingStarted",
    "ScreeningProgress",
    "SimulationResult",
    "StoppingEstimate",
    "assign",
    "conflicts",
    "decide",
    "eligible_records",
    "exclusion_criteria",
    "load_labelled_csv",
    "next_records",
    "progress",
    "resolve",
    "retract",
    "review_agreement",
    "review_agreement_over_time",
    "start_sampling",
    "statuses",
    "stopping_estimate",
    "visible_decisions",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
