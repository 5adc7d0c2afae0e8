"""Registries for the pluggable parts of the ranking model.

Feature extractors, classifiers, query strategies and whole named models are
each registered by name in a :class:`FactoryRegistry` (the package-wide
:class:`realist.registry.Registry` holding factories).  The built-ins
register themselves exactly as outside code would::

    from realist.screen.ranking import CLASSIFIERS

    @CLASSIFIERS.register("my_forest")
    def make_forest(**params):
        return MyForest(**params)

A registered object is a *factory*: a callable that takes keyword parameters
and returns a fresh component.  ``REGISTRY.create(name, **params)`` builds one.
A name registered twice is refused unless ``replace=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from realist.registry import Registry

__all__ = ["FactoryRegistry", "Registry"]

T = TypeVar("T")


class FactoryRegistry(Registry[Callable[..., T]]):
    """Factories of one kind of component, keyed by name."""

    def create(self, name: str, **params: Any) -> T:
        """A fresh component from the factory registered as ``name``."""
        return self.get(name)(**params)
