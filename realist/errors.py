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
    """An error a user can fix; ``str(err)`` is the whole message.

    The message says what is wrong in the library's own words.  Structured
    facts travel as attributes, so a client (the CLI, the web app) can point
    at the place or add its own advice ("use --force") without parsing text:

    ``file``
        the file (or folder) concerned;
    ``line`` / ``record``
        1-based line in the decoded text / 1-based record number in a file;
    ``field``
        the argument or field that is wrong, by its Python parameter name
        (``per_record``, ``title``) — the CLI maps it to its option;
    ``key``
        a short stable name of the problem (``"already-imported"``,
        ``"codes-in-use"``) for clients that key advice on it.

    Any of them may be ``None``.
    """

    exit_code: int = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.record = record
        self.field = field
        self.key = key

    def __str__(self) -> str:
        return self.message

    def facts(self) -> dict[str, str | int]:
        """The structured facts that are known, for JSON error bodies."""
        out: dict[str, str | int] = {"error": type(self).__name__, "message": self.message}
        for name in ("file", "line", "record", "field", "key"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


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
        field: str | None = None,
    ) -> None:
        self.problem = problem
        super().__init__(self._where(problem, file, line, record), file=file, line=line, record=record, field=field)

    @staticmethod
    def _where(problem: str, file: str | None, line: int | None, record: int | None) -> str:
        where = []
        if file:
            where.append(file)
        if line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {record}")
        prefix = ", ".join(where)
        return f"{prefix}: {problem}" if prefix else problem

    def located(self, *, file: str | None = None) -> ImportFormatError:
        """Return a copy of this error that also names ``file``."""
        return ImportFormatError(
            self.problem, file=file or self.file, line=self.line, record=self.record, field=self.field
        )


class ImportStoreError(ImportFormatError):
    """The database refused a record of a file being imported; nothing was stored.

    Names the file and the record (its 1-based number in the file) and the
    database's reason.
    """
