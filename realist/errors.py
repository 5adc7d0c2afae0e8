"""The two kinds of error.

:class:`RealistError` and its subclasses are *user* errors: bad input, a
missing review, a refused operation.  They carry a message a person can act
on and an exit code; the CLI (and later the web app) renders them in one
place.  Anything else that escapes is a bug.
"""

from __future__ import annotations

__all__ = [
    "RealistError",
    "ReviewNotFound",
    "ImportFormatError",
    "ImportStoreError",
    "DuplicateImport",
    "NotFound",
    "InvalidInput",
]


class RealistError(Exception):
    """An error a user can fix; ``str(err)`` is the whole message."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ReviewNotFound(RealistError):
    """No review in the current directory (or above), or at the path given."""


class InvalidInput(RealistError):
    """An argument or value is not acceptable."""


class NotFound(RealistError):
    """A named thing (record, source, merge ...) does not exist in this review."""


class DuplicateImport(RealistError):
    """The same file (by content hash) was already imported into this review."""


class ImportFormatError(RealistError):
    """A file could not be read: names the file, the place in it and what is wrong.

    ``line`` is 1-based in the decoded text; ``record`` is the 1-based index
    of the record being read when it failed.  Either may be unknown.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        line: int | None = None,
        record: int | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.record = record
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.record is not None:
            where.append(f"record {self.record}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem

    def located(self, *, file: str | None = None) -> "ImportFormatError":
        """Return a copy of this error that also names ``file``."""
        return ImportFormatError(
            self.problem, file=file or self.file, line=self.line, record=self.record
        )


class ImportStoreError(ImportFormatError):
    """The database refused a record of a file being imported; nothing was stored.

    Names the file and the record (its 1-based number in the file) and the
    database's reason.
    """
