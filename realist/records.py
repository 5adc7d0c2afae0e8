"""The plain record object that importers produce and stages pass around.

An importer turns one entry of a file into a :class:`RecordData`: the raw
fields exactly as they stood in the file (``raw``), plus the normalised
bibliographic fields every later stage relies on.  Nothing here touches the
database; :mod:`realist.identify` stores these objects.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import unquote

__all__ = [
    "RecordData",
    "NORMALISED_FIELDS",
    "normalise_doi",
    "normalise_pmid",
    "normalise_openalex_id",
]


@dataclass
class RecordData:
    """One bibliographic item as read from a file.

    ``raw`` maps each field name (tag, column or element) to its value as it
    stood in the file: a string, or a list of strings when the field repeated.
    ``source_record_id`` is the identifier the record carried in its file (a
    CSV ``id`` column, RIS ``ID``/``AN``, a BibTeX key, a PMID, an OpenAlex
    id), or ``None``.  ``labels`` carries screening decisions found in
    exports of other screening tools (e.g. ``{"included": "1"}``); they are
    kept, never acted on silently.
    """

    raw: dict[str, Any] = field(default_factory=dict)
    source_record_id: str | None = None
    title: str | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    openalex_id: str | None = None
    issn: str | None = None
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    publication_type: str | None = None
    url: str | None = None
    referenced_works: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def normalised(self) -> dict[str, Any]:
        """The normalised fields only, as a plain dict."""
        return {name: getattr(self, name) for name in NORMALISED_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


NORMALISED_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(RecordData) if f.name not in ("raw", "source_record_id", "labels")
)

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_DOI_PREFIXES = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|https?://doi\.org/|doi\.org/)", re.IGNORECASE)


def normalise_doi(value: str | None) -> str | None:
    """Lower-case bare DOI (``10.xxxx/...``) or ``None`` when there is none.

    Accepts ``doi:`` prefixes, resolver URLs, surrounding punctuation and
    percent-encoded slashes.  DOIs are case-insensitive, so lower case is the
    canonical form.
    """
    if not value:
        return None
    text = value.strip()
    if "%" in text:
        text = unquote(text)
    text = _DOI_PREFIXES.sub("", text)
    match = _DOI_RE.search(text)
    if not match:
        return None
    doi = match.group(0).rstrip(".,;)]}>\"'")
    return doi.lower()


def normalise_pmid(value: str | None) -> str | None:
    """Digits of a PubMed id (``PMID: 123``, ``123 [pii]`` ...) or ``None``."""
    if not value:
        return None
    match = re.search(r"\d{1,9}", str(value))
    return match.group(0).lstrip("0") or None if match else None


def normalise_openalex_id(value: str | None) -> str | None:
    """``W123...`` from an OpenAlex URL or id, or ``None``."""
    if not value:
        return None
    match = re.search(r"\b([Ww]\d+)\b", str(value).strip().rsplit("/", 1)[-1])
    return match.group(1).upper() if match else None
