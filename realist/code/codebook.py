"""The codebook: a tree of codes kept in the protocol (``codebook:`` in protocol.yaml).

The tree itself (:class:`Code`, :class:`Codebook`, :func:`parse_codebook`)
is defined in :mod:`realist.code.codes` and re-exported here; this module
keeps it in the protocol and reads and writes its files.

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
* :func:`add_code`, :func:`edit_code` (rename, redefine, move),
  :func:`remove_code` (refused while codings or CMOCs use the code) and
  :func:`code_usage` — one code at a time, as the web's codebook page edits it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from ..errors import ImportFormatError, InvalidInput
from ..protocol import read_protocol
from ..review import ReviewHandle
from .codes import CMO_KINDS, KINDS, Code, Codebook, parse_codebook, slugify
from .qdc import codebook_from_qdc, codebook_to_qdc

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
    "import_codebook_bytes",
    "add_code",
    "edit_code",
    "remove_code",
    "code_usage",
    "slugify",
]

CSV_COLUMNS = ("id", "parent", "name", "kind", "definition", "aliases", "codable")
TEMPLATES = ("realist",)


def load_codebook(review: ReviewHandle) -> Codebook:
    """The review's codebook as its protocol holds it now."""
    return parse_codebook(review.protocol().get("codebook"), where=str(review.protocol_path))


def _codes_in_use(review: ReviewHandle) -> set[str]:
    from ..store.models import CmocElement, Coding

    with review.session() as session:
        used = set(session.scalars(select(Coding.code).where(Coding.review_id == review.review_id)))
        used |= set(session.scalars(select(CmocElement.code).where(CmocElement.review_id == review.review_id)))
    return used


def save_codebook(
    review: ReviewHandle,
    codebook: Codebook,
    *,
    action: str = "codebook.changed",
    allow_removal: bool = False,
    **payload: Any,
) -> Codebook:
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
            field="allow_removal",
            key="codes-in-use",
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
        raise InvalidInput(
            f"the protocol already has a codebook of {len(current)} codes", field="replace", key="codebook-exists"
        )
    return save_codebook(review, template(name), action="codebook.template", template=name)


# ---------------------------------------------------------------- CSV


def codebook_to_csv(codebook: Codebook) -> str:
    """CSV with columns id, parent, name, kind, definition, aliases (``; ``), codable."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in codebook.flat():
        row = dict(
            row,
            parent=row["parent"] or "",
            aliases="; ".join(row["aliases"]),
            codable="yes" if row["codable"] else "no",
        )
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
        raise ImportFormatError(
            f"unknown column(s) {', '.join(sorted(unknown))} (columns are {', '.join(CSV_COLUMNS)})", file=file, line=1
        )
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
        item: dict[str, Any] = {
            "id": code_id,
            "name": row.get("name", ""),
            "kind": row.get("kind") or None,
            "definition": row.get("definition", ""),
            "aliases": row.get("aliases", ""),
            "children": [],
        }
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


def import_codebook(
    review: ReviewHandle, path: str | Path, fmt: str | None = None, *, allow_removal: bool = False
) -> Codebook:
    """Replace the protocol's codebook with a CSV or ``.qdc`` file's (validated first)."""
    codebook = read_codebook_file(path, fmt)
    return save_codebook(
        review,
        codebook,
        action="codebook.imported",
        allow_removal=allow_removal,
        file=Path(path).name,
        format=_format_of(Path(path), fmt),
    )


def import_codebook_bytes(
    review: ReviewHandle, name: str, data: bytes, fmt: str | None = None, *, allow_removal: bool = False
) -> Codebook:
    """As :func:`import_codebook`, from an uploaded file's name and bytes."""
    fmt = _format_of(Path(name), fmt)
    if fmt == "qdc":
        codebook = codebook_from_qdc(data, file=name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        codebook = codebook_from_csv(text, file=name)
    return save_codebook(
        review, codebook, action="codebook.imported", allow_removal=allow_removal, file=name, format=fmt
    )


def export_codebook(review: ReviewHandle, path: str | Path, fmt: str | None = None) -> int:
    """Write the codebook as CSV or REFI-QDA ``.qdc``; returns the number of codes."""
    path = Path(path)
    fmt = _format_of(path, fmt)
    codebook = load_codebook(review)
    if fmt == "qdc":
        path.write_bytes(codebook_to_qdc(codebook))
    else:
        path.write_text(codebook_to_csv(codebook), encoding="utf-8")
    return len(codebook)


# ---------------------------------------------------------------- one code at a time


def code_usage(review: ReviewHandle) -> dict[str, tuple[int, int]]:
    """Per code id in use: (codings, CMOC elements)."""
    from sqlalchemy import func

    from ..store.models import CmocElement, Coding

    out: dict[str, tuple[int, int]] = {}
    with review.session() as session:
        codings = session.execute(
            select(Coding.code, func.count()).where(Coding.review_id == review.review_id).group_by(Coding.code)
        ).all()
        elements = session.execute(
            select(CmocElement.code, func.count())
            .where(CmocElement.review_id == review.review_id)
            .group_by(CmocElement.code)
        ).all()
    for code, n in codings:
        out[code] = (int(n), 0)
    for code, n in elements:
        out[code] = (out.get(code, (0, 0))[0], int(n))
    return out


def _find(items: list[dict[str, Any]], code_id: str) -> tuple[list[dict[str, Any]], int] | None:
    """The list holding ``code_id`` and its index there (protocol form, nested dicts)."""
    for i, item in enumerate(items):
        if item["id"] == code_id:
            return items, i
        found = _find(item.get("children") or [], code_id)
        if found is not None:
            return found
    return None


def _children_list(items: list[dict[str, Any]], parent: str | None) -> list[dict[str, Any]]:
    if not parent:
        return items
    found = _find(items, parent)
    if found is None:
        raise InvalidInput(f"unknown parent code {parent!r}: it is not in the codebook", field="parent")
    holder, i = found
    children: list[dict[str, Any]] = holder[i].setdefault("children", [])
    return children


def add_code(
    review: ReviewHandle,
    name: str,
    *,
    kind: str | None = None,
    parent: str | None = None,
    code_id: str | None = None,
    definition: str = "",
    aliases: str | list[str] | None = None,
    codable: bool = True,
) -> Code:
    """Add one code (at the end of ``parent``'s children, or of the roots); logged as codebook.code_added.

    The id defaults to a slug of the name; a child without a kind takes its
    parent's.  The whole codebook is validated before it is written.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidInput("a code needs a name", field="name")
    code_id = (code_id or "").strip() or slugify(name)
    items = load_codebook(review).to_list()
    if _find(items, code_id) is not None:
        raise InvalidInput(f"code id {code_id!r} is taken: choose another id", field="id")
    item: dict[str, Any] = {"id": code_id, "name": name, "definition": definition.strip()}
    if kind:
        item["kind"] = kind
    if aliases:
        item["aliases"] = aliases
    if not codable:
        item["codable"] = False
    _children_list(items, parent).append(item)
    book = save_codebook(
        review, parse_codebook(items, where="the codebook"), action="codebook.code_added", code=code_id, parent=parent
    )
    return book.require(code_id)


def edit_code(
    review: ReviewHandle,
    code_id: str,
    *,
    name: str | None = None,
    kind: str | None = None,
    definition: str | None = None,
    aliases: str | list[str] | None = None,
    codable: bool | None = None,
    parent: str | None = None,
) -> Code:
    """Rename, redefine or move one code (its id stays: codings keep pointing at it).

    ``parent``: ``None`` leaves it where it is, ``""`` moves it to the roots,
    an id moves it under that code (not under itself or its descendants).
    Logged as codebook.code_changed with what changed.
    """
    book = load_codebook(review)
    current = book.require(code_id)
    items = book.to_list()
    found = _find(items, code_id)
    assert found is not None
    holder, i = found
    item = holder[i]
    before = {"name": current.name, "kind": current.kind, "parent": current.parent}
    if name is not None:
        if not name.strip():
            raise InvalidInput(f"code {code_id!r}: a code needs a name", field="name")
        item["name"] = name.strip()
    if kind is not None and kind.strip():
        item["kind"] = kind.strip()
    if definition is not None:
        item["definition"] = definition.strip()
    if aliases is not None:
        item["aliases"] = aliases
    if codable is not None:
        item["codable"] = codable
    moved = parent is not None and (parent or None) != current.parent
    if moved:
        target = parent or None
        if target == code_id or target in {c.id for c in book.descendants(code_id)}:
            raise InvalidInput(f"code {code_id!r} cannot move under itself or one of its children", field="parent")
        if target is not None:
            book.require(target)
        del holder[i]
        _children_list(items, target).append(item)
    new = parse_codebook(items, where="the codebook")
    save_codebook(review, new, action="codebook.code_changed", code=code_id, before=before)
    return new.require(code_id)


def remove_code(review: ReviewHandle, code_id: str) -> Codebook:
    """Delete one code without children; refused while codings or CMOC elements use it."""
    book = load_codebook(review)
    code = book.require(code_id)
    if code.children:
        raise InvalidInput(
            f"code {code_id!r} has {len(code.children)} child code(s): move or delete them first",
            key="code-has-children",
        )
    codings, elements = code_usage(review).get(code_id, (0, 0))
    if codings or elements:
        raise InvalidInput(
            f"code {code_id!r} ({code.name}) is in use by {codings} coding(s) and {elements} CMOC element(s): "
            "it cannot be deleted while anything uses it (rename it, or move it instead)",
            key="codes-in-use",
        )
    items = book.to_list()
    found = _find(items, code_id)
    assert found is not None
    del found[0][found[1]]
    return save_codebook(
        review, parse_codebook(items, where="the codebook"), action="codebook.code_removed", code=code_id
    )
