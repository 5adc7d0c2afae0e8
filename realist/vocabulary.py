"""Names shared by every stage: the kinds of code and the roles of a CMO
configuration.  Defined once here; the codebook, CMOCs, synthesis and the
report read them from this module."""

from __future__ import annotations

__all__ = ["CODE_KINDS", "CMO_ROLES", "REQUIRED_CMO_ROLES"]

#: Every code has one of these kinds (``other`` for codes outside the CMO frame).
CODE_KINDS: tuple[str, ...] = ("intervention", "context", "mechanism", "outcome", "other")

#: The elements of a context–mechanism–outcome configuration, in reading order.
CMO_ROLES: tuple[str, ...] = ("intervention", "context", "mechanism", "outcome")

#: The roles a CMOC must fill (context is optional).
REQUIRED_CMO_ROLES: tuple[str, ...] = ("intervention", "mechanism", "outcome")
