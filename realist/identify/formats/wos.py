"""Web of Science exports: plain text (``FN``…``EF``) and tab-delimited.

Plain text: two-letter tag, a space, the value; continuation lines start
with three spaces.  For multi-valued fields (``AU``, ``AF``, ``CR``, ``C1``
...) each continuation line is a new value; for others it continues the
text.  ``PT`` opens a record, ``ER`` closes it, ``EF`` ends the file.  The
header is required: a file whose first line is not ``FN ...`` is refused as
damaged.  A file that does not end with ``EF`` is refused as truncated
unless its last record is closed by ``ER`` (only the ``EF`` line is
missing): it then imports with a warning.  A silently short import would
corrupt the PRISMA counts.  Other databases in
the ISI format (Inspec) read the same.

Tab-delimited: a header row of the same tags, one record per line.

``raw``: tag → value (list for multi-valued fields).  ``source_record_id``:
``UT`` (the WoS accession, e.g. ``WOS:000451039805163``).  Authors from
``AF`` (full names), else ``AU``.  Keywords from ``DE`` then ``ID``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

from realist.errors import ImportFormatError
from realist.identify.formats import register, warn
from realist.identify.formats._common import first, format_authors, make_record, split_list
from realist.records import RecordData

__all__ = ["WosPlain", "WosTab", "wos_record"]

_MULTI = {"AU", "AF", "BA", "BF", "CA", "CR", "C1", "C3", "ED", "GP", "BE"}
_TAG = re.compile(r"([A-Z][A-Z0-9])(?: (.*)|$)")


@register
class WosPlain:
    name = "wos_plaintext"
    label = "Web of Science plain text"

    def detect(self, text: str) -> float:
        head = text.lstrip("\n")[:20000]
        if head.startswith("FN ") and "\nPT " in head:
            return 0.95
        if re.search(r"^PT [A-Z]$", head, re.M) and re.search(r"^(UT|ER)\b", head, re.M):
            return 0.6
        return 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        lines = text.split("\n")
        first_line = next((i for i, line in enumerate(lines) if line.strip()), 0)
        if not lines[first_line].startswith("FN "):
            raise ImportFormatError(
                "looks like a Web of Science export but has no 'FN' header line "
                f"(first line is {lines[first_line][:40]!r}); the file is damaged or "
                "was edited - export it again from Web of Science",
                line=first_line + 1,
            )
        last_line = max((i for i, line in enumerate(lines) if line.strip()), default=0)
        if lines[last_line].strip() != "EF":
            if lines[last_line].strip() != "ER":
                raise ImportFormatError(
                    "Web of Science export ends without the 'EF' end-of-file line and its last "
                    "record has no 'ER' line: the file is truncated or damaged - export it again",
                    line=last_line + 1,
                )
            warn(
                f"the file ends without the 'EF' end-of-file line (after line {last_line + 1}); "
                "its last record is complete ('ER'), so every record was read - check the count "
                "against Web of Science"
            )
        fields: dict[str, list[str]] | None = None
        last: str | None = None
        count = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if line.startswith("   ") and fields is not None and last:
                value = line.strip()
                if last in _MULTI:
                    fields[last].append(value)
                else:
                    fields[last][-1] += "\n" + value
                continue
            match = _TAG.match(line)
            if not match:
                raise ImportFormatError(
                    f"unexpected line in Web of Science export: {line[:60]!r}",
                    line=number,
                    record=count + 1,
                )
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag in ("FN", "VR", "EF"):
                continue
            if tag == "ER":
                if fields:
                    count += 1
                    yield wos_record({t: v[0] if len(v) == 1 else v for t, v in fields.items()})
                fields, last = None, None
                continue
            if fields is None:
                fields = {}
            fields.setdefault(tag, []).append(value)
            last = tag
        if fields:
            raise ImportFormatError("last record has no 'ER' line: the file is truncated", record=count + 1)


@register
class WosTab:
    name = "wos_tabdelimited"
    label = "Web of Science tab-delimited"

    def detect(self, text: str) -> float:
        header = text[: text.find("\n")].split("\t") if "\n" in text else text.split("\t")
        cols = {h.strip() for h in header}
        return 0.95 if {"PT", "AU", "TI", "SO"} <= cols and ("UT" in cols or "DI" in cols) else 0.0

    def read(self, text: str) -> Iterator[RecordData]:
        from realist.identify.formats.tables import iter_lines

        reader = csv.reader(iter_lines(text), delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [h.strip() for h in next(reader)]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            raw = {h: v for h, v in zip(header, row) if h and v.strip()}
            yield wos_record(raw)


def wos_record(raw: dict[str, Any]) -> RecordData:
    def get(tag: str) -> Any:
        return raw.get(tag)

    names = get("AF") or get("AU") or []
    names = [n for v in (names if isinstance(names, list) else [names]) for n in split_list(v)]
    start, end = first(get("BP")), first(get("EP"))
    pages = f"{start}-{end}" if start and end and start != end else (start or first(get("AR")))
    keywords = [k for tag in ("DE", "ID") for v in _list(get(tag)) for k in split_list(v.replace("\n", " "))]
    return make_record(
        raw,
        source_record_id=first(get("UT"), get("AN")),
        title=first(get("TI")),
        abstract=first(get("AB")),
        authors=format_authors(names),
        year=first(get("PY"), get("EA"), get("PD")),
        journal=first(get("SO"), get("SE")),
        volume=first(get("VL")),
        issue=first(get("IS")),
        pages=pages,
        doi=first(get("DI")),
        pmid=first(get("PM")),
        issn=first(get("SN"), get("EI")),
        keywords=keywords,
        language=first(get("LA")),
        publication_type=first(get("DT"), get("PT")),
        url=first(get("DL")),
    )


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
