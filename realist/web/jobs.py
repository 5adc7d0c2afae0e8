"""Long work in the background, through huey: imports, deduplication, ranking refits.

The queue is a :class:`huey.SqliteHuey` file under the first served review's
``.realist/jobs.db``, so it needs no extra service and every worker process
on the machine shares it.  Each app process runs an in-process consumer
thread (started with the app, stopped with it); ``immediate=True`` runs each
job at once in the caller (tests, scripts).

A job acts as the member who asked for it (the event log names them).  Its
kind, review and state live in the queue's key-value store, so a page in any
process can show its progress; its answer is huey's result.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import MemoryHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer

from .. import accounts
from ..deduplicate.store import run_dedup
from ..errors import NotFound, RealistError
from ..identify.uploads import Upload, import_uploads
from ..screen.served import refit
from .store import WebStore

__all__ = ["JobQueue", "Job", "JOBS_FILE"]

JOBS_FILE = "jobs.db"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """What a page shows about a job."""

    id: str
    review_id: int
    kind: str
    state: str  # queued | running | done | failed
    result: dict[str, Any] | None = None
    error: str | None = None


class _ThreadConsumer(Consumer):  # type: ignore[misc]  # huey is untyped
    """huey's consumer, inside the app's process: no signal handlers of its own."""

    def _set_signal_handlers(self) -> None:
        return None


class JobQueue:
    """The app's job queue and its tasks."""

    def __init__(self, store: WebStore, *, immediate: bool = False) -> None:
        self.store = store
        if immediate:
            self.huey: Huey = MemoryHuey("realist", immediate=True)
        else:
            if store.data_dir is not None:
                queue_file = store.data_dir / JOBS_FILE
            else:
                queue_file = Path(next(iter(store.reviews.values()))) / ".realist" / JOBS_FILE
            self.huey = SqliteHuey("realist", filename=str(queue_file))
        self._consumer: _ThreadConsumer | None = None
        self._refits: set[tuple[int, str, str]] = set()
        self._lock = threading.Lock()
        huey = self.huey

        def import_job(
            review_id: int,
            account_id: int,
            files: list[tuple[str, bytes]],
            source: str | None,
            kind: str,
            task: Any = None,
        ) -> dict[str, Any]:
            def work(review: Any) -> dict[str, Any]:
                results = import_uploads(review, [Upload(n, d) for n, d in files], source=source, kind=kind)
                return {
                    "imported": [
                        {
                            "file": r.file,
                            "format": r.format,
                            "records": r.records,
                            "source_id": r.source_id,
                            "warnings": r.warnings,
                        }
                        for r in results
                    ]
                }

            return self._run(task.id, review_id, account_id, work)

        def dedup_job(review_id: int, account_id: int, task: Any = None) -> dict[str, Any]:
            return self._run(task.id, review_id, account_id, lambda review: {"summary": run_dedup(review).to_dict()})

        def refit_job(review_id: int, account_id: int, stage: str, task: Any = None) -> dict[str, Any]:
            try:
                return self._run(
                    task.id, review_id, account_id, lambda review: {"ranked": len(refit(review, review.actor, stage))}
                )
            finally:
                with self._lock:
                    self._refits.discard((review_id, str(account_id), stage))

        task = huey.task(context=True)
        self._import: Any = task(import_job)
        self._dedup: Any = huey.task(context=True)(dedup_job)
        self._refit: Any = huey.task(context=True)(refit_job)

    # ---------------------------------------------------------------- running

    def _run(self, job_id: str, review_id: int, account_id: int, work: Any) -> dict[str, Any]:
        self.huey.put(f"state:{job_id}", "running")
        try:
            path = self.store.folder(review_id)
            if path is None:
                raise NotFound(f"no review {review_id}")
            review, _member = accounts.open_review_for(self.store.engine, path, review_id, account_id)
            out: dict[str, Any] = work(review)
        except RealistError as exc:  # a user error: shown on the job's page
            self.huey.put(f"state:{job_id}", "failed")
            return {"error": str(exc)}
        except Exception:
            self.huey.put(f"state:{job_id}", "failed")
            log.exception("job %s failed", job_id)
            raise
        self.huey.put(f"state:{job_id}", "done")
        return out

    def _submitted(self, result: Any, review_id: int, kind: str) -> str:
        job_id: str = result.id
        self.huey.put(f"meta:{job_id}", {"review_id": review_id, "kind": kind})
        return job_id

    def start(self) -> None:
        """Start the in-process consumer (not in immediate mode)."""
        if self.huey.immediate or self._consumer is not None:
            return
        self._consumer = _ThreadConsumer(
            self.huey,
            workers=1,
            worker_type="thread",
            periodic=False,
            initial_delay=0.05,
            max_delay=0.5,
            check_worker_health=False,
        )
        self._consumer.start()

    def stop(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None

    # ---------------------------------------------------------------- submitting

    def submit_import(
        self, review_id: int, account_id: int, uploads: list[Upload], *, source: str | None, kind: str
    ) -> str:
        # Metadata first: in immediate mode the job has run when the call returns.
        result = self._import(review_id, account_id, [(u.name, u.data) for u in uploads], source, kind)
        return self._submitted(result, review_id, "import")

    def submit_dedup(self, review_id: int, account_id: int) -> str:
        return self._submitted(self._dedup(review_id, account_id), review_id, "dedup")

    def submit_refit(self, review_id: int, account_id: int, stage: str) -> str | None:
        """Queue a ranking refit unless one for this reviewer and stage is already waiting here."""
        key = (review_id, str(account_id), stage)
        with self._lock:
            if key in self._refits:
                return None
            self._refits.add(key)
        return self._submitted(self._refit(review_id, account_id, stage), review_id, "refit")

    def job(self, job_id: str, review_id: int) -> Job | None:
        """A job of ``review_id`` (None for another review's or an unknown job)."""
        meta = self.huey.get(f"meta:{job_id}", peek=True)
        if not isinstance(meta, dict) or meta.get("review_id") != review_id:
            return None
        state = self.huey.get(f"state:{job_id}", peek=True) or "queued"
        result = self.huey.result(job_id, preserve=True) if state in ("done", "failed") else None
        if isinstance(result, dict) and "error" in result:
            return Job(job_id, review_id, str(meta["kind"]), "failed", None, str(result["error"]))
        if state == "failed":
            return Job(job_id, review_id, str(meta["kind"]), "failed", None, "the job failed: see the server log")
        return Job(job_id, review_id, str(meta["kind"]), str(state), result if isinstance(result, dict) else None)
