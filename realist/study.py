"""A study as plain data, the one shape every stage passes around.

The code stage builds :class:`StudyInfo` from the store
(:func:`realist.code.studies.study_info`), the synthesis takes it (with
countries as upper-case ISO codes and data years as integers), and the
report's row of a study (:class:`realist.report.collect.StudyRow`) extends
it with what the report shows.  Pure: no store, no files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["StudyInfo", "first_author"]


@dataclass
class StudyInfo:
    """One study: the unit of synthesis, reported by one or more records.

    ``record_ids`` are its reports, first report first; ``first_author``
    (a surname) and ``authors_count`` describe the first report's authors
    (for author-year citations and the claims check).
    """

    id: int
    key: str
    label: str = ""
    ref_number: int | None = None
    design: str | None = None
    countries: list[str] = field(default_factory=list)
    data_years: list[Any] = field(default_factory=list)
    year: int | None = None
    record_ids: list[int] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    first_author: str | None = None
    authors_count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _surname(author: Any) -> str | None:
    text = str(author or "").strip()
    if not text:
        return None
    return text.split(",")[0].strip() if "," in text else text.split()[-1]


def first_author(authors: Sequence[Any], details: Mapping[str, Any]) -> tuple[str | None, int]:
    """``(surname of the first author, number of authors)`` of a study's first report.

    ``details`` may set ``first_author`` (as the manuscript names it) and
    ``et_al`` (the record lists fewer authors than the paper has).
    """
    count = len(authors)
    if details.get("et_al"):
        count = max(count, 2)
    name = details.get("first_author") or (_surname(authors[0]) if authors else None)
    return (str(name) if name else None), max(count, 1)
