"""One small registry for the pluggable parts of the ranking model.

Feature extractors, classifiers, query strategies and whole named models are
each registered by name in a :class:`Registry`.  The built-ins register
themselves exactly as outside code would::

    from realist.screen.ranking import CLASSIFIERS

    @CLASSIFIERS.register("my_forest")
    def make_forest(**params):
        return MyForest(**params)

A registered object is a *factory*: a callable that takes keyword parameters
and returns a fresh component.  ``REGISTRY.create(name, **params)`` builds one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from realist.errors import InvalidInput

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Factories of one kind of component, keyed by name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}

    def register(
        self, name: str, factory: Callable[..., T] | None = None, *, replace: bool = False
    ) -> Any:
        """Register ``factory`` under ``name``; usable as a decorator.

        Registering a name twice is refused unless ``replace=True``.
        """

        def add(fn: Callable[..., T]) -> Callable[..., T]:
            if name in self._factories and not replace:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._factories[name] = fn
            return fn

        return add(factory) if factory is not None else add

    def get(self, name: str) -> Callable[..., T]:
        try:
            return self._factories[name]
        except KeyError:
            known = ", ".join(sorted(self._factories)) or "none"
            raise InvalidInput(f"unknown {self.kind} {name!r} (known: {known})") from None

    def create(self, name: str, **params: Any) -> T:
        return self.get(name)(**params)

    def names(self) -> list[str]:
        return sorted(self._factories)

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
