"""realist: a free, offline-capable workbench for rapid realist reviews.

The pipeline, one module per stage: :mod:`realist.identify` (import),
:mod:`realist.deduplicate`, :mod:`realist.screen`, then appraise, code,
synthesise and report.  Every stage reads and writes the review store
(:mod:`realist.store`) through a :class:`realist.review.ReviewHandle`.
"""

from .errors import RealistError
from .records import RecordData
from .review import ReviewHandle, init_review, open_review

__all__ = ["RealistError", "RecordData", "ReviewHandle", "init_review", "open_review"]
__version__ = "0.1.0"
