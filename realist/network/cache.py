"""An on-disk cache of OpenAlex responses, so a rerun costs nothing and works offline.

One JSON file per request, named by the SHA-256 of the request (path and
parameters, without the API key or e-mail, which do not change the answer).
A file holds the status (200, or 404 for "no such work": a negative answer
is worth remembering too), the request and the body.  Files are written
atomically, so an interrupted run never leaves a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import write_atomic

__all__ = ["ResponseCache", "CachedResponse", "cache_key"]

#: Parameters that identify the caller, not the question: left out of the key.
PRIVATE_PARAMS = frozenset({"api_key", "mailto"})


def cache_key(path: str, params: dict[str, Any] | None = None) -> str:
    """A stable key for one request: path plus sorted public parameters."""
    public = sorted((k, str(v)) for k, v in (params or {}).items() if k not in PRIVATE_PARAMS)
    text = json.dumps([path, public], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class CachedResponse:
    status: int
    body: Any


class ResponseCache:
    """Responses kept as files under ``directory`` (created on first write)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _file(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, path: str, params: dict[str, Any] | None = None) -> CachedResponse | None:
        """The stored answer to this request, or ``None`` (unreadable entries are misses)."""
        file = self._file(cache_key(path, params))
        try:
            entry = json.loads(file.read_text(encoding="utf-8"))
            return CachedResponse(int(entry["status"]), entry.get("body"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, path: str, params: dict[str, Any] | None, status: int, body: Any) -> None:
        """Store one answer (atomically)."""
        file = self._file(cache_key(path, params))
        file.parent.mkdir(parents=True, exist_ok=True)
        public = {k: v for k, v in (params or {}).items() if k not in PRIVATE_PARAMS}
        entry = {"path": path, "params": public, "status": status, "body": body}
        write_atomic(file, json.dumps(entry, ensure_ascii=False))

    def __len__(self) -> int:
        return sum(1 for _ in self.directory.glob("*/*.json")) if self.directory.is_dir() else 0
