"""One small registry type for everything realist looks up by name.

Import formats (:mod:`realist.identify.formats`) and the parts of the
ranking model (:mod:`realist.screen.ranking`) are kept in :class:`Registry`
instances.  The built-ins register themselves exactly as outside code
would, and a name can be registered only once: registering it again is
refused (a plugin silently replacing a built-in would change results)
unless ``replace=True`` says so explicitly.  Looking up an unknown name is
a user error that lists the names there are::

    from realist.registry import Registry

    COLOURS: Registry[str] = Registry("colour")
    COLOURS.register("ink", "#222")
    COLOURS.get("ink")        # '#222'
    COLOURS.get("red")        # InvalidInput: unknown colour 'red' (known: ink)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, overload

from .errors import InvalidInput

__all__ = ["Registry", "DuplicateName"]

T = TypeVar("T")


class DuplicateName(ValueError):
    """A name was registered twice without ``replace=True`` (a programming error, not a user's)."""


class Registry(Generic[T]):
    """A mapping from names to items of one kind (``kind`` names it in messages)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    @overload
    def register(self, name: str, item: T, *, replace: bool = False) -> T: ...

    @overload
    def register(self, name: str, *, replace: bool = False) -> Callable[[T], T]: ...

    def register(self, name: str, item: T | None = None, *, replace: bool = False) -> object:
        """Register ``item`` under ``name``, or, without ``item``, return a decorator that does.

        A name already registered is refused with :class:`DuplicateName`
        unless ``replace=True``.
        """
        if item is not None:
            self._add(name, item, replace)
            return item

        def decorator(obj: T) -> T:
            self._add(name, obj, replace)
            return obj

        return decorator

    def _add(self, name: str, item: T, replace: bool) -> None:
        if not name:
            raise ValueError(f"a {self.kind} needs a name")
        if name in self._items and not replace:
            raise DuplicateName(
                f"{self.kind} {name!r} is already registered ({self._items[name]!r}); pass replace=True to replace it"
            )
        self._items[name] = item

    def unregister(self, name: str) -> T:
        """Remove ``name`` and return its item (tests restore what they changed)."""
        if name not in self._items:
            raise KeyError(f"{self.kind} {name!r} is not registered")
        return self._items.pop(name)

    def get(self, name: str) -> T:
        """The item registered as ``name``; an unknown name is :class:`~realist.errors.InvalidInput`."""
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise InvalidInput(f"unknown {self.kind} {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._items)

    def items(self) -> list[tuple[str, T]]:
        """``(name, item)`` pairs, sorted by name."""
        return sorted(self._items.items(), key=lambda pair: pair[0])

    def values(self) -> list[T]:
        """The items, in order of their names."""
        return [item for _, item in self.items()]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self.names())})"
