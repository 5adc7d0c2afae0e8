"""Gather everything the report shows into one plain object, :class:`ReportData`.

The report reads the store through the stages' public functions; a stage
that has no data yet (nothing screened, no studies, no codes, no CMOCs)
leaves its part empty and the report says what is missing.  Those absences
are checked for explicitly; an exception from a stage is a bug and
propagates (only user errors in the protocol — a malformed codebook, a
crosstab naming no code kind — are noted as missing instead).  The stages
are imported where they are used, so that importing the report stays light.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import select

from ..deduplicate.store import retracted_records
from ..errors import InvalidInput, RealistError
from ..review import ReviewHandle
from ..store.events import events
from ..store.models import Record, Source, Study
from ..study import StudyInfo, first_author
from .prisma import PrismaCounts, prisma_counts

__all__ = ["ReportData", "StudyRow", "CmocRow", "collect", "country_names", "country_regions"]


@dataclass
class StudyRow(StudyInfo):
    """One included study as the report shows it: the study, and what the report adds."""

    csl: dict[str, Any] = field(default_factory=dict)  # CSL-JSON of its main report
    codes: dict[str, list[str]] = field(default_factory=dict)  # kind -> code names
    language: str | None = None  # language appraisal classification
    retracted: str | None = None  # why a report of this study is retracted (deduplicate.store.retracted_records)


@dataclass
class CmocRow:
    study_key: str | None
    ref_number: int | None
    statement: str
    elements: dict[str, list[str]]  # role -> code names


@dataclass
class ReportData:
    title: str
    protocol: dict[str, Any]
    prisma: PrismaCounts
    studies: list[StudyRow]
    sources: list[dict[str, Any]]
    cmocs: list[CmocRow] = field(default_factory=list)
    code_kinds: dict[str, list[str]] = field(default_factory=dict)  # kind -> code names in codebook order
    agreement: dict[str, dict[str, Any]] = field(default_factory=dict)  # stage -> report dict
    reviewers: dict[str, list[str]] = field(default_factory=dict)  # stage -> names
    reviewers_per_record: dict[str, float] = field(default_factory=dict)
    language: list[dict[str, Any]] = field(default_factory=list)
    rigour: list[dict[str, Any]] = field(default_factory=list)  # appraise.rigour.rigour_summary
    synthesis: dict[str, Any] | None = None  # `realist synth --json` (schema realist.synthesis/1)
    protocol_versions: int = 0
    first_activity: str | None = None
    last_activity: str | None = None
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # shown loudly at the top (retracted studies)
    #: records each citation-chasing seed contributed, per direction (network.seed_contributions)
    citation_seeds: list[dict[str, Any]] = field(default_factory=list)

    def study_by_id(self) -> dict[int, StudyRow]:
        return {s.id: s for s in self.studies}


# ------------------------------------------------------------------ countries


@lru_cache(maxsize=1)
def _countries() -> dict[str, dict[str, str]]:
    text = resources.files("realist.report").joinpath("data/countries.csv").read_text(encoding="utf-8")
    return {row["iso3"]: row for row in csv.DictReader(text.splitlines())}


@lru_cache(maxsize=1)
def _map_names() -> dict[str, str]:
    data = json.loads(resources.files("realist.report").joinpath("data/world_110m.json").read_text("utf-8"))
    return {iso: c["name"] for iso, c in data["countries"].items()}


def country_names() -> dict[str, str]:
    """ISO3 -> a short readable name (Natural Earth's, else the World Bank's)."""
    names = {iso: row["name"] for iso, row in _countries().items()}
    names.update(_map_names())
    return names


def country_regions() -> dict[str, str]:
    """ISO3 -> World Bank region (FY2026 classification)."""
    return {iso: row["wb_region"] for iso, row in _countries().items()}


# ------------------------------------------------------------------ CSL-JSON


def _csl_author(name: str) -> dict[str, str]:
    name = name.strip()
    if "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    parts = name.split()
    if len(parts) > 1 and all(len(p.strip(".")) <= 2 for p in parts[1:]):  # "Ayon S"
        return {"family": parts[0], "given": " ".join(parts[1:])}
    if len(parts) > 1:
        return {"family": parts[-1], "given": " ".join(parts[:-1])}
    return {"literal": name}


def record_csl(record: Record | None, study: Study) -> dict[str, Any]:
    """CSL-JSON for a study's main report (falls back to the study's label)."""
    item: dict[str, Any] = {"id": study.key, "type": "article-journal"}
    if record is None:
        item["title"] = study.label
        if study.year:
            item["issued"] = {"date-parts": [[study.year]]}
        return item
    authors = [a for a in (record.authors or []) if isinstance(a, str) and a.strip()]
    others = [a for a in authors if a.strip().lower() in ("et al", "et al.")]
    authors = [a for a in authors if a not in others]
    if authors:
        item["author"] = [_csl_author(a) for a in authors]
        if others:  # the record lists only the first author(s): keep the "et al." it printed
            item["author"].append({"literal": "et al."})
    for key, value in (
        ("title", record.title),
        ("container-title", record.journal),
        ("volume", record.volume),
        ("issue", record.issue),
        ("page", record.pages),
        ("DOI", record.doi),
        ("URL", None if record.doi else record.url),
    ):
        if value:
            item[key] = str(value)
    year = record.year or study.year
    if year:
        item["issued"] = {"date-parts": [[year]]}
    if not record.journal:
        item["type"] = "article"
    return item


# ------------------------------------------------------------------ collect


DEFAULT_HEATMAPS = (("intervention", "outcome"), ("intervention", "mechanism"), ("context", "mechanism"))


def heatmap_pairs(protocol: dict[str, Any]) -> list[tuple[str, str]]:
    """The code-kind pairs to cross: ``report: heatmaps: [[intervention, outcome], ...]`` or the defaults."""
    section = protocol.get("report") if isinstance(protocol.get("report"), dict) else {}
    pairs = section.get("heatmaps") if section else None
    if not pairs:
        return list(DEFAULT_HEATMAPS)
    out = []
    for pair in pairs:
        if isinstance(pair, str):
            pair = pair.replace("\u00d7", ":").split(":")
        if len(pair) != 2:
            raise InvalidInput(f"protocol.yaml report.heatmaps: {pair!r} is not a pair such as [intervention, outcome]")
        out.append((str(pair[0]).strip(), str(pair[1]).strip()))
    return out


def collect(review: ReviewHandle, *, heatmaps: list[tuple[str, str]] | None = None) -> ReportData:
    """Everything the report needs, read once."""
    protocol = review.protocol()
    counts = prisma_counts(review)
    missing: list[str] = []
    with review.session() as session:
        studies = session.scalars(select(Study).where(Study.review_id == review.review_id)).all()
        records = {
            r.id: r
            for r in session.scalars(
                select(Record).where(Record.review_id == review.review_id, Record.study_id.is_not(None))
            )
        }
        sources = session.scalars(select(Source).where(Source.review_id == review.review_id).order_by(Source.id)).all()
        source_rows = [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind,
                "format": s.format,
                "records": s.record_count,
                "imported_at": s.imported_at.date().isoformat(),
                "details": dict(s.details or {}),
            }
            for s in sources
        ]
        log = events(session, review.review_id)
        protocol_versions = sum(1 for e in log if e.action == "protocol.changed")
        first = log[0].at.date().isoformat() if log else None
        last = log[-1].at.date().isoformat() if log else None
        rows: list[StudyRow] = []
        by_study: dict[int, list[Record]] = {}
        for rec in records.values():
            by_study.setdefault(rec.study_id or 0, []).append(rec)
        for st in studies:
            recs = sorted(by_study.get(st.id, []), key=lambda r: (r.duplicate_of_id is not None, r.id))
            surname, authors_count = first_author(list(recs[0].authors or []) if recs else [], st.details or {})
            rows.append(
                StudyRow(
                    id=st.id,
                    key=st.key,
                    label=st.label,
                    ref_number=st.ref_number,
                    design=st.design,
                    countries=list(st.countries or []),
                    data_years=list(st.data_years or []),
                    year=st.year or (recs[0].year if recs else None),
                    record_ids=[r.id for r in recs if r.duplicate_of_id is None],
                    details=dict(st.details or {}),
                    first_author=surname,
                    authors_count=authors_count,
                    csl=record_csl(recs[0] if recs else None, st),
                )
            )
        retracted = retracted_records(session, review.review_id)
        warnings: list[str] = []
        for row in rows:
            why = next(
                (
                    f"record {rec.id}: {retracted[rec.id]}"
                    for rec in sorted(by_study.get(row.id, []), key=lambda r: r.id)
                    if rec.id in retracted
                ),
                None,
            )
            if why is not None:
                row.retracted = why
                warnings.append(
                    f"RETRACTED: included study {row.label} reports a retracted article ({why}). "
                    "Check whether it should stay in the synthesis."
                )
    rows.sort(key=lambda r: (r.ref_number is None, r.ref_number or 0, r.label.lower()))
    data = ReportData(
        review.title,
        protocol,
        counts,
        rows,
        source_rows,
        protocol_versions=protocol_versions,
        first_activity=first,
        last_activity=last,
        missing=missing,
        warnings=warnings,
    )
    if not rows:
        missing.append("No included studies are recorded yet (realist studies / studies_from_included).")
    from ..network.provenance import seed_contributions

    data.citation_seeds = seed_contributions(review)
    codebook_readable = _collect_codes(review, data)
    if codebook_readable:  # CMOCs and the synthesis name their codes from the codebook
        _collect_cmocs(review, data)
    _collect_language(review, data)
    from ..appraise.rigour import rigour_summary

    data.rigour = rigour_summary(review)
    _collect_screening(review, data)
    if codebook_readable:
        _collect_synthesis(review, data, heatmaps if heatmaps is not None else heatmap_pairs(protocol))
    return data


def _collect_synthesis(review: ReviewHandle, data: ReportData, pairs: list[tuple[str, str]]) -> None:
    from ..synthesise.store import synthesis

    if not data.studies:
        return
    try:
        data.synthesis = synthesis(review, crosstabs=pairs)
    except RealistError as exc:  # e.g. a crosstab the protocol asks for names no code kind
        data.missing.append(f"The synthesis could not be computed: {exc}")


def _collect_codes(review: ReviewHandle, data: ReportData) -> bool:
    """Codes per study and per kind; False when protocol.yaml's codebook is malformed (noted as missing)."""
    from ..code.codebook import load_codebook
    from ..code.coding import list_codings

    try:
        codebook = load_codebook(review)
    except InvalidInput as exc:  # a mistake in protocol.yaml's codebook must not stop the report
        data.missing.append(
            f"Codes could not be read: {exc}; codes, CMO configurations and the synthesis "
            "are left out until it is fixed."
        )
        return False
    kinds: dict[str, list[str]] = {}
    for code in codebook:
        kinds.setdefault(code.kind, []).append(code.name)
    data.code_kinds = kinds
    codings = list_codings(review)
    by_id = data.study_by_id()
    for coding in codings:
        row = by_id.get(coding.study_id)
        if row is None or not coding.kind:
            continue
        names = row.codes.setdefault(coding.kind, [])
        name = coding.code_name or coding.code
        if name not in names:
            names.append(name)
    if not codings:
        data.missing.append("No study has been coded yet: evidence heatmaps are empty.")
    return True


def _collect_cmocs(review: ReviewHandle, data: ReportData) -> None:
    from ..code.cmoc import list_cmocs

    for c in list_cmocs(review):
        elements: dict[str, list[str]] = {
            role: [e.get("name") or e["code"] for e in items] for role, items in (c.elements or {}).items()
        }
        data.cmocs.append(CmocRow(c.study_key, c.ref_number, c.statement, elements))
    if not data.cmocs:
        data.missing.append("No CMO configurations are recorded yet: the programme theory graph is empty.")


def _collect_language(review: ReviewHandle, data: ReportData) -> None:
    from ..appraise.store import language_summary

    data.language = [dict(row) for row in language_summary(review)]
    by_key = {s.key: s for s in data.studies}
    for row in data.language:
        key = row.get("key")
        study = by_key.get(key) if key is not None else None
        if study is not None:
            study.language = row.get("classification")


def _collect_screening(review: ReviewHandle, data: ReportData) -> None:
    from ..screen.agreement_store import review_agreement
    from ..screen.decisions import STAGES, statuses

    if not data.prisma.has_screening:
        data.missing.append("No screening decisions are recorded yet.")
    for stage in STAGES:
        people: set[str] = set()
        per_record = []
        for s in statuses(review, stage).values():
            if s.decisions:
                people.update(s.decisions)
                per_record.append(len(s.decisions))
        if not per_record:  # nobody has screened at this stage
            continue
        data.reviewers[stage] = sorted(people)
        data.reviewers_per_record[stage] = sum(per_record) / len(per_record)
        report = review_agreement(review, stage)
        if report.n_compared:
            data.agreement[stage] = report.to_dict()
