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
    from .store import (
        JUDGEMENTS as JUDGEMENTS,
        StudyLanguage as StudyLanguage,
        appraise_language as appraise_language,
        language_summary as language_summary,
        lexicon_for as lexicon_for,
        record_judgement as record_judgement,
    )
    from .rigour import (
        LEVELS as LEVELS,
        QualityAppraisal as QualityAppraisal,
        quality_appraisal as quality_appraisal,
        record_rigour as record_rigour,
        rigour_summary as rigour_summary,
    )
    from .language import (
        LanguageAppraisal as LanguageAppraisal,
        Lexicon as Lexicon,
        appraise_text as appraise_text,
        load_lexicon as load_lexicon,
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
