"""The report's data model: everything the renderers take, computed once by
:func:`realist.report.build.assemble`.  The renderers (``render_html``,
``render_md``, ``render_docx``) depend on this module, never on ``build``."""

from __future__ import annotations

from dataclasses import dataclass, field

from .checklists import ChecklistItem
from .collect import ReportData
from .figures import Figure
from .narrative import Section
from .tables import Table

__all__ = ["Report"]


@dataclass
class Report:
    """Everything the renderers need, computed once."""

    data: ReportData
    prisma: Figure
    studies_table: Table
    figures: list[Figure]
    checklists: dict[str, list[ChecklistItem]]
    checklist_tables: dict[str, Table]
    methods: list[Section]
    results: list[Section]
    missing: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.data.title

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)
