"""The report stage: PRISMA 2020 flow diagram, table of included studies,
evidence plots, reporting checklists, and the report in HTML, DOCX and
Markdown.  ``realist.report.build_report(review, out_dir)`` writes it;
:func:`prisma_counts` gives the flow diagram's numbers.  Names load lazily
(matplotlib, citeproc and python-docx only when a report is built).  See
docs/report.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .build import (
        REPORT_FORMATS as REPORT_FORMATS,
    )
    from .build import (
        Report as Report,
    )
    from .build import (
        assemble as assemble,
    )
    from .build import (
        build_prisma as build_prisma,
    )
    from .build import (
        build_report as build_report,
    )
    from .prisma import (
        PrismaCounts as PrismaCounts,
    )
    from .prisma import (
        prisma_counts as prisma_counts,
    )
    from .prisma import (
        prisma_csv as prisma_csv,
    )

_EXPORTS = {
    "REPORT_FORMATS": ".build",
    "Report": ".build",
    "assemble": ".build",
    "build_prisma": ".build",
    "build_report": ".build",
    "PrismaCounts": ".prisma",
    "prisma_counts": ".prisma",
    "prisma_csv": ".prisma",
}
__all__ = [
    "PrismaCounts",
    "REPORT_FORMATS",
    "Report",
    "assemble",
    "build_prisma",
    "build_report",
    "prisma_counts",
    "prisma_csv",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
