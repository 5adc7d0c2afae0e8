"""The synthesis stage: derived, never typed in.

``realist.synthesise.synthesis(review)`` is the whole synthesis (counts of
studies per code with citations, characteristics, crosstabs, recurring CMO
configurations; schema ``realist.synthesis/1`` in docs/synthesis.md);
:func:`check_review_manuscript` checks a manuscript's claims against it.
Modules: :mod:`~realist.synthesise.synth` (pure),
:mod:`~realist.synthesise.claims`, :mod:`~realist.synthesise.income` and
:mod:`~realist.synthesise.store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .claims import (
        Finding as Finding,
    )
    from .claims import (
        check_manuscript as check_manuscript,
    )
    from .claims import (
        read_manuscript as read_manuscript,
    )
    from .store import (
        check_review_manuscript as check_review_manuscript,
    )
    from .store import (
        gather as gather,
    )
    from .store import (
        synthesis as synthesis,
    )
    from .synth import (
        SCHEMA as SCHEMA,
    )
    from .synth import (
        SynthInput as SynthInput,
    )
    from .synth import (
        synthesise as synthesise,
    )

_EXPORTS = {
    "check_review_manuscript": ".store",
    "gather": ".store",
    "synthesis": ".store",
    "SCHEMA": ".synth",
    "SynthInput": ".synth",
    "synthesise": ".synth",
    "Finding": ".claims",
    "check_manuscript": ".claims",
    "read_manuscript": ".claims",
}
__all__ = [
    "Finding",
    "SCHEMA",
    "SynthInput",
    "check_manuscript",
    "check_review_manuscript",
    "gather",
    "read_manuscript",
    "synthesis",
    "synthesise",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
