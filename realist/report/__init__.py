"""The report stage: PRISMA 2020 flow diagram, table of included studies,
evidence plots, reporting checklists, and the report in HTML, DOCX and
Markdown.  See docs/report.md."""

from __future__ import annotations

from .build import REPORT_FORMATS, Report, assemble, build_prisma, build_report
from .prisma import PrismaCounts, prisma_counts, prisma_csv

__all__ = ["REPORT_FORMATS", "Report", "assemble", "build_prisma", "build_report", "PrismaCounts",
           "prisma_counts", "prisma_csv"]
