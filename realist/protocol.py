"""The protocol: the review's human-editable plan, kept as ``protocol.yaml``.

It holds the question and sub-questions, eligibility criteria per screening
stage, the codebook and the reporting standards.  People edit the file; the
review records each version it sees in the event log (``protocol.changed``),
so criteria edits are part of the audit trail.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidInput
from .files import write_atomic

__all__ = [
    "PROTOCOL_FILE",
    "STAGES",
    "default_protocol",
    "write_protocol",
    "read_protocol",
    "protocol_hash",
    "parse_criteria",
    "criteria_lines",
    "set_criteria",
]

PROTOCOL_FILE = "protocol.yaml"
STAGES = ("title_abstract", "full_text")


def default_protocol(title: str) -> dict[str, Any]:
    """A fresh protocol with every section present and empty."""
    return {
        "title": title,
        "question": "",
        "sub_questions": [],
        "eligibility": {stage: {"include": [], "exclude": []} for stage in STAGES},
        "codebook": [],
        "reporting_standards": ["PRISMA 2020", "RAMESES"],
    }


_HEADER = """\
# The review protocol. Edit freely: realist reads this file on every command
# and logs each new version in the review's event log.
#
# eligibility: criteria per screening stage; exclusion reasons are criteria,
#   each a short id and a label, e.g. {id: wrong-population, label: "..."}
# codebook: a tree of codes (kind: intervention | context | mechanism |
#   outcome | other), each with a definition and optional children.
"""


def write_protocol(path: Path, protocol: dict[str, Any]) -> None:
    text = yaml.safe_dump(protocol, sort_keys=False, allow_unicode=True, width=88)
    write_atomic(path, _HEADER + text)


# Parsed protocols by file identity (path, inode, size, mtime): the web app reads the protocol on
# every request, and parsing YAML costs milliseconds.  A rewrite (atomic: a new inode) or an edit
# changes the identity, so a changed file is always parsed again.
_PARSED: dict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = {}


def read_protocol(path: Path) -> dict[str, Any]:
    """Parse and check the protocol file; a broken file names the problem."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: the protocol file is missing") from None
    identity = (st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == identity:
        return copy.deepcopy(cached[1])
    data = _read_protocol(path)
    if len(_PARSED) > 64:
        _PARSED.clear()
    _PARSED[path] = (identity, copy.deepcopy(data))
    return data


def _read_protocol(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: the protocol file is missing") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: the protocol must be a mapping of sections")
    eligibility = data.get("eligibility") or {}
    if not isinstance(eligibility, dict):
        raise InvalidInput(f"{path}: 'eligibility' must map stages to criteria")
    unknown = set(eligibility) - set(STAGES)
    if unknown:
        raise InvalidInput(
            f"{path}: unknown screening stage(s) {sorted(unknown)} in 'eligibility' (stages are {', '.join(STAGES)})"
        )
    return data


def protocol_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_CRITERION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def parse_criteria(text: str, *, where: str = "criteria") -> list[dict[str, str]]:
    """Criteria from lines ``id: label`` (one per line; blank lines ignored), checked.

    An id is a short slug (lower-case letters, digits, ``-`` or ``_``), unique
    in the list; the label says what it means.  A bad line is named.
    """
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        key, sep, label = line.partition(":")
        key, label = key.strip(), label.strip()
        if not sep or not label:
            raise InvalidInput(
                f"{where}, line {n}: write 'id: label', e.g. 'wrong-population: not people who use drugs'"
            )
        if not _CRITERION_ID.match(key):
            raise InvalidInput(
                f"{where}, line {n}: id {key!r} must be a short slug of lower-case letters, digits, - or _"
            )
        if key in seen:
            raise InvalidInput(f"{where}, line {n}: id {key!r} is used twice")
        seen.add(key)
        out.append({"id": key, "label": label})
    return out


def criteria_lines(items: list[Any]) -> str:
    """The inverse of :func:`parse_criteria` for criteria as the protocol holds them."""
    lines = []
    for i, item in enumerate(items or [], 1):
        if isinstance(item, dict):
            lines.append(f"{item.get('id') or i}: {item.get('label') or item.get('id') or ''}")
        else:
            lines.append(f"c{i}: {item}")
    return "\n".join(lines)


def set_criteria(
    path: Path,
    stage: str,
    include: list[dict[str, str]],
    exclude: list[dict[str, str]],
    *,
    highlights: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Replace a stage's criteria (and optionally the highlight terms) in the protocol file."""
    if stage not in STAGES:
        raise InvalidInput(f"unknown stage {stage!r}: stages are {', '.join(STAGES)}")
    data = read_protocol(path)
    eligibility = dict(data.get("eligibility") or {})
    eligibility[stage] = {"include": include, "exclude": exclude}
    data["eligibility"] = eligibility
    if highlights is not None:
        data["highlights"] = {k: [t for t in v if t.strip()] for k, v in highlights.items()}
    write_protocol(path, data)
    return data
