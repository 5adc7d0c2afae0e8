"""The appraisal stage: language and region classification of included studies.

Modules: :mod:`~realist.appraise.language`, :mod:`~realist.appraise.regions`
and :mod:`~realist.appraise.store`.  The package itself exports nothing.
"""

__all__: list[str] = []
