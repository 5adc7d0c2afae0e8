"""Reporting checklists filled from the review's own data.

The item lists are shipped in ``data/checklists/`` (our own short
paraphrases; see the data README for sources and how far each was
verified).  Each item names an *answerer*: a function that looks in the
review's data (protocol, sources, screening, appraisal, coding, synthesis)
and says whether the item is reported, partly reported or missing, what the
data say, and where in the generated report the item is addressed.  Items
no data can answer (rationale, discussion ...) are left to the authors.

Statements the store cannot hold are read from an optional ``report:``
section of ``protocol.yaml`` (``registration``, ``funding``,
``competing_interests``, ``authors``, ``acknowledgements``,
``knowledge_users``, ``shortcuts``, ``peer_review``, ``availability``,
``synthesis``, ``synthesis_grouping``, ``iterative_methods``, ``rationale``,
``amendments``).  Items no data can answer (abstract, rationale,
discussion ...) can be answered by hand: ``report.checklist_answers`` in the
protocol maps a checklist and item number to the authors' text
(:func:`set_checklist_answer` writes it; the web app's report page uses it),
and the report shows that text for the item.  Whether a formal risk-of-bias / quality appraisal is done,
and why not, is the protocol's ``quality_appraisal`` section
(:mod:`realist.appraise.rigour`); per-study relevance-and-rigour judgements
come from ``realist appraise rigour``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from ..appraise.rigour import QualityAppraisal, quality_appraisal
from ..errors import InvalidInput
from ..review import ReviewHandle
from .collect import ReportData
from .tables import Table

__all__ = [
    "CHECKLISTS",
    "ChecklistItem",
    "fill_checklist",
    "checklists_for",
    "checklist_table",
    "STATUS",
    "ManualItem",
    "manual_items",
    "set_checklist_answer",
]

CHECKLISTS = {
    "prisma2020": ("PRISMA 2020", "prisma2020.csv", "Page MJ, et al. The PRISMA 2020 statement. BMJ 2021;372:n71."),
    "rameses": (
        "RAMESES (realist syntheses)",
        "rameses.csv",
        "Wong G, Greenhalgh T, Westhorp G, Buckingham J, Pawson R. RAMESES publication standards: "
        "realist syntheses. BMC Med 2013;11:21.",
    ),
    "rapid_review": (
        "Rapid review items",
        "rapid_review.csv",
        "Stevens A, et al. Rapid review method series: interim guidance for the reporting of "
        "rapid reviews. BMJ Evid Based Med 2024.",
    ),
}
_ALIASES = {
    "prisma": "prisma2020",
    "prisma 2020": "prisma2020",
    "prisma2020": "prisma2020",
    "rameses": "rameses",
    "rapid": "rapid_review",
    "rapid review": "rapid_review",
    "rapid_review": "rapid_review",
}
STATUS = {
    "reported": "Reported",
    "partly": "Partly reported",
    "missing": "Missing",
    "author": "For the authors",
    "na": "Not applicable",
}


@dataclass
class ChecklistItem:
    standard: str
    item: str
    section: str
    topic: str
    text: str
    verification: str
    status: str  # reported | partly | missing | author | na
    answer: str
    where: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Answer = tuple[str, str, str]  # status, answer, where


def _report(data: ReportData, key: str) -> str:
    section = data.protocol.get("report") or {}
    value = section.get(key) if isinstance(section, dict) else None
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value).strip() if value else ""


def _criteria(data: ReportData) -> list[str]:
    out = []
    for stage, crit in (data.protocol.get("eligibility") or {}).items():
        for kind in ("include", "exclude"):
            for c in (crit or {}).get(kind) or []:
                label = c.get("label") or c.get("id") if isinstance(c, dict) else c
                out.append(f"{kind} ({stage.replace('_', '/')}): {label}")
    return out


def _source_text(src: dict[str, Any]) -> str:
    d = src["details"]
    bits = [f"{src['name']} ({src['kind'].replace('_', ' ')}, {src['records']} records"]
    for key in ("journals", "terms", "seeds", "direction", "dates", "searched", "date", "searched_at"):
        if d.get(key):
            value = d[key]
            value = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            bits.append(f"{key.replace('_', ' ')}: {value}")
    bits.append(f"imported {src['imported_at']}")
    return "; ".join(bits) + ")"


def a_title_prisma(d: ReportData) -> Answer:
    """PRISMA 1: the title says *systematic review* (or meta-analysis)."""
    t = d.title or ""
    low = t.lower()
    if "systematic review" in low or "meta-analys" in low:
        return "reported", f"Title: {t}", "Title"
    if "review" in low or "synthesis" in low:
        return "partly", f"Title: {t} (a review, but not called a systematic review)", "Title"
    return "missing", f"Title: {t} (does not say it is a review)", "Title"


def a_title_realist(d: ReportData) -> Answer:
    """RAMESES 1: the title says *realist* synthesis or review."""
    t = d.title or ""
    low = t.lower()
    review = any(w in low for w in ("review", "synthesis"))
    if "realist" in low and review:
        return "reported", f"Title: {t}", "Title"
    if review:
        return "partly", f"Title: {t} (a review, but not called realist)", "Title"
    return "missing", f"Title: {t} (does not say it is a realist synthesis or review)", "Title"


def a_question(d: ReportData) -> Answer:
    q = d.protocol.get("question") or ""
    subs = d.protocol.get("sub_questions") or []
    if not q and not subs:
        return "missing", "No review question in protocol.yaml.", "Introduction: Objectives"
    text = q + (" Sub-questions: " + " ".join(map(str, subs)) if subs else "")
    return "reported", text.strip(), "Introduction: Objectives"


def a_criteria(d: ReportData) -> Answer:
    crit = _criteria(d)
    if not crit:
        return "missing", "No eligibility criteria in protocol.yaml.", "Methods: Eligibility criteria"
    return "reported", "; ".join(crit), "Methods: Eligibility criteria"


def a_sources(d: ReportData) -> Answer:
    if not d.sources:
        return "missing", "No sources imported yet.", "Methods: Information sources"
    dated = all(any(s["details"].get(k) for k in ("dates", "searched", "date", "searched_at")) for s in d.sources)
    text = "; ".join(_source_text(s) for s in d.sources)
    if not dated:
        text += ". Search dates are not recorded for every source (only import dates)."
    return ("reported" if dated else "partly"), text, "Methods: Information sources"


def a_search_strings(d: ReportData) -> Answer:
    strings = [
        f"{s['name']}: {s['details'].get(k)}"
        for s in d.sources
        for k in ("query", "search", "search_string", "terms")
        if s["details"].get(k)
    ]
    if not strings:
        return "missing", "No search strings recorded with the sources.", "Appendix: Search strategies"
    return "reported", "; ".join(strings), "Methods: Information sources"


def a_selection(d: ReportData) -> Answer:
    if not d.reviewers:
        return "missing", "No screening decisions recorded.", "Methods: Selection process"
    return "reported", _selection_text(d), "Methods: Selection process"


def _selection_text(d: ReportData) -> str:
    parts = []
    for stage, names in d.reviewers.items():
        per = d.reviewers_per_record.get(stage, 0)
        parts.append(
            f"{stage.replace('_', '/')}: {len(names)} reviewers ({', '.join(names)}), {per:.1f} per record on average"
        )
        ag = d.agreement.get(stage)
        if ag:
            pa = ag["percent_agreement"]["value"]
            fk = ag["fleiss_kappa"]["value"]
            parts[-1] += f"; agreement {pa:.0%} on {ag['n_compared']} records" + (
                f", Fleiss' kappa {fk:.2f}" if fk is not None else ""
            )
    if any(v > 1 for v in d.reviewers_per_record.values()):
        parts.append("decisions recorded blind to the other reviewers; conflicts settled by a resolution")
    return "; ".join(parts)


def a_coding(d: ReportData) -> Answer:
    coded = sum(1 for s in d.studies if s.codes)
    if not coded:
        return "missing", "No study has been coded yet.", "Methods: Data collection"
    return (
        "reported",
        f"{coded} of {len(d.studies)} studies coded with the codebook "
        f"({', '.join(f'{k}: {len(v)} codes' for k, v in d.code_kinds.items())}).",
        "Methods: Data collection",
    )


def a_outcomes(d: ReportData) -> Answer:
    outcomes = d.code_kinds.get("outcome") or []
    if not outcomes:
        return "missing", "No outcome codes in the codebook.", "Methods: Data collection"
    return "reported", "Outcome codes: " + ", ".join(outcomes), "Methods: Data collection"


def a_characteristics_method(d: ReportData) -> Answer:
    kinds = [k for k in d.code_kinds if k != "outcome"]
    text = "Design, country, year of publication" + (f"; codes of kind {', '.join(kinds)}" if kinds else "")
    return "partly", text + ". Assumptions for missing information are not recorded.", "Methods: Data collection"


def _declared(d: ReportData) -> QualityAppraisal | None:
    return quality_appraisal(d.protocol)


def _judged(d: ReportData) -> list[dict[str, Any]]:
    return [r for r in d.rigour if r.get("relevance") or r.get("rigour")]


def _rigour_counts(rows: list[dict[str, Any]]) -> str:
    def tally(key: str) -> str:
        counts: dict[str, int] = {}
        for r in rows:
            counts[str(r.get(key) or "not judged")] = counts.get(str(r.get(key) or "not judged"), 0) + 1
        return ", ".join(f"{k} {v}" for k, v in counts.items())

    return f"relevance: {tally('relevance')}; rigour: {tally('rigour')}"


def _appraisal_text(d: ReportData) -> str:
    """What the review did about quality: the protocol's declaration and the judgements made."""
    declared = _declared(d)
    judged = _judged(d)
    parts = []
    if declared is not None and declared.formal:
        parts.append(f"Risk of bias / quality assessed with {declared.tool}")
    elif declared is not None:
        parts.append(f"No formal risk-of-bias or quality appraisal: {declared.reason.rstrip('.')}")
    if declared is not None and declared.approach:
        parts.append(declared.approach.rstrip("."))
    if judged:
        judges = sorted({str(r["judged_by"]) for r in judged if r.get("judged_by")})
        parts.append(
            f"relevance and rigour judged per study for {len(judged)} of {len(d.studies)} studies"
            + (f" (by {', '.join(judges)})" if judges else "")
        )
    return ". ".join(parts) + "." if parts else ""


def a_risk_of_bias(d: ReportData) -> Answer:
    """PRISMA 11: how risk of bias was assessed, or the declaration that it was not, and why."""
    where = "Methods: Appraisal"
    declared = _declared(d)
    if declared is None:
        if _judged(d):
            return (
                "partly",
                _appraisal_text(d) + " The protocol does not declare whether a formal "
                "appraisal is done (protocol: quality_appraisal).",
                where,
            )
        return (
            "missing",
            "The protocol does not say whether risk of bias or quality is appraised (protocol: quality_appraisal).",
            where,
        )
    return "reported", _appraisal_text(d), where


def a_risk_of_bias_results(d: ReportData) -> Answer:
    """PRISMA 18: the judgement for each study (or none, on purpose, as declared)."""
    where = "Results: Appraisal"
    declared = _declared(d)
    judged = _judged(d)
    n = len(d.studies)
    if judged and n and len(judged) == n:
        return "reported", f"Judgements for all {n} studies: {_rigour_counts(judged)}.", where
    if judged:
        return "partly", f"Judgements for {len(judged)} of {n} studies: {_rigour_counts(judged)}.", where
    if declared is not None and not declared.formal:
        return (
            "na",
            f"No per-study risk-of-bias judgements: no formal appraisal, as the protocol declares "
            f"({declared.reason.rstrip('.')}).",
            where,
        )
    if declared is not None:
        return (
            "missing",
            f"The protocol names {declared.tool}, but no judgement is recorded (realist appraise rigour).",
            where,
        )
    return (
        "missing",
        "No risk-of-bias or quality judgements recorded, and the protocol does not say why "
        "(protocol: quality_appraisal).",
        where,
    )


def a_selection_appraisal(d: ReportData) -> Answer:
    """RAMESES 9: how documents were selected *and* appraised (relevance and rigour)."""
    where = "Methods: Selection and appraisal"
    selection = _selection_text(d) if d.reviewers else ""
    appraisal = _appraisal_text(d) if (_declared(d) is not None or _judged(d)) else ""
    if selection and appraisal:
        return "reported", f"Selection: {selection}. Appraisal: {appraisal}", where
    if selection:
        return (
            "partly",
            f"Selection: {selection}. How documents were appraised is not stated "
            "(protocol: quality_appraisal; realist appraise rigour).",
            where,
        )
    if appraisal:
        return "partly", f"Appraisal: {appraisal} No screening decisions recorded.", where
    return "missing", "No screening decisions recorded and no appraisal declared.", where


def a_synthesis(d: ReportData) -> Answer:
    stated = _report(d, "synthesis")
    if d.cmocs:
        text = (
            f"{len(d.cmocs)} CMO configurations recorded, each linked to the excerpts that back it; "
            "recurring configurations form the programme theory"
        )
        return "reported", (stated + ". " if stated else "") + text, "Methods: Synthesis"
    return ("partly" if stated else "missing"), stated or "No CMO configurations recorded.", "Methods: Synthesis"


def a_synthesis_grouping(d: ReportData) -> Answer:
    """PRISMA 13a: how studies were chosen for each synthesis (here: by the codes they carry)."""
    where = "Methods: Synthesis"
    stated = _report(d, "synthesis_grouping")
    coded = sum(1 for s in d.studies if s.codes)
    if not coded:
        return (
            ("reported" if stated else "missing"),
            stated or "No study has been coded, so no synthesis has studies yet.",
            where,
        )
    codes = sum(len(v) for v in d.code_kinds.values())
    text = (
        f"A study contributes to the synthesis of a code when it is coded with that code or one of its "
        f"descendants ({codes} codes; {coded} of {len(d.studies)} studies coded); disputed codings are left out."
    )
    return "reported", (stated + ". " if stated else "") + text, where


def a_displays(d: ReportData) -> Answer:
    return (
        "reported",
        "Table of included studies; bar charts of designs, years and regions; map of "
        "countries; heatmaps of code pairs; programme theory graph.",
        "Results",
    )


def a_flow(d: ReportData) -> Answer:
    c = d.prisma
    if not c.identified:
        return "missing", "No records identified yet.", "Results: Figure 1 (PRISMA flow diagram)"
    return (
        "reported",
        f"{c.identified} records identified; {c.new_studies} studies ({c.new_reports} reports) included.",
        "Results: Figure 1 (PRISMA flow diagram)",
    )


def a_exclusions(d: ReportData) -> Answer:
    reasons = {**d.prisma.dbr_excluded}
    for k, v in d.prisma.other_excluded.items():
        reasons[k] = reasons.get(k, 0) + v
    if not reasons:
        return "missing", "No reports excluded with reasons.", "Results: Figure 1"
    return (
        "partly",
        "Excluded reports by reason: "
        + ", ".join(f"{k} {v}" for k, v in reasons.items())
        + ". The excluded studies are not cited individually.",
        "Results: Figure 1",
    )


def a_characteristics(d: ReportData) -> Answer:
    if not d.studies:
        return "missing", "No included studies recorded.", "Results: Table 1"
    complete = sum(1 for s in d.studies if s.design and s.countries and s.year)
    status = "reported" if complete == len(d.studies) else "partly"
    return (
        status,
        f"{len(d.studies)} studies cited with design, country and year ({complete} complete).",
        "Results: Table 1",
    )


def a_study_codes(d: ReportData) -> Answer:
    coded = sum(1 for s in d.studies if s.codes)
    if not coded:
        return "missing", "No study codes recorded.", "Results: Evidence plots"
    return (
        "partly",
        f"Codes per study for {coded} studies (qualitative synthesis: no effect estimates).",
        "Results: Evidence plots",
    )


def a_synthesis_results(d: ReportData) -> Answer:
    if not d.cmocs:
        return "missing", "No CMO configurations recorded.", "Results: Programme theory"
    studies = {c.study_key for c in d.cmocs if c.study_key}
    return "reported", f"{len(d.cmocs)} CMO configurations from {len(studies)} studies.", "Results: Programme theory"


def a_synthesis_characteristics(d: ReportData) -> Answer:
    """PRISMA 20a: characteristics and risk of bias of the studies behind each synthesis."""
    where = "Results: Programme theory"
    if not d.cmocs:
        return "missing", "No CMO configurations recorded, so no synthesis to describe.", where
    keys = {c.study_key for c in d.cmocs if c.study_key}
    contributing = [s for s in d.studies if s.key in keys]
    incomplete = [s.key for s in contributing if not (s.design and s.countries and s.year)]
    declared = _declared(d)
    judged = {r["key"] for r in _judged(d)}
    unjudged = [s.key for s in contributing if s.key not in judged]
    rob_ok = not unjudged or (declared is not None and not declared.formal)
    text = f"{len(contributing)} studies contribute CMO configurations"
    gaps = []
    if incomplete:
        gaps.append(f"design, country or year missing for {', '.join(incomplete)}")
    if not rob_ok:
        gaps.append(
            f"no relevance-and-rigour judgement for {', '.join(unjudged)}"
            + ("" if declared is not None else " and no quality_appraisal declared")
        )
    if gaps:
        return "partly", text + "; " + "; ".join(gaps) + ".", where
    rob = (
        "relevance and rigour judged for all of them"
        if not unjudged
        else f"no formal risk-of-bias appraisal, as declared ({declared.reason.rstrip('.')})"
        if declared
        else ""
    )
    return "reported", f"{text}, each with design, country and year (Table 1); {rob}.", where


def a_amendments(d: ReportData) -> Answer:
    where = "Methods: Protocol"
    stated = _report(d, "amendments")
    versions = d.protocol_versions
    if stated:
        tail = f" The protocol file has {versions} logged versions." if versions > 1 else ""
        return "reported", stated.rstrip(".") + "." + tail, where
    if versions > 1:
        return (
            "partly",
            f"The protocol was changed: {versions} logged versions, but the changes are not "
            "described or explained (report: amendments).",
            where,
        )
    if versions == 1:
        return (
            "reported",
            "No amendments: the protocol has one logged version, unchanged since it was first recorded.",
            where,
        )
    return "missing", "No protocol version is logged and no amendments are stated (report: amendments).", where


def _stated(key: str, where: str, missing: str) -> Callable[[ReportData], Answer]:
    def answer(d: ReportData) -> Answer:
        value = _report(d, key)
        return ("reported", value, where) if value else ("missing", missing, where)

    return answer


def a_prisma_base(d: ReportData) -> Answer:
    named = [str(n) for n in d.protocol.get("reporting_standards") or []]
    if any(_ALIASES.get(n.lower().strip()) == "prisma2020" for n in named):
        return "reported", "The PRISMA 2020 checklist is filled in this appendix.", "Appendix: Checklists"
    return (
        "missing",
        "The protocol's reporting_standards do not name PRISMA 2020"
        + (f" (they name {', '.join(named)})" if named else "")
        + ", so its checklist is not filled.",
        "Appendix: Checklists",
    )


def a_funding_interests(d: ReportData) -> Answer:
    """RAMESES 19: funding sources and the funders' role, *and* the reviewers' competing interests."""
    funding, interests = _report(d, "funding"), _report(d, "competing_interests")
    if funding and interests:
        return "reported", f"Funding: {funding}. Competing interests: {interests}.", "Other information"
    if funding or interests:
        missing = "competing interests (report: competing_interests)" if funding else "funding (report: funding)"
        have = f"Funding: {funding}." if funding else f"Competing interests: {interests}."
        return "partly", f"{have} Not stated: {missing}.", "Other information"
    return (
        "missing",
        "Neither funding nor competing interests stated (report: funding, competing_interests).",
        "Other information",
    )


def a_protocol(d: ReportData) -> Answer:
    url = _report(d, "protocol_url")
    if url:
        return "reported", url, "Methods: Protocol"
    return "partly", "The protocol is kept as protocol.yaml with the review (versions logged).", "Methods: Protocol"


ANSWERERS: dict[str, Callable[[ReportData], Answer]] = {
    "title_prisma": a_title_prisma,
    "title_realist": a_title_realist,
    "question": a_question,
    "criteria": a_criteria,
    "sources": a_sources,
    "search_strings": a_search_strings,
    "selection": a_selection,
    "coding": a_coding,
    "outcomes": a_outcomes,
    "characteristics_method": a_characteristics_method,
    "risk_of_bias": a_risk_of_bias,
    "risk_of_bias_results": a_risk_of_bias_results,
    "selection_appraisal": a_selection_appraisal,
    "synthesis": a_synthesis,
    "synthesis_grouping": a_synthesis_grouping,
    "synthesis_characteristics": a_synthesis_characteristics,
    "displays": a_displays,
    "flow": a_flow,
    "exclusions": a_exclusions,
    "characteristics": a_characteristics,
    "study_codes": a_study_codes,
    "synthesis_results": a_synthesis_results,
    "amendments": a_amendments,
    "prisma_base": a_prisma_base,
    "protocol": a_protocol,
    "funding_interests": a_funding_interests,
    "not_applicable": lambda d: (
        "na",
        "Qualitative realist synthesis: no effect measures or meta-analysis.",
        "Methods: Synthesis",
    ),
    "registration": _stated("registration", "Other information", "Registration not stated (report: registration)."),
    "funding": _stated("funding", "Other information", "Funding not stated (report: funding)."),
    "competing_interests": _stated(
        "competing_interests", "Other information", "Competing interests not stated (report: competing_interests)."
    ),
    "availability": _stated(
        "availability", "Other information", "Availability of data not stated (report: availability)."
    ),
    "shortcuts": _stated("shortcuts", "Methods", "Rapid-review shortcuts not stated (report: shortcuts)."),
    "knowledge_users": _stated(
        "knowledge_users", "Methods", "Knowledge-user involvement not stated (report: knowledge_users)."
    ),
    "authors": _stated("authors", "Title page", "Authors not stated (report: authors)."),
    "acknowledgements": _stated(
        "acknowledgements", "Acknowledgements", "Acknowledgements not stated (report: acknowledgements)."
    ),
    "peer_review": _stated("peer_review", "Methods", "Expert peer review not stated (report: peer_review)."),
    "iterative_methods": _stated(
        "iterative_methods", "Methods", "Pre-specified iterative methods not stated (report: iterative_methods)."
    ),
}


def _items(name: str) -> list[dict[str, str]]:
    text = resources.files("realist.report").joinpath(f"data/checklists/{CHECKLISTS[name][1]}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def fill_checklist(data: ReportData, name: str) -> list[ChecklistItem]:
    """One checklist, each item answered from the data where it can be."""
    key = _ALIASES.get(name.lower().strip(), name)
    if key not in CHECKLISTS:
        hint = (
            (
                " (there is no published PRISMA extension for rapid reviews yet; 'rapid_review' holds the "
                "interim rapid-review items)"
            )
            if "rr" in name.lower().replace("prisma", "")
            else ""
        )
        raise InvalidInput(f"unknown checklist {name!r}: use one of {', '.join(CHECKLISTS)}{hint}")
    label = CHECKLISTS[key][0]
    rows = []
    for item in _items(key):
        answerer = ANSWERERS.get(item["answer"] or "")
        if answerer is None:
            status, answer, where = "author", "To be written by the authors.", _where_for_author(item["section"])
            given = _manual(data.protocol, key).get(item["item"])
            if given:
                status, answer = "reported", f"Stated by the authors: {given}"
        else:
            status, answer, where = answerer(data)
        rows.append(
            ChecklistItem(
                label,
                item["item"],
                item["section"],
                item["topic"],
                item["text"],
                item["verification"],
                status,
                answer,
                where,
            )
        )
    return rows


def _manual(protocol: dict[str, Any], key: str) -> dict[str, str]:
    """The authors' own answers to one checklist's items (item number -> text)."""
    section = protocol.get("report") or {}
    answers = section.get("checklist_answers") if isinstance(section, dict) else None
    mine = answers.get(key) if isinstance(answers, dict) else None
    if not isinstance(mine, dict):
        return {}
    return {str(k): str(v).strip() for k, v in mine.items() if v is not None and str(v).strip()}


@dataclass(frozen=True)
class ManualItem:
    """A checklist item no data can answer, with the authors' answer so far ("" when none)."""

    checklist: str
    label: str
    item: str
    section: str
    topic: str
    text: str
    answer: str


def _wanted(protocol: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for name in protocol.get("reporting_standards") or ["PRISMA 2020", "RAMESES"]:
        key = _ALIASES.get(str(name).lower().strip())
        if key and key not in out:
            out.append(key)
    return out


def manual_items(protocol: dict[str, Any]) -> list[ManualItem]:
    """The items of the protocol's checklists that only the authors can answer, in checklist order."""
    out = []
    for key in _wanted(protocol):
        given = _manual(protocol, key)
        for item in _items(key):
            if ANSWERERS.get(item["answer"] or "") is None:
                out.append(
                    ManualItem(
                        key,
                        CHECKLISTS[key][0],
                        item["item"],
                        item["section"],
                        item["topic"],
                        item["text"],
                        given.get(item["item"], ""),
                    )
                )
    return out


def set_checklist_answer(review: ReviewHandle, checklist: str, item: str, text: str) -> None:
    """Store (or with empty ``text`` remove) the authors' answer to a checklist item.

    Only items that no data can answer take one.  The answer goes into the
    protocol (``report.checklist_answers``), so the command line's report and
    the web app's read the same text, and the new protocol version is logged
    as the review's actor.
    """
    key = _ALIASES.get(checklist.lower().strip(), checklist)
    if key not in CHECKLISTS:
        raise InvalidInput(f"unknown checklist {checklist!r}: use one of {', '.join(CHECKLISTS)}", field="checklist")
    row = next((i for i in _items(key) if i["item"] == item.strip()), None)
    if row is None:
        raise InvalidInput(f"{CHECKLISTS[key][0]} has no item {item!r}", field="item")
    if ANSWERERS.get(row["answer"] or "") is not None:
        raise InvalidInput(
            f"{CHECKLISTS[key][0]} item {row['item']} ({row['topic']}) is answered from the review's data",
            field="item",
        )
    value = text.strip()
    if len(value) > 5000:
        raise InvalidInput(f"the answer to item {row['item']} is longer than 5000 characters", field="text")
    protocol = review.protocol()
    section = protocol.get("report")
    if section is None:
        section = protocol["report"] = {}
    if not isinstance(section, dict):
        raise InvalidInput(f"{review.protocol_path}: 'report' must be a mapping of statements")
    answers = section.setdefault("checklist_answers", {})
    if not isinstance(answers, dict):
        raise InvalidInput(f"{review.protocol_path}: 'report.checklist_answers' must map checklists to items")
    mine = answers.setdefault(key, {})
    if not isinstance(mine, dict):
        raise InvalidInput(f"{review.protocol_path}: 'report.checklist_answers.{key}' must map items to text")
    if value:
        mine[row["item"]] = value
    else:
        mine.pop(row["item"], None)
    if not mine:
        answers.pop(key, None)
    review.write_protocol(protocol)  # logs the new version (protocol.changed) as the review's actor


def _where_for_author(section: str) -> str:
    return {"Abstract": "Abstract", "Introduction": "Introduction", "Discussion": "Discussion"}.get(
        section, f"{section} (to be written)"
    )


def checklists_for(data: ReportData) -> dict[str, list[ChecklistItem]]:
    """The checklists the protocol names (``reporting_standards``), plus rapid-review items when asked."""
    return {key: fill_checklist(data, key) for key in _wanted(data.protocol)}


def checklist_table(items: list[ChecklistItem], key: str) -> Table:
    cols = ["Item", "Section", "Topic", "Status", "Where addressed", "From the review's data"]
    rows = []
    for it in items:
        topic = (
            it.topic
            if it.verification.startswith(("verified", "partly")) or it.verification == ""
            else f"{it.topic} (item wording unverified)"
        )
        rows.append([it.item, it.section, topic, STATUS.get(it.status, it.status), it.where, it.answer])
    name = CHECKLISTS[key][0]
    return Table(f"checklist_{key}", f"{name} checklist ({CHECKLISTS[key][2]})", cols, rows)
