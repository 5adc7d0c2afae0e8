"""The synthesis stage: :mod:`~realist.synthesise.synth`, :mod:`~realist.synthesise.claims`,
:mod:`~realist.synthesise.income` and :mod:`~realist.synthesise.store`.  The package
itself exports nothing.
"""

__all__: list[str] = []
