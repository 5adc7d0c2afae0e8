"""The table of included studies, with citations formatted by a CSL processor.

Citations are produced by citeproc-py from CSL style files shipped in
``realist/report/data/`` (``apa.csl``, ``nlm-citation-sequence.csl`` for
Vancouver; CC BY-SA 3.0, see the data README): no download at run time.
A :class:`Table` is plain rows and columns; it is written as CSV, HTML,
Markdown or into a DOCX document by the renderers.
"""

from __future__ import annotations

import csv
import html
import io
import re
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from .collect import ReportData, StudyRow, country_names

__all__ = ["CITATION_STYLES", "Table", "format_citations", "included_studies_table", "write_table", "TABLE_FORMATS"]

CITATION_STYLES = {"vancouver": "nlm-citation-sequence.csl", "apa": "apa.csl"}
TABLE_FORMATS = ("csv", "html", "md")
DEFAULT_COLUMNS = ("ref", "citation", "design", "country", "year")


@dataclass
class Table:
    """A plain table: column headers, rows of cells (strings), and a caption."""

    name: str
    caption: str
    columns: list[str]
    rows: list[list[str]]
    html_rows: list[list[str]] = field(default_factory=list)  # cells with inline HTML (citations)
    notes: list[str] = field(default_factory=list)

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return buf.getvalue()

    def to_markdown(self) -> str:
        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = [
            "| " + " | ".join(cell(c) for c in self.columns) + " |",
            "|" + "|".join("---" for _ in self.columns) + "|",
        ]
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_html(self, *, table_id: str | None = None) -> str:
        rows = self.html_rows or [[html.escape(c) for c in row] for row in self.rows]
        ident = f' id="{table_id}"' if table_id else ""
        out = [f'<table class="data"{ident}>', f"<caption>{html.escape(self.caption)}</caption>", "<thead><tr>"]
        out += [f'<th scope="col">{html.escape(c)}</th>' for c in self.columns]
        out.append("</tr></thead><tbody>")
        for row in rows:
            out.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
        out.append("</tbody></table>")
        return "\n".join(out)


def _style_path(style: str) -> Any:
    name = CITATION_STYLES.get(style.lower())
    if name is None:
        raise InvalidInput(f"unknown citation style {style!r}: use one of {', '.join(CITATION_STYLES)}")
    return resources.files("realist.report").joinpath(f"data/{name}")


def format_citations(items: list[dict[str, Any]], style: str = "vancouver") -> dict[str, tuple[str, str]]:
    """Bibliography entries for CSL-JSON ``items``: id -> (plain text, HTML)."""
    if not items:
        return {}
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    with resources.as_file(_style_path(style)) as path, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc warns about CSL features it skips
        csl = CitationStylesStyle(str(path), validate=False)
        out: dict[str, tuple[str, str]] = {}
        texts: dict[str, list[str]] = {}
        for item in items:  # one bibliography per item: entries keep their ids whatever the sort
            for fmt in (formatter.plain, formatter.html):
                bib = CitationStylesBibliography(csl, CiteProcJSON([dict(item)]), fmt)
                bib.register(Citation([CitationItem(item["id"].lower())]))
                entries = bib.bibliography()
                if entries:
                    text = re.sub(r"^\d+\.\s*", "", str(entries[0])).strip()
                    text = re.sub(r",? (?:&|&amp;) et al\.", ", et al.", text)  # an "et al." author, APA-style
                    texts.setdefault(item["id"].lower(), []).append(text)
    for item in items:
        plain, rich = texts.get(item["id"].lower(), [item.get("title", item["id"])] * 2)
        out[item["id"]] = (html.unescape(plain), rich)
    return out


def _countries(study: StudyRow, names: dict[str, str]) -> str:
    return ", ".join(names.get(c, c) for c in study.countries)


def included_studies_table(
    data: ReportData,
    *,
    style: str = "vancouver",
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
    code_kinds: tuple[str, ...] = (),
) -> Table:
    """Table 1: one row per included study.

    ``columns`` are chosen among ``ref``, ``study``, ``citation``, ``design``,
    ``country``, ``year``, ``language`` and any key of the studies' details;
    each of ``code_kinds`` (e.g. ``intervention``) adds a column of codes.
    """
    names = country_names()
    citations = format_citations([s.csl for s in data.studies], style)
    headers = {
        "ref": "Ref.",
        "study": "Study",
        "citation": "Reference",
        "design": "Design",
        "country": "Country",
        "year": "Year",
        "language": "Language appraisal",
    }
    cols = [headers.get(c, c.replace("_", " ").capitalize()) for c in columns]
    cols += [f"{k.capitalize()} codes" for k in code_kinds]
    rows: list[list[str]] = []
    rich: list[list[str]] = []
    for study in data.studies:
        plain_cite, html_cite = citations.get(study.key, (study.label, html.escape(study.label)))
        row, hrow = [], []
        for c in columns:
            if c == "ref":
                value = f"[{study.ref_number}]" if study.ref_number is not None else ""
            elif c == "study":
                value = study.label
            elif c == "citation":
                if study.retracted:
                    plain_cite, html_cite = f"RETRACTED. {plain_cite}", f"<strong>RETRACTED.</strong> {html_cite}"
                row.append(plain_cite)
                hrow.append(html_cite)
                continue
            elif c == "design":
                value = study.design or "not recorded"
            elif c == "country":
                value = _countries(study, names) or "not recorded"
            elif c == "year":
                value = str(study.year or "")
            elif c == "language":
                value = study.language or "not appraised"
            else:
                value = str(study.details.get(c, ""))
            row.append(value)
            hrow.append(html.escape(value))
        for kind in code_kinds:
            value = "; ".join(study.codes.get(kind, [])) or "\u2013"
            row.append(value)
            hrow.append(html.escape(value))
        rows.append(row)
        rich.append(hrow)
    style_name = "Vancouver" if style.lower() == "vancouver" else style.upper()
    notes = [] if data.studies else ["No included studies are recorded yet."]
    notes += [f"{s.label}: RETRACTED ({s.retracted})." for s in data.studies if s.retracted]
    return Table(
        "included_studies",
        f"Table 1. Characteristics of the {len(rows)} included studies (citations: {style_name} style).",
        cols,
        rows,
        rich,
        notes,
    )


def write_table(table: Table, out_dir: str | Path, formats: tuple[str, ...] = TABLE_FORMATS) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out / f"{table.name}.{fmt}"
        if fmt == "csv":
            path.write_text(table.to_csv(), encoding="utf-8")
        elif fmt == "md":
            path.write_text(f"{table.caption}\n\n{table.to_markdown()}", encoding="utf-8")
        elif fmt == "html":
            path.write_text(
                f'<!doctype html><meta charset="utf-8"><title>{html.escape(table.caption)}'
                f"</title>\n{table.to_html()}\n",
                encoding="utf-8",
            )
        else:
            continue
        paths.append(path)
    return paths
