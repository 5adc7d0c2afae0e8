"""The synthesis stage: derived, never typed in.

``realist.synthesise.synthesis(review)`` is the whole synthesis (counts of
studies per code with citations, characteristics, crosstabs, recurring CMO
configurations; schema ``realist.synthesis/1`` in docs/synthesis.md);
:func:`check_review_manuscript` checks a manuscript's claims against it.
Modules: :mod:`~realist.synthesise.synth` (pure),
:mod:`~realist.synthesise.claims`, :mod:`~realist.synthesise.evidence` (what lies
behind one number), :mod:`~realist.synthesise.income` and
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
    from .claims import (
        read_manuscript_bytes as read_manuscript_bytes,
    )
    from .evidence import (
        evidence as evidence,
    )
    from .store import (
        check_review_manuscript as check_review_manuscript,
    )
    from .store import (
        check_review_text as check_review_text,
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
    "check_review_text": ".store",
    "evidence": ".evidence",
    "read_manuscript_bytes": ".claims",
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
    "check_review_text",
    "evidence",
    "gather",
    "read_manuscript",
    "read_manuscript_bytes",
    "synthesis",
    "synthesise",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
