"""The generated text of the report: Methods from the protocol and the logs,
Results from the counts and the synthesis.  Plain paragraphs, shared by the
HTML, DOCX and Markdown renderers.  Nothing is invented: where the data are
missing, the text says so.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..vocabulary import CMO_ROLES
from .collect import ReportData, StudyRow, country_names
from .plots import cite_list
from .prisma import PrismaCounts

__all__ = ["methods_sections", "results_sections", "plural"]

Section = tuple[str, list[str]]


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def methods_sections(d: ReportData) -> list[Section]:
    p = d.protocol
    out: list[Section] = []
    q = (p.get("question") or "").strip()
    subs = [str(s) for s in p.get("sub_questions") or []]
    text = []
    if q:
        text.append(f"The review asked: {q}")
    if subs:
        text.append("Sub-questions: " + " ".join(subs))
    out.append(("Review question", text or ["The review question is not yet written in protocol.yaml."]))

    crit_text = []
    for stage, crit in (p.get("eligibility") or {}).items():
        stage_name = "title and abstract" if stage == "title_abstract" else "full text"
        for kind, verb in (("include", "Included"), ("exclude", "Excluded")):
            labels = [
                str(c.get("label") or c.get("id")) if isinstance(c, dict) else str(c)
                for c in (crit or {}).get(kind) or []
            ]
            if labels:
                crit_text.append(f"{verb} at {stage_name}: {'; '.join(labels)}.")
    out.append(("Eligibility criteria", crit_text or ["No eligibility criteria are recorded in the protocol."]))

    src_text = []
    if d.sources:
        src_text.append(
            f"Records came from {plural(len(d.sources), 'source')}: "
            + _join(
                [f"{s['name']} ({s['kind'].replace('_', ' ')}, {plural(s['records'], 'record')})" for s in d.sources]
            )
            + "."
        )
        for s in d.sources:
            det = s["details"]
            if det.get("method"):
                src_text.append(f"{s['name']}: {str(det['method']).strip()}")
            elif det.get("journals") or det.get("terms"):
                src_text.append(
                    f"Hand search ({s['name']}): journals {', '.join(map(str, det.get('journals') or []))}"
                    f"; terms {', '.join(map(str, det.get('terms') or []))}."
                )
            if det.get("dates"):
                src_text.append(f"Searched: {det['dates']}.")
            outside = det.get("outside_tool")
            if isinstance(outside, dict) and outside.get("identified"):
                src_text.append(
                    f"A further {plural(int(outside['identified']), 'record')} from this source "
                    f"were counted outside realist ({outside.get('excluded', 0)} excluded"
                    + (f": {outside['reason']}" if outside.get("reason") else "")
                    + ")."
                )
            if s["kind"] == "citation" and det.get("seeds"):
                src_text.append(
                    f"Citation searching ({s['name']}) started from "
                    f"{plural(len(det['seeds']), 'seed paper')}"
                    + (f", {det['direction']}" if det.get("direction") else "")
                    + "."
                )
        src_text += _seed_sentences(d.citation_seeds)
        if d.prisma.duplicates:
            src_text.append(f"{plural(d.prisma.duplicates, 'duplicate record')} were removed before screening.")
    else:
        src_text.append("No sources have been imported yet.")
    out.append(("Information sources and search", src_text))

    sel = []
    for stage, names in d.reviewers.items():
        stage_name = "Titles and abstracts" if stage == "title_abstract" else "Full texts"
        per = d.reviewers_per_record.get(stage, 0)
        if len(names) == 1:
            sel.append(f"{stage_name} were screened by {names[0]}.")
        else:
            sel.append(
                f"{stage_name} were screened by {plural(len(names), 'reviewer')} "
                f"({_join(names)}), {per:.1f} per record on average"
                + (", each blind to the others' decisions." if per > 1 else ".")
            )
        ag = d.agreement.get(stage)
        if ag and ag["percent_agreement"]["value"] is not None:
            fk = ag["fleiss_kappa"]["value"]
            sel.append(
                f"Agreement before resolution was {ag['percent_agreement']['value']:.0%} on "
                f"{plural(ag['n_compared'], 'record')} screened by two or more reviewers"
                + (f" (Fleiss' kappa {fk:.2f})." if fk is not None else ".")
            )
    if not sel:
        sel.append("No screening decisions are recorded yet.")
    if d.prisma.manual:
        sel.append("Some counts in the flow diagram were made outside realist and are marked \u2020.")
    out.append(("Selection of studies", sel))

    appraisal = []
    stated = (p.get("report") or {}).get("appraisal") if isinstance(p.get("report"), dict) else None
    if stated:
        appraisal.append(str(stated))
    appraised = [row for row in d.language if row.get("classification")]
    if appraised:
        appraisal.append(
            f"The language of {plural(len(appraised), 'included study', 'included studies')} "
            "was appraised for stigmatising terms and person-first alternatives."
        )
    out.append(("Appraisal", appraisal or ["No appraisal is recorded yet."]))

    analysis = []
    if d.code_kinds:
        analysis.append(
            "Studies were coded with a codebook of "
            + _join([f"{plural(len(v), k + ' code')}" for k, v in d.code_kinds.items()])
            + "."
        )
    if d.cmocs:
        analysis.append(
            f"Context\u2013mechanism\u2013outcome configurations ({len(d.cmocs)}) were recorded per "
            "study, each element backed by coded excerpts; recurring configurations form the "
            "programme theory."
        )
    out.append(("Analysis and synthesis", analysis or ["No coding or synthesis is recorded yet."]))
    return out


def _seed_sentences(seeds: list[dict[str, Any]]) -> list[str]:
    """'Seed W123 (record 4, "Title"): 12 records from its reference list, 3 citing it.'"""
    if not seeds:
        return []
    by_seed: dict[str, list[dict[str, Any]]] = {}
    for row in seeds:
        by_seed.setdefault(row["seed_openalex_id"], []).append(row)
    out = ["Records found by citation chasing, per seed (a record found from several seeds counts for each):"]
    for seed, rows in by_seed.items():
        first = rows[0]
        name = seed
        if first.get("seed_record_id"):
            title = first.get("seed_title") or "untitled"
            name = f"{seed} (record {first['seed_record_id']}, \u201c{title}\u201d)"
        parts = [
            f"{plural(r['records'], 'record')} "
            + ("from its reference list (backward)" if r["direction"] == "backward" else "citing it (forward)")
            for r in rows
        ]
        out.append(f"Seed {name}: {_join(parts)}.")
    return out


def _counts_text(c: PrismaCounts) -> list[str]:
    if not c.identified:
        return ["No records have been identified yet."]
    parts = [f"The searches identified {plural(c.identified, 'record')}"]
    bits = []
    if c.database_results:
        bits.append(f"{c.database_results} from databases")
    if c.register_results:
        bits.append(f"{c.register_results} from registers")
    for k, v in c.other_methods.items():
        bits.append(f"{v} from {k.lower()}")
    if bits:
        parts[0] += " (" + ", ".join(bits) + ")"
    parts[0] += "."
    if c.duplicates:
        parts.append(
            f"After removing {plural(c.duplicates, 'duplicate')}, "
            f"{plural(c.records_screened, 'record')} from databases were screened."
        )
    excluded = sum(c.dbr_excluded.values()) + sum(c.other_excluded.values())
    assessed = c.dbr_assessed + c.other_assessed
    if assessed:
        parts.append(
            f"{plural(assessed, 'report')} were assessed for eligibility and "
            f"{excluded} excluded; {plural(c.new_studies, 'study', 'studies')} "
            f"({plural(c.new_reports, 'report')}) were included (Figure 1)."
        )
    if c.awaiting:
        parts.append(f"{sum(c.awaiting.values())} records still await a screening decision.")
    return [" ".join(parts)] + list(c.notes)


def results_sections(d: ReportData) -> list[Section]:
    out: list[Section] = [("Study selection", _counts_text(d.prisma))]
    chars = []
    if d.studies:
        years = [s.year for s in d.studies if s.year]
        designs = Counter(s.design for s in d.studies if s.design)
        names = country_names()
        countries = Counter(c for s in d.studies for c in dict.fromkeys(s.countries))
        text = f"The {plural(len(d.studies), 'included study', 'included studies')}"
        if years:
            text += f" were published between {min(years)} and {max(years)}"
        text += "."
        chars.append(text)
        if designs:
            chars.append("Designs: " + "; ".join(f"{k} ({v})" for k, v in designs.most_common()) + ".")
        if countries:
            chars.append("Countries: " + _join([f"{names.get(k, k)} ({v})" for k, v in countries.most_common()]) + ".")
        chars.append("Table 1 lists the studies; the evidence plots show their designs, years, regions and countries.")
    else:
        chars.append("No included studies are recorded yet.")
    out.append(("Characteristics of included studies", chars))
    if d.studies and any(s.codes for s in d.studies):
        per_code: dict[tuple[str, str], list[StudyRow]] = {}
        for s in d.studies:
            for kind, codes in s.codes.items():
                for code in codes:
                    per_code.setdefault((kind, code), []).append(s)
        lines = []
        for kind in CMO_ROLES:
            items = sorted(((code, ss) for (k, code), ss in per_code.items() if k == kind), key=lambda kv: -len(kv[1]))
            if items:
                lines.append(
                    f"{kind.capitalize()} codes: "
                    + "; ".join(
                        f"{code} \u2013 {plural(len(ss), 'study', 'studies')} {cite_list(ss)}" for code, ss in items
                    )
                    + "."
                )
        out.append(("Evidence by code", lines))
    study_level = [c for c in d.cmocs if c.study_key]
    if study_level:
        lines = []
        for c in study_level:
            ref = f"[{c.ref_number}]" if c.ref_number is not None else f"({c.study_key})"
            lines.append(c.statement if ref in c.statement else f"{c.statement} {ref}")
        out.append(("Context\u2013mechanism\u2013outcome configurations", lines))
    theory = [c.statement for c in d.cmocs if not c.study_key]
    if theory:
        out.append(("Programme theory statements", theory))
    return out
