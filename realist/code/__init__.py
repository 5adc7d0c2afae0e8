"""The code stage: codebook, studies, codings with validation, CMO configurations.

Modules: :mod:`~realist.code.codebook` (the tree of codes in the protocol,
CSV and the template), :mod:`~realist.code.qdc` (REFI-QDA ``.qdc``
exchange), :mod:`~realist.code.studies`, :mod:`~realist.code.coding`
(excerpts, codings, second-coder validation, agreement) and
:mod:`~realist.code.cmoc` (CMOCs and the programme theory).  See
docs/coding.md.
"""

__all__: list[str] = []
