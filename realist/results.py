"""Typed results: what the library's functions return instead of ``dict[str, Any]``.

Every result is a frozen dataclass with :meth:`Result.to_dict`, the JSON
form that ``realist ... --json`` prints and the web app serves; its fields
are the JSON fields (tests pin them, see docs/python-api.md).

For callers written against the earlier dict results, ``result["field"]``
and ``result.get("field")`` still work (read-only).  New code uses the
attributes: ``progress.included``, not ``progress["included"]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

__all__ = ["Result", "plain"]


def plain(value: Any) -> Any:
    """``value`` with every nested result turned into JSON-ready dicts and lists."""
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class Result:
    """Base of the typed results (each subclass is a frozen dataclass)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: one key per field, nested results as dicts, tuples as lists."""
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def keys(self) -> list[str]:
        """The field names (dict-style, for callers of the earlier dict results)."""
        return [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def __getitem__(self, key: str) -> Any:
        """Read-only dict-style access, for callers of the earlier dict results."""
        if key not in self.keys():
            raise KeyError(key)
        return plain(getattr(self, key))

    def get(self, key: str, default: Any = None) -> Any:
        """Dict-style ``get``, for callers of the earlier dict results."""
        try:
            return self[key]
        except KeyError:
            return default
