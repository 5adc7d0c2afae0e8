"""Chasing without a network: OpenAlex works saved as JSON or JSON Lines.

Accepted: a work object, a list of works, an API list response
(``{"meta": ..., "results": [...]}``), JSON Lines (one work or response per
line, as in a snapshot slice), any of these gzipped (``.gz``), a ``.zip`` of
such files, or a folder of them.  Backward chasing finds a seed's references
among the saved works (references not saved are reported as unresolved);
forward chasing finds the saved works whose ``referenced_works`` name the
seed.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import ImportFormatError, InvalidInput
from .openalex import Identifier, work_identifiers
from .works import Progress, cited_ids, work_id

__all__ = ["OfflineWorks", "read_works"]

SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")


def _works_in(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, dict):
        data = [data]
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and work_id(item):
                yield item


def _parse(text: str, name: str) -> list[dict[str, Any]]:
    stripped = text.strip()
    if not stripped:
        return []
    try:
        return list(_works_in(json.loads(stripped)))
    except json.JSONDecodeError as whole:
        works: list[dict[str, Any]] = []
        for number, line in enumerate(stripped.splitlines(), 1):
            if not line.strip():
                continue
            try:
                works.extend(_works_in(json.loads(line)))
            except json.JSONDecodeError:
                raise ImportFormatError(
                    f"not OpenAlex JSON or JSON Lines ({whole.msg})", file=name, line=number
                ) from None
        return works


def _decode(data: bytes, name: str) -> str:
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFormatError("not UTF-8 text", file=name) from None


def _read_one(path: Path) -> Iterator[tuple[str, str]]:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.filename.lower().endswith(SUFFIXES):
                    name = f"{path}!{info.filename}"
                    yield name, _decode(archive.read(info), name)
    else:
        yield str(path), _decode(path.read_bytes(), str(path))


def read_works(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Every work in the given files, zips or folders (first copy of each id wins)."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.name.lower().endswith((*SUFFIXES, ".zip"))))
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or folder")
    seen: dict[str, dict[str, Any]] = {}
    for file in files:
        for name, text in _read_one(file):
            for work in _parse(text, name):
                seen.setdefault(work_id(work) or "", work)
    if not seen:
        raise InvalidInput(
            f"no OpenAlex works found in {', '.join(str(p) for p in paths)}: "
            "save works from the API (JSON, JSON Lines, or a zip of them)"
        )
    return list(seen.values())


class OfflineWorks:
    """A work source backed by saved OpenAlex works (see the module docstring)."""

    def __init__(self, works: Sequence[dict[str, Any]], *, files: Sequence[str] = ()) -> None:
        self.files = [str(f) for f in files]
        self.by_id: dict[Identifier, dict[str, Any]] = {}
        self.cited_by: dict[str, list[str]] = {}
        self.by_work: dict[str, dict[str, Any]] = {}
        for work in works:
            wid = work_id(work)
            if not wid or wid in self.by_work:
                continue
            self.by_work[wid] = work
            for ident in work_identifiers(work):
                self.by_id.setdefault(ident, work)
            for ref in cited_ids(work):
                self.cited_by.setdefault(ref, []).append(wid)

    @classmethod
    def from_paths(cls, paths: Sequence[str | Path]) -> OfflineWorks:
        return cls(read_works(paths), files=[str(p) for p in paths])

    def describe(self) -> dict[str, Any]:
        return {"via": "saved_openalex_json", "files": self.files, "works_available": len(self.by_work)}

    def lookup(self, ids: Sequence[Identifier]) -> dict[Identifier, dict[str, Any] | None]:
        return {ident: self.by_id.get(ident) for ident in ids}

    def works(self, openalex_ids: Sequence[str], progress: Progress | None = None) -> dict[str, dict[str, Any]]:
        out = {i: self.by_work[i] for i in openalex_ids if i in self.by_work}
        if progress is not None:
            progress("Reference lists", 1, 1)
        return out

    def citing(
        self, openalex_ids: Sequence[str], progress: Progress | None = None
    ) -> list[tuple[dict[str, Any], list[str]]]:
        found: dict[str, set[str]] = {}
        for seed in openalex_ids:
            for wid in self.cited_by.get(seed, []):
                found.setdefault(wid, set()).add(seed)
        if progress is not None:
            progress("Citing works", 1, 1)
        return [(self.by_work[w], sorted(s)) for w, s in found.items()]

    def all_works(self) -> list[dict[str, Any]]:
        return list(self.by_work.values())
