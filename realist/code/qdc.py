"""REFI-QDA codebook exchange (``.qdc``), for NVivo, ATLAS.ti, QualCoder, Taguette ...

The REFI-QDA Codebook standard: a ``Codebook`` root in namespace
``urn:QDA-XML:codebook:1.0`` holding ``Codes``; each ``Code`` has the
attributes ``guid``, ``name`` and ``isCodable``, an optional ``Description``
element and nested ``Code`` children.

Mapping (see docs/coding.md):

* ``guid`` = ``uuid5(REALIST_NAMESPACE, "realist-code:" + id)``, so a
  code keeps its identity across round trips;
* ``isCodable`` = ``codable``;
* ``Description`` = the definition, followed by lines ``realist:id=...``,
  ``realist:kind=...`` and ``realist:aliases=a; b`` that other tools show as
  part of the description and realist reads back.

A file from another tool without these lines is read too: the id is made
from the name (made unique), the kind is inherited from the parent, or is
``other`` at the root.
"""

from __future__ import annotations

import uuid
from typing import Any

from lxml import etree

from ..errors import ImportFormatError, InvalidInput
from .codes import Code, Codebook, parse_codebook, slugify

__all__ = ["NAMESPACE", "REALIST_NAMESPACE", "code_guid", "codebook_to_qdc", "codebook_from_qdc"]

NAMESPACE = "urn:QDA-XML:codebook:1.0"
REALIST_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/realist/codebook")
_NS = f"{{{NAMESPACE}}}"
_PREFIX = "realist:"


def code_guid(code_id: str) -> str:
    """The stable REFI-QDA GUID of a code id."""
    return str(uuid.uuid5(REALIST_NAMESPACE, f"realist-code:{code_id}"))


def _description(code: Code) -> str:
    lines = [code.definition] if code.definition else []
    lines.append(f"{_PREFIX}id={code.id}")
    lines.append(f"{_PREFIX}kind={code.kind}")
    if code.aliases:
        lines.append(f"{_PREFIX}aliases={'; '.join(code.aliases)}")
    return "\n".join(lines)


def codebook_to_qdc(codebook: Codebook) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document (UTF-8 XML bytes)."""
    # lxml-stubs do not allow None (the default namespace) as an nsmap prefix.
    nsmap = {None: NAMESPACE}
    root = etree.Element(_NS + "Codebook", nsmap=nsmap, origin="realist")  # type: ignore[arg-type]
    codes = etree.SubElement(root, _NS + "Codes")

    def add(parent: etree._Element, code: Code) -> None:
        el = etree.SubElement(
            parent, _NS + "Code", guid=code_guid(code.id), name=code.name, isCodable="true" if code.codable else "false"
        )
        etree.SubElement(el, _NS + "Description").text = _description(code)
        for child in code.children:
            add(el, child)

    for code in codebook.roots:
        add(codes, code)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _parse_description(text: str) -> tuple[str, dict[str, str]]:
    keep, meta = [], {}
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(_PREFIX) and "=" in stripped:
            key, _, value = stripped[len(_PREFIX) :].partition("=")
            meta[key.strip()] = value.strip()
        else:
            keep.append(line)
    return "\n".join(keep).strip(), meta


def codebook_from_qdc(data: bytes, *, file: str = "codebook.qdc") -> Codebook:
    """Read a REFI-QDA codebook; a malformed file raises :class:`ImportFormatError`."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"not well-formed XML ({exc.msg})", file=file, line=exc.position[0] or None) from None
    root_line: int | None = root.sourceline  # type: ignore[assignment]  # lxml-stubs leave it untyped
    if root.tag != _NS + "Codebook":
        raise ImportFormatError(
            f"not a REFI-QDA codebook: the root element is {etree.QName(root).localname!r} in "
            f"namespace {etree.QName(root).namespace or 'none'!r}, expected 'Codebook' in {NAMESPACE!r}",
            file=file,
            line=root_line,
        )
    codes_el = root.find(_NS + "Codes")
    if codes_el is None:
        raise ImportFormatError("the Codebook has no Codes element", file=file, line=root_line)
    used: set[str] = set()
    guids: set[str] = set()

    def build(el: Any, parent_kind: str | None) -> dict[str, Any]:
        name = (el.get("name") or "").strip()
        guid = (el.get("guid") or "").strip()
        if not name:
            raise ImportFormatError("a Code has no name attribute", file=file, line=el.sourceline)
        if not guid:
            raise ImportFormatError(f"code {name!r} has no guid attribute", file=file, line=el.sourceline)
        if guid.lower() in guids:
            raise ImportFormatError(f"code {name!r}: guid {guid} appears twice", file=file, line=el.sourceline)
        guids.add(guid.lower())
        codable = (el.get("isCodable") or "true").strip().lower()
        if codable not in ("true", "false", "1", "0"):
            raise ImportFormatError(f"code {name!r}: isCodable must be true or false", file=file, line=el.sourceline)
        desc_el = el.find(_NS + "Description")
        definition, meta = _parse_description(desc_el.text or "" if desc_el is not None else "")
        code_id = meta.get("id") or _unique(slugify(name), used)
        used.add(code_id)
        kind = meta.get("kind") or parent_kind or "other"
        item: dict[str, Any] = {
            "id": code_id,
            "name": name,
            "kind": kind,
            "definition": definition,
            "codable": codable in ("true", "1"),
        }
        if meta.get("aliases"):
            item["aliases"] = meta["aliases"]
        item["children"] = [build(child, kind) for child in el.findall(_NS + "Code")]
        return item

    items = [build(el, None) for el in codes_el.findall(_NS + "Code")]
    try:
        return parse_codebook(items, where=file)
    except InvalidInput as exc:
        raise ImportFormatError(str(exc).removeprefix(f"{file}: "), file=file) from None


def _unique(slug: str, used: set[str]) -> str:
    if slug not in used:
        return slug
    n = 2
    while f"{slug}-{n}" in used:
        n += 1
    return f"{slug}-{n}"
