"""Assemble the report once and write it in every format asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import InvalidInput
from ..review import ReviewHandle
from .checklists import checklist_table, checklists_for
from .collect import collect
from .model import Report
from .narrative import methods_sections, results_sections
from .plots import evidence_figures
from .prisma import prisma_counts, write_prisma_csv
from .prisma_diagram import DIAGRAM_FORMATS, diagram_figure, write_diagram
from .tables import included_studies_table

__all__ = ["Report", "assemble", "build_report", "build_prisma", "REPORT_FORMATS", "parse_formats"]

REPORT_FORMATS = ("html", "docx", "md")
Progress = Callable[[str, int, int], None]


def parse_formats(value: str | tuple[str, ...] | list[str], allowed: tuple[str, ...]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    out = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in items if f.strip()))
    unknown = [f for f in out if f not in allowed]
    if unknown or not out:
        raise InvalidInput(f"unknown format(s) {', '.join(unknown) or '(none)'}: use {', '.join(allowed)}")
    return out


def assemble(
    review: ReviewHandle,
    *,
    style: str = "vancouver",
    code_columns: tuple[str, ...] = (),
    heatmaps: list[tuple[str, str]] | None = None,
) -> Report:
    """Read the review and build every part of the report."""
    data = collect(review, heatmaps=heatmaps)
    table = included_studies_table(data, style=style, code_kinds=code_columns)
    lists = checklists_for(data)
    report = Report(
        data=data,
        prisma=diagram_figure(data.prisma),
        studies_table=table,
        figures=evidence_figures(data, heatmaps=heatmaps),  # synthesis crosstabs when available
        checklists=lists,
        checklist_tables={k: checklist_table(v, k) for k, v in lists.items()},
        methods=methods_sections(data),
        results=results_sections(data),
        missing=list(data.missing),
    )
    return report


def build_report(
    review: ReviewHandle,
    out_dir: str | Path,
    formats: tuple[str, ...] | str = REPORT_FORMATS,
    *,
    style: str = "vancouver",
    code_columns: tuple[str, ...] = (),
    heatmaps: list[tuple[str, str]] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the report (``report.html``, ``report.docx``, ``report.md``) and its parts.

    Beside the report: the PRISMA diagram (SVG, PNG, PDF) and its counts
    as PRISMA2020-app CSV, the table of included studies (CSV, HTML, MD),
    every evidence figure (``figures/*.svg|png``) and each checklist as CSV.
    Returns the paths written.  ``progress(step, done, total)``, when given,
    hears of each step as it starts (the web app's job page shows it).
    """
    formats = parse_formats(formats, REPORT_FORMATS)
    total = 3 + len(formats)
    done = 0

    def step(name: str) -> None:
        nonlocal done
        if progress is not None:
            progress(name, done, total)
        done += 1

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    step("Reading the review")
    report = assemble(review, style=style, code_columns=code_columns, heatmaps=heatmaps)
    step("PRISMA diagram, tables and checklists")
    paths: list[Path] = []
    paths += report.prisma.write(out, ("svg", "png", "pdf"))
    paths.append(write_prisma_csv(report.data.prisma, out / "prisma_flow.csv"))
    from .tables import write_table

    paths += write_table(report.studies_table, out)
    for table in report.checklist_tables.values():
        path = out / f"{table.name}.csv"
        path.write_text(table.to_csv(), encoding="utf-8")
        paths.append(path)
    step("Figures")
    for fig in report.figures:
        paths += fig.write(out / "figures", ("svg", "png"))
    if "html" in formats:
        step("HTML")
        from .render_html import render_html

        path = out / "report.html"
        path.write_text(render_html(report), encoding="utf-8")
        paths.append(path)
    if "md" in formats:
        step("Markdown")
        from .render_md import render_md

        path = out / "report.md"
        path.write_text(render_md(report, figures_dir="figures"), encoding="utf-8")
        paths.append(path)
    if "docx" in formats:
        step("DOCX")
        from .render_docx import render_docx

        path = out / "report.docx"
        render_docx(report, path)
        paths.append(path)
    with review.session() as session:
        review.log(
            session,
            "report.built",
            formats=list(formats),
            out=str(out),
            style=style,
            identified=report.data.prisma.identified,
            included=report.data.prisma.new_studies,
        )
    if progress is not None:
        progress("Done", total, total)
    return paths


def build_prisma(
    review: ReviewHandle, out_dir: str | Path, formats: tuple[str, ...] | str = DIAGRAM_FORMATS
) -> list[Path]:
    """Write only the PRISMA 2020 flow diagram (and/or its CSV counts)."""
    formats = parse_formats(formats, DIAGRAM_FORMATS)
    return write_diagram(prisma_counts(review), out_dir, formats)
