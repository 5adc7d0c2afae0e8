"""Gather a review's coded data for the synthesis, and check a manuscript against it.

:func:`gather` reads studies, the codebook, codings, CMO configurations and
language appraisals through the code and appraise stages' public functions
and returns a :class:`~realist.synthesise.synth.SynthInput`;
:func:`synthesis` runs :func:`~realist.synthesise.synth.synthesise` on it.
:func:`check_review_manuscript` runs the claims check with the review's
codes (name and aliases -> reference numbers of the studies coded with the
code or its descendants) and first authors.

Codings a second coder disputed are left out of the synthesis; agreed and
not yet validated codings count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..review import ReviewHandle
from ..store.models import Record
from ..study import StudyInfo
from .claims import ClaimsReport, check_claims, read_manuscript
from .references import StudyRef
from .synth import (
    DEFAULT_CROSSTABS,
    SynthCmoc,
    SynthCode,
    SynthInput,
    settings_from_protocol,
    synthesise,
)

__all__ = [
    "gather",
    "synthesis",
    "review_codes",
    "review_code_keys",
    "first_authors",
    "study_refs",
    "check_review_manuscript",
    "check_review_text",
]


def _studies(review: ReviewHandle) -> list[StudyInfo]:
    """The review's studies, with countries as upper-case ISO codes and data years as integers."""
    from ..code.studies import list_studies

    return [
        replace(
            info,
            countries=[str(c).upper() for c in info.countries or []],
            data_years=[int(y) for y in info.data_years or [] if str(y).isdigit()],
        )
        for info in list_studies(review)
    ]


def gather(review: ReviewHandle, **settings: Any) -> SynthInput:
    """Everything the synthesis needs, as plain data; ``settings`` override the protocol's."""
    from ..appraise.store import language_summary
    from ..code.cmoc import list_cmocs
    from ..code.codebook import load_codebook
    from ..code.coding import list_codings

    protocol = review.protocol()
    codebook = load_codebook(review)
    codes = [
        SynthCode(id=c.id, name=c.name, kind=c.kind, parent=c.parent, aliases=list(c.aliases), codable=c.codable)
        for c in codebook
    ]
    codings = [(c.study_id, c.code) for c in list_codings(review) if c.status != "disputed"]
    cmocs = [
        SynthCmoc(
            id=c.id,
            study_id=c.study_id,
            statement=c.statement,
            stance=c.stance,
            based_on=list(c.based_on),
            elements={
                role: [e["code"] for e in els if e.get("stance", "supports") == "supports"]
                for role, els in c.elements.items()
            },
        )
        for c in list_cmocs(review)
    ]
    language = {row["study_id"]: row["classification"] for row in language_summary(review)}
    return SynthInput(
        studies=_studies(review),
        codes=codes,
        codings=codings,
        cmocs=cmocs,
        language=language,
        settings=settings_from_protocol(protocol, **settings),
        title=review.title,
    )


def synthesis(
    review: ReviewHandle,
    *,
    crosstabs: Sequence[tuple[str, str]] = DEFAULT_CROSSTABS,
    **settings: Any,
) -> dict[str, Any]:
    """The review's synthesis (schema ``realist.synthesis/1``, docs/synthesis.md)."""
    result = synthesise(gather(review, **settings), crosstabs=crosstabs)
    result["review"] = {"uuid": review.uuid, "title": review.title}
    return result


def review_codes(data: SynthInput) -> dict[str, list[int]]:
    """Code names and aliases -> reference numbers of the studies coded (with descendants).

    A name or alias shared by two codes (e.g. "Stigma and discrimination" as
    a context and as an outcome) is left out: the check could not tell which
    one a sentence means.
    """
    from .synth import _code_studies

    by_id = {s.id: s for s in data.studies}
    sets = _code_studies(data, True)
    owners: dict[str, set[str]] = {}
    refs_of: dict[str, set[int]] = {}
    for code in data.codes:
        for name in (code.name, *code.aliases):
            owners.setdefault(name.lower(), set()).add(code.id)
    out: dict[str, list[int]] = {}
    for code in data.codes:
        refs = {n for i in sets[code.id] if i in by_id and (n := by_id[i].ref_number) is not None}
        refs_of[code.id] = refs
        if not refs:
            continue
        for name in (code.name, *code.aliases):
            if len(owners[name.lower()]) == 1:
                out[name] = sorted(refs)
    return out


def review_code_keys(data: SynthInput) -> dict[str, list[str]]:
    """Code names and aliases -> keys of the studies coded (with descendants); shared names left out."""
    from .synth import _code_studies

    by_id = {s.id: s for s in data.studies}
    sets = _code_studies(data, True)
    owners: dict[str, set[str]] = {}
    for code in data.codes:
        for name in (code.name, *code.aliases):
            owners.setdefault(name.lower(), set()).add(code.id)
    out: dict[str, list[str]] = {}
    for code in data.codes:
        keys = sorted(by_id[i].key for i in sets[code.id] if i in by_id)
        for name in (code.name, *code.aliases):
            if len(owners[name.lower()]) == 1:
                out[name] = keys
    return out


def study_refs(review: ReviewHandle, data: SynthInput) -> list[StudyRef]:
    """The review's studies with what the reference map needs (title, DOI, PMID of the first report)."""
    from ..code.studies import list_studies

    first = {i.id: i.record_ids[0] for i in list_studies(review) if i.record_ids}
    meta: dict[int, tuple[str | None, str | None, str | None]] = {}
    if first:
        with review.session() as session:
            for rid, title, doi, pmid in session.execute(
                select(Record.id, Record.title, Record.doi, Record.pmid).where(Record.id.in_(list(first.values())))
            ):
                meta[rid] = (title, doi, pmid)
    out = []
    for s in data.studies:
        title, doi, pmid = meta.get(first.get(s.id, -1), (None, None, None))
        out.append(
            StudyRef(
                key=s.key,
                first_author=s.first_author,
                year=s.year,
                title=title or s.label,
                doi=doi,
                pmid=pmid,
                ref_number=s.ref_number,
            )
        )
    return out


def first_authors(data: SynthInput) -> dict[int, str]:
    return {s.ref_number: s.first_author for s in data.studies if s.ref_number is not None and s.first_author}


def check_review_manuscript(
    review: ReviewHandle | None, path: str | Path, *, numbering: str = "manuscript"
) -> ClaimsReport:
    """Check a manuscript file; with a review, also against its codes through the reference map.

    ``numbering`` is ``"manuscript"`` (map the manuscript's own reference list
    to the review's studies) or ``"review"`` (the manuscript cites the review's
    reference numbers); see :func:`~realist.synthesise.claims.check_claims`.
    """
    return check_review_text(review, read_manuscript(path), numbering=numbering)


def check_review_text(review: ReviewHandle | None, text: str, *, numbering: str = "manuscript") -> ClaimsReport:
    """:func:`check_review_manuscript` on a manuscript's text (read with ``read_manuscript_bytes``)."""
    if review is None:
        return check_claims(text, numbering=numbering)
    data = gather(review)
    return check_claims(
        text, studies=study_refs(review, data), codes=review_code_keys(data) or None, numbering=numbering
    )
