"""Where chased works come from: OpenAlex online, or saved OpenAlex JSON.

A *work source* answers three questions, in batches: which works these
identifiers name (:meth:`lookup`), the works with these OpenAlex ids
(:meth:`works`, to hydrate a reference list) and the works citing these ids
(:meth:`citing`).  :class:`OnlineWorks` asks the API (through the cached
client); :class:`realist.network.offline.OfflineWorks` reads files.  Chasing,
hand searching and enrichment are written once against this protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..records import normalise_openalex_id
from .openalex import Identifier, OpenAlexClient, work_identifiers

__all__ = ["WorkSource", "OnlineWorks", "Progress", "work_id", "cited_ids"]

#: progress(label, done, total)
Progress = Callable[[str, int, int], None]


def work_id(work: dict[str, Any]) -> str | None:
    """The bare OpenAlex id (``W123``) of a work object."""
    return normalise_openalex_id(str(work.get("id") or (work.get("ids") or {}).get("openalex") or ""))


def cited_ids(work: dict[str, Any]) -> list[str]:
    """The bare OpenAlex ids in a work's ``referenced_works``, in order, once each."""
    ids = (normalise_openalex_id(str(r)) for r in work.get("referenced_works") or [])
    return list(dict.fromkeys(i for i in ids if i))


class WorkSource(Protocol):
    def describe(self) -> dict[str, Any]: ...

    def lookup(self, ids: Sequence[Identifier]) -> dict[Identifier, dict[str, Any] | None]: ...

    def works(self, openalex_ids: Sequence[str], progress: Progress | None = None) -> dict[str, dict[str, Any]]: ...

    def citing(
        self, openalex_ids: Sequence[str], progress: Progress | None = None
    ) -> list[tuple[dict[str, Any], list[str]]]: ...


def _batches(values: Sequence[str], size: int) -> list[list[str]]:
    size = max(1, size)
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


class OnlineWorks:
    """Works from the OpenAlex API, batched ``ids_per_filter`` ids per request."""

    def __init__(self, client: OpenAlexClient) -> None:
        self.client = client

    def describe(self) -> dict[str, Any]:
        return {"via": "openalex_api", "openalex_url": self.client.settings.base_url}

    def lookup(self, ids: Sequence[Identifier]) -> dict[Identifier, dict[str, Any] | None]:
        """Batched filters per kind of id; a singleton request for any left unanswered
        (it follows OpenAlex's redirect when a work was merged)."""
        out: dict[Identifier, dict[str, Any] | None] = {}
        wanted = list(dict.fromkeys(ids))
        for kind in ("openalex", "doi", "pmid"):
            values = [v for k, v in wanted if k == kind]
            if not values:
                continue
            for work in self.client.works_by(kind, values):
                for ident in work_identifiers(work):
                    if ident in wanted and ident not in out:
                        out[ident] = work
        for ident in wanted:
            if ident not in out:
                out[ident] = self.client.work(ident)
        return out

    def works(self, openalex_ids: Sequence[str], progress: Progress | None = None) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        batches = _batches(list(dict.fromkeys(openalex_ids)), self.client.settings.ids_per_filter)
        for done, batch in enumerate(batches, 1):
            for work in self.client.works_by("openalex", batch):
                wid = work_id(work)
                if wid:
                    out[wid] = work
            if progress is not None:
                progress("Reference lists", done, len(batches))
        return out

    def citing(
        self, openalex_ids: Sequence[str], progress: Progress | None = None
    ) -> list[tuple[dict[str, Any], list[str]]]:
        """Works citing any of the ids, each with the ids it cites.

        Seeds are OR-ed in one filter; which seed a work cites is read from
        its ``referenced_works``.  When that list does not name one (OpenAlex
        merged a work since), the work is credited to every seed of its batch.
        """
        out: dict[str, tuple[dict[str, Any], list[str]]] = {}
        batches = _batches(list(dict.fromkeys(openalex_ids)), self.client.settings.ids_per_filter)
        for done, batch in enumerate(batches, 1):
            for work in self.client.works_by("cites", batch):
                wid = work_id(work)
                if not wid:
                    continue
                refs = set(cited_ids(work))
                seeds = [s for s in batch if s in refs] or list(batch)
                earlier = out.get(wid)
                out[wid] = (work, sorted(set(seeds) | set(earlier[1] if earlier else [])))
            if progress is not None:
                progress("Citing works", done, len(batches))
        return list(out.values())
