"""Long work in the background, through huey: imports, deduplication, ranking refits,
the report, citation chasing and hand searching.

Where the queue lives follows the store: an SQLite review keeps it in a
:class:`huey.SqliteHuey` file, ``.realist/jobs.db`` under the first served
review (no extra service); a PostgreSQL store keeps it in the same server
database, in huey's own tables (``huey_kv``, ``huey_task``, ``huey_schedule``,
``huey_counter``; :mod:`huey.contrib.sql_huey` over peewee), so app processes
on several machines share one queue.

Who runs the jobs:

* ``realist serve`` starts one **consumer process** next to the app's worker
  processes (:func:`run_consumer`; ``--job-workers N`` for more, 0 for none);
  ``realist worker`` runs one on its own, e.g. on another machine.  Ranking
  refits (TF-IDF features and a linear SVM) are CPU work that must not share
  a process, and its GIL, with the requests.
* An app made by :func:`~realist.web.app.create_app` with ``run_jobs=True``
  (tests, :func:`~realist.web.server.running`) runs a consumer thread inside
  its own process instead; ``immediate=True`` runs each job at once in the
  caller.

Ranking refits are coalesced: at most one waits per reviewer and stage, in
the whole queue (a ``refit-pending`` key set atomically with
``put_if_empty``), and a consumer keeps each review's features (the TF-IDF
matrix) in memory between refits, for every reviewer, rebuilt when the set
of records changes (an import, a merge) or the protocol's criteria change.

A job acts as the member who asked for it (the event log names them).  Its
kind, review and state live in the queue's key-value store, so a page in any
process can show its progress; its answer is huey's result.  Jobs that take
steps (the report, a chase, a hand search) also put their progress there
(:meth:`JobQueue.progress`): the step, how far it is, and each retry of a
request to OpenAlex.

Built reports are written to ``<review>/.realist/reports/<job id>/`` (one
folder per build, by :func:`realist.report.build_report`, the function the
command line's ``realist report`` calls); :func:`report_dir` finds one.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import MemoryHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer
from sqlalchemy import Engine

from .. import accounts
from ..deduplicate.store import run_dedup
from ..errors import NotFound, RealistError
from ..identify.uploads import Upload, import_uploads
from ..protocol import STAGES
from ..review import STATE_DIR, ReviewHandle
from ..screen.served import refit
from .store import WebStore, open_store

__all__ = [
    "JobQueue",
    "Job",
    "JOBS_FILE",
    "QUEUE_TABLES",
    "make_huey",
    "run_consumer",
    "REFIT_PENDING_TTL_S",
    "REPORTS_FOLDER",
    "report_dir",
    "report_builds",
]

JOBS_FILE = "jobs.db"
QUEUE_NAME = "realist"
# huey's tables in a PostgreSQL store (prefixed: the review's schema has a table of its own per kind).
QUEUE_TABLES = ("huey_kv", "huey_schedule", "huey_task", "huey_counter")
# A pending refit older than this is taken as lost (a consumer stopped while it waited) and queued again.
REFIT_PENDING_TTL_S = 600
REPORTS_FOLDER = "reports"
_BUILD_ID = re.compile(r"^[0-9a-f-]{8,64}$")


def _reports(review: ReviewHandle) -> Path:
    return review.path / STATE_DIR / REPORTS_FOLDER


def report_dir(review: ReviewHandle, build_id: str) -> Path | None:
    """The folder of one finished report build of this review (None if there is none by that id)."""
    if not _BUILD_ID.match(build_id):
        return None
    folder = _reports(review) / build_id
    return folder if (folder / ".done").is_file() else None


def report_builds(review: ReviewHandle) -> list[dict[str, Any]]:
    """This review's finished report builds, newest first: id, when, who, and the files written."""
    root = _reports(review)
    out = []
    for folder in root.iterdir() if root.is_dir() else []:
        done = folder / ".done"
        if not done.is_file() or not _BUILD_ID.match(folder.name):
            continue
        lines = done.read_text(encoding="utf-8").splitlines()
        out.append(
            {
                "id": folder.name,
                "built_at": lines[0] if lines else "",
                "by": lines[1] if len(lines) > 1 else "",
                "files": build_files(folder),
            }
        )
    return sorted(out, key=lambda b: str(b["built_at"]), reverse=True)


def build_files(folder: Path) -> list[str]:
    """The files of a report build, as paths relative to its folder (no hidden files)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


log = logging.getLogger(__name__)


def _pg_huey(engine: Engine) -> Huey:
    """A huey queue in the store's PostgreSQL database (huey's SqlHuey, peewee, pooled connections)."""
    from huey.contrib.sql_huey import SqlStorage
    from playhouse.pool import PooledPostgresqlDatabase

    class PrefixedStorage(SqlStorage):  # type: ignore[misc]  # huey is untyped
        """huey's SQL storage with its tables named ``huey_*`` (huey's own models, renamed)."""

        def create_models(self) -> tuple[Any, ...]:
            from huey.contrib.sql_huey import BytesBlobField
            from peewee import CharField, CompositeKey, FloatField, IntegerField, Model, TimestampField

            class Base(Model):
                class Meta:
                    database = self.database
                    table_function = staticmethod(lambda model: f"huey_{model.__name__.lower()}")

            class KV(Base):
                queue = CharField()
                key = CharField()
                value = BytesBlobField()

                class Meta:
                    primary_key = CompositeKey("queue", "key")

            class Schedule(Base):
                queue = CharField()
                data = BytesBlobField()
                timestamp = TimestampField(resolution=1000)

                class Meta:
                    indexes = ((("queue", "timestamp"), False),)

            class Task(Base):
                queue = CharField()
                data = BytesBlobField()
                priority = FloatField(default=0.0)

            Task.add_index(Task.priority.desc(), Task._meta.primary_key)

            class Counter(Base):
                queue = CharField()
                key = CharField()
                value = IntegerField()

                class Meta:
                    primary_key = CompositeKey("queue", "key")

            return (KV, Schedule, Task, Counter)

    url = engine.url
    params: dict[str, Any] = {k: v for k, v in url.query.items() if isinstance(v, str)}
    database = PooledPostgresqlDatabase(
        url.database,
        user=url.username,
        password=url.password,
        host=url.host,
        port=url.port,
        max_connections=8,
        stale_timeout=300,
        timeout=30,
        **params,
    )
    return Huey(QUEUE_NAME, storage_class=PrefixedStorage, database=database)


def make_huey(store: WebStore, *, immediate: bool = False) -> Huey:
    """The queue for a store: in memory (immediate), in PostgreSQL, or in an SQLite file."""
    if immediate:
        return MemoryHuey(QUEUE_NAME, immediate=True)
    if store.engine.dialect.name == "postgresql":
        return _pg_huey(store.engine)
    if store.data_dir is not None:  # a whole database served: the queue sits beside the review folders
        return SqliteHuey(QUEUE_NAME, filename=str(store.data_dir / JOBS_FILE))
    first = Path(next(iter(store.reviews.values())))
    return SqliteHuey(QUEUE_NAME, filename=str(first / ".realist" / JOBS_FILE))


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
        self.huey: Huey = make_huey(store, immediate=immediate)
        self._consumer: _ThreadConsumer | None = None
        # Features per (review, stage), kept between refits in this process (see next_records).
        self._rankers: dict[tuple[int, str], dict[str, Any]] = {}
        self._fit_lock = threading.Lock()  # one fit at a time: a cached ranker is not shared mid-fit
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
            # No longer waiting: a decision made from now on may queue the next refit.
            with self._released():
                self.huey.get(_pending_key(review_id, account_id, stage))

            def work(review: Any) -> dict[str, Any]:
                cache = self._rankers.setdefault((review_id, stage), {})
                with self._fit_lock:
                    return {"ranked": len(refit(review, review.actor, stage, ranker_cache=cache))}

            return self._run(task.id, review_id, account_id, work)

        def report_job(
            review_id: int, account_id: int, formats: list[str], style: str, task: Any = None
        ) -> dict[str, Any]:
            job_id = str(task.id)

            def work(review: ReviewHandle) -> dict[str, Any]:
                from ..report import build_report

                folder = _reports(review) / job_id

                def progress(step: str, done: int, total: int) -> None:
                    self._progress(job_id, step, done, total)

                try:
                    build_report(review, folder, tuple(formats), style=style, progress=progress)
                except BaseException:
                    shutil.rmtree(folder, ignore_errors=True)  # no half-built report is ever listed
                    raise
                stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                (folder / ".done").write_text(f"{stamp}\n{review.actor}\n", encoding="utf-8")
                return {"report": job_id, "files": build_files(folder)}

            return self._run(job_id, review_id, account_id, work)

        def network_job(
            review_id: int,
            account_id: int,
            what: str,
            options: dict[str, Any],
            saved: list[tuple[str, bytes]],
            task: Any = None,
        ) -> dict[str, Any]:
            job_id = str(task.id)
            return self._run(
                job_id, review_id, account_id, lambda review: self._network(job_id, review, what, options, saved)
            )

        task = huey.task(context=True)
        self._import: Any = task(import_job)
        self._report: Any = huey.task(context=True)(report_job)
        self._network_task: Any = huey.task(context=True)(network_job)
        self._dedup: Any = huey.task(context=True)(dedup_job)
        self._refit: Any = huey.task(context=True)(refit_job)

    # ---------------------------------------------------------------- running

    @contextmanager
    def _released(self) -> Iterator[None]:
        """Queue calls from a request thread: hand a pooled PostgreSQL connection back after them."""
        try:
            yield
        finally:
            database = getattr(self.huey.storage, "database", None)
            if database is not None:  # the pool keeps it open for the next caller
                database.close()

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

    def _progress(self, job_id: str, step: str, done: int, total: int) -> None:
        now = self.progress(job_id)
        now.update(step=step, done=done, total=total)
        self.huey.put(f"progress:{job_id}", now)

    def _retried(self, job_id: str, seconds: float) -> None:
        now = self.progress(job_id)
        now["retries"] = [*now.get("retries", []), round(seconds, 1)]
        self.huey.put(f"progress:{job_id}", now)

    def progress(self, job_id: str) -> dict[str, Any]:
        """How far a job is: ``step``, ``done`` of ``total``, and ``retries`` (the waits, in seconds)."""
        now = self.huey.get(f"progress:{job_id}", peek=True)
        return dict(now) if isinstance(now, dict) else {}

    def _network(
        self, job_id: str, review: ReviewHandle, what: str, options: dict[str, Any], saved: list[tuple[str, bytes]]
    ) -> dict[str, Any]:
        """A chase or a hand search, from uploaded saved OpenAlex works or through OpenAlex (cached)."""
        from ..network import chase, handsearch
        from ..network.offline import OfflineWorks, read_works
        from ..network.openalex import OpenAlexClient
        from ..network.sources import close_source, openalex_settings
        from ..network.works import OnlineWorks

        def sleep(seconds: float) -> None:  # OpenAlex is retried after a wait: the job's page shows each one
            self._retried(job_id, seconds)
            time.sleep(seconds)

        def progress(step: str, done: int, total: int) -> None:
            self._progress(job_id, step, done, total)

        with tempfile.TemporaryDirectory(prefix="realist-saved-") as tmp:
            paths, names = [], []
            for i, (name, data) in enumerate(saved):
                safe = "".join(c for c in name if c.isalnum() or c in "._-")[-80:] or "works.json"
                path = Path(tmp) / f"{i}-{safe}"
                path.write_bytes(data)
                paths.append(path)
                names.append(f"uploaded {name}")
            offline = OfflineWorks(read_works(paths), files=names) if paths else None
            client = OpenAlexClient(openalex_settings(review), sleep=sleep)  # connects only when asked
            try:
                if what == "chase":
                    source: Any = offline if offline is not None else OnlineWorks(client)
                    result = chase(
                        review,
                        str(options["direction"]),
                        source,
                        seeds=list(options.get("seeds") or []),
                        included=bool(options.get("included")),
                        depth=int(options.get("depth") or 1),
                        name=options.get("name") or None,
                        progress=progress,
                    )
                    return {"chase": result.to_dict()}
                searched: Any = offline if offline is not None else client
                found = handsearch(
                    review,
                    str(options["journal"]),
                    list(options.get("terms") or []),
                    searched,
                    year_from=options.get("year_from") or None,
                    year_to=options.get("year_to") or None,
                    match=str(options.get("match") or "any"),
                    name=options.get("name") or None,
                    progress=progress,
                )
                return {"handsearch": found.to_dict()}
            finally:
                close_source(client)

    def _submitted(self, result: Any, review_id: int, kind: str) -> str:
        job_id: str = result.id
        self.huey.put(f"meta:{job_id}", {"review_id": review_id, "kind": kind})
        return job_id

    def start(self) -> None:
        """Start a consumer thread in this process (not in immediate mode)."""
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

    def warm(self, stage: str = STAGES[0]) -> None:
        """Build each served review's features now, before the first refit asks for them.

        On a large review this is most of a first refit's time (about half a
        minute at 50,000 records); a consumer does it when it starts, so the
        reviewers' first rankings come as soon as they ask.
        """
        from ..review import ReviewHandle
        from ..screen.queue import next_records
        from ..store.db import session_scope
        from ..store.models import Review

        for review_id, path in self.store.reviews.items():
            with session_scope(self.store.engine) as session:
                row = session.get(Review, review_id)
                if row is None:
                    continue
                review = ReviewHandle(path, self.store.engine, review_id, row.uuid, row.title, "web")
            cache = self._rankers.setdefault((review_id, stage), {})
            try:
                with self._fit_lock:
                    next_records(review, "", stage=stage, limit=1, ranker_cache=cache)
            except RealistError as exc:  # e.g. nothing to screen yet
                log.info("no features for review %s yet: %s", review_id, exc)

    # ---------------------------------------------------------------- submitting

    def submit_import(
        self, review_id: int, account_id: int, uploads: list[Upload], *, source: str | None, kind: str
    ) -> str:
        # Metadata first: in immediate mode the job has run when the call returns.
        with self._released():
            result = self._import(review_id, account_id, [(u.name, u.data) for u in uploads], source, kind)
            return self._submitted(result, review_id, "import")

    def submit_dedup(self, review_id: int, account_id: int) -> str:
        with self._released():
            return self._submitted(self._dedup(review_id, account_id), review_id, "dedup")

    def submit_refit(self, review_id: int, account_id: int, stage: str) -> str | None:
        """Queue a ranking refit unless one for this reviewer and stage is already waiting (None then).

        The check holds across processes and machines: the pending mark is
        set atomically in the queue's store, and the job clears it when it
        starts.  A mark older than :data:`REFIT_PENDING_TTL_S` (its job lost
        with a stopped consumer) is replaced.
        """
        key = _pending_key(review_id, account_id, stage)
        now = time.time()
        with self._released():
            if not self.huey.storage.put_if_empty(key, self.huey.serializer.serialize(now)):
                since = self.huey.get(key, peek=True)
                if isinstance(since, (int, float)) and now - since < REFIT_PENDING_TTL_S:
                    return None
                self.huey.put(key, now)
            return self._submitted(self._refit(review_id, account_id, stage), review_id, "refit")

    def submit_report(self, review_id: int, account_id: int, formats: list[str], style: str) -> str:
        return self._submitted(self._report(review_id, account_id, formats, style), review_id, "report")

    def submit_network(
        self,
        review_id: int,
        account_id: int,
        what: str,
        options: dict[str, Any],
        saved: list[tuple[str, bytes]],
    ) -> str:
        """Queue a chase (``what="chase"``) or a hand search (``"handsearch"``)."""
        return self._submitted(self._network_task(review_id, account_id, what, options, saved), review_id, what)

    def job(self, job_id: str, review_id: int) -> Job | None:
        """A job of ``review_id`` (None for another review's or an unknown job)."""
        with self._released():
            return self._job(job_id, review_id)

    def _job(self, job_id: str, review_id: int) -> Job | None:
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


def _pending_key(review_id: int, account_id: int, stage: str) -> str:
    return f"refit-pending:{review_id}:{account_id}:{stage}"


def run_consumer(
    review_dirs: Sequence[str | Path], *, database_url: str | None = None, data_dir: str | Path | None = None
) -> None:
    """Run jobs for the reviews in ``review_dirs`` until interrupted (``realist worker``; blocks).

    One huey consumer with one worker thread; run more of these (on this
    machine or others sharing a PostgreSQL store) for more jobs at once.
    Each keeps its own in-memory features, built when it starts (:meth:`JobQueue.warm`).
    """
    store = open_store(review_dirs, database_url=database_url, data_dir=data_dir)
    queue = JobQueue(store)
    queue.warm()
    consumer = queue.huey.create_consumer(
        workers=1, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.5
    )
    try:
        consumer.run()  # handles SIGINT / SIGTERM: stops when the current job is done
    finally:
        store.close()
