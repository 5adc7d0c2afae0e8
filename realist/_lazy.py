"""Lazy re-exports for the stage packages (PEP 562).

``realist.screen.decide`` is the public name of
``realist.screen.decisions.decide``; the package imports the submodule only
when the name is first used, so ``import realist.cli`` (and ``realist
--help``) does not load scikit-learn, SciPy, matplotlib or the report
renderers.  Type checkers see the same names through each package's
``if TYPE_CHECKING:`` imports.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: name -> relative submodule holding it.

    A name that is not exported but is a submodule (``realist.identify.formats``)
    is imported as one, as attribute access on an eagerly importing package
    would have found it.
    """

    def __getattr__(name: str) -> Any:
        submodule = exports.get(name)
        if submodule is None:
            if not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}") is not None:
                return importlib.import_module(f"{package}.{name}")
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(submodule, package), name)
        setattr(sys.modules[package], name, value)  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__
