"""Safe XML parsing shared by the XML formats."""

from __future__ import annotations

from typing import Any

from lxml import etree

from realist.errors import ImportFormatError

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=False)


def parse_xml(text: str) -> Any:
    """Parse XML text, turning syntax errors into :class:`ImportFormatError`."""
    data = text.encode("utf-8")
    if text.lstrip().startswith("<?xml"):
        # drop the declaration: the text is already decoded
        data = text[text.find("?>") + 2 :].encode("utf-8")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as err:
        line = err.position[0] if err.position else None
        raise ImportFormatError(f"the XML is not well-formed (truncated or damaged?): {err.msg}", line=line) from err


def text_of(el: Any) -> str | None:
    """All text inside an element (tags such as <i> or <style> dropped)."""
    if el is None:
        return None
    value = "".join(el.itertext())
    return value if value.strip() else None


def to_json(el: Any) -> Any:
    """A faithful JSON-serialisable view: {tag, attrs, text, children}."""
    node: dict[str, Any] = {"tag": etree.QName(el).localname if isinstance(el.tag, str) else str(el.tag)}
    if el.attrib:
        node["attrs"] = {etree.QName(k).localname: v for k, v in el.attrib.items()}
    if el.text and el.text.strip():
        node["text"] = el.text
    children = [to_json(c) for c in el if isinstance(c.tag, str)]
    if children:
        node["children"] = children
    if el.tail and el.tail.strip():
        node["tail"] = el.tail
    return node
