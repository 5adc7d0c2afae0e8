"""The codebook: a tree of codes kept in the protocol (``codebook:`` in protocol.yaml).

Each code has a stable ``id`` (a slug: lower-case letters, digits and
hyphens), a ``name``, a ``kind`` (``intervention``, ``context``,
``mechanism``, ``outcome`` or ``other``), a ``definition``, optional
``aliases`` (synonyms used in manuscripts, read by the claims check),
``codable`` (False for grouping nodes that only hold children; default True)
and ``children``.  A child without a ``kind`` inherits its parent's.

Public functions (all return plain objects):

* :func:`parse_codebook` — validate protocol data (a list of dicts) into a
  :class:`Codebook`; errors are :class:`~realist.errors.InvalidInput` naming
  the code and what is wrong.
* :func:`load_codebook` — the review's codebook, from its protocol.
* :func:`save_codebook` — write a codebook into the protocol (logged).
* :func:`template` / :func:`install_template` — the packaged ``realist``
  template, built from the reference review's framework.
* :func:`import_codebook` / :func:`export_codebook` — CSV or REFI-QDA
  (``.qdc``) files; see :mod:`realist.code.qdc` and docs/coding.md.
* :func:`codebook_to_csv` / :func:`codebook_from_csv` — the CSV form.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from ..errors import ImportFormatError, InvalidInput
from ..protocol import read_protocol
from ..review import ReviewHandle

__all__ = [
    "KINDS",
    "CMO_KINDS",
    "CSV_COLUMNS",
    "Code",
    "Codebook",
    "parse_codebook",
    "load_codebook",
    "save_codebook",
    "template",
    "TEMPLATES",
    "install_template",
    "import_codebook",
    "export_codebook",
    "codebook_to_csv",
    "codebook_from_csv",
    "slugify",
]

KINDS = ("intervention", "context", "mechanism", "outcome", "other")
CMO_KINDS = ("intervention", "context", "mechanism", "outcome")
CSV_COLUMNS = ("id", "parent", "name", "kind", "definition", "aliases", "codable")
TEMPLATES = ("realist",)
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
    children: list["Code"] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The protocol form (nested; optional keys only when set)."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind,
                               "definition": self.definition}
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
        return [{"id": c.id, "parent": c.parent, "name": c.name, "kind": c.kind,
                 "definition": c.definition, "aliases": list(c.aliases), "codable": c.codable}
                for c in self]


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
            raise InvalidInput(f"{where}: {label} has unknown key(s) {', '.join(sorted(unknown))} "
                               f"(keys are {', '.join(sorted(_KNOWN_KEYS))})")
        name = str(item.get("name") or "").strip()
        if not name:
            raise InvalidInput(f"{where}: {label} has no name")
        code_id = str(item.get("id") or "").strip()
        if not code_id:
            raise InvalidInput(f"{where}: {label} ({name!r}) has no id (e.g. {slugify(name)!r})")
        if not _ID_RE.match(code_id) or len(code_id) > 100:
            raise InvalidInput(f"{where}: code {code_id!r} has a malformed id: use lower-case letters, "
                               f"digits and hyphens (e.g. {slugify(code_id)!r})")
        if code_id in seen:
            raise InvalidInput(f"{where}: code {code_id!r} appears twice (ids must be unique)")
        seen[code_id] = name
        kind = str(item.get("kind") or (parent.kind if parent else "")).strip()
        if not kind:
            raise InvalidInput(f"{where}: code {code_id!r} has no kind (one of {', '.join(KINDS)})")
        if kind not in KINDS:
            raise InvalidInput(f"{where}: code {code_id!r} has unknown kind {kind!r} "
                               f"(kinds are {', '.join(KINDS)})")
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


def load_codebook(review: ReviewHandle) -> Codebook:
    """The review's codebook as its protocol holds it now."""
    return parse_codebook(review.protocol().get("codebook"), where=str(review.protocol_path))


def _codes_in_use(review: ReviewHandle) -> set[str]:
    from ..store.coding_models import CmocElement, Coding

    with review.session() as session:
        used = set(session.scalars(select(Coding.code).where(Coding.review_id == review.review_id)))
        used |= set(session.scalars(select(CmocElement.code).where(CmocElement.review_id == review.review_id)))
    return used


def save_codebook(review: ReviewHandle, codebook: Codebook, *, action: str = "codebook.changed",
                  allow_removal: bool = False, **payload: Any) -> Codebook:
    """Write ``codebook`` into protocol.yaml and log ``action``.

    Removing (or renaming the id of) a code that codings or CMOCs use is
    refused unless ``allow_removal`` — they would point at nothing.
    """
    codebook = parse_codebook(codebook.to_list())  # re-validate, whatever built it
    missing = sorted(_codes_in_use(review) - set(codebook.by_id()))
    if missing and not allow_removal:
        raise InvalidInput(
            f"the new codebook lacks code(s) in use by codings or CMOCs: {', '.join(missing)}; "
            "keep them (same id) or allow their removal",
            field="allow_removal", key="codes-in-use",
        )
    data = read_protocol(review.protocol_path)
    data["codebook"] = codebook.to_list()
    review.write_protocol(data)  # logs protocol.changed with the new version
    with review.session() as session:
        review.log(session, action, entity="codebook", codes=len(codebook), **payload)
    return codebook


def template(name: str = "realist") -> Codebook:
    """A packaged codebook template (``realist``: the reference review's framework)."""
    if name not in TEMPLATES:
        raise InvalidInput(f"unknown codebook template {name!r} (templates: {', '.join(TEMPLATES)})")
    path = resources.files("realist.code").joinpath(f"data/{name}_codebook.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return parse_codebook(data.get("codebook"), where=f"template {name}")


def install_template(review: ReviewHandle, name: str = "realist", *, replace: bool = False) -> Codebook:
    """Write a template into the protocol; a non-empty codebook needs ``replace``."""
    current = load_codebook(review)
    if len(current) and not replace:
        raise InvalidInput(f"the protocol already has a codebook of {len(current)} codes",
                           field="replace", key="codebook-exists")
    return save_codebook(review, template(name), action="codebook.template", template=name)


# ---------------------------------------------------------------- CSV


def codebook_to_csv(codebook: Codebook) -> str:
    """CSV with columns id, parent, name, kind, definition, aliases (``; ``), codable."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in codebook.flat():
        row = dict(row, parent=row["parent"] or "", aliases="; ".join(row["aliases"]),
                   codable="yes" if row["codable"] else "no")
        writer.writerow(row)
    return buf.getvalue()


def codebook_from_csv(text: str, *, file: str = "codebook.csv") -> Codebook:
    """Read the CSV form; a parent must be listed before (or after) its children by id.

    Missing ids are made from names; a malformed file raises
    :class:`~realist.errors.ImportFormatError` naming the line.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise ImportFormatError("the file is empty", file=file)
    header = [h.strip().lower() for h in reader.fieldnames]
    if "name" not in header:
        raise ImportFormatError(f"no 'name' column (columns are {', '.join(CSV_COLUMNS)})", file=file, line=1)
    unknown = set(header) - set(CSV_COLUMNS) - {""}
    if unknown:
        raise ImportFormatError(f"unknown column(s) {', '.join(sorted(unknown))} "
                                f"(columns are {', '.join(CSV_COLUMNS)})", file=file, line=1)
    items: dict[str, dict[str, Any]] = {}
    order: list[tuple[str, str | None]] = []
    for lineno, raw in enumerate(reader, start=2):
        if None in raw:
            raise ImportFormatError("more cells than columns", file=file, line=lineno)
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        code_id = row.get("id") or slugify(row.get("name") or "")
        if code_id in items:
            raise ImportFormatError(f"code {code_id!r} appears twice", file=file, line=lineno)
        item: dict[str, Any] = {"id": code_id, "name": row.get("name", ""), "kind": row.get("kind") or None,
                                "definition": row.get("definition", ""),
                                "aliases": row.get("aliases", ""), "children": []}
        if row.get("codable"):
            item["codable"] = row["codable"]
        items[code_id] = item
        order.append((code_id, row.get("parent") or None))
    roots = []
    for code_id, parent in order:
        if parent is None:
            roots.append(items[code_id])
        elif parent not in items:
            raise ImportFormatError(f"code {code_id!r} names parent {parent!r}, which is not in the file", file=file)
        else:
            items[parent]["children"].append(items[code_id])
    _check_acyclic(roots, len(items), file)
    try:
        return parse_codebook(roots, where=file)
    except InvalidInput as exc:
        raise ImportFormatError(str(exc).removeprefix(f"{file}: "), file=file) from None


def _check_acyclic(roots: Sequence[dict[str, Any]], total: int, file: str) -> None:
    seen = 0
    stack = list(roots)
    while stack:
        item = stack.pop()
        seen += 1
        stack.extend(item["children"])
    if seen != total:
        raise ImportFormatError("parents form a cycle: some codes are their own ancestors", file=file)


# ---------------------------------------------------------------- files


def _format_of(path: Path, fmt: str | None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "qdc"):
        raise InvalidInput(f"{path.name}: unknown codebook format {fmt!r} (csv or qdc)")
    return fmt


def read_codebook_file(path: str | Path, fmt: str | None = None) -> Codebook:
    """Parse a CSV or REFI-QDA codebook file (nothing stored)."""
    from .qdc import codebook_from_qdc

    path = Path(path)
    fmt = _format_of(path, fmt)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    if fmt == "qdc":
        return codebook_from_qdc(data, file=path.name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return codebook_from_csv(text, file=path.name)


def import_codebook(review: ReviewHandle, path: str | Path, fmt: str | None = None, *,
                    allow_removal: bool = False) -> Codebook:
    """Replace the protocol's codebook with a CSV or ``.qdc`` file's (validated first)."""
    codebook = read_codebook_file(path, fmt)
    return save_codebook(review, codebook, action="codebook.imported", allow_removal=allow_removal,
                         file=Path(path).name, format=_format_of(Path(path), fmt))


def export_codebook(review: ReviewHandle, path: str | Path, fmt: str | None = None) -> int:
    """Write the codebook as CSV or REFI-QDA ``.qdc``; returns the number of codes."""
    from .qdc import codebook_to_qdc

    path = Path(path)
    fmt = _format_of(path, fmt)
    codebook = load_codebook(review)
    if fmt == "qdc":
        path.write_bytes(codebook_to_qdc(codebook))
    else:
        path.write_text(codebook_to_csv(codebook), encoding="utf-8")
    return len(codebook)
