"""The record splitter shared by the line-tagged formats (EndNote, MEDLINE, Ovid).

Each of them writes one field per line as a tag and a value, with untagged
lines continuing the field above; they differ in the tag's look (a regex per
format), in what separates records (a blank line, or a header line such as
Ovid's ``<12. >``) and in MEDLINE's habit of starting a record at ``PMID``.
RIS and Web of Science have reader loops of their own (``ER`` closes a
record; per-tag continuation rules; WoS refuses damaged files).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["tagged_records"]


def tagged_records(
    text: str,
    tag: re.Pattern[str],
    *,
    header: re.Pattern[str] | None = None,
    repeat_opens: str | None = None,
) -> Iterator[dict[str, list[str]]]:
    """Yield each record of *text* as ``{tag: [values]}``, tags in file order.

    A line that *tag* matches at its start (group 1 the tag, group 2 the
    value) adds a value; a line that starts with whitespace is never a tag.
    Any other non-blank line continues the last value, joined with ``"\\n"``
    (lines before the first tag of a record are dropped).  Values and
    continuation lines are stripped.

    Records are separated by blank lines, or, when *header* is given, by
    lines *header* matches (blank lines then separate nothing).
    *repeat_opens*: a tag that starts a new record when the current record
    already has it (MEDLINE's ``PMID``, for files missing the blank line).
    """
    fields: dict[str, list[str]] = {}
    last: str | None = None
    tag_match = tag.match
    header_match = None if header is None else header.match
    for line in text.split("\n"):
        if header_match is not None and header_match(line):
            if fields:
                yield fields
            fields, last = {}, None
            continue
        if not line.strip():
            if header_match is None:
                if fields:
                    yield fields
                fields, last = {}, None
            continue
        match = tag_match(line) if not line[0].isspace() else None
        if match:
            last = match.group(1)
            if last == repeat_opens and last in fields:
                yield fields
                fields = {}
            fields.setdefault(last, []).append(match.group(2).strip())
        elif last is not None:
            values = fields[last]
            values[-1] = values[-1] + "\n" + line.strip()
    if fields:
        yield fields
