"""Importing uploaded files (bytes, not paths): all or nothing.

Every file is read and checked before any is stored, so a bad file among
several leaves the review unchanged and the error names the file and the
place in it, as ``realist import`` does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ..errors import DuplicateImport, ImportFormatError, InvalidInput
from ..review import ReviewHandle
from ..store.models import Source
from . import ImportResult, _check_kind, import_records
from .formats import read_bytes

__all__ = ["Upload", "import_uploads"]


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def import_uploads(
    review: ReviewHandle,
    uploads: Sequence[Upload],
    *,
    source: str | None = None,
    kind: str = "database",
    force: bool = False,
) -> list[ImportResult]:
    """Import each upload as a source (named ``source``, or after the file); all or nothing."""
    _check_kind(kind)
    if not uploads:
        raise InvalidInput("choose at least one export file to import")
    parsed = []
    seen: dict[str, str] = {}
    for upload in uploads:
        digest = hashlib.sha256(upload.data).hexdigest()
        if digest in seen:
            raise DuplicateImport(f"{upload.name}: the same file as {seen[digest]} in this upload")
        seen[digest] = upload.name
        if not force:
            with review.session() as session:
                earlier = session.scalar(
                    select(Source).where(Source.review_id == review.review_id, Source.file_sha256 == digest)
                )
                if earlier is not None:
                    raise DuplicateImport(
                        f"{upload.name}: this file was already imported as source {earlier.id} "
                        f"({earlier.name!r}, {earlier.imported_at:%Y-%m-%d})"
                    )
        try:
            parsed.append((upload, digest, read_bytes(upload.data, file=upload.name)))
        except ImportFormatError as exc:
            raise exc.located(file=upload.name) from None
    results = []
    for upload, digest, file in parsed:
        name = source or upload.name
        if source and len(parsed) > 1:
            name = f"{source} ({upload.name})"
        source_id, count = import_records(
            review, file.records, source=name, kind=kind, format=file.format, file_name=upload.name, file_sha256=digest
        )
        results.append(ImportResult(source_id, upload.name, file.format, count, list(file.warnings)))
    return results
