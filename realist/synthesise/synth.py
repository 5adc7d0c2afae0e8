"""Synthesis as pure functions over plain data: counts, crosstabs, characteristics, CMOCs.

Everything here is derived, never typed in.  :func:`synthesise` takes a
:class:`SynthInput` (studies, codes, codings, CMOCs, language judgements and
settings — plain dataclasses, no database) and returns the JSON-ready dict
documented in ``docs/synthesis.md`` (schema ``realist.synthesis/1``).
:mod:`realist.synthesise.store` gathers a :class:`SynthInput` from a review.

Rules
-----
* A study counts for a code when it is coded with the code or, with
  ``rollup`` (the default), with any of its descendants.  Counts are of
  distinct studies, never of codings.
* Citations are formatted the way papers cite: by reference number
  ("[40–47, 50, 51]", via :func:`~realist.synthesise.claims.format_citations`)
  or by author and year ("(Ayon et al. 2017; Bartlett et al. 2011)").  A
  study without a reference number is cited by its key in numeric style.
* A study's *region* is "Multi-country" (``settings.multi_country``) when
  it names more than one country, else its country's World Bank region, or
  the protocol's named group of regions (``settings.region_groups``) that
  holds it.
* A study's *income group* is that of each of its countries in the year the
  protocol chooses (``income_year``: ``publication`` or ``data_collection``,
  the first data year, falling back to publication year).
* A CMO configuration is a chain of one code per role (default context →
  mechanism → outcome); every study-level CMOC supports each chain its
  elements make.  Chains are ranked by the number of distinct studies that
  support them; those with at least ``min_support`` studies recur.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput
from ..study import StudyInfo
from ..vocabulary import CMO_ROLES, CODE_KINDS
from .claims import format_citations
from .income import (
    REGION_SCHEMES,
    country_name,
    income_group,
    income_group_label,
    region_name,
    region_of,
)

__all__ = [
    "SCHEMA",
    "KINDS",
    "CHARACTERISTICS",
    "CITATION_STYLES",
    "SynthStudy",
    "SynthCode",
    "SynthCmoc",
    "SynthSettings",
    "SynthInput",
    "synthesise",
    "cite",
    "code_counts",
    "crosstab",
    "characteristics",
    "study_characteristics",
    "cmo_configurations",
    "language_summary",
    "settings_from_protocol",
]

SCHEMA = "realist.synthesis/1"
KINDS = CODE_KINDS
CHARACTERISTICS = ("country", "region", "income_group", "design", "design_group", "year")
CITATION_STYLES = ("number", "author-year")
ROLES = CMO_ROLES


#: The synthesis takes the one study class (countries as upper-case ISO
#: codes, data years as integers); the name is kept for existing callers.
SynthStudy = StudyInfo


@dataclass
class SynthCode:
    id: str
    name: str
    kind: str
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)
    codable: bool = True


@dataclass
class SynthCmoc:
    """A CMOC: ``study_id`` None for a review-level (programme theory) statement."""

    id: int
    study_id: int | None
    statement: str
    elements: dict[str, list[str]] = field(default_factory=dict)
    stance: str = "supports"
    based_on: list[int] = field(default_factory=list)


@dataclass
class SynthSettings:
    citation_style: str = "number"
    income_year: str = "publication"  # or data_collection
    region_scheme: str = "fy2026"
    multi_country: str = "Multi-country"
    region_groups: dict[str, list[str]] = field(default_factory=dict)
    design_groups: dict[str, str] = field(default_factory=dict)
    rollup: bool = True
    chain: tuple[str, ...] = ("context", "mechanism", "outcome")
    min_support: int = 2

    def check(self) -> None:
        if self.citation_style not in CITATION_STYLES:
            raise InvalidInput(f"citation style must be {' or '.join(CITATION_STYLES)}, not {self.citation_style!r}")
        if self.income_year not in ("publication", "data_collection"):
            raise InvalidInput("synthesis.income_year must be 'publication' or 'data_collection'")
        if self.region_scheme not in REGION_SCHEMES:
            raise InvalidInput(f"synthesis.region_scheme must be one of {', '.join(REGION_SCHEMES)}")
        bad = [r for r in self.chain if r not in ROLES]
        if bad or len(self.chain) < 2 or len(set(self.chain)) != len(self.chain):
            raise InvalidInput(f"a CMO chain names two or more distinct roles of {', '.join(ROLES)}")


@dataclass
class SynthInput:
    studies: list[StudyInfo]
    codes: list[SynthCode] = field(default_factory=list)
    codings: list[tuple[int, str]] = field(default_factory=list)  # (study id, code id)
    cmocs: list[SynthCmoc] = field(default_factory=list)
    language: dict[int, str | None] = field(default_factory=dict)  # study id -> classification
    settings: SynthSettings = field(default_factory=SynthSettings)
    title: str = ""


def settings_from_protocol(protocol: Mapping[str, Any], **overrides: Any) -> SynthSettings:
    """Synthesis settings from the protocol's optional ``synthesis:`` section."""
    section = protocol.get("synthesis") or {}
    if not isinstance(section, Mapping):
        raise InvalidInput("the protocol's 'synthesis' section must be a mapping")
    settings = SynthSettings()
    for name in ("citation_style", "income_year", "region_scheme", "multi_country", "min_support"):
        if section.get(name) is not None:
            setattr(settings, name, section[name])
    groups = section.get("region_groups") or {}
    if not isinstance(groups, Mapping):
        raise InvalidInput("synthesis.region_groups maps a group name to World Bank region codes or ISO3 codes")
    settings.region_groups = {str(k): [str(c).upper() for c in v] for k, v in groups.items()}
    designs = section.get("design_groups") or {}
    if not isinstance(designs, Mapping):
        raise InvalidInput("synthesis.design_groups maps a design to its group")
    settings.design_groups = {str(k): str(v) for k, v in designs.items()}
    if section.get("chain"):
        settings.chain = tuple(section["chain"])
    for name, value in overrides.items():
        if value is not None:
            setattr(settings, name, tuple(value) if name == "chain" else value)
    settings.check()
    return settings


# ----------------------------------------------------------------- citations


def _sort_key(study: StudyInfo) -> tuple[Any, ...]:
    return (
        study.ref_number is None,
        study.ref_number or 0,
        (study.first_author or study.key).lower(),
        study.year or 0,
        study.key,
    )


def cite(studies: Iterable[StudyInfo], style: str = "number") -> str:
    """Citations as papers write them: ``"[40–43, 50]"`` or ``"(Ayon et al. 2017; ...)"``."""
    items = sorted(studies, key=_sort_key)
    if not items:
        return ""
    if style == "author-year":
        ordered = sorted(items, key=lambda s: ((s.first_author or s.key).lower(), s.year or 0, s.key))
        parts = []
        for s in ordered:
            name = s.first_author or s.key
            etal = " et al." if s.authors_count > 1 else ""
            parts.append(f"{name}{etal} {s.year}" if s.year else f"{name}{etal}")
        return "(" + "; ".join(parts) + ")"
    numbered = [s.ref_number for s in items if s.ref_number is not None]
    keys = [s.key for s in items if s.ref_number is None]
    text = format_citations(numbered)
    if keys:
        text = (text[:-1] + ", " if text else "[") + ", ".join(keys) + "]"
    return text


def _cited(studies: list[StudyInfo], style: str) -> dict[str, Any]:
    ordered = sorted(studies, key=_sort_key)
    return {
        "n": len(ordered),
        "studies": [s.key for s in ordered],
        "refs": [s.ref_number for s in ordered if s.ref_number is not None],
        "citation": cite(ordered, style),
    }


# --------------------------------------------------------------- code counts


def _descendants(codes: Sequence[SynthCode]) -> dict[str, set[str]]:
    children: dict[str, list[str]] = defaultdict(list)
    for c in codes:
        if c.parent:
            children[c.parent].append(c.id)
    out: dict[str, set[str]] = {}

    def walk(cid: str) -> set[str]:
        if cid not in out:
            out[cid] = {cid}
            for child in children.get(cid, []):
                out[cid] |= walk(child)
        return out[cid]

    for c in codes:
        walk(c.id)
    return out


def _code_studies(data: SynthInput, rollup: bool) -> dict[str, set[int]]:
    direct: dict[str, set[int]] = defaultdict(set)
    for study_id, code in data.codings:
        direct[code].add(study_id)
    if not rollup:
        return {c.id: set(direct.get(c.id, set())) for c in data.codes}
    desc = _descendants(data.codes)
    return {c.id: set().union(*(direct.get(d, set()) for d in desc[c.id])) for c in data.codes}


def _depth(code: SynthCode, index: Mapping[str, SynthCode]) -> int:
    depth, seen = 0, set()
    while code.parent and code.parent in index and code.parent not in seen:
        seen.add(code.parent)
        code = index[code.parent]
        depth += 1
    return depth


def code_counts(data: SynthInput) -> list[dict[str, Any]]:
    """Per code, in codebook order: the studies coded with it and their citation."""
    style, rollup = data.settings.citation_style, data.settings.rollup
    by_id = {s.id: s for s in data.studies}
    index = {c.id: c for c in data.codes}
    rolled = _code_studies(data, rollup)
    direct = _code_studies(data, False)
    out = []
    for code in data.codes:
        studies = [by_id[i] for i in rolled[code.id] if i in by_id]
        row = {
            "id": code.id,
            "name": code.name,
            "kind": code.kind,
            "parent": code.parent,
            "depth": _depth(code, index),
            "aliases": list(code.aliases),
        }
        row.update(_cited(studies, style))
        row["n_direct"] = len([i for i in direct[code.id] if i in by_id])
        out.append(row)
    return out


# ------------------------------------------------------- study characteristics


def study_characteristics(study: StudyInfo, settings: SynthSettings) -> dict[str, Any]:
    """Country names, region, income group(s) and design group of one study."""
    year = study.year
    basis = "publication"
    if settings.income_year == "data_collection" and study.data_years:
        year, basis = min(int(y) for y in study.data_years), "data_collection"
    countries = []
    for iso3 in study.countries:
        wb_region = region_of(iso3, settings.region_scheme)
        entry: dict[str, Any] = {
            "iso3": iso3.upper(),
            "name": country_name(iso3),
            "region": wb_region,
            "region_name": region_name(wb_region, settings.region_scheme),
        }
        if year is not None:
            cy = income_group(iso3, year)
            entry.update(
                income_group=cy.group, income_group_name=income_group_label(cy.group), income_fiscal_year=cy.fiscal_year
            )
        else:
            entry.update(income_group=None, income_group_name=income_group_label(None), income_fiscal_year=None)
        countries.append(entry)
    if len(countries) > 1:
        region = settings.multi_country
    elif countries:
        region = _region_group(countries[0], settings)
    else:
        region = "Not reported"
    groups = sorted({c["income_group_name"] for c in countries}, key=_income_order)
    return {
        "countries": countries,
        "region": region,
        "income_groups": groups,
        "income_year": year,
        "income_year_basis": basis if year is not None else None,
        "design_group": settings.design_groups.get(study.design or "") if study.design else None,
    }


def _region_group(country: Mapping[str, Any], settings: SynthSettings) -> str:
    for name, members in settings.region_groups.items():
        if country["iso3"] in members or (country["region"] and country["region"] in members):
            return name
    return str(country["region_name"])


_INCOME_ORDER = ["Low income", "Lower middle income", "Upper middle income", "High income", "Not classified"]


def _income_order(label: str) -> int:
    return _INCOME_ORDER.index(label) if label in _INCOME_ORDER else len(_INCOME_ORDER)


def _values(study: StudyInfo, chars: Mapping[str, Any], name: str) -> list[str]:
    if name == "country":
        return [c["name"] for c in chars["countries"]] or ["Not reported"]
    if name == "region":
        return [chars["region"]]
    if name == "income_group":
        return chars["income_groups"] or ["Not classified"]
    if name == "design":
        return [study.design or "Not reported"]
    if name == "design_group":
        return [chars["design_group"] or "Not grouped"]
    if name == "year":
        return [str(study.year) if study.year else "Not reported"]
    raise InvalidInput(f"unknown study characteristic {name!r}: use one of {', '.join(CHARACTERISTICS)}")


def _study_values(data: SynthInput, name: str) -> dict[int, list[str]]:
    return {s.id: _values(s, study_characteristics(s, data.settings), name) for s in data.studies}


def characteristics(data: SynthInput) -> dict[str, list[dict[str, Any]]]:
    """Tallies of studies by each characteristic (a study counts once per value).

    A multi-country study counts under each of its countries and income
    groups, once under its region ("Multi-country").
    """
    style = data.settings.citation_style
    out: dict[str, list[dict[str, Any]]] = {}
    by_id = {s.id: s for s in data.studies}
    for name in CHARACTERISTICS:
        groups: dict[str, list[StudyInfo]] = defaultdict(list)
        for sid, values in _study_values(data, name).items():
            for value in dict.fromkeys(values):
                groups[value].append(by_id[sid])
        rows = [{"value": value, **_cited(studies, style)} for value, studies in groups.items()]
        if name == "year":
            rows.sort(key=lambda r: r["value"])
        elif name == "income_group":
            rows.sort(key=lambda r: _income_order(r["value"]))
        else:
            rows.sort(key=lambda r: (-r["n"], r["value"]))
        out[name] = rows
    return out


# ------------------------------------------------------------------ crosstabs


def _axis(data: SynthInput, axis: str, code_sets: Mapping[str, set[int]]) -> list[tuple[str, str, set[int]]]:
    """(value id, label, study ids) for a code kind or a study characteristic."""
    if axis in KINDS:
        return [(c.id, c.name, code_sets[c.id]) for c in data.codes if c.kind == axis and c.codable and code_sets[c.id]]
    if axis in CHARACTERISTICS:
        groups: dict[str, set[int]] = defaultdict(set)
        for sid, values in _study_values(data, axis).items():
            for v in values:
                groups[v].add(sid)
        return [(v, v, ids) for v, ids in sorted(groups.items())]
    raise InvalidInput(
        f"unknown crosstab axis {axis!r}: use a code kind ({', '.join(KINDS)}) "
        f"or a study characteristic ({', '.join(CHARACTERISTICS)})"
    )


def crosstab(data: SynthInput, rows: str, columns: str) -> dict[str, Any]:
    """Studies per (row, column): code kind × code kind, or × a study characteristic."""
    style = data.settings.citation_style
    code_sets = _code_studies(data, data.settings.rollup)
    by_id = {s.id: s for s in data.studies}
    row_axis, col_axis = _axis(data, rows, code_sets), _axis(data, columns, code_sets)
    cells = []
    for (rid, _, rset), (cid, _, cset) in itertools.product(row_axis, col_axis):
        both = [by_id[i] for i in rset & cset if i in by_id]
        if both:
            cells.append({"row": rid, "column": cid, **_cited(both, style)})
    return {
        "rows": rows,
        "columns": columns,
        "row_values": [{"id": i, "name": n, "n": len(s)} for i, n, s in row_axis],
        "column_values": [{"id": i, "name": n, "n": len(s)} for i, n, s in col_axis],
        "cells": cells,
    }


DEFAULT_CROSSTABS: tuple[tuple[str, str], ...] = (
    ("intervention", "outcome"),
    ("intervention", "mechanism"),
    ("mechanism", "outcome"),
    ("context", "mechanism"),
    ("context", "outcome"),
    ("intervention", "region"),
    ("outcome", "region"),
    ("outcome", "design_group"),
    ("intervention", "income_group"),
)


# ---------------------------------------------------------- CMO configurations


def _top_codable(codes: Sequence[SynthCode]) -> dict[str, str]:
    """Each code's highest codable ancestor (itself when none is codable above it)."""
    index = {c.id: c for c in codes}
    out = {}
    for c in codes:
        best, node, seen = c.id, c, set()
        while node.parent and node.parent in index and node.parent not in seen:
            seen.add(node.parent)
            node = index[node.parent]
            if node.codable:
                best = node.id
        out[c.id] = best
    return out


def cmo_configurations(data: SynthInput) -> list[dict[str, Any]]:
    """Recurring chains (one code per role in ``settings.chain``) ranked by support."""
    settings = data.settings
    names = {c.id: c.name for c in data.codes}
    lift = _top_codable(data.codes) if settings.rollup else {}
    by_id = {s.id: s for s in data.studies}
    support: dict[tuple[str, ...], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for cmoc in data.cmocs:
        if cmoc.study_id is None or cmoc.stance != "supports":
            continue
        parts = []
        for role in settings.chain:
            codes = [lift.get(c, c) for c in cmoc.elements.get(role, [])]
            parts.append(sorted(set(codes)))
        for chain in itertools.product(*parts):
            support[chain][cmoc.study_id].add(cmoc.id)
    rows = []
    for chain, studies in support.items():
        if len(studies) < settings.min_support:
            continue
        cited = _cited([by_id[i] for i in studies if i in by_id], settings.citation_style)
        rows.append(
            {
                **{role: {"id": code, "name": names.get(code, code)} for role, code in zip(settings.chain, chain)},
                "support": cited["n"],
                **{k: v for k, v in cited.items() if k != "n"},
                "cmocs": sorted(i for ids in studies.values() for i in ids),
            }
        )
    rows.sort(key=lambda r: (-r["support"], *[r[role]["name"] for role in settings.chain]))
    return rows


def _cmoc_dict(cmoc: SynthCmoc, by_id: Mapping[int, StudyInfo], names: Mapping[str, str], style: str) -> dict[str, Any]:
    study = by_id.get(cmoc.study_id) if cmoc.study_id is not None else None
    return {
        "id": cmoc.id,
        "level": "study" if cmoc.study_id is not None else "review",
        "study": study.key if study else None,
        "citation": cite([study], style) if study else None,
        "statement": cmoc.statement,
        "stance": cmoc.stance,
        "based_on": list(cmoc.based_on),
        "elements": {role: [{"id": c, "name": names.get(c, c)} for c in cmoc.elements.get(role, [])] for role in ROLES},
    }


# ------------------------------------------------------------------- language


_LANGUAGE_PHRASES = {
    "person-first": "used person-first language",
    "mixed": "mixed person-first and stigmatising language",
    "stigmatising": "used stigmatising language",
    "none": "used neither person-first nor stigmatising terms for people",
}


def language_summary(data: SynthInput) -> dict[str, Any]:
    """Studies by language classification, with the sentence a paper would write."""
    style = data.settings.citation_style
    by_id = {s.id: s for s in data.studies}
    groups: dict[str, list[StudyInfo]] = defaultdict(list)
    for sid, cls in data.language.items():
        if sid in by_id and cls:
            groups[cls].append(by_id[sid])
    appraised = sum(len(v) for v in groups.values())
    rows, sentences = [], []
    for cls in ("person-first", "mixed", "stigmatising", "none", *sorted(set(groups) - set(_LANGUAGE_PHRASES))):
        if cls not in groups:
            continue
        cited = _cited(groups[cls], style)
        phrase = _LANGUAGE_PHRASES.get(cls, f"were classified '{cls}'")
        noun = "study" if cited["n"] == 1 else "studies"
        sentence = f"{cited['n']} {noun} {phrase} {cited['citation']}".rstrip() + "."
        rows.append({"classification": cls, **cited, "sentence": sentence})
        sentences.append(sentence)
    return {
        "studies": len(data.studies),
        "appraised": appraised,
        "not_appraised": len(data.studies) - appraised,
        "by_classification": rows,
        "summary": " ".join(sentences),
    }


# ------------------------------------------------------------------ the whole


def synthesise(
    data: SynthInput,
    *,
    crosstabs: Sequence[tuple[str, str]] = DEFAULT_CROSSTABS,
) -> dict[str, Any]:
    """The whole synthesis as one JSON-ready dict (schema in docs/synthesis.md)."""
    data.settings.check()
    style = data.settings.citation_style
    by_id = {s.id: s for s in data.studies}
    names = {c.id: c.name for c in data.codes}
    studies = []
    for s in sorted(data.studies, key=_sort_key):
        chars = study_characteristics(s, data.settings)
        studies.append(
            {
                "id": s.id,
                "key": s.key,
                "label": s.label,
                "ref_number": s.ref_number,
                "citation": cite([s], style),
                "first_author": s.first_author,
                "year": s.year,
                "design": s.design,
                "data_years": list(s.data_years),
                **chars,
            }
        )
    return {
        "schema": SCHEMA,
        "title": data.title,
        "settings": {
            "citation_style": style,
            "income_year": data.settings.income_year,
            "region_scheme": data.settings.region_scheme,
            "rollup": data.settings.rollup,
            "chain": list(data.settings.chain),
            "min_support": data.settings.min_support,
        },
        "n_studies": len(data.studies),
        "studies": studies,
        "characteristics": characteristics(data),
        "codes": code_counts(data),
        "crosstabs": [crosstab(data, r, c) for r, c in crosstabs],
        "cmo_configurations": cmo_configurations(data),
        "cmocs": [_cmoc_dict(c, by_id, names, style) for c in data.cmocs],
        "language": language_summary(data),
    }
