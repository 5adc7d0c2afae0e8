"""A fake OpenAlex API on loopback: a real HTTP server in a thread.

It answers the requests realist makes (``/works/{id}``, ``/works?filter=...``
with cursor paging and ``search``, ``/sources``) from a list of OpenAlex work
objects, and can be told to misbehave: ``fail(kind, times)`` with kind
``429`` (with Retry-After), ``500``, ``401``, ``timeout`` or ``malformed``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def _short(value: Any) -> str:
    return str(value or "").rstrip("/").rsplit("/", 1)[-1]


def _doi(value: Any) -> str:
    return re.sub(r"^https?://(dx\.)?doi\.org/", "", str(value or "")).lower()


def _text(work: dict[str, Any]) -> str:
    inv = work.get("abstract_inverted_index") or {}
    words = " ".join(w for w, _ in sorted(((w, p) for w, ps in inv.items() for p in ps), key=lambda x: x[1]))
    return f"{work.get('display_name') or work.get('title') or ''} {words}".lower()


class FakeOpenAlex:
    def __init__(
        self, works: list[dict[str, Any]], sources: list[dict[str, Any]] | None = None, *, timeout_sleep: float = 0.5
    ) -> None:
        self.works = works
        self.sources = sources or []
        self.faults: list[tuple[str, str | None]] = []
        self.requests: list[str] = []
        self.timeout_sleep = timeout_sleep
        self.retry_after = "7"
        self.lock = threading.Lock()

    def fail(self, kind: str, times: int = 1, *, path: str | None = None) -> None:
        self.faults.extend([(kind, path)] * times)

    # -------------------------------------------------------------- answers
    def _ids(self, work: dict[str, Any]) -> set[str]:
        ids = work.get("ids") or {}
        out = {_short(work.get("id")).upper()}
        if work.get("doi"):
            out.add("doi:" + _doi(work["doi"]))
        if ids.get("pmid"):
            out.add("pmid:" + _short(ids["pmid"]))
        return out

    def _match(self, work: dict[str, Any], key: str, values: list[str]) -> bool:
        if key in ("openalex", "ids.openalex"):
            return _short(work.get("id")).upper() in {_short(v).upper() for v in values}
        if key == "doi":
            return _doi(work.get("doi")) in {_doi(v) for v in values}
        if key in ("pmid", "ids.pmid"):
            return _short((work.get("ids") or {}).get("pmid")) in {_short(v) for v in values}
        if key == "cites":
            return bool({_short(r) for r in work.get("referenced_works") or []} & set(values))
        if key == "cited_by":
            return any(
                _short(work.get("id")) in {_short(r) for r in w.get("referenced_works") or []}
                for w in self.works
                if _short(w.get("id")) in values
            )
        if key == "primary_location.source.id":
            src = (work.get("primary_location") or {}).get("source") or {}
            return _short(src.get("id")) in values
        if key == "from_publication_date":
            return str(work.get("publication_date") or "") >= values[0]
        if key == "to_publication_date":
            return str(work.get("publication_date") or "") <= values[0]
        raise ValueError(key)

    def _search(self, work: dict[str, Any], search: str) -> bool:
        text = _text(work)
        joiner = " AND " if " AND " in search else " OR "
        hits = [t.strip().strip('"').lower() in text for t in search.split(joiner)]
        return all(hits) if joiner == " AND " else any(hits)

    def list_works(self, query: dict[str, str]) -> dict[str, Any]:
        works = self.works
        for part in filter(None, (query.get("filter") or "").split(",")):
            key, _, value = part.partition(":")
            values = value.split("|")
            works = [w for w in works if self._match(w, key, values)]
        if query.get("search"):
            works = [w for w in works if self._search(w, query["search"])]
        per_page = int(query.get("per_page") or query.get("per-page") or 25)
        cursor = query.get("cursor")
        start = 0 if cursor in (None, "*") else int(cursor.removeprefix("c"))
        page = works[start : start + per_page]
        next_cursor = f"c{start + per_page}" if page else None
        return {"meta": {"count": len(works), "per_page": per_page, "next_cursor": next_cursor}, "results": page}

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if path == "/works":
            return 200, self.list_works(query)
        if path.startswith("/works/"):
            key = unquote(path[len("/works/") :])
            if key.lower().startswith("https://doi.org/"):
                key = "doi:" + _doi(key)
            key = key.lower() if ":" in key else key.upper()
            for work in self.works:
                if key in self._ids(work):
                    return 200, work
            return 404, {"error": "Not found"}
        if path == "/sources":
            found = self.sources
            if query.get("search"):
                found = [s for s in found if query["search"].lower() in s["display_name"].lower()]
            if query.get("filter", "").startswith("issn:"):
                found = [s for s in found if query["filter"][5:] in (s.get("issn") or [])]
            return 200, {"meta": {"count": len(found), "next_cursor": None}, "results": found}
        if path.startswith("/sources/"):
            for s in self.sources:
                if _short(s["id"]) == path.rsplit("/", 1)[-1]:
                    return 200, s
            return 404, {"error": "Not found"}
        return 404, {"error": "no such endpoint"}

    # -------------------------------------------------------------- server
    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                with fake.lock:
                    fake.requests.append(self.path)
                    fault = None
                    for i, (_kind, where) in enumerate(fake.faults):
                        if where is None or where in url.path:
                            fault = fake.faults.pop(i)[0]
                            break
                if fault == "timeout":
                    time.sleep(fake.timeout_sleep)
                if fault == "429":
                    return self._send(429, b'{"error": "slow down"}', {"Retry-After": fake.retry_after})
                if fault == "500":
                    return self._send(500, b"Internal Server Error")
                if fault == "401":
                    return self._send(401, b'{"error": "API key required"}')
                if fault == "malformed":
                    return self._send(200, b'{"meta": {"count": 3}, "results": [')
                status, body = fake.answer(url.path, query)
                self._send(status, json.dumps(body).encode())

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
