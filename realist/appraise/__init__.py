"""The appraisal stage: language and region classification of included studies.

``realist.appraise.appraise_language(review)`` appraises every study's
language against the review's lexicon; :func:`record_judgement` keeps a
person's judgement; :func:`record_rigour` a person's relevance-and-rigour
judgement.  Modules: :mod:`~realist.appraise.language` (pure),
:mod:`~realist.appraise.regions`, :mod:`~realist.appraise.rigour` and
:mod:`~realist.appraise.store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .language import (
        LanguageAppraisal as LanguageAppraisal,
    )
    from .language import (
        Lexicon as Lexicon,
    )
    from .language import (
        appraise_text as appraise_text,
    )
    from .language import (
        load_lexicon as load_lexicon,
    )
    from .rigour import (
        LEVELS as LEVELS,
    )
    from .rigour import (
        QualityAppraisal as QualityAppraisal,
    )
    from .rigour import (
        quality_appraisal as quality_appraisal,
    )
    from .rigour import (
        record_rigour as record_rigour,
    )
    from .rigour import (
        rigour_summary as rigour_summary,
    )
    from .store import (
        JUDGEMENTS as JUDGEMENTS,
    )
    from .store import (
        StudyLanguage as StudyLanguage,
    )
    from .store import (
        appraise_language as appraise_language,
    )
    from .store import (
        language_summary as language_summary,
    )
    from .store import (
        lexicon_for as lexicon_for,
    )
    from .store import (
        record_judgement as record_judgement,
    )

_EXPORTS = {
    "LEVELS": ".rigour",
    "QualityAppraisal": ".rigour",
    "quality_appraisal": ".rigour",
    "record_rigour": ".rigour",
    "rigour_summary": ".rigour",
    "JUDGEMENTS": ".store",
    "StudyLanguage": ".store",
    "appraise_language": ".store",
    "language_summary": ".store",
    "lexicon_for": ".store",
    "record_judgement": ".store",
    "LanguageAppraisal": ".language",
    "Lexicon": ".language",
    "appraise_text": ".language",
    "load_lexicon": ".language",
}
__all__ = [
    "JUDGEMENTS",
    "LEVELS",
    "LanguageAppraisal",
    "Lexicon",
    "QualityAppraisal",
    "StudyLanguage",
    "appraise_language",
    "appraise_text",
    "language_summary",
    "lexicon_for",
    "load_lexicon",
    "quality_appraisal",
    "record_judgement",
    "record_rigour",
    "rigour_summary",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
