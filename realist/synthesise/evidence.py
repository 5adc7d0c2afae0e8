"""What lies behind one number of the synthesis: its studies, their coded excerpts and CMOCs.

Every count of :func:`~realist.synthesise.synth.synthesise` is a set of
studies.  :func:`evidence` finds the same set again, through the same
functions that counted it (:func:`~realist.synthesise.synth.code_counts`,
:func:`~realist.synthesise.synth.crosstab`,
:func:`~realist.synthesise.synth.characteristics`,
:func:`~realist.synthesise.synth.cmo_configurations`,
:func:`~realist.synthesise.synth.language_summary`), so that a number and its
evidence cannot disagree, and adds what a reader checks it against: each
study's codings (excerpt, page, memo, coder, validation status) with the
codes the number counts, and the CMOCs behind a CMO configuration.

One question is asked at a time:

``code``
    the studies coded with a code (with its descendants when the synthesis
    rolls up);
``rows``, ``row``, ``columns``, ``column``
    one cell of a crosstab (axes are code kinds or study characteristics);
``characteristic``, ``value``
    a tally of studies by a characteristic (``country``, ``region``, ...);
``chain``
    a recurring CMO configuration (role -> code id, one per role of the chain);
``language``
    the studies of one language-appraisal classification.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput, NotFound
from ..review import ReviewHandle
from .synth import (
    CHARACTERISTICS,
    KINDS,
    SynthInput,
    _descendants,
    characteristics,
    cite,
    cmo_configurations,
    code_counts,
    crosstab,
    language_summary,
    study_characteristics,
)

__all__ = ["evidence", "select_evidence"]


def _codes_of(data: SynthInput, code_id: str) -> set[str]:
    if data.settings.rollup:
        return _descendants(data.codes).get(code_id, {code_id})
    return {code_id}


def _axis_label(data: SynthInput, axis: str, value: str) -> str:
    if axis in KINDS:
        names = {c.id: c.name for c in data.codes}
        return names.get(value, value)
    return value


def select_evidence(
    data: SynthInput,
    *,
    code: str | None = None,
    rows: str | None = None,
    row: str | None = None,
    columns: str | None = None,
    column: str | None = None,
    characteristic: str | None = None,
    value: str | None = None,
    chain: Mapping[str, str] | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """Which number was asked about, and its studies: ``{"kind", "about", "n", "studies", "citation", ...}``.

    ``about`` is a list of (what, label) pairs naming the number; ``codes``
    the code ids whose codings are evidence for it; ``cmocs`` the CMOC ids of
    a configuration.  Pure: no database.
    """
    codes: set[str] = set()
    cmocs: list[int] = []
    if code is not None:
        found = next((r for r in code_counts(data) if r["id"] == code), None)
        if found is None:
            raise NotFound(f"no code {code!r} in this review's codebook")
        kind, about, entry = "code", [(found["kind"], found["name"])], found
        codes = _codes_of(data, code)
    elif rows is not None or columns is not None:
        if not (rows and columns and row is not None and column is not None):
            raise InvalidInput("a crosstab cell needs rows, row, columns and column")
        table = crosstab(data, rows, columns)
        if row not in {v["id"] for v in table["row_values"]}:
            raise NotFound(f"no row {row!r} in the crosstab of {rows} by {columns}")
        if column not in {v["id"] for v in table["column_values"]}:
            raise NotFound(f"no column {column!r} in the crosstab of {rows} by {columns}")
        entry = next(
            (c for c in table["cells"] if c["row"] == row and c["column"] == column),
            {"n": 0, "studies": [], "refs": [], "citation": ""},
        )
        kind = "cell"
        about = [(rows, _axis_label(data, rows, row)), (columns, _axis_label(data, columns, column))]
        for axis, val in ((rows, row), (columns, column)):
            if axis in KINDS:
                codes |= _codes_of(data, val)
    elif characteristic is not None:
        if characteristic not in CHARACTERISTICS:
            raise InvalidInput(
                f"unknown study characteristic {characteristic!r}: use one of {', '.join(CHARACTERISTICS)}"
            )
        tally = characteristics(data)[characteristic]
        found = next((r for r in tally if r["value"] == value), None)
        if found is None:
            raise NotFound(f"no study has {characteristic} {value!r}")
        kind, about, entry = "characteristic", [(characteristic, str(value))], found
    elif chain is not None:
        roles = data.settings.chain
        if set(chain) != set(roles):
            raise InvalidInput(f"a CMO configuration names one code for each of {', '.join(roles)}")
        found = next((r for r in cmo_configurations(data) if all(r[role]["id"] == chain[role] for role in roles)), None)
        if found is None:
            raise NotFound("no recurring CMO configuration with these codes")
        kind = "configuration"
        about = [(role, found[role]["name"]) for role in roles]
        entry = {**found, "n": found["support"]}
        cmocs = list(found["cmocs"])
        for role in roles:
            codes |= _codes_of(data, chain[role])
    elif language is not None:
        summary = language_summary(data)
        found = next((r for r in summary["by_classification"] if r["classification"] == language), None)
        if found is None:
            raise NotFound(f"no study was classified {language!r} in the language appraisal")
        kind, about, entry = "language", [("language", language)], found
    else:
        raise InvalidInput("say which number: a code, a crosstab cell, a characteristic, a chain or a language class")
    return {
        "kind": kind,
        "about": about,
        "n": entry["n"],
        "studies": list(entry["studies"]),
        "citation": entry["citation"],
        "codes": sorted(codes),
        "cmocs": cmocs,
    }


def evidence(review: ReviewHandle, data: SynthInput | None = None, **query: Any) -> dict[str, Any]:
    """:func:`select_evidence` with each study's codings and the configuration's CMOCs read from the review.

    ``data`` is the review's :func:`~realist.synthesise.store.gather` (read
    again when not given).  Each study in ``studies`` is a dict: ``key``,
    ``label``, ``ref_number``, ``citation``, ``year``, ``design``,
    ``countries`` (names), ``region``, ``codings`` (with the codes the number
    counts; disputed codings left out, as the synthesis leaves them out) and
    ``cmocs``.
    """
    from ..code.cmoc import list_cmocs
    from ..code.coding import list_codings
    from .store import gather

    if data is None:
        data = gather(review)
    chosen = select_evidence(data, **query)
    by_key = {s.key: s for s in data.studies}
    wanted = {by_key[k].id for k in chosen["studies"] if k in by_key}
    codes = set(chosen["codes"])
    codings: dict[int, list[dict[str, Any]]] = {}
    if codes and wanted:
        for c in list_codings(review):
            if c.study_id in wanted and c.code in codes and c.status != "disputed":
                codings.setdefault(c.study_id, []).append(
                    {
                        "id": c.id,
                        "code": c.code,
                        "code_name": c.code_name or c.code,
                        "kind": c.kind,
                        "coder": c.coder,
                        "memo": c.memo,
                        "status": c.status,
                        "excerpt": c.excerpt.to_dict() if c.excerpt else None,
                    }
                )
    cmocs: dict[int, list[dict[str, Any]]] = {}
    if chosen["cmocs"]:
        ids = set(chosen["cmocs"])
        for m in list_cmocs(review, level="study"):
            if m.id in ids and m.study_id is not None:
                cmocs.setdefault(m.study_id, []).append(
                    {
                        "id": m.id,
                        "statement": m.statement,
                        "memo": m.memo,
                        "elements": {
                            role: [e.get("name") or e["code"] for e in els] for role, els in m.elements.items()
                        },
                    }
                )
    style = data.settings.citation_style
    studies = []
    for key in chosen["studies"]:
        s = by_key[key]
        chars = study_characteristics(s, data.settings)
        studies.append(
            {
                "key": s.key,
                "label": s.label,
                "ref_number": s.ref_number,
                "citation": cite([s], style),
                "year": s.year,
                "design": s.design,
                "countries": [c["name"] for c in chars["countries"]],
                "region": chars["region"],
                "codings": codings.get(s.id, []),
                "cmocs": cmocs.get(s.id, []),
            }
        )
    return {**chosen, "studies": studies}
