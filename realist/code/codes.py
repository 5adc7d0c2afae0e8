"""The codebook's data model: :class:`Code`, :class:`Codebook` and
:func:`parse_codebook` (validation of the protocol's ``codebook`` list).

Pure: no files, no review store.  :mod:`realist.code.codebook` keeps the
codebook in the protocol and reads and writes CSV and REFI-QDA files
(:mod:`realist.code.qdc`); both build on this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput
from ..vocabulary import CMO_ROLES, CODE_KINDS

__all__ = ["KINDS", "CMO_KINDS", "Code", "Codebook", "parse_codebook", "slugify"]

KINDS = CODE_KINDS
CMO_KINDS = CMO_ROLES
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KNOWN_KEYS = {"id", "name", "kind", "definition", "aliases", "codable", "children"}


def slugify(text: str) -> str:
    """A code id from a name: ``"Trust, empathy & commitment"`` -> ``trust-empathy-commitment``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:100] or "code"


@dataclass
class Code:
    """One code of the tree; ``parent`` is the parent's id (None for a root)."""

    id: str
    name: str
    kind: str
    definition: str = ""
    aliases: list[str] = field(default_factory=list)
    codable: bool = True
    parent: str | None = None
    children: list[Code] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The protocol form (nested; optional keys only when set)."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind, "definition": self.definition}
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if not self.codable:
            out["codable"] = False
        if self.children:
            out["children"] = [c.to_dict() for c in self.children]
        return out


@dataclass
class Codebook:
    """A validated tree of codes; ``roots`` in protocol order."""

    roots: list[Code] = field(default_factory=list)

    def __iter__(self) -> Iterator[Code]:
        """Every code, depth first, parents before children."""
        stack = list(reversed(self.roots))
        while stack:
            code = stack.pop()
            yield code
            stack.extend(reversed(code.children))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self.by_id()

    def by_id(self) -> dict[str, Code]:
        return {c.id: c for c in self}

    def get(self, code_id: str) -> Code | None:
        return self.by_id().get(code_id)

    def require(self, code_id: str, *, kind: str | None = None) -> Code:
        """The code ``code_id``; an unknown code (or one of another kind) is an error."""
        code = self.get(code_id)
        if code is None:
            hint = ""
            close = [c.id for c in self if code_id.lower() in c.id or code_id.lower() in c.name.lower()]
            if close:
                hint = f" (did you mean {', '.join(close[:5])}?)"
            raise InvalidInput(f"unknown code {code_id!r}: it is not in the codebook{hint}")
        if kind is not None and code.kind != kind:
            raise InvalidInput(f"code {code_id!r} is a {code.kind} code, not a {kind} code")
        return code

    def ancestors(self, code_id: str) -> list[Code]:
        """Parent first, root last."""
        index = self.by_id()
        out = []
        code = index.get(code_id)
        while code is not None and code.parent is not None:
            code = index.get(code.parent)
            if code is not None:
                out.append(code)
        return out

    def descendants(self, code_id: str) -> list[Code]:
        code = self.get(code_id)
        if code is None:
            return []
        return [c for c in Codebook(code.children)]

    def rollup(self, code_id: str) -> str:
        """The highest codable ancestor of a code (itself when none is)."""
        top = code_id
        for anc in self.ancestors(code_id):
            if anc.codable:
                top = anc.id
        return top

    def to_list(self) -> list[dict[str, Any]]:
        """The protocol form: a list of nested dicts."""
        return [c.to_dict() for c in self.roots]

    def flat(self) -> list[dict[str, Any]]:
        """One dict per code (``parent`` instead of ``children``), depth first."""
        return [
            {
                "id": c.id,
                "parent": c.parent,
                "name": c.name,
                "kind": c.kind,
                "definition": c.definition,
                "aliases": list(c.aliases),
                "codable": c.codable,
            }
            for c in self
        ]


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "true", "yes", "1", "y"):
        return True
    if text in ("false", "no", "0", "n"):
        return False
    raise InvalidInput(f"{where}: 'codable' must be yes or no, not {value!r}")


def _as_aliases(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [a.strip() for a in value.split(";") if a.strip()]
    if isinstance(value, (list, tuple)):
        return [str(a).strip() for a in value if str(a).strip()]
    raise InvalidInput(f"{where}: 'aliases' must be a list of strings")


def parse_codebook(data: Any, *, where: str = "codebook") -> Codebook:
    """Validate the protocol's ``codebook`` list into a :class:`Codebook`.

    Errors name the code (by id, or by position when it has none) and what is
    wrong: a missing name, an unknown kind, a duplicate or malformed id, an
    unknown key.
    """
    if data is None:
        return Codebook([])
    if not isinstance(data, list):
        raise InvalidInput(f"{where}: must be a list of codes")
    seen: dict[str, str] = {}

    def build(item: Any, path: str, parent: Code | None) -> Code:
        if not isinstance(item, Mapping):
            raise InvalidInput(f"{where}: {path} must be a mapping with id, name, kind, definition")
        label = f"code {item['id']!r}" if item.get("id") else path
        unknown = set(map(str, item)) - _KNOWN_KEYS
        if unknown:
            raise InvalidInput(
                f"{where}: {label} has unknown key(s) {', '.join(sorted(unknown))} "
                f"(keys are {', '.join(sorted(_KNOWN_KEYS))})"
            )
        name = str(item.get("name") or "").strip()
        if not name:
            raise InvalidInput(f"{where}: {label} has no name")
        code_id = str(item.get("id") or "").strip()
        if not code_id:
            raise InvalidInput(f"{where}: {label} ({name!r}) has no id (e.g. {slugify(name)!r})")
        if not _ID_RE.match(code_id) or len(code_id) > 100:
            raise InvalidInput(
                f"{where}: code {code_id!r} has a malformed id: use lower-case letters, "
                f"digits and hyphens (e.g. {slugify(code_id)!r})"
            )
        if code_id in seen:
            raise InvalidInput(f"{where}: code {code_id!r} appears twice (ids must be unique)")
        seen[code_id] = name
        kind = str(item.get("kind") or (parent.kind if parent else "")).strip()
        if not kind:
            raise InvalidInput(f"{where}: code {code_id!r} has no kind (one of {', '.join(KINDS)})")
        if kind not in KINDS:
            raise InvalidInput(f"{where}: code {code_id!r} has unknown kind {kind!r} (kinds are {', '.join(KINDS)})")
        definition = item.get("definition")
        code = Code(
            id=code_id,
            name=name,
            kind=kind,
            definition="" if definition is None else str(definition).strip(),
            aliases=_as_aliases(item.get("aliases"), f"{where}: code {code_id!r}"),
            codable=_as_bool(item.get("codable", True), f"{where}: code {code_id!r}"),
            parent=parent.id if parent else None,
        )
        children = item.get("children") or []
        if not isinstance(children, list):
            raise InvalidInput(f"{where}: code {code_id!r}: 'children' must be a list")
        code.children = [build(child, f"{path}.children[{i}]", code) for i, child in enumerate(children)]
        return code

    return Codebook([build(item, f"codebook[{i}]", None) for i, item in enumerate(data)])
