"""One self-contained HTML file: inline CSS, figures as inline SVG (text as
text, hover titles), no scripts, no external resources — it opens offline."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

from .checklists import CHECKLISTS, STATUS, ChecklistItem

if TYPE_CHECKING:
    from .model import Report

__all__ = ["render_html"]

_WIDE = ("map_countries",)


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("realist.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=False,
    )


def _inline(svg: str, prefix: str) -> str:
    """Make an SVG safe to inline many times: drop the XML prolog, prefix its ids."""
    svg = re.sub(r"<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg

    def fix_id(m: re.Match[str]) -> str:
        return f'id="{prefix}-{m.group(1)}"'

    svg = re.sub(r'\bid="([^"]+)"', fix_id, svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})" if m.group(1) in ids else m.group(0), svg)
    svg = re.sub(
        r'(xlink:href|href)="#([^"]+)"',
        lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"' if m.group(2) in ids else m.group(0),
        svg,
    )
    svg = re.sub(
        r'aria-labelledby="([^"]+)"',
        lambda m: 'aria-labelledby="' + " ".join(f"{prefix}-{i}" for i in m.group(1).split()) + '"',
        svg,
    )
    return svg


def _summary(items: list[ChecklistItem]) -> str:
    counts: dict[str, int] = {}
    for it in items:
        counts[it.status] = counts.get(it.status, 0) + 1
    return ", ".join(f"{n} {STATUS[k].lower()}" for k, n in counts.items())


def render_html(report: Report) -> str:
    d = report.data
    inlined = [replace(f, svg=_inline(f.svg, f.name)) for f in report.figures]
    figures = [f for f in inlined if f.name != "programme_theory"]
    theory = next((f for f in inlined if f.name == "programme_theory"), None)
    small = [f for f in figures if f.name not in _WIDE]
    wide = [f for f in figures if f.name in _WIDE]
    countries = len({c for s in d.studies for c in s.countries})
    template = _env().get_template("report.html.j2")
    return template.render(
        title=report.title,
        data=d,
        prisma=d.prisma,
        countries=countries,
        generated=dt.date.today().isoformat(),
        missing=report.missing,
        methods=report.methods,
        results=report.results,
        prisma_svg=_inline(report.prisma.svg, "prisma"),
        prisma_caption=report.prisma.caption,
        studies_table=report.studies_table.to_html(table_id="table-studies"),
        small_figures=small,
        wide_figures=wide,
        theory=theory,
        checklists=report.checklists,
        checklist_names={k: CHECKLISTS[k][0] for k in CHECKLISTS},
        checklist_summary={k: _summary(v) for k, v in report.checklists.items()},
        status_names=STATUS,
        unverified=any(it.verification == "unverified" for v in report.checklists.values() for it in v),
    )
