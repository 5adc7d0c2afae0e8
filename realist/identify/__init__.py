"""Identification: bring records into the review from files (and, later, chases).

``read → clean → to-records`` happens in :mod:`realist.identify.formats`;
this module stores the result.  A file imports whole or not at all: parsing
happens before anything is written, and the rows go in one transaction with
the source and its event.  The same file (by SHA-256 of its bytes) is refused
a second time unless forced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from .._lazy import lazy_exports
from ..errors import DuplicateImport, ImportFormatError, ImportStoreError, InvalidInput
from ..records import RecordData
from ..results import Result
from ..review import ReviewHandle
from ..store.models import Record, Source

if TYPE_CHECKING:
    from ..inventory import ExportResult as ExportResult
    from ..inventory import RecordRow as RecordRow
    from ..inventory import export_review as export_review
    from ..inventory import list_records as list_records
    from ..inventory import records_data as records_data

__all__ = [
    "SOURCE_KINDS",
    "ExportResult",
    "ImportResult",
    "RecordRow",
    "export_review",
    "import_file",
    "import_records",
    "list_records",
    "record_row",
    "records_data",
]

SOURCE_KINDS = ("database", "citation", "hand_search", "other")

#: Rows per executemany call when storing records.
_INSERT_CHUNK = 5000


@dataclass(frozen=True)
class ImportResult(Result):
    """One file imported: the new source, the format read, the records stored and any warnings."""

    source_id: int
    file: str
    format: str
    records: int
    warnings: list[str] = field(default_factory=list)


def record_row(review_id: int, source_id: int, position: int, data: RecordData) -> dict[str, Any]:
    """The column values of one record row."""
    row = data.normalised()
    row.update(
        review_id=review_id,
        source_id=source_id,
        position=position,
        source_record_id=data.source_record_id,
        raw=data.raw,
        labels=data.labels,
    )
    return row


def _check_kind(kind: str) -> None:
    if kind not in SOURCE_KINDS:
        raise InvalidInput(f"unknown source kind {kind!r}: use one of {', '.join(SOURCE_KINDS)}")


def import_records(
    review: ReviewHandle,
    records: Iterable[RecordData],
    *,
    source: str,
    kind: str = "database",
    format: str | None = None,
    file_name: str | None = None,
    file_sha256: str | None = None,
    details: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """Store records as one new source in one transaction; returns (source id, count)."""
    _check_kind(kind)
    records = list(records)  # all parsed (and validated) before anything is written
    try:
        return _store(
            review,
            records,
            source=source,
            kind=kind,
            format=format,
            file_name=file_name,
            file_sha256=file_sha256,
            details=details,
        )
    except (SQLAlchemyError, OverflowError) as err:
        # The transaction was rolled back: the review is unchanged.  Say which record.
        raise _refusal(review, records, err, where=file_name or f"source {source!r}") from None


def _store(
    review: ReviewHandle,
    records: list[RecordData],
    *,
    source: str,
    kind: str,
    format: str | None,
    file_name: str | None,
    file_sha256: str | None,
    details: dict[str, Any] | None,
) -> tuple[int, int]:
    with review.session() as session:
        src = Source(
            review_id=review.review_id,
            name=source,
            kind=kind,
            format=format,
            file_name=file_name,
            file_sha256=file_sha256,
            record_count=len(records),
            imported_by=review.actor,
            details=details or {},
        )
        session.add(src)
        session.flush()
        # Core executemany on the table (the ORM bulk path adds only per-row
        # bookkeeping here); rows are built a chunk at a time so that only
        # one chunk of row dicts (and their JSON) is alive at once.
        statement = insert(Record.__table__)
        for start in range(0, len(records), _INSERT_CHUNK):
            chunk = records[start : start + _INSERT_CHUNK]
            rows = [record_row(review.review_id, src.id, i, r) for i, r in enumerate(chunk, start + 1)]
            session.execute(statement, rows)
        review.log(
            session,
            "source.imported",
            entity="source",
            entity_id=src.id,
            name=source,
            kind=kind,
            format=format,
            file=file_name,
            sha256=file_sha256,
            records=len(records),
        )
        return src.id, len(records)


_STORE_ERRORS = (SQLAlchemyError, OverflowError)


def _refusal(review: ReviewHandle, records: list[RecordData], err: BaseException, *, where: str) -> ImportStoreError:
    """One message for a database error: the file, the record it refused and why."""
    reason = str(err.orig) if isinstance(err, DBAPIError) else str(err)
    reason = reason.strip().splitlines()[0] if reason.strip() else type(err).__name__
    number = _first_refused(review, records)
    if number is None:
        return ImportStoreError(f"the database refused the records: {reason}; nothing was imported", file=where)
    title = records[number - 1].title or "(no title)"
    short = title if len(title) <= 60 else title[:57] + "..."
    return ImportStoreError(
        f"the database refused this record ({short!r}): {reason}; nothing was imported",
        file=where,
        record=number,
    )


def _first_refused(review: ReviewHandle, records: list[RecordData]) -> int | None:
    """The 1-based number of the first record the database refuses on its own (bisection,
    each try in a transaction that is rolled back), or None."""

    def refused(lo: int, hi: int) -> bool:
        with Session(review.engine) as session:
            try:
                src = Source(
                    review_id=review.review_id,
                    name="probe",
                    kind="other",
                    record_count=0,
                    imported_by=review.actor,
                    details={},
                )
                session.add(src)
                session.flush()
                rows = [record_row(review.review_id, src.id, i, records[i - 1]) for i in range(lo, hi)]
                if rows:
                    session.execute(insert(Record.__table__), rows)
                return False
            except _STORE_ERRORS:
                return True
            finally:
                session.rollback()

    lo, hi = 1, len(records) + 1
    if hi == lo or refused(lo, lo) or not refused(lo, hi):
        return None  # no records, the database refuses even an empty source, or only all at once
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if refused(lo, mid):
            hi = mid
        elif refused(mid, hi):
            lo = mid
        else:  # refused only together (a constraint across records)
            return None
    return lo


def import_file(
    review: ReviewHandle,
    path: str | Path,
    *,
    source: str | None = None,
    kind: str = "database",
    format: str | None = None,
    force: bool = False,
    details: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one export file as a new source; the review is unchanged on error."""
    _check_kind(kind)
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a folder, not an export file") from None
    except PermissionError:
        raise InvalidInput(f"{path}: permission denied") from None
    digest = hashlib.sha256(data).hexdigest()
    if not force:
        with review.session() as session:
            earlier = session.scalar(
                select(Source).where(Source.review_id == review.review_id, Source.file_sha256 == digest)
            )
            if earlier is not None:
                raise DuplicateImport(
                    f"{path}: this file was already imported as source {earlier.id} "
                    f"({earlier.name!r}, {earlier.imported_at:%Y-%m-%d})",
                    file=str(path),
                    field="force",
                    key="already-imported",
                )
    from .formats import read_bytes  # the readers (lxml, bibtexparser ...) load on first import

    try:
        parsed = read_bytes(data, file=str(path), format=format)
    except ImportFormatError as exc:
        raise exc.located(file=str(path)) from None
    source_id, count = import_records(
        review,
        parsed.records,
        source=source or path.name,
        kind=kind,
        format=parsed.format,
        file_name=path.name,
        file_sha256=digest,
        details=details,
    )
    if progress is not None:
        progress(count)
    return ImportResult(source_id, str(path), parsed.format, count, list(parsed.warnings))


# The record listing and export live in realist.inventory; they are part of this stage's API.
_EXPORTS = {
    "ExportResult": "..inventory",
    "RecordRow": "..inventory",
    "export_review": "..inventory",
    "list_records": "..inventory",
    "records_data": "..inventory",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
