"""Readers for bibliographic export files, keyed by format name.

A format is any object with ``name``, ``label``, ``detect(text) -> float``
(0..1 confidence judged from the content, never the file extension) and
``read(text) -> Iterable[RecordData]``.  Built-in formats register
themselves with :func:`register` into :data:`FORMATS` (a
:class:`realist.registry.Registry`); outside code can register more the same
way.  A name is registered once: a second format of the same name is
refused unless it is registered with ``replace=True``.  :func:`read_file` / :func:`read_bytes` decode the file, detect (or take)
the format, read every record and refuse, with an
:class:`~realist.errors.ImportFormatError` naming the file, anything that
cannot be read or holds no records.

XLSX workbooks are recognised by their zip signature and read through the
same table formats as CSV (Scopus, Lens, Covidence ... exports).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar, overload, runtime_checkable

from realist.errors import ImportFormatError
from realist.identify.decode import decode_with_notes, is_zip
from realist.records import RecordData
from realist.registry import Registry

__all__ = [
    "FORMATS",
    "Format",
    "ParsedFile",
    "register",
    "get_format",
    "available_formats",
    "detect_format",
    "read_file",
    "read_bytes",
    "read_text",
    "warn",
    "collecting_warnings",
    "describe_lines",
    "check_records",
]

#: Below this confidence a file is "not recognised".
MIN_CONFIDENCE = 0.15


@runtime_checkable
class Format(Protocol):
    name: str
    label: str

    def detect(self, text: str) -> float: ...

    def read(self, text: str) -> Iterable[RecordData]: ...


@dataclass
class ParsedFile:
    """The result of reading one export file."""

    format: str
    records: list[RecordData]
    encoding_notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


#: The registered formats, by name.
FORMATS: Registry[Format] = Registry("format")

_WARNINGS: ContextVar[list[str] | None] = ContextVar("realist_read_warnings", default=None)


def warn(message: str) -> None:
    """Report something a reader noticed and handled (shown to the user after import).

    Readers call this for input they could read but that a person should
    know about (lines kept with the record before them, rows whose quoting
    was broken ...).  Outside :func:`read_text` it does nothing.
    """
    sink = _WARNINGS.get()
    if sink is not None:
        sink.append(message)


@contextmanager
def collecting_warnings() -> Iterator[list[str]]:
    """Collect what readers :func:`warn` about while the block runs."""
    sink: list[str] = []
    token = _WARNINGS.set(sink)
    try:
        yield sink
    finally:
        _WARNINGS.reset(token)


def describe_lines(numbers: list[int], noun: str = "line", limit: int = 8) -> str:
    """'lines 4, 9 and 12' / 'lines 4, 9, ... (40 in all)' for a warning."""
    shown = ", ".join(str(n) for n in numbers[:limit])
    plural = noun if len(numbers) == 1 else noun + "s"
    if len(numbers) > limit:
        return f"{plural} {shown} ... ({len(numbers)} in all)"
    return f"{plural} {shown}"


_FormatT = TypeVar("_FormatT", bound=Format)


@overload
def register(fmt: type[_FormatT], *, replace: bool = False) -> type[_FormatT]: ...


@overload
def register(fmt: _FormatT, *, replace: bool = False) -> _FormatT: ...


def register(fmt: type[Format] | Format, *, replace: bool = False) -> type[Format] | Format:
    """Register a format under its ``name`` (usable as a class or instance decorator).

    A class is instantiated once.  A name already registered is refused
    (:class:`realist.registry.DuplicateName`) unless ``replace=True``.
    """
    _load_builtins()  # so that a name taken by a built-in is refused now, not when they load
    instance = fmt() if isinstance(fmt, type) else fmt
    FORMATS.register(getattr(instance, "name", ""), instance, replace=replace)
    return fmt


def get_format(name: str) -> Format:
    _load_builtins()
    key = name.strip().lower().replace("-", "_")
    if key not in FORMATS:
        raise ImportFormatError(f"unknown format {name!r}; supported formats: {', '.join(available_formats())}")
    return FORMATS.get(key)


def available_formats() -> list[str]:
    _load_builtins()
    return FORMATS.names()


def _supported_list() -> str:
    return "; ".join(f"{f.label} ({f.name})" for f in FORMATS.values())


def detect_format(text: str, *, file: str | None = None) -> Format:
    """The registered format most confident about ``text``."""
    _load_builtins()
    scored = sorted(((fmt.detect(text), fmt.name) for fmt in FORMATS.values()), reverse=True)
    score, name = scored[0]
    if score < MIN_CONFIDENCE:
        raise ImportFormatError(
            "the format of this file was not recognised. Supported formats: " + _supported_list(),
            file=file,
        )
    return FORMATS.get(name)


def read_text(text: str, *, file: str | None = None, format: str | None = None) -> ParsedFile:
    """Read already-decoded text."""
    if not text or text.isspace():  # not text.strip(): that copies the text
        raise ImportFormatError("the file is empty", file=file)
    fmt = get_format(format) if format else detect_format(text, file=file)
    # Parsing allocates millions of small, acyclic objects that all stay alive:
    # the cyclic garbage collector would only rescan them again and again.
    _refuse_nul(text, fmt, file)
    collecting = gc.isenabled()
    gc.disable()
    try:
        with collecting_warnings() as warnings:
            records = list(fmt.read(text))
    except ImportFormatError as err:
        raise err.located(file=file) from err
    finally:
        if collecting:
            gc.enable()
    if not records:
        raise ImportFormatError(f"no records found (read as {fmt.label}); is this the right file?", file=file)
    return ParsedFile(format=fmt.name, records=check_records(records, warnings, file=file), warnings=warnings)


def check_records(records: list[RecordData], warnings: list[str], *, file: str | None) -> list[RecordData]:
    """Leave out records with nothing to screen, and say which (and which lack a title).

    A record with no title, no abstract and no identifier (DOI, PMID, PMCID,
    OpenAlex id, the database's own id) is left out; records without a title
    are kept.  Both are named by their 1-based number in the file in
    ``warnings``.  Refuses a file in which no record is left.
    """
    kept, left_out = _without_empty(records)
    if left_out:
        warnings.append(
            f"{len(left_out)} record(s) with no title, abstract or identifier were left out "
            f"({describe_lines(left_out, 'record')} of the file): nothing in them can be screened"
        )
    if not kept:
        raise ImportFormatError("no record has a title, abstract or identifier: nothing to import", file=file)
    dropped = set(left_out)
    untitled = [i for i, r in enumerate(records, start=1) if not r.title and i not in dropped]
    if untitled:
        warnings.append(f"{len(untitled)} record(s) without a title: {describe_lines(untitled, 'record')}")
    return kept


def _without_empty(records: list[RecordData]) -> tuple[list[RecordData], list[int]]:
    """Records that hold something to screen or find, and the (1-based) numbers of the rest."""
    left_out = [
        i
        for i, r in enumerate(records, start=1)
        if not (r.title or r.abstract or r.doi or r.pmid or r.pmcid or r.openalex_id or r.source_record_id)
    ]
    if not left_out:
        return records, []
    drop = set(left_out)
    return [r for i, r in enumerate(records, start=1) if i not in drop], left_out


def _refuse_nul(text: str, fmt: Format, file: str | None) -> None:
    """A NUL character is not text (and PostgreSQL cannot store it): refuse, naming the line."""
    at = text.find("\x00")
    if at < 0 and "json" in fmt.name:
        at = text.find("\\u0000")
    if at >= 0:
        raise ImportFormatError(
            "contains a NUL character (byte 0), which is not text: the file is damaged "
            "or is not a text export - remove the character or export the file again",
            file=file,
            line=text.count("\n", 0, at) + 1,
        )


def read_bytes(data: bytes, *, file: str, format: str | None = None) -> ParsedFile:
    """Decode and read the bytes of one export file."""
    _load_builtins()
    if not data or data.isspace():  # not data.strip(): that copies the bytes
        raise ImportFormatError("the file is empty", file=file)
    if is_zip(data):
        from realist.identify.formats.tables import read_xlsx

        parsed = read_xlsx(data, file=file, format=format)
        parsed.encoding_notes.append("read from an XLSX workbook (first sheet)")
        return parsed
    text, notes = decode_with_notes(data, file=file)
    parsed = read_text(text, file=file, format=format)
    parsed.encoding_notes = notes + parsed.encoding_notes
    return parsed


def read_file(path: str | Path, *, format: str | None = None) -> ParsedFile:
    """Read an export file from disk; the format is detected unless given."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ImportFormatError(f"cannot be read: {err.strerror}", file=str(path)) from err
    return read_bytes(data, file=str(path), format=format)


_LOADED = False


def _load_builtins() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from realist.identify.formats import (  # noqa: F401  (imported to register)
        bibtex,
        endnote,
        jsonfmt,
        medline,
        ovid,
        proquest,
        ris,
        tables,
        wos,
        xmlfmt,
    )
