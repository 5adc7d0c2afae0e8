"""Full texts: PDFs, HTML or plain text attached to records, with page numbers.

:func:`extract_text` reads a file (no store): PDFs with ``pypdf`` (BSD
licence), one page after another separated by a form feed (``\\f``), with the
start offset of each page and its PDF page label (a journal page number when
the PDF defines labels); HTML with lxml (scripts and styles dropped, blocks
on their own lines; no pages); plain text as is (form feeds start pages).

A scanned (image-only), encrypted (with a password) or damaged PDF raises
:class:`~realist.errors.ImportFormatError` with what to do, and nothing is
stored.  The file's SHA-256 is kept: the same file twice in one review is
refused (:class:`~realist.errors.DuplicateImport`).  A record has at most one
full text; :func:`remove_fulltext` takes one back while nothing refers to it.

Public functions: :func:`extract_text`, :func:`add_fulltext`,
:func:`add_fulltexts` (bulk: match files to records by record id, study key
or DOI in the file name, else by a DOI printed on the first pages),
:func:`get_fulltext`, :func:`list_fulltexts`, :func:`remove_fulltext`.
Records without a full text keep working everywhere with their abstract.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import func, select

from .errors import DuplicateImport, ImportFormatError, InvalidInput, NotFound, RealistError
from .records import normalise_doi
from .review import ReviewHandle
from .store.models import Excerpt, FullText, Record, Study

__all__ = [
    "MEDIA_TYPES",
    "add_fulltext_bytes",
    "fulltext_file",
    "Extracted",
    "FullTextInfo",
    "BulkItem",
    "extract_text",
    "add_fulltext",
    "add_fulltexts",
    "get_fulltext",
    "list_fulltexts",
    "remove_fulltext",
]

MEDIA_TYPES = ("pdf", "html", "text")
MIN_CHARS = 20  # fewer extractable characters than this: treated as image-only
_DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)
_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "section",
    "article",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "figcaption",
    "header",
    "footer",
    "title",
)


@dataclass
class Extracted:
    """Text from one file; ``pages`` are ``[page_number, start_offset, label]``."""

    text: str
    pages: list[list[Any]]
    media_type: str
    page_count: int | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class FullTextInfo:
    """A stored full text; ``text`` and ``pages`` only from :func:`get_fulltext`."""

    id: int
    record_id: int
    file_name: str
    media_type: str
    sha256: str
    page_count: int | None
    chars: int
    added_by: str
    added_at: str
    warnings: list[str] = field(default_factory=list)
    text: str | None = None
    pages: list[list[Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BulkItem:
    """The outcome for one file of :func:`add_fulltexts`."""

    file: str
    status: str  # added | unmatched | ambiguous | failed
    record_id: int | None = None
    matched_by: str | None = None
    message: str = ""
    fulltext_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- extraction


def _media_type(name: str, data: bytes) -> str:
    suffix = Path(name).suffix.lower()
    if data[:1024].lstrip().startswith(b"%PDF") or suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm", ".xhtml") or re.search(rb"<html|<!doctype html", data[:2048], re.I):
        return "html"
    return "text"


def _pdf(data: bytes, name: str) -> Extracted:
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)  # its warnings on damaged files become our one message
    try:
        return _pdf_quiet(data, name)
    finally:
        logger.setLevel(level)


def _pdf_quiet(data: bytes, name: str) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except FileNotDecryptedError:
        encrypted, reader = True, None
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise ImportFormatError(
            f"not a readable PDF: the file is damaged or incomplete ({type(exc).__name__}: {exc}); download it again",
            file=name,
        ) from None
    if encrypted:
        ok = False
        if reader is not None:
            try:
                ok = bool(reader.decrypt(""))
            except (DependencyError, NotImplementedError, PdfReadError, FileNotDecryptedError):
                ok = False
        if not ok:
            raise ImportFormatError(
                "the PDF is encrypted with a password, so its text cannot be read: save an "
                "unprotected copy (or the publisher's HTML) and add that",
                file=name,
            )
    assert reader is not None
    try:
        labels = list(reader.page_labels)
    except Exception:
        labels = []
    parts: list[str] = []
    pages: list[list[Any]] = []
    offset = 0
    empty = 0
    try:
        for i, page in enumerate(reader.pages):
            text = (page.extract_text() or "").replace("\f", "\n").replace("\x00", "")
            if i:
                parts.append("\f")
                offset += 1
            label = labels[i] if i < len(labels) else None
            pages.append([i + 1, offset, label if label and label != str(i + 1) else None])
            parts.append(text)
            offset += len(text)
            empty += not text.strip()
    except (PdfReadError, FileNotDecryptedError) as exc:
        raise ImportFormatError(
            f"the PDF is damaged: its pages cannot be read ({exc}); download it again", file=name
        ) from None
    except Exception as exc:
        raise ImportFormatError(
            f"the PDF is damaged: its pages cannot be read ({type(exc).__name__}: {exc})", file=name
        ) from None
    text = "".join(parts)
    if not pages:
        raise ImportFormatError("the PDF has no pages", file=name)
    if len(re.sub(r"\s", "", text)) < MIN_CHARS:
        raise ImportFormatError(
            f"no text in this PDF ({len(pages)} page(s)): it looks scanned (image-only). Run OCR "
            "(e.g. `ocrmypdf in.pdf out.pdf`) and add the result; until then the record's abstract is used",
            file=name,
        )
    warnings = [f"{empty} of {len(pages)} pages have no text (scanned pages?)"] if empty else []
    return Extracted(text, pages, "pdf", len(pages), warnings)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("latin-1")


def _html(data: bytes, name: str) -> Extracted:
    import lxml.html
    from lxml import etree

    try:
        # An HtmlElement (drop_tree, text_content); lxml-stubs type it as a bare _Element.
        doc: Any = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise ImportFormatError(f"not readable HTML ({exc})", file=name) from None
    for el in doc.xpath("//script|//style|//noscript|//head|//nav"):
        el.drop_tree()
    for el in doc.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    raw = doc.text_content()
    lines = [re.sub(r"[ \t\r\xa0]+", " ", line).strip() for line in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) < MIN_CHARS:
        raise ImportFormatError("the HTML page holds (almost) no text", file=name)
    return Extracted(text, [], "html", None)


def _text(data: bytes, name: str) -> Extracted:
    text = _decode(data).replace("\r\n", "\n")
    if not text.strip():
        raise ImportFormatError("the file is empty", file=name)
    pages: list[list[Any]] = []
    if "\f" in text:
        pages = [[1, 0, None]] + [[n + 2, m.end(), None] for n, m in enumerate(re.finditer("\f", text))]
    return Extracted(text, pages, "text", len(pages) or None)


def extract_text(source: str | Path | bytes, *, file_name: str | None = None) -> Extracted:
    """Text and page starts of a PDF, HTML or text file (a path or its bytes)."""
    if isinstance(source, bytes):
        data, name = source, file_name or "file"
    else:
        path = Path(source)
        name = file_name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    if not data:
        raise ImportFormatError("the file is empty", file=name)
    kind = _media_type(name, data)
    return {"pdf": _pdf, "html": _html, "text": _text}[kind](data, name)


# ---------------------------------------------------------------- store


def _info(ft: FullText, *, with_text: bool = False) -> FullTextInfo:
    return FullTextInfo(
        id=ft.id,
        record_id=ft.record_id,
        file_name=ft.file_name,
        media_type=ft.media_type,
        sha256=ft.sha256,
        page_count=ft.page_count,
        chars=len(ft.text),
        added_by=ft.added_by,
        added_at=ft.added_at.isoformat(),
        warnings=list((ft.details or {}).get("warnings", [])),
        text=ft.text if with_text else None,
        pages=[list(p) for p in ft.pages or []] if with_text else None,
    )


def _store(review: ReviewHandle, record_id: int, name: str, digest: str, ex: Extracted) -> FullTextInfo:
    with review.session() as session:
        record = session.get(Record, record_id)
        if record is None or record.review_id != review.review_id:
            raise NotFound(f"no record {record_id} in this review")
        if record.duplicate_of_id is not None:
            raise InvalidInput(
                f"record {record_id} is a duplicate of record {record.duplicate_of_id}: "
                f"attach the full text to record {record.duplicate_of_id}"
            )
        same = session.scalar(select(FullText).where(FullText.review_id == review.review_id, FullText.sha256 == digest))
        if same is not None:
            raise DuplicateImport(
                f"{name}: this file (sha256 {digest[:12]}…) is already the full text of "
                f"record {same.record_id} ({same.file_name})"
            )
        held = session.scalar(
            select(FullText).where(FullText.review_id == review.review_id, FullText.record_id == record_id)
        )
        if held is not None:
            raise InvalidInput(
                f"record {record_id} already has a full text ({held.file_name}): remove it first", key="fulltext-exists"
            )
        ft = FullText(
            review_id=review.review_id,
            record_id=record_id,
            file_name=name,
            media_type=ex.media_type,
            sha256=digest,
            text=ex.text,
            pages=ex.pages,
            page_count=ex.page_count,
            added_by=review.actor,
            details={"warnings": ex.warnings} if ex.warnings else {},
        )
        session.add(ft)
        session.flush()
        review.log(
            session,
            "fulltext.added",
            entity="fulltext",
            entity_id=ft.id,
            record_id=record_id,
            file=name,
            sha256=digest,
            media_type=ex.media_type,
            pages=ex.page_count,
            chars=len(ex.text),
        )
        return _info(ft)


def add_fulltext(review: ReviewHandle, record_id: int, path: str | Path) -> FullTextInfo:
    """Attach a PDF, HTML or text file to a record (text extracted, hash kept)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    return add_fulltext_bytes(review, record_id, path.name, data)


FILES_DIR = Path(".realist") / "fulltexts"
_SUFFIX = {"pdf": ".pdf", "html": ".html", "text": ".txt"}
_MIME = {"pdf": "application/pdf", "html": "text/html", "text": "text/plain"}


def _kept_file(review: ReviewHandle, sha256: str, media_type: str) -> Path:
    return review.path / FILES_DIR / f"{sha256}{_SUFFIX.get(media_type, '.bin')}"


def add_fulltext_bytes(review: ReviewHandle, record_id: int, name: str, data: bytes) -> FullTextInfo:
    """Attach a file given as bytes (an upload); the file itself is kept in the
    review folder (``.realist/fulltexts/SHA256.pdf``) so it can be shown again."""
    ex = extract_text(data, file_name=name)
    digest = hashlib.sha256(data).hexdigest()
    info = _store(review, record_id, name, digest, ex)
    kept = _kept_file(review, digest, info.media_type)
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(data)
    return info


def fulltext_file(review: ReviewHandle, record_id: int) -> tuple[Path, str, str] | None:
    """The kept file of a record's full text: (path, MIME type, original name), or None."""
    with review.session() as session:
        ft = session.scalar(
            select(FullText).where(FullText.review_id == review.review_id, FullText.record_id == record_id)
        )
        if ft is None:
            return None
        kept = _kept_file(review, ft.sha256, ft.media_type)
        return (kept, _MIME.get(ft.media_type, "application/octet-stream"), ft.file_name) if kept.is_file() else None


def _match_by_name(
    stem: str, records: list[tuple[int, str | None, int | None]], study_keys: dict[str, int]
) -> tuple[set[int], str | None]:
    s = stem.strip().lower()
    m = re.fullmatch(r"(?:record[-_ ]?)?(\d+)", s)
    if m:
        hit = {rid for rid, _, _ in records if rid == int(m.group(1))}
        if hit:
            return hit, "record id"
    if s in study_keys:
        hit = {rid for rid, _, sid in records if sid == study_keys[s]}
        if hit:
            return {min(hit)}, "study key"
    candidates = {unquote(s), unquote(s).replace("_", "/"), unquote(s).replace("_", "/", 1)}
    dois = {normalise_doi(c) for c in candidates} - {None}
    hit = {rid for rid, doi, _ in records if doi and (doi in dois or doi.replace("/", "_") == s)}
    return hit, ("DOI in file name" if hit else None)


def add_fulltexts(review: ReviewHandle, paths: Iterable[str | Path]) -> list[BulkItem]:
    """Attach many files, each matched to a record (bulk form of :func:`add_fulltext`).

    Matching, in order: the file name is a record id (``12.pdf``,
    ``record-12.pdf``), a study key (``ayon2017.pdf``: the study's first
    report) or a DOI (``10.1186_s12954-021-00461-z.pdf``, ``/`` written
    ``_`` or ``%2F``); else a DOI printed on the first two pages that is a
    record's DOI.  Files matching no record or several are reported, not
    added; each file is stored in its own transaction.
    """
    with review.session() as session:
        records: list[tuple[int, str | None, int | None]] = [
            (rid, doi, sid)
            for rid, doi, sid in session.execute(
                select(Record.id, Record.doi, Record.study_id).where(
                    Record.review_id == review.review_id, Record.duplicate_of_id.is_(None)
                )
            )
        ]
        study_keys = {
            k.lower(): i
            for k, i in session.execute(select(Study.key, Study.id).where(Study.review_id == review.review_id))
        }
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(
            sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith(".")) if p.is_dir() else [p]
        )
    out = []
    for path in files:
        item = BulkItem(file=str(path), status="failed")
        try:
            data = path.read_bytes()
            hit, how = _match_by_name(path.stem, records, study_keys)
            ex = extract_text(data, file_name=path.name)
            if not hit:
                head = "".join(ex.text.split("\f")[:2])
                found = {normalise_doi(m.group(0)) for m in _DOI_IN_TEXT.finditer(head)} - {None}
                hit = {rid for rid, doi, _ in records if doi and doi in found}
                how = "DOI in text" if hit else None
            if not hit:
                item.status, item.message = "unmatched", "no record matches the file name or a DOI in its text"
            elif len(hit) > 1:
                item.status = "ambiguous"
                item.message = f"matches records {', '.join(map(str, sorted(hit)))}: add it with `fulltext add`"
            else:
                rid = hit.pop()
                info = _store(review, rid, path.name, hashlib.sha256(data).hexdigest(), ex)
                item.status, item.record_id, item.matched_by, item.fulltext_id = "added", rid, how, info.id
                item.message = "; ".join(ex.warnings)
        except RealistError as exc:
            item.message = str(exc)
        except OSError as exc:
            item.message = f"{path}: cannot read ({exc.strerror})"
        out.append(item)
    return out


def get_fulltext(review: ReviewHandle, record_id: int) -> FullTextInfo | None:
    """A record's full text with its text and pages, or None."""
    with review.session() as session:
        ft = session.scalar(
            select(FullText).where(FullText.review_id == review.review_id, FullText.record_id == record_id)
        )
        return None if ft is None else _info(ft, with_text=True)


def list_fulltexts(review: ReviewHandle) -> list[FullTextInfo]:
    with review.session() as session:
        rows = session.scalars(
            select(FullText).where(FullText.review_id == review.review_id).order_by(FullText.record_id)
        ).all()
        return [_info(ft) for ft in rows]


def remove_fulltext(review: ReviewHandle, record_id: int) -> FullTextInfo:
    """Detach a record's full text (refused while excerpts quote it)."""
    with review.session() as session:
        ft = session.scalar(
            select(FullText).where(FullText.review_id == review.review_id, FullText.record_id == record_id)
        )
        if ft is None:
            raise NotFound(f"record {record_id} has no full text")
        used = session.scalar(select(func.count(Excerpt.id)).where(Excerpt.fulltext_id == ft.id))
        if used:
            raise InvalidInput(f"{used} excerpt(s) quote the full text of record {record_id}: it cannot be removed")
        info = _info(ft)
        review.log(
            session,
            "fulltext.removed",
            entity="fulltext",
            entity_id=ft.id,
            record_id=record_id,
            file=ft.file_name,
            sha256=ft.sha256,
        )
        session.delete(ft)
        return info
