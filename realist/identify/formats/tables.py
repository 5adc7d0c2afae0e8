"""Table exports: CSV, TSV and XLSX from databases and screening tools.

One reader, several column profiles detected from the header row:
Scopus (old layout: authors 'Phillips J.C., Braun R.'; new: '; ' and
'Author full names' with ids in parentheses), Embase (Emtree columns),
Lens, IEEE Xplore, OpenAlex CSV (dotted column names, '|' separators), and
the exports of Covidence, Rayyan and ASReview, whose screening decisions are
kept in ``RecordData.labels`` (ASReview ``included``/``label_included``/
``asreview_label``; Rayyan ``notes`` with 'RAYYAN-INCLUSION: {"Ana"=>"Included"}';
Covidence decision/status/tags columns) — kept, never acted on.  Any other
table with a title-like column reads as generic CSV; a table without one is
refused.  BibTeX field names (``ID``, ``ENTRYTYPE``, ``booktitle``,
``number``) keep their BibTeX meaning: ``booktitle`` is the container where
``journal`` is empty, and ``number`` is the issue unless it counts the rows.  The delimiter (comma, semicolon, tab) is taken from the header.

``raw``: column → cell, empty cells left out.  ``source_record_id``: the
first present of ``id``/``record_id``/``key``/``ID``, Covidence '#',
'Lens ID', Scopus ``EID``, 'Accession Number', 'Document Identifier' is not
an id so IEEE falls back to the DOI-less row number (None).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from realist.errors import ImportFormatError
from realist.identify.formats import ParsedFile, check_records, get_format, register
from realist.identify.formats._common import (
    format_authors,
    make_record,
    normalise_pages,
    nullish,
    rayyan_labels,
    split_list,
)
from realist.records import RecordData

__all__ = [
    "ALIASES",
    "Table",
    "TableFormat",
    "ScopusCSV",
    "EmbaseCSV",
    "LensCSV",
    "IeeeCSV",
    "OpenAlexCSV",
    "AsreviewCSV",
    "RayyanCSV",
    "CovidenceCSV",
    "iter_lines",
    "read_xlsx",
]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# normalised field → candidate column keys (see _key), in priority order
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "recordid", "key", "covidence", "refid", "lensid", "eid", "accessionnumber", "ut", "uid", "articleid"),
    "title": ("title", "documenttitle", "articletitle", "primarytitle", "displayname", "ti", "titles"),
    "abstract": ("abstract", "abstractnote", "ab", "description", "summary"),
    "authors": (
        "authorfullnames",
        "authors",
        "author",
        "authornames",
        "authorshipsauthordisplayname",
        "au",
        "af",
        "creators",
    ),
    "year": ("year", "publicationyear", "publishedyear", "pubyear", "py", "date", "publicationdate", "datepublished"),
    "journal": (
        "journal",
        "sourcetitle",
        "publicationtitle",
        "journaltitle",
        "secondarytitle",
        "containertitle",
        "primarylocationsourcedisplayname",
        "so",
        "source",
        "publication",
    ),
    "container": ("booktitle", "conferencename", "proceedingstitle", "meetingname"),
    "volume": ("volume", "vl"),
    "issue": ("issue", "issuenumber", "number", "is"),
    "pages": ("pages", "page", "pg"),
    "start": ("startpage", "pagestart", "bp", "firstpage", "biblio.firstpage"),
    "end": ("endpage", "pageend", "ep", "lastpage"),
    "doi": ("doi", "di"),
    "pmid": ("pmid", "pubmedid", "idspmid", "pm"),
    "pmcid": ("pmcid", "idspmcid"),
    "issn": ("issn", "issns", "sn", "primarylocationsourceissnl", "eissn"),
    "keywords": ("keywords", "authorkeywords", "de", "kw", "keyword", "tags"),
    "language": ("language", "languageoforiginaldocument", "la", "lang"),
    "type": ("documenttype", "publicationtype", "type", "dt", "itemtype", "entrytype"),
    "url": ("url", "link", "externalurl", "articleurl", "pdflink"),
    "openalex": ("openalexid", "idsopenalex"),
    "referencedworks": ("referencedworks",),
}
_ASREVIEW = ("included", "labelincluded", "asreviewlabel", "finalincluded", "asreviewranking", "asreviewprior")
_COVIDENCE = ("decision", "status", "stage", "vote", "exclusionreason", "reasonforexclusion", "tags", "notes")


class Table:
    """A header and rows with lookup by normalised column name."""

    def __init__(self, header: Sequence[str]) -> None:
        self.header = [h.strip().lstrip("\ufeff") for h in header]
        self.index: dict[str, int] = {}
        for i, h in enumerate(self.header):
            self.index.setdefault(_key(h), i)
        self.keys = set(self.index)
        self.serial_issue = False  # the issue column is a per-row serial number, not an issue

    def column(self, field: str) -> int | None:
        for alias in ALIASES.get(field, (field,)):
            if alias in self.index:
                return self.index[alias]
        return None


class TableFormat:
    name = "csv"
    label = "CSV/TSV table"
    sep_authors: tuple[str, ...] = (";", " and ")

    def score(self, table: Table) -> float:
        return 0.4 if table.column("title") is not None else 0.2

    def detect(self, text: str) -> float:
        table = _header(text)
        return self.score(table) if table is not None else 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        delimiter = _delimiter(text[: text.find("\n") if "\n" in text else len(text)])
        # strict: text after a closing quote inside a field, or a quote never
        # closed, is an error rather than silently mangled text (docs/formats.md).
        reader = csv.reader(iter_lines(text), delimiter=delimiter, strict=True)
        done = [0]  # the last line of the last row read whole

        def rows() -> Iterator[list[str]]:
            for row in reader:
                yield row
                done[0] = reader.line_num

        try:
            yield from self.read_rows(rows())
        except csv.Error as err:
            problem = _quoting_problem(str(err))
            # a field never closed runs to the end: name the line where its row starts
            line = done[0] + 1 if "never closed" in problem else reader.line_num
            raise ImportFormatError(problem, line=line) from None

    def read_rows(self, rows: Iterator[Sequence[Any]]) -> Iterator[RecordData]:
        header = next(rows, None)
        if header is None:
            return
        table = Table([str(h or "") for h in header])
        if table.column("title") is None:
            raise ImportFormatError(
                "this table has no title column (looked for Title, Document Title, "
                f"Article Title, TI ...); columns found: {', '.join(table.header[:15])}",
                line=1,
            )
        width = len(table.header)
        head = list(itertools.islice(rows, _SERIAL_PROBE))
        table.serial_issue = _issue_is_serial(table, head)
        for number, row in enumerate(itertools.chain(head, rows), start=2):
            cells = ["" if c is None else str(c) for c in row]
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > width:
                cells = self.fix_row(table, cells)
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                raise ImportFormatError(
                    f"row has {len(cells)} cells but the header has {width} columns "
                    "(wrong delimiter or broken quoting?)",
                    line=number,
                )
            raw = {table.header[i]: cells[i] for i in range(min(width, len(cells))) if cells[i].strip()}
            yield self.record(table, raw, cells)

    def fix_row(self, table: Table, cells: list[str]) -> list[str]:
        """Repair a row with more cells than the header (format-specific)."""
        return cells

    def get(self, table: Table, cells: list[str], field: str) -> str | None:
        i = table.column(field)
        if i is None or i >= len(cells) or nullish(cells[i]):
            return None
        return cells[i]

    def authors(self, table: Table, cells: list[str]) -> list[str]:
        value = self.get(table, cells, "authors")
        names = split_list(value, self.sep_authors) if value else []
        return format_authors(re.sub(r"\s*\(\d+\)\s*$", "", n) for n in names)

    def labels(self, table: Table, cells: list[str]) -> dict[str, str]:
        return {}

    def record(self, table: Table, raw: dict[str, str], cells: list[str]) -> RecordData:
        def g(field: str) -> str | None:
            return self.get(table, cells, field)

        start, end = g("start"), g("end")
        pages = g("pages") or normalise_pages(start, end)
        kw_cols = [
            i for k, i in table.index.items() if k in ("keywords", "authorkeywords", "indexkeywords", "de", "id", "kw")
        ]
        if "id" in table.keys and self.name != "wos_tabdelimited":
            kw_cols = [i for i in kw_cols if table.header[i].lower() not in ("id",)]
        keywords = [k for i in kw_cols if i < len(cells) for k in split_list(cells[i], (";", "|"))]
        ident = g("id")
        doi = g("doi")
        return make_record(
            raw,
            source_record_id=ident,
            title=g("title"),
            abstract=g("abstract"),
            authors=self.authors(table, cells),
            year=g("year"),
            journal=g("journal") or g("container"),
            volume=g("volume"),
            issue=None if table.serial_issue else g("issue"),
            pages=pages,
            doi=doi,
            pmid=g("pmid"),
            pmcid=g("pmcid"),
            openalex_id=g("openalex") or (ident if ident and "openalex.org/W" in ident else None),
            issn=g("issn"),
            keywords=keywords,
            language=g("language"),
            publication_type=g("type"),
            url=g("url"),
            referenced_works=split_list(g("referencedworks"), (";", "|", " ")),
            labels=self.labels(table, cells),
        )


_SERIAL_PROBE = 20


def _issue_is_serial(table: Table, rows: Sequence[Sequence[Any]]) -> bool:
    """True when a BibTeX-style ``number`` column counts the rows (1, 2, 3 …
    or 0, 1, 2 …) instead of giving each record's issue: the first rows (at
    least three, up to twenty) all carry their own row position."""
    i = table.column("issue")
    if i is None or _key(table.header[i]) != "number":
        return False
    values = [str(row[i]).strip() if i < len(row) and row[i] is not None else "" for row in rows]
    if len(values) < 3 or not all(v.isdigit() for v in values):
        return False
    numbers = [int(v) for v in values]
    return any(numbers == list(range(start, start + len(numbers))) for start in (0, 1))


def iter_lines(text: str) -> Iterator[str]:
    """Lines of ``text`` with their ``\n``, without copying the whole text."""
    start, find, size = 0, text.find, len(text)
    while start < size:
        end = find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _quoting_problem(error: str) -> str:
    if "expected after" in error:
        what = "text follows a closing quote inside a field"
    elif "end of data" in error or "unexpected end" in error:
        what = "a quoted field is never closed"
    else:
        what = error
    return (
        f"broken CSV quoting: {what} (a quote inside a quoted field must be doubled, "
        '""); nothing was imported - fix the file or export it again'
    )


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _header(text: str) -> Table | None:
    lines = text[:200000].split("\n", 6)
    if len(lines) < 2:
        return None
    delimiter = _delimiter(lines[0])
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines[:6])), delimiter=delimiter))
    except csv.Error:
        return None
    header = rows[0] if rows else []
    if len(header) < 2 or any(len(h) > 120 for h in header) or sum(1 for h in header if h.strip()) < 2:
        return None
    body = [r for r in rows[1:5] if any(c.strip() for c in r)]
    if len(rows) > 1 and body and not any(len(r) == len(header) for r in body):
        return None
    return Table(header)


register(TableFormat())


class _Profile(TableFormat):
    required: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    confidence = 0.9

    def score(self, table: Table) -> float:
        if all(r in table.keys for r in self.required) and (
            not self.any_of or any(a in table.keys for a in self.any_of)
        ):
            return self.confidence
        return 0.0


@register
class ScopusCSV(_Profile):
    name, label = "scopus_csv", "Scopus CSV"
    required = ("sourcetitle", "title")
    any_of = ("eid", "authorsid", "linkscopus")
    sep_authors = (";", ".,")

    def fix_row(self, table: Table, cells: list[str]) -> list[str]:
        # Older Scopus CSVs name only 'Funding Text 1' in the header but write
        # 'Funding Text 2', '3' ... cells after it in some rows.
        funding = [i for i, h in enumerate(table.header) if re.fullmatch(r"Funding Texts?( \d+)?", h)]
        if not funding:
            return cells
        at, extra = funding[-1], len(cells) - len(table.header)
        merged = " ".join(c for c in cells[at : at + extra + 1] if c.strip())
        return cells[:at] + [merged] + cells[at + extra + 1 :]

    def authors(self, table: Table, cells: list[str]) -> list[str]:
        full = self.get(table, cells, "authorfullnames")
        if full:
            return format_authors(re.sub(r"\s*\([^)]*\)\s*$", "", n) for n in split_list(full))
        value = self.get(table, cells, "authors") or ""
        if ";" in value:
            return format_authors(split_list(value))
        # old layout: 'Phillips J.C., Braun R., Wang W.'
        return format_authors(n.strip() for n in re.split(r"(?<=\.),\s*", value) if n.strip())


@register
class EmbaseCSV(_Profile):
    name, label = "embase_csv", "Embase CSV"
    required = ("authornames",)
    any_of = ("emtreedrugindexterms", "emtreemedicalindexterms", "openurllink", "embaseaccessionnumber")

    def authors(self, table: Table, cells: list[str]) -> list[str]:
        value = self.get(table, cells, "authors") or ""
        return format_authors(n for n in re.split(r"(?<=\.),\s*", value) if n.strip())

    def record(self, table: Table, raw: dict[str, str], cells: list[str]) -> RecordData:
        record = super().record(table, raw, cells)
        source = self.get(table, cells, "source") or ""
        # 'Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014'
        match = re.match(
            r"(?P<j>.+?)\s*\((?P<y>\d{4})\)\s*(?P<v>[^:\s]+)?(?::(?P<i>[^\s(]+))?\s*(?:\((?P<p>[^)]+)\))?", source
        )
        if match:
            record.journal = match.group("j").strip()
            record.year = record.year or int(match.group("y"))
            record.volume = record.volume or match.group("v")
            record.issue = record.issue or match.group("i")
            record.pages = record.pages or normalise_pages(match.group("p"))
        if not record.doi:
            from realist.records import normalise_doi

            link = self.get(table, cells, "openurllink") or ""
            m = re.search(r"doi:([^&]+)", link.replace("%2F", "/"))
            record.doi = normalise_doi(m.group(1)) if m else None
        return record


@register
class LensCSV(_Profile):
    name, label = "lens_csv", "Lens.org CSV"
    required = ("lensid",)


@register
class IeeeCSV(_Profile):
    name, label = "ieee_csv", "IEEE Xplore CSV"
    required = ("documenttitle",)
    any_of = ("publicationtitle", "ieeeterms", "documentidentifier")


@register
class OpenAlexCSV(_Profile):
    name, label = "openalex_csv", "OpenAlex CSV"
    required = ("id",)
    any_of = ("authorshipsauthordisplayname", "displayname", "primarylocationsourcedisplayname")
    sep_authors = ("|",)

    def score(self, table: Table) -> float:
        return (
            0.9
            if (super().score(table) and any("." in h for h in table.header))
            or ("displayname" in table.keys and "id" in table.keys)
            else 0.0
        )


@register
class AsreviewCSV(_Profile):
    name, label = "asreview_csv", "ASReview export"
    any_of = _ASREVIEW
    confidence = 0.7

    def labels(self, table: Table, cells: list[str]) -> dict[str, str]:
        return {
            table.header[i]: cells[i].strip()
            for k, i in table.index.items()
            if k in _ASREVIEW and i < len(cells) and cells[i].strip()
        }


@register
class RayyanCSV(_Profile):
    name, label = "rayyan_csv", "Rayyan CSV"
    required = ("key", "notes", "title")
    confidence = 0.75

    def labels(self, table: Table, cells: list[str]) -> dict[str, str]:
        return rayyan_labels(self.get(table, cells, "notes"))


@register
class CovidenceCSV(_Profile):
    name, label = "covidence_csv", "Covidence CSV"
    required = ("covidence", "title")
    confidence = 0.95

    def labels(self, table: Table, cells: list[str]) -> dict[str, str]:
        return {
            table.header[i]: cells[i].strip()
            for k, i in table.index.items()
            if k in _COVIDENCE and i < len(cells) and cells[i].strip()
        }


def read_xlsx(data: bytes, *, file: str, format: str | None = None) -> ParsedFile:
    """Read the first sheet of an XLSX workbook through the table profiles."""
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # zip/XML errors from a damaged workbook
        raise ImportFormatError(f"is not a readable XLSX workbook: {err}", file=file) from err
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    if not rows:
        raise ImportFormatError("the workbook's first sheet is empty", file=file)
    # Detect with a CSV rendering of the first rows, then read the cells directly.
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if c is None else str(c) for c in r] for r in rows[:6]])
    fmt = (
        get_format(format)
        if format
        else max((f for f in (get_format(n) for n in _TABLE_NAMES)), key=lambda f: f.detect(buffer.getvalue()))
    )
    if not isinstance(fmt, TableFormat):
        raise ImportFormatError(f"an XLSX workbook cannot be read as {fmt.label}", file=file)
    try:
        records = list(fmt.read_rows(iter(rows)))
    except ImportFormatError as err:
        raise err.located(file=file) from err
    if not records:
        raise ImportFormatError("no records found in the workbook", file=file)
    warnings: list[str] = []
    return ParsedFile(format=fmt.name, records=check_records(records, warnings, file=file), warnings=warnings)


_TABLE_NAMES = (
    "csv",
    "scopus_csv",
    "embase_csv",
    "lens_csv",
    "ieee_csv",
    "openalex_csv",
    "asreview_csv",
    "rayyan_csv",
    "covidence_csv",
)
