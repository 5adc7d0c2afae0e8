"""The protocol: the review's human-editable plan, kept as ``protocol.yaml``.

It holds the question and sub-questions, eligibility criteria per screening
stage, the codebook and the reporting standards.  People edit the file; the
review records each version it sees in the event log (``protocol.changed``),
so criteria edits are part of the audit trail.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidInput
from .files import write_atomic

__all__ = ["PROTOCOL_FILE", "STAGES", "default_protocol", "write_protocol", "read_protocol", "protocol_hash"]

PROTOCOL_FILE = "protocol.yaml"
STAGES = ("title_abstract", "full_text")


def default_protocol(title: str) -> dict[str, Any]:
    """A fresh protocol with every section present and empty."""
    return {
        "title": title,
        "question": "",
        "sub_questions": [],
        "eligibility": {
            stage: {"include": [], "exclude": []} for stage in STAGES
        },
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


def read_protocol(path: Path) -> dict[str, Any]:
    """Parse and check the protocol file; a broken file names the problem."""
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
            f"{path}: unknown screening stage(s) {sorted(unknown)} in 'eligibility' "
            f"(stages are {', '.join(STAGES)})"
        )
    return data


def protocol_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
